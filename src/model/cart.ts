/**
 * One CART classification tree (gini) grown on histogram-binned columns. Mirrors scikit-learn's
 * DecisionTreeClassifier as used inside RandomForestClassifier: bootstrap rows become integer sample
 * weights (a row drawn k times weighs k), class weights multiply them, min_samples_leaf counts
 * distinct rows, zero-improvement splits are allowed, and the feature search continues past
 * max_features when only constant features were drawn. Children of a node are allocated as a pair
 * (right = left + 1) which keeps the flattened inference layout to a single child array.
 */
import type { Rng } from './rng.js';

export interface TreeParams {
  readonly nClasses: number;
  /** Maximum depth (root = 0); Infinity for unlimited. */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** Number of features examined per node, already resolved from sqrt/log2/... */
  readonly maxFeatures: number;
  readonly bootstrap: boolean;
}

export interface TrainingColumns {
  readonly nRows: number;
  readonly nFeatures: number;
  /** Column-major bin codes (see binning.ts). */
  readonly codes: Uint8Array;
  readonly y: Int32Array;
  /** Per-class weight multiplier. */
  readonly classWeight: Float64Array;
}

/** A tree before thresholds are resolved: split = (feature, bin); leaves hold class distributions. */
export interface BinTree {
  readonly feature: Int32Array; // -1 for leaves
  readonly splitBin: Int32Array; // bin index b: codes <= b go left
  readonly child: Int32Array; // internal: left child (right = left+1); leaf: leaf number
  readonly leafValues: Float32Array; // nLeaves * nClasses, each row sums to 1
}

