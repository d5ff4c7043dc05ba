/**
 * Hyper-parameters chosen by cross-validation on training data only (scripts/cv-forest.ts; results
 * in docs/models.md). Shared by `npm run train:models`, the benchmarks and the data-backed tests.
 */
import { defaultForestParams, type ForestParams } from './train.js';

/** NSL-KDD binary (normal/attack), both feature modes: attack-name-grouped CV on KDDTrain+. */
export const NSL_BINARY_PARAMS: ForestParams = { ...defaultForestParams, maxFeatures: 'log2', classWeight: 'none' };
/** NSL-KDD 5-class on nslkdd28 (the bundled model). */
export const NSL_MULTICLASS_PARAMS: ForestParams = { ...defaultForestParams, maxFeatures: 'log2', classWeight: 'none' };
/** CICIDS2017 improved sample, 16 classes: stratified 3-fold CV on the 70 % training part. */
export const CIC_PARAMS: ForestParams = { ...defaultForestParams, maxFeatures: 'sqrt', classWeight: 'balanced' };
