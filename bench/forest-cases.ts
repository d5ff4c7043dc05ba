/**
 * The data sets the forest benchmarks share (bench/forest-sklearn.ts, bench/forest-inference.ts):
 * NSL-KDD binary KDDTrain+ → KDDTest+ (41 and/or 28 features) and the CICIDS2017 improved sample
 * with its stratified 70/30 split (seed 1), each encoded the way training sees it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadDataset, type Dataset } from '../src/model/datasets/index.js';
import { encodeDataset, fitPreprocessing, labelIndices } from '../src/model/datasets/table.js';
import type { Preprocessing } from '../src/model/model.js';
import { stratifiedSplit } from '../src/model/split.js';
import { sharedData } from './args.js';

export interface ForestCase {
  name: string;
  train: Dataset;
  trainRows?: Int32Array;
  test: Dataset;
  testRows?: Int32Array;
}

/** `which`: nsl | cic | all; `nslFeatures`: the NSL-KDD feature modes to include. */
export function forestCases(which: string, nslFeatures: readonly (41 | 28)[]): ForestCase[] {
  const out: ForestCase[] = [];
  if (which === 'nsl' || which === 'all') {
    const nsl = path.join(sharedData, 'nsl-kdd');
    for (const features of nslFeatures) {
      const opts = { task: 'binary' as const, nslFeatures: features };
      out.push({
        name: `NSL-KDD nslkdd${features} binary, KDDTrain+ → KDDTest+`,
        train: loadDataset('nsl-kdd', [path.join(nsl, 'KDDTrain+.txt')], opts),
        test: loadDataset('nsl-kdd', [path.join(nsl, 'KDDTest+.txt')], opts),
      });
    }
  }
  if (which === 'cic' || which === 'all') {
    const dir = path.join(sharedData, 'cicids2017-improved-sample');
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f));
    const ds = loadDataset('cicids2017', files, { task: 'multiclass' });
    const split = stratifiedSplit(ds.labels, 0.3, 1);
    out.push({ name: 'CICIDS2017 improved sample, 16 classes, stratified 70/30', train: ds, trainRows: split.train, test: ds, testRows: split.test });
  }
  return out;
}

export interface EncodedCase {
  pre: Preprocessing;
  tr: { X: Float64Array; nRows: number; nFeatures: number };
  te: { X: Float64Array; nRows: number; nFeatures: number };
  /** Classes present in the training rows, in the dataset's order. */
  classes: string[];
  ytr: Int32Array;
  yte: Int32Array;
}

/** Preprocessing fitted on the training rows, both sides encoded, labels as class indices. */
export function encodeCase(c: ForestCase): EncodedCase {
  const pre = fitPreprocessing(c.train, c.trainRows);
  const tr = encodeDataset(c.train, pre, c.trainRows);
  const te = encodeDataset(c.test, pre, c.testRows);
  const present = new Set(c.trainRows ? Array.from(c.trainRows, (r) => c.train.labels[r]!) : c.train.labels);
  const classes = c.train.classOrder.filter((k) => present.has(k));
  return { pre, tr, te, classes, ytr: labelIndices(c.train.labels, classes, c.trainRows), yte: labelIndices(c.test.labels, classes, c.testRows) };
}
