/**
 * Dataset → model → report, shared by the CLI, the bundled-model script, the CV script and the
 * benchmarks: fit preprocessing on the training rows, train the forest, evaluate on test rows.
 */
import { FlowsentryError } from '../errors.js';
import { encodeDataset, fitPreprocessing, labelIndices, type Dataset } from './datasets/table.js';
import { evaluatePredictions, type EvaluationReport } from './metrics.js';
import { encodedColumnNames, predictModel, type Model } from './model.js';
import { trainForest, type ForestParams } from './train.js';

export interface TrainRequest {
  readonly train: Dataset;
  /** Rows of `train` to fit on (default all). */
  readonly trainRows?: Int32Array;
  readonly params: ForestParams;
  readonly task: 'binary' | 'multiclass';
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly notes?: readonly string[];
  readonly createdAt?: string;
  /** Numeric columns to encode with the 'log1p' transform. */
  readonly log1p?: readonly string[];
}

export async function trainModel(req: TrainRequest): Promise<{ model: Model; seconds: number }> {
  const ds = req.train;
  const rows = req.trainRows;
  const pre = fitPreprocessing(ds, rows, req.log1p ?? []);
  const { X, nRows, nFeatures } = encodeDataset(ds, pre, rows);
  const present = new Set(rows ? Array.from(rows, (r) => ds.labels[r]!) : ds.labels);
  const classes = ds.classOrder.filter((c) => present.has(c));
  if (classes.length < 2) throw new FlowsentryError('FS_ERR_DATASET', `training data has ${classes.length} class(es) (${classes.join(', ')}); need at least 2`);
  const y = labelIndices(ds.labels, classes, rows, 'training data');
  const t0 = performance.now();
  const forest = await trainForest(X, nRows, nFeatures, y, classes.length, req.params, {
    workers: req.workers,
    onProgress: req.onProgress,
    nonFiniteValue: pre.nonFiniteValue,
  });
  const seconds = (performance.now() - t0) / 1000;
  const classCounts: Record<string, number> = {};
  for (let i = 0; i < nRows; i++) classCounts[classes[y[i]!]!] = (classCounts[classes[y[i]!]!] ?? 0) + 1;
  const p = req.params;
  const model: Model = {
    forest,
    info: {
      featureSet: ds.featureSet,
      columns: pre.inputs.map((c) => c.name),
      encodedColumns: encodedColumnNames(pre.inputs),
      classes,
      task: req.task,
      preprocessing: pre,
      training: {
        dataset: ds.kind,
        params: {
          n_estimators: p.nTrees,
          max_depth: Number.isFinite(p.maxDepth) ? p.maxDepth : null,
          min_samples_leaf: p.minSamplesLeaf,
          max_features: typeof p.maxFeatures === 'number' ? p.maxFeatures : p.maxFeatures,
          bootstrap: p.bootstrap,
          class_weight: typeof p.classWeight === 'string' ? p.classWeight : [...p.classWeight],
          seed: p.seed,
          max_bins: p.maxBins,
          split: 'gini, histogram bins (exact when ≤ max_bins distinct values)',
        },
        files: ds.files,
        rows: nRows,
        classCounts,
        notes: [...ds.notes, ...(req.notes ?? [])],
      },
      metrics: null,
      createdAt: req.createdAt ?? createdAtNow(),
    },
  };
  return { model, seconds };
}

/** ISO time, or SOURCE_DATE_EPOCH (seconds) when set, for byte-reproducible model files. */
export function createdAtNow(): string {
  const sde = process.env.SOURCE_DATE_EPOCH;
  return sde && /^\d+$/.test(sde) ? new Date(Number(sde) * 1000).toISOString() : new Date().toISOString();
}

export interface Prediction {
  /** The model's decided class per row (decideClass: its decision rule if any, else argmax). */
  readonly cls: Int32Array;
  readonly proba: Float32Array;
  readonly nRows: number;
}

export function predictDataset(model: Model, ds: Dataset, rows?: Int32Array): Prediction {
  if (ds.featureSet !== model.info.featureSet) {
    throw new FlowsentryError('FS_ERR_MODEL_FEATURES', `model is for feature set '${model.info.featureSet}', the data is '${ds.featureSet}'`);
  }
  const { X, nRows } = encodeDataset(ds, model.info.preprocessing, rows);
  const cls = new Int32Array(nRows);
  const proba = new Float32Array(nRows * model.forest.nClasses);
  predictModel(model, X, nRows, cls, proba);
  return { cls, proba, nRows };
}

/**
 * Accuracy, confusion and per-class metrics use the model's decided class (its decision threshold if
 * it has one); ROC AUC uses the probabilities, so it does not depend on the threshold.
 */
export function evaluateModel(model: Model, ds: Dataset, rows?: Int32Array): EvaluationReport {
  const pred = predictDataset(model, ds, rows);
  const classes = model.info.classes;
  const y = labelIndices(ds.labels, classes, rows, 'evaluation data');
  const positive = classes.length === 2 ? 1 : null; // binary: class 1 is attack/ATTACK
  return evaluatePredictions(classes, y, pred.cls, pred.proba, positive);
}
