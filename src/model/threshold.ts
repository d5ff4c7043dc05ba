/**
 * Binary decision thresholds fitted by cross-validation on TRAINING rows only.
 *
 * A Random Forest's P(attack) can rank rows well (high AUC) while 0.5 is the wrong cut for the data it
 * will meet: on NSL-KDD, KDDTest+'s attacks are mostly names absent from KDDTrain+, and a third of
 * them score below 0.5. The threshold is fitted on out-of-fold scores — for NSL-KDD with folds grouped
 * by attack name, so every scored attack is one its model never saw — and then stored in the model
 * (ModelInfo.decision, applied by decideClass). Test files are never looked at here.
 */
import { FlowsentryError } from '../errors.js';
import type { Dataset } from './datasets/table.js';
import type { DecisionRule } from './model.js';
import { predictDataset, trainModel } from './pipeline.js';
import { groupedKFold, stratifiedKFold } from './split.js';
import type { ForestParams } from './train.js';

export interface ThresholdFitOptions {
  /** Grid of thresholds lo, lo+step, …, hi (defaults 0.05, 0.01, 0.95). */
  readonly lo?: number;
  readonly hi?: number;
  readonly step?: number;
  /** Plateau: thresholds whose accuracy is within this of the maximum (default 0.002 = 0.2 pt). */
  readonly tolerance?: number;
}

export interface ThresholdFit {
  /** The chosen threshold: the centre of the plateau around the best grid point. */
  readonly threshold: number;
  /** Accuracy at the chosen threshold. */
  readonly accuracy: number;
  /** Best grid accuracy and the (lowest) threshold reaching it. */
  readonly maxAccuracy: number;
  readonly argmax: number;
  /** Contiguous range of grid thresholds around argmax whose accuracy is ≥ max − tolerance. */
  readonly plateau: readonly [number, number];
  /** Accuracy of the rule P ≥ 0.5 (the argmax rule up to exact ties), for comparison. */
  readonly accuracyAtHalf: number;
  readonly curve: readonly { readonly t: number; readonly accuracy: number }[];
  readonly nRows: number;
  readonly tolerance: number;
}

/**
 * Picks the threshold t maximising accuracy of "positive iff score ≥ t" over the rows with a finite
 * score. `positive[i]` is 1 for positive rows. Robust choice: the centre of the contiguous plateau
 * (within `tolerance` of the maximum) around the best grid point, snapped to the grid.
 */
export function fitThreshold(score: ArrayLike<number>, positive: ArrayLike<number>, opts: ThresholdFitOptions = {}): ThresholdFit {
  const lo = opts.lo ?? 0.05;
  const hi = opts.hi ?? 0.95;
  const step = opts.step ?? 0.01;
  const tol = opts.tolerance ?? 0.002;
  if (!(lo > 0 && hi < 1 && lo <= hi && step > 0)) throw new RangeError('fitThreshold: need 0 < lo ≤ hi < 1 and step > 0');
  const nGrid = Math.floor((hi - lo) / step + 1e-9) + 1;
  const grid = Array.from({ length: nGrid }, (_, i) => Math.round((lo + i * step) * 1e6) / 1e6);
  // histogram-free exact counting: sort once, then sweep
  const idx: number[] = [];
  for (let i = 0; i < score.length; i++) if (Number.isFinite(score[i]!)) idx.push(i);
  const n = idx.length;
  if (n === 0) throw new RangeError('fitThreshold: no scored rows');
  const accAt = (t: number): number => {
    let correct = 0;
    for (const i of idx) if ((score[i]! >= t ? 1 : 0) === (positive[i] ? 1 : 0)) correct++;
    return correct / n;
  };
  const curve = grid.map((t) => ({ t, accuracy: accAt(t) }));
  let best = 0;
  for (let i = 1; i < nGrid; i++) if (curve[i]!.accuracy > curve[best]!.accuracy) best = i;
  const max = curve[best]!.accuracy;
  let a = best;
  let b = best;
  while (a > 0 && curve[a - 1]!.accuracy >= max - tol) a--;
  while (b < nGrid - 1 && curve[b + 1]!.accuracy >= max - tol) b++;
  const c = Math.round((a + b) / 2);
  return {
    threshold: grid[c]!,
    accuracy: curve[c]!.accuracy,
    maxAccuracy: max,
    argmax: grid[best]!,
    plateau: [grid[a]!, grid[b]!],
    accuracyAtHalf: accAt(0.5),
    curve,
    nRows: n,
    tolerance: tol,
  };
}

export interface CvThresholdRequest {
  readonly ds: Dataset;
  /** Rows of ds the CV may use (default all): the training rows. */
  readonly rows?: Int32Array;
  readonly params: ForestParams;
  /** The positive class (NSL-KDD 'attack'). */
  readonly positive: string;
  /** Tree seeds per fold (scores are averaged over them). Default 1. */
  readonly repeats?: number;
  readonly k?: number;
  readonly workers?: number;
  readonly log1p?: readonly string[];
  readonly fit?: ThresholdFitOptions;
  readonly onFit?: (done: number, total: number) => void;
}

export interface CvThresholdResult extends ThresholdFit {
  /** 'grouped' (by ds.groups, e.g. NSL-KDD attack names) or 'stratified'. */
  readonly folds: 'grouped' | 'stratified';
  readonly k: number;
  readonly repeats: number;
  readonly nTrees: number;
  /** Out-of-fold P(positive) per ds row (NaN outside `rows`). */
  readonly scores: Float64Array;
}

