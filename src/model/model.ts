/**
 * A trained model = header metadata (feature set, ordered columns, classes, preprocessing, training
 * provenance, metrics) + the flattened forest. The header is plain data; nothing in a model file is
 * executable. This module also holds the input encoder (raw column values → the forest's numeric row)
 * and the feature-set contract check used by the extractor side.
 */
import { FlowsentryError } from '../errors.js';
import { predictBatch, type Forest } from './forest.js';

export const MODEL_FORMAT = 'flowsentry-rf';
export const MODEL_FORMAT_VERSION = 1;

/** Feature-set ids: the contract between a model and the extractor that feeds it. */
export type FeatureSetId = 'nslkdd41' | 'nslkdd28' | 'cic2017';
export const FEATURE_SET_IDS: readonly FeatureSetId[] = ['nslkdd41', 'nslkdd28', 'cic2017'];

export type InputColumn =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      /**
       * Optional monotone transform applied after the non-finite mapping: 'log1p' is
       * sign(x)·ln(1+|x|). Trees are invariant to it except where thresholds fall (midpoints in log
       * space generalise differently to values never seen in training, e.g. novel attacks' byte counts).
       */
      readonly transform?: 'log1p';
    }
  | { readonly name: string; readonly kind: 'categorical'; readonly vocabulary: readonly string[] };

export interface Preprocessing {
  /** Raw input columns in order; categorical ones are one-hot encoded over their training vocabulary. */
  readonly inputs: readonly InputColumn[];
  /** NaN, +Infinity and -Infinity in numeric inputs are replaced by this value (training and inference). */
  readonly nonFiniteValue: number;
}

export interface TrainingFile {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ModelInfo {
  readonly featureSet: FeatureSetId;
  /** Ordered raw input column names (what an extractor must provide). */
  readonly columns: readonly string[];
  /** Ordered forest input names after one-hot encoding (the predictBatch row layout). */
  readonly encodedColumns: readonly string[];
  readonly classes: readonly string[];
  readonly task: 'binary' | 'multiclass';
  readonly preprocessing: Preprocessing;
  /** Training parameters and provenance (JSON data only). */
  readonly training: {
    readonly dataset: string;
    readonly params: Readonly<Record<string, string | number | boolean | null | readonly number[]>>;
    readonly files: readonly TrainingFile[];
    readonly rows: number;
    readonly classCounts: Readonly<Record<string, number>>;
    readonly notes: readonly string[];
  };
  /** Evaluation metrics recorded at training time (JSON data), or null. */
  readonly metrics: unknown;
  /** ISO-8601; the only field that differs between two trainings with the same seed. */
  readonly createdAt: string;
  /**
   * Optional binary decision rule: predict `positive` when its probability is ≥ `threshold`, else the
   * other class. Absent = argmax of the class probabilities (ties → lowest class index).
   */
  readonly decision?: DecisionRule;
}

/** A fitted binary decision threshold (see decideClass). */
export interface DecisionRule {
  /** The class the threshold applies to (NSL-KDD: 'attack'). */
  readonly positive: string;
  /** In (0, 1): P(positive) ≥ threshold ⇒ positive. */
  readonly threshold: number;
  /** How the threshold was chosen (provenance; e.g. 'grouped CV on KDDTrain+ …'). */
  readonly chosenBy: string;
}

export interface Model {
  readonly info: ModelInfo;
  readonly forest: Forest;
}

/** Names of the encoded columns for a preprocessing spec (`service=http` style for one-hot). */
export function encodedColumnNames(inputs: readonly InputColumn[]): string[] {
  const out: string[] = [];
  for (const c of inputs) {
    if (c.kind === 'numeric') out.push(c.name);
    else for (const v of c.vocabulary) out.push(`${c.name}=${v}`);
  }
  return out;
}

export type RawValue = number | string;

/**
 * Returns a function that writes one encoded row (model.info.encodedColumns order) at `offset` in
 * `out` from raw values given in model.info.columns order. Unknown categories encode as all-zero;
 * non-finite numbers become preprocessing.nonFiniteValue. Allocation-free per row.
 */
export function createEncoder(info: Pick<ModelInfo, 'preprocessing'>): (values: ArrayLike<RawValue>, out: Float64Array | Float32Array, offset: number) => void {
  const inputs = info.preprocessing.inputs;
  const nf = info.preprocessing.nonFiniteValue;
  const maps = inputs.map((c) => (c.kind === 'categorical' ? new Map(c.vocabulary.map((v, i) => [v, i])) : null));
  const widths = inputs.map((c) => (c.kind === 'categorical' ? c.vocabulary.length : 1));
  const logs = inputs.map((c) => c.kind === 'numeric' && c.transform === 'log1p');
  return (values, out, offset) => {
    let o = offset;
    for (let j = 0; j < inputs.length; j++) {
      const v = values[j];
      const map = maps[j];
      if (map) {
        const w = widths[j]!;
        out.fill(0, o, o + w);
        const k = map.get(String(v));
        if (k !== undefined) out[o + k] = 1;
        o += w;
      } else {
        const x = typeof v === 'number' ? v : Number(v);
        const y = Number.isFinite(x) ? x : nf;
        out[o++] = logs[j] ? signedLog1p(y) : y;
      }
    }
  };
}

/**
 * The extractor-side contract check: the model must be for feature set `id`, and every model column
 * must be among `columns` (the names the extractor emits). Returns, for each model column, its index
 * in `columns` so the caller can gather values in model order.
 */
export function assertFeatureSet(model: Model | ModelInfo, id: FeatureSetId, columns: readonly string[]): Int32Array {
  const info = 'info' in model ? model.info : model;
  if (info.featureSet !== id) {
    throw new FlowsentryError('FS_ERR_MODEL_FEATURES', `model is for feature set '${info.featureSet}', the extractor provides '${id}'`);
  }
  const pos = new Map<string, number>();
  columns.forEach((c, i) => {
    const k = c.trim();
    if (!pos.has(k)) pos.set(k, i);
  });
  const missing: string[] = [];
  const idx = new Int32Array(info.columns.length);
  info.columns.forEach((c, i) => {
    const p = pos.get(c);
    if (p === undefined) missing.push(c);
    else idx[i] = p;
  });
  if (missing.length > 0) {
    throw new FlowsentryError(
      'FS_ERR_MODEL_FEATURES',
      `feature set '${id}' lacks ${missing.length} column(s) the model needs: ${missing.slice(0, 8).map((m) => `'${m}'`).join(', ')}${missing.length > 8 ? ', …' : ''}`,
    );
  }
  return idx;
}

/**
 * Returns the reason a decision rule is invalid for a model with these classes/task, or null when it
 * is valid. Used by the model-file loader and whenever a rule is attached to a model.
 */
export function decisionRuleProblem(rule: unknown, info: Pick<ModelInfo, 'classes' | 'task'>): string | null {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return 'decision must be an object {positive, threshold, chosenBy}';
  const r = rule as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => k !== 'positive' && k !== 'threshold' && k !== 'chosenBy');
  if (extra.length > 0) return `decision has unknown field(s) ${extra.map((k) => `'${k}'`).join(', ')}`;
  if (info.task !== 'binary' || info.classes.length !== 2) return `decision threshold given for a non-binary model (task ${info.task}, ${info.classes.length} classes)`;
  if (typeof r.positive !== 'string' || !info.classes.includes(r.positive)) return `decision.positive '${String(r.positive)}' is not one of the model's classes (${info.classes.join(', ')})`;
  if (typeof r.threshold !== 'number' || !(r.threshold > 0 && r.threshold < 1)) return `decision.threshold ${JSON.stringify(r.threshold)} is not a number in (0, 1)`;
  if (typeof r.chosenBy !== 'string') return 'decision.chosenBy must be a string';
  return null;
}