export function growTree(data: TrainingColumns, params: TreeParams, rng: Rng): BinTree {
  const { nRows, nFeatures, codes, y, classWeight } = data;
  const nC = params.nClasses;
  const minLeaf = Math.max(1, params.minSamplesLeaf);
  const mtry = Math.max(1, Math.min(nFeatures, params.maxFeatures));

  // --- bootstrap → distinct sample list + weights
  const w = new Float64Array(nRows);
  if (params.bootstrap) {
    for (let i = 0; i < nRows; i++) w[rng.int(nRows)]! += 1;
  } else w.fill(1);
  let nSamples = 0;
  for (let i = 0; i < nRows; i++) if (w[i]! > 0) nSamples++;
  // Sample index, label and weight live side by side in node order (partitioned together), so the
  // split search reads labels/weights sequentially and only the bin code is a gather.
  const idx = new Int32Array(nSamples);
  const ys = new Int32Array(nSamples);
  const ws = new Float64Array(nSamples);
  const tmpI = new Int32Array(nSamples);
  const tmpY = new Int32Array(nSamples);
  const tmpW = new Float64Array(nSamples);
  for (let i = 0, j = 0; i < nRows; i++) {
    if (w[i]! > 0) {
      idx[j] = i;
      ys[j] = y[i]!;
      ws[j++] = w[i]! * classWeight[y[i]!]!;
    }
  }

  // --- growable node storage
  const feature: number[] = [];
  const splitBin: number[] = [];
  const child: number[] = [];
  const leafVals: number[] = [];
  let nLeaves = 0;
  const newNode = (): number => {
    feature.push(-1);
    splitBin.push(0);
    child.push(0);
    return feature.length - 1;
  };

  const histW = new Float64Array(256 * nC);
  const histN = new Int32Array(256);
  const total = new Float64Array(nC);
  const left = new Float64Array(nC);
  const perm = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) perm[f] = f;

  const makeLeaf = (node: number, tot: Float64Array): void => {
    let s = 0;
    for (let c = 0; c < nC; c++) s += tot[c]!;
    feature[node] = -1;
    child[node] = nLeaves++;
    for (let c = 0; c < nC; c++) leafVals.push(s > 0 ? tot[c]! / s : 1 / nC);
  };

  // Explicit depth-first stack like scikit-learn. `known` marks features already found constant on
  // the path from the root: they stay constant in every descendant, so they are skipped in O(1).
  interface Job {
    node: number;
    start: number;
    end: number;
    depth: number;
    known: Uint8Array;
  }
  const stack: Job[] = [{ node: newNode(), start: 0, end: nSamples, depth: 0, known: new Uint8Array(nFeatures) }];
  while (stack.length > 0) {
    const { node, start, end, depth, known } = stack.pop()!;
    const n = end - start;

    total.fill(0);
    for (let s = start; s < end; s++) total[ys[s]!]! += ws[s]!;
    let wTot = 0;
    let nonZero = 0;
    for (let c = 0; c < nC; c++) {
      wTot += total[c]!;
      if (total[c]! > 0) nonZero++;
    }
    if (depth >= params.maxDepth || n < 2 || n < 2 * minLeaf || nonZero <= 1) {
      makeLeaf(node, total);
      continue;
    }

    // --- split search over a random subset of features
    let bestScore = -Infinity;
    let bestF = -1;
    let bestB = -1;
    // scikit-learn's rule: visit max_features features (constant ones count), but keep drawing
    // until at least one non-constant feature has been evaluated.
    let visited = 0;
    let nonConstant = 0;
    let childKnown: Uint8Array | null = null;
    for (let k = 0; k < nFeatures && (visited < mtry || nonConstant === 0); k++) {
      const j = k + rng.int(nFeatures - k);
      const f = perm[j]!;
      perm[j] = perm[k]!;
      perm[k] = f;
      visited++;
      if (known[f]) continue;
      const base = f * nRows;
      let minB = 255;
      let maxB = 0;
      if (minLeaf === 1) {
        // distinct counts only matter for min_samples_leaf > 1 (weights are > 0, so W > 0 ⇔ n > 0)
        for (let s = start; s < end; s++) {
          const b = codes[base + idx[s]!]!;
          histW[b * nC + ys[s]!]! += ws[s]!;
          if (b < minB) minB = b;
          if (b > maxB) maxB = b;
        }
        for (let b = minB; b <= maxB; b++) histN[b] = histW[b * nC]! > 0 || hasWeight(histW, b * nC, nC) ? 1 : 0;
      } else {
        for (let s = start; s < end; s++) {
          const b = codes[base + idx[s]!]!;
          histW[b * nC + ys[s]!]! += ws[s]!;
          histN[b]!++;
          if (b < minB) minB = b;
          if (b > maxB) maxB = b;
        }
      }
      if (minB === maxB) {
        histW.fill(0, minB * nC, minB * nC + nC);
        histN[minB] = 0;
        childKnown ??= known.slice();
        childKnown[f] = 1;
        continue;
      }
      nonConstant++;
      left.fill(0);
      let nLeft = 0;
      let wLeft = 0;
      for (let b = minB; b < maxB; b++) {
        const o = b * nC;
        const hn = histN[b]!;
        if (hn === 0) continue;
        nLeft += hn;
        for (let c = 0; c < nC; c++) {
          const v = histW[o + c]!;
          left[c]! += v;
          wLeft += v;
        }
        if (nLeft < minLeaf) continue;
        if (n - nLeft < minLeaf) break;
        const wRight = wTot - wLeft;
        if (wLeft <= 0 || wRight <= 0) continue;
        // gini proxy: Σ L_c²/W_L + Σ R_c²/W_R (larger is better)
        let sl = 0;
        let sr = 0;
        for (let c = 0; c < nC; c++) {
          const l = left[c]!;
          const r = total[c]! - l;
          sl += l * l;
          sr += r * r;
        }
        const score = sl / wLeft + sr / wRight;
        if (score > bestScore) {
          bestScore = score;
          bestF = f;
          bestB = b;
        }
      }
      histW.fill(0, minB * nC, (maxB + 1) * nC);
      histN.fill(0, minB, maxB + 1);
    }
    if (bestF < 0) {
      makeLeaf(node, total);
      continue;
    }

    // --- stable partition of [start, end): codes <= bestB first. Stability keeps every node's sample
    // indices ascending, so the bin-code gathers above walk each column forwards (cache/prefetch
    // friendly) instead of jumping around it.
    const base = bestF * nRows;
    let a = start;
    let nr = 0;
    for (let s = start; s < end; s++) {
      const i = idx[s]!;
      if (codes[base + i]! <= bestB) {
        idx[a] = i;
        ys[a] = ys[s]!;
        ws[a] = ws[s]!;
        a++;
      } else {
        tmpI[nr] = i;
        tmpY[nr] = ys[s]!;
        tmpW[nr++] = ws[s]!;
      }
    }
    idx.set(tmpI.subarray(0, nr), a);
    ys.set(tmpY.subarray(0, nr), a);
    ws.set(tmpW.subarray(0, nr), a);
    const l = newNode();
    const r = newNode();
    feature[node] = bestF;
    splitBin[node] = bestB;
    child[node] = l;
    // push right first so the left subtree is built first (depth-first, left-to-right)
    const kids = childKnown ?? known;
    stack.push({ node: r, start: a, end, depth: depth + 1, known: kids });
    stack.push({ node: l, start, end: a, depth: depth + 1, known: kids });
  }

  return {
    feature: Int32Array.from(feature),
    splitBin: Int32Array.from(splitBin),
    child: Int32Array.from(child),
    leafValues: Float32Array.from(leafVals),
  };
}

function hasWeight(h: Float64Array, o: number, nC: number): boolean {
  for (let c = 0; c < nC; c++) if (h[o + c]! > 0) return true;
  return false;
}
