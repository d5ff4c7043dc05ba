/**
 * Flattened Random Forest and its inference. All trees live in one set of typed arrays (global node
 * indices) so that a model is a handful of contiguous buffers: cheap to (de)serialise, validate and
 * walk. Inference (`predictBatch`, implemented in inference.ts) derives its own faster layouts from
 * these arrays at first use and allocates nothing per row.
 */
import type { BinTree } from './cart.js';
import type { Binning } from './binning.js';

export interface Forest {
  readonly nFeatures: number;
  readonly nClasses: number;
  /** Root node index of each tree. */
  readonly roots: Int32Array;
  /** Split feature per node; -1 marks a leaf. */
  readonly feature: Int32Array;
  /** Split threshold per node: x <= threshold goes left. 0 for leaves. */
  readonly threshold: Float64Array;
  /** Internal node: index of the left child (right child = left + 1). Leaf: offset into leafValues. */
  readonly child: Int32Array;
  /** Class distribution of every leaf, nClasses floats each, summing to 1. */
  readonly leafValues: Float32Array;
  /**
   * Value substituted for NaN/±Infinity inputs before comparing (the same mapping the training data
   * went through); NaN means "no mapping recorded" and such inputs then go right.
   */
  readonly nonFiniteValue: number;
}

/** Joins trees (in tree-index order, so the result does not depend on who built which tree). */
export function assembleForest(trees: readonly BinTree[], binning: Binning, nClasses: number, nonFiniteValue: number): Forest {
  let nNodes = 0;
  let nLeafVals = 0;
  for (const t of trees) {
    nNodes += t.feature.length;
    nLeafVals += t.leafValues.length;
  }
  const roots = new Int32Array(trees.length);
  const feature = new Int32Array(nNodes);
  const threshold = new Float64Array(nNodes);
  const child = new Int32Array(nNodes);
  const leafValues = new Float32Array(nLeafVals);
  let nodeOff = 0;
  let leafOff = 0;
  trees.forEach((t, ti) => {
    roots[ti] = nodeOff;
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      const g = nodeOff + i;
      feature[g] = f;
      if (f < 0) {
        child[g] = leafOff + t.child[i]! * nClasses;
      } else {
        child[g] = nodeOff + t.child[i]!;
        threshold[g] = binning.edges[binning.offsets[f]! + t.splitBin[i]!]!;
      }
    }
    leafValues.set(t.leafValues, leafOff);
    nodeOff += t.feature.length;
    leafOff += t.leafValues.length;
  });
  return { nFeatures: binning.nFeatures, nClasses, roots, feature, threshold, child, leafValues, nonFiniteValue };
}

// Inference lives in inference.ts (bitset traversal, exact to the bit); re-exported for callers.
export { predictBatch } from './inference.js';

export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

/** scikit-learn semantics: sqrt/log2 of n (floored, ≥ 1); integer = that many; (0,1) = fraction of n. */
export function resolveMaxFeatures(mf: MaxFeatures, nFeatures: number): number {
  let k: number;
  if (mf === 'sqrt') k = Math.floor(Math.sqrt(nFeatures));
  else if (mf === 'log2') k = Math.floor(Math.log2(nFeatures));
  else if (mf === 'all') k = nFeatures;
  else if (mf > 0 && mf < 1) k = Math.floor(mf * nFeatures);
  else k = Math.floor(mf);
  return Math.max(1, Math.min(nFeatures, k));
}

/** Class weights: none (all 1), 'balanced' (n / (k · count_c), scikit-learn) or explicit per class. */
export type ClassWeight = 'none' | 'balanced' | readonly number[];

export function resolveClassWeight(cw: ClassWeight, y: Int32Array, nClasses: number): Float64Array {
  const out = new Float64Array(nClasses).fill(1);
  if (cw === 'none') return out;
  if (cw === 'balanced') {
    const counts = new Float64Array(nClasses);
    for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
    for (let c = 0; c < nClasses; c++) out[c] = counts[c]! > 0 ? y.length / (nClasses * counts[c]!) : 1;
    return out;
  }
  if (cw.length !== nClasses) throw new RangeError(`class weights: expected ${nClasses} values, got ${cw.length}`);
  cw.forEach((v, c) => (out[c] = v));
  return out;
}

/** Number of nodes and the maximum depth of each tree (for reports). */
export function forestStats(forest: Forest): { nodes: number; leaves: number; maxDepth: number } {
  let leaves = 0;
  for (let i = 0; i < forest.feature.length; i++) if (forest.feature[i]! < 0) leaves++;
  let maxDepth = 0;
  const stack: number[] = [];
  for (const root of forest.roots) {
    stack.push(root, 0);
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (d > maxDepth) maxDepth = d;
      if (forest.feature[n]! >= 0) stack.push(forest.child[n]!, d + 1, forest.child[n]! + 1, d + 1);
    }
  }
  return { nodes: forest.feature.length, leaves, maxDepth };
}