/** Returns a copy of `model` with the decision rule attached (validated), or removed when `rule` is null. */
export function withDecision(model: Model, rule: DecisionRule | null): Model {
  const { decision: _old, ...rest } = model.info;
  if (rule === null) return { ...model, info: rest };
  const problem = decisionRuleProblem(rule, model.info);
  if (problem !== null) throw new FlowsentryError('FS_ERR_USAGE', problem);
  return { ...model, info: { ...rest, decision: { positive: rule.positive, threshold: rule.threshold, chosenBy: rule.chosenBy } } };
}

/**
 * THE function that turns a model's class probabilities into its predicted class (index into
 * info.classes) for row `row` of `proba` (nRows × nClasses). With a decision rule: positive iff
 * P(positive) ≥ threshold. Without: argmax, lowest index on ties (predictBatch's rule, applied to the
 * float32 probabilities it reports).
 * Every caller that needs a model's class (evaluation, `train` reports, the live classifier) uses it.
 */
export function decideClass(model: Model | ModelInfo, proba: ArrayLike<number>, row: number): number {
  const info = 'info' in model ? model.info : model;
  const nC = info.classes.length;
  const o = row * nC;
  const d = info.decision;
  if (d !== undefined) {
    const pos = info.classes[0] === d.positive ? 0 : 1;
    return proba[o + pos]! >= d.threshold ? pos : 1 - pos;
  }
  let best = 0;
  let bp = proba[o]!;
  for (let c = 1; c < nC; c++) {
    const p = proba[o + c]!;
    if (p > bp) {
      bp = p;
      best = c;
    }
  }
  return best;
}

/** decideClass for rows 0..nRows-1 of `proba`, written to outClass. */
export function decideClasses(model: Model | ModelInfo, proba: ArrayLike<number>, nRows: number, outClass: Int32Array): void {
  for (let r = 0; r < nRows; r++) outClass[r] = decideClass(model, proba, r);
}

/**
 * predictBatch on the model's forest; outClass holds the model's decided class (decideClass on the
 * returned probabilities): its decision rule if it has one, else the argmax.
 */
export function predictModel(model: Model, X: Float64Array | Float32Array, nRows: number, outClass: Int32Array, outProba: Float32Array): void {
  predictBatch(model.forest, X, nRows, outClass, outProba);
  // the model's class from the probabilities it reports (decideClass), not the forest's raw argmax
  decideClasses(model, outProba, nRows, outClass);
}

/** sign(x)·ln(1+|x|): the 'log1p' input transform (monotone, defined for negatives such as -1). */
export function signedLog1p(x: number): number {
  return x >= 0 ? Math.log1p(x) : -Math.log1p(-x);
}