/**
 * The CV folds used for threshold fitting: grouped by ds.groups when the dataset has them and has a
 * 'normal' group (NSL-KDD: every attack name held out whole), else stratified by label. k = 3.
 */
export function thresholdFolds(ds: Dataset, rows: Int32Array | undefined, k = 3): { kind: 'grouped' | 'stratified'; folds: Int32Array[] } {
  if (ds.groups && ds.groups.includes('normal') && new Set(ds.groups).size > 2) return { kind: 'grouped', folds: groupedKFold(ds.groups, k, 7, 'normal', rows) };
  return { kind: 'stratified', folds: stratifiedKFold(ds.labels, k, 2, rows) };
}

/** Out-of-fold P(positive) over the training rows, then fitThreshold. Uses training rows only. */
export async function crossValidateThreshold(req: CvThresholdRequest): Promise<CvThresholdResult> {
  const { ds, positive } = req;
  const present = new Set(req.rows ? Array.from(req.rows, (r) => ds.labels[r]!) : ds.labels);
  if (present.size !== 2) throw new FlowsentryError('FS_ERR_USAGE', `a decision threshold needs a binary task; the training rows have ${present.size} classes`);
  if (!present.has(positive)) throw new FlowsentryError('FS_ERR_USAGE', `positive class '${positive}' not in the training rows`);
  const k = req.k ?? 3;
  const repeats = Math.max(1, req.repeats ?? 1);
  const { kind, folds } = thresholdFolds(ds, req.rows, k);
  const universe = new Uint8Array(ds.nRows);
  for (const f of folds) for (const r of f) universe[r] = 1;
  const scores = new Float64Array(ds.nRows).fill(Number.NaN);
  const sum = new Float64Array(ds.nRows);
  let done = 0;
  for (let rep = 0; rep < repeats; rep++) {
    for (const val of folds) {
      const held = new Uint8Array(ds.nRows);
      for (const r of val) held[r] = 1;
      const tr: number[] = [];
      for (let r = 0; r < ds.nRows; r++) if (universe[r] && !held[r]) tr.push(r);
      const { model } = await trainModel({
        train: ds,
        trainRows: Int32Array.from(tr),
        params: { ...req.params, seed: req.params.seed + rep },
        task: 'binary',
        workers: req.workers,
        createdAt: 'cv',
        log1p: req.log1p ?? [],
      });
      const pi = model.info.classes.indexOf(positive);
      if (pi < 0) throw new FlowsentryError('FS_ERR_DATASET', `a CV fold's training rows lack class '${positive}'`);
      const pred = predictDataset(model, ds, val);
      const nC = model.info.classes.length;
      for (let i = 0; i < val.length; i++) sum[val[i]!] += pred.proba[i * nC + pi]!;
      req.onFit?.(++done, repeats * folds.length);
    }
  }
  const isPos = new Uint8Array(ds.nRows);
  for (let r = 0; r < ds.nRows; r++) {
    if (universe[r]) scores[r] = sum[r]! / repeats;
    isPos[r] = ds.labels[r] === positive ? 1 : 0;
  }
  const fit = fitThreshold(scores, isPos, req.fit);
  return { ...fit, folds: kind, k, repeats, nTrees: req.params.nTrees, scores };
}

/** The decision rule (with provenance) for a CV result; `what` names the training data, e.g. 'KDDTrain+.txt'. */
export function decisionFromCv(r: CvThresholdResult, positive: string, what: string): DecisionRule {
  const folds = r.folds === 'grouped' ? 'attack-name-grouped' : 'stratified';
  return {
    positive,
    threshold: r.threshold,
    chosenBy:
      `${folds} ${r.k}-fold CV on ${what} only (${r.repeats} seed(s), ${r.nTrees} trees per fit, ${r.nRows} rows): ` +
      `centre of the plateau ${r.plateau[0]}–${r.plateau[1]} within ${(100 * r.tolerance).toFixed(1)} pt of the best out-of-fold accuracy ` +
      `${r.maxAccuracy.toFixed(4)} (at 0.5: ${r.accuracyAtHalf.toFixed(4)})`,
  };
}

/** One-line-per-0.05 summary of a CV threshold curve plus the plateau and choice. */
export function formatThresholdCurve(r: ThresholdFit): string {
  const lines = [`out-of-fold accuracy by threshold (${r.nRows} rows):`];
  const row: string[] = [];
  for (const p of r.curve) if (Math.abs(Math.round(p.t * 20) - p.t * 20) < 1e-9) row.push(`${p.t.toFixed(2)}:${p.accuracy.toFixed(4)}`);
  for (let i = 0; i < row.length; i += 6) lines.push('  ' + row.slice(i, i + 6).join('  '));
  lines.push(
    `max ${r.maxAccuracy.toFixed(4)} at t=${r.argmax.toFixed(2)}; plateau (≥ max − ${(100 * r.tolerance).toFixed(1)} pt) ${r.plateau[0].toFixed(2)}–${r.plateau[1].toFixed(2)}; ` +
      `chosen t=${r.threshold.toFixed(2)} (accuracy ${r.accuracy.toFixed(4)}); at 0.5: ${r.accuracyAtHalf.toFixed(4)}`,
  );
  return lines.join('\n');
}
