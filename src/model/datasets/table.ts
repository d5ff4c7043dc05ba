/**
 * Loaded dataset (column-wise) and its preprocessing: one-hot vocabularies fitted on the training rows
 * only, NaN/±Infinity mapped to one documented value, rows encoded into the forest's row-major layout.
 */
import { FlowsentryError } from '../../errors.js';
import { encodedColumnNames, signedLog1p, type FeatureSetId, type InputColumn, type Preprocessing, type TrainingFile } from '../model.js';

export type Column =
  | { readonly name: string; readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly name: string; readonly kind: 'categorical'; readonly values: readonly string[] };

export interface Dataset {
  readonly kind: string;
  readonly featureSet: FeatureSetId;
  readonly columns: readonly Column[];
  readonly nRows: number;
  /** Task-mapped label per row (e.g. 'attack', 'DoS', 'DDoS'). */
  readonly labels: readonly string[];
  /**
   * Optional finer label per row for grouped cross-validation (NSL-KDD .txt files: the attack name,
   * e.g. 'neptune', 'normal'). Never used as a feature or a training label.
   */
  readonly groups?: readonly string[];
  /** Canonical class order for models trained on this dataset (classes absent from the data are dropped). */
  readonly classOrder: readonly string[];
  readonly files: readonly TrainingFile[];
  /** Number of NaN/±Infinity cells seen (mapped to NON_FINITE_VALUE at encoding). */
  readonly nonFiniteCells: number;
  readonly notes: readonly string[];
}

/**
 * NaN/±Infinity (zero-duration rates in CICFlowMeter output) become -1: a value no rate can take, the
 * same convention as the improved CICIDS2017 extractor (which writes -1), applied identically at
 * training and prediction time (recorded in the model).
 */
export const NON_FINITE_VALUE = -1;

export function fitPreprocessing(ds: Dataset, rows?: Int32Array, log1pColumns: readonly string[] = []): Preprocessing {
  for (const l of log1pColumns) {
    if (!ds.columns.some((c) => c.name === l && c.kind === 'numeric')) throw new FlowsentryError('FS_ERR_USAGE', `log1p: no numeric column '${l}' in the data`);
  }
  const inputs: InputColumn[] = ds.columns.map((c) => {
    if (c.kind === 'numeric') return log1pColumns.includes(c.name) ? { name: c.name, kind: 'numeric', transform: 'log1p' } : { name: c.name, kind: 'numeric' };
    const seen = new Set<string>();
    if (rows) for (const r of rows) seen.add(c.values[r]!);
    else for (const v of c.values) seen.add(v);
    return { name: c.name, kind: 'categorical', vocabulary: [...seen].sort() };
  });
  return { inputs, nonFiniteValue: NON_FINITE_VALUE };
}

/**
 * Encodes the selected rows (all when `rows` is omitted) for a model's preprocessing; dataset columns
 * are matched by name, so a dataset with extra columns works and a missing one is an error.
 */
export function encodeDataset(ds: Dataset, pre: Preprocessing, rows?: Int32Array): { X: Float64Array; nRows: number; nFeatures: number } {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const nFeatures = encodedColumnNames(pre.inputs).length;
  const n = rows ? rows.length : ds.nRows;
  const X = new Float64Array(n * nFeatures);
  let off = 0;
  for (const inp of pre.inputs) {
    const col = byName.get(inp.name);
    if (!col) throw new FlowsentryError('FS_ERR_MODEL_FEATURES', `the data has no column '${inp.name}' that the model needs`);
    if (inp.kind === 'numeric') {
      if (col.kind !== 'numeric') throw new FlowsentryError('FS_ERR_MODEL_FEATURES', `column '${inp.name}' is categorical in the data, numeric in the model`);
      const log = inp.transform === 'log1p';
      for (let i = 0; i < n; i++) {
        const v = col.values[rows ? rows[i]! : i]!;
        const x = Number.isFinite(v) ? v : pre.nonFiniteValue;
        X[i * nFeatures + off] = log ? signedLog1p(x) : x;
      }
      off += 1;
    } else {
      if (col.kind !== 'categorical') throw new FlowsentryError('FS_ERR_MODEL_FEATURES', `column '${inp.name}' is numeric in the data, categorical in the model`);
      const idx = new Map(inp.vocabulary.map((v, k) => [v, k]));
      for (let i = 0; i < n; i++) {
        const k = idx.get(col.values[rows ? rows[i]! : i]!);
        if (k !== undefined) X[i * nFeatures + off + k] = 1; // unknown category → all zero
      }
      off += inp.vocabulary.length;
    }
  }
  return { X, nRows: n, nFeatures };
}

/** Maps row labels to class indices of `classes`; an unknown label is an error naming it. */
export function labelIndices(labels: readonly string[], classes: readonly string[], rows?: Int32Array, what = 'data'): Int32Array {
  const idx = new Map(classes.map((c, i) => [c, i]));
  const n = rows ? rows.length : labels.length;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[rows ? rows[i]! : i]!;
    const k = idx.get(l);
    if (k === undefined) throw new FlowsentryError('FS_ERR_DATASET', `${what}: label '${l}' is not one of the model's classes (${classes.join(', ')})`);
    y[i] = k;
  }
  return y;
}

/** Concatenates per-file partial datasets that must have identical columns. */
export function concatColumns(parts: readonly (readonly Column[])[], files: readonly string[]): Column[] {
  const first = parts[0]!;
  parts.forEach((p, i) => {
    const a = p.map((c) => c.name).join('|');
    if (a !== first.map((c) => c.name).join('|')) {
      const extra = p.find((c) => !first.some((f) => f.name === c.name)) ?? first.find((c) => !p.some((f) => f.name === c.name));
      throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${files[i]}: columns differ from ${files[0]} (column '${extra?.name ?? '?'}')`);
    }
  });
  if (parts.length === 1) return [...first];
  return first.map((c, j) => {
    if (c.kind === 'numeric') {
      const total = parts.reduce((s, p) => s + p[j]!.values.length, 0);
      const out = new Float64Array(total);
      let o = 0;
      for (const p of parts) {
        out.set(p[j]!.values as Float64Array, o);
        o += p[j]!.values.length;
      }
      return { name: c.name, kind: 'numeric', values: out };
    }
    return { name: c.name, kind: 'categorical', values: parts.flatMap((p) => p[j]!.values as readonly string[]) };
  });
}
