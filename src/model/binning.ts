/**
 * Histogram binning for split search. Each feature is cut into at most `maxBins` (≤ 256) ordered bins;
 * the split threshold between bin b and b+1 is the midpoint of the largest training value in b and
 * the smallest in b+1, exactly the candidate thresholds CART/scikit-learn uses. When a feature has
 * ≤ maxBins distinct values (flags, rates with 2 decimals, ports, protocol…) every distinct value
 * gets its own bin and the search is exact; otherwise bins hold ~equal numbers of rows (quantiles).
 */
export interface Binning {
  readonly nFeatures: number;
  /** edges[offsets[f] + b] = threshold between bins b and b+1 of feature f. */
  readonly edges: Float64Array;
  /** offsets.length = nFeatures + 1; feature f has offsets[f+1] - offsets[f] + 1 bins. */
  readonly offsets: Int32Array;
}

/** Upper bound on rows examined when fitting bin edges (quantiles are stable well below this). */
const FIT_SAMPLE = 200_000;

export function fitBinning(X: Float64Array, nRows: number, nFeatures: number, maxBins = 256): Binning {
  if (maxBins < 2 || maxBins > 256) throw new RangeError('maxBins must be in [2, 256]');
  const step = nRows > FIT_SAMPLE ? nRows / FIT_SAMPLE : 1;
  const m = Math.min(nRows, FIT_SAMPLE);
  const col = new Float64Array(m);
  const allEdges: number[][] = [];
  // Row-major X is transposed a block of features at a time: strided reads of a 100 MB matrix
  // once per feature would dominate the fit.
  const BLK = 16;
  const block = new Float64Array(Math.min(BLK, nFeatures) * nRows);
  for (let f = 0; f < nFeatures; f++) {
    const bf = f % BLK;
    if (bf === 0) {
      const w = Math.min(BLK, nFeatures - f);
      for (let i = 0; i < nRows; i++) {
        const xo = i * nFeatures + f;
        for (let k = 0; k < w; k++) block[k * nRows + i] = X[xo + k]!;
      }
    }
    const cb = bf * nRows;
    // Fast path: most columns (one-hot, flags, 2-decimal rates) have few distinct values; then
    // their edges come from the distinct set and no full sort is needed.
    const few = new Set<number>();
    for (let i = 0; i < nRows && few.size <= maxBins; i++) few.add(block[cb + i]!);
    if (few.size <= maxBins) {
      const vals = Float64Array.from(few).sort();
      const edges: number[] = [];
      for (let i = 0; i + 1 < vals.length; i++) edges.push(midpoint(vals[i]!, vals[i + 1]!));
      allEdges.push(edges);
      continue;
    }
    for (let i = 0; i < m; i++) col[i] = block[cb + Math.floor(i * step)]!;
    col.sort();
    // distinct values with their counts
    const vals: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < m; i++) {
      const v = col[i]!;
      if (vals.length > 0 && vals[vals.length - 1] === v) counts[counts.length - 1]!++;
      else {
        vals.push(v);
        counts.push(1);
      }
    }
    const edges: number[] = [];
    if (vals.length <= maxBins) {
      for (let i = 0; i + 1 < vals.length; i++) edges.push(midpoint(vals[i]!, vals[i + 1]!));
    } else {
      // Greedy equal-frequency cut: start a new bin once the running count passes the next quantile.
      let cum = 0;
      let nextCut = m / maxBins;
      for (let i = 0; i + 1 < vals.length && edges.length < maxBins - 1; i++) {
        cum += counts[i]!;
        if (cum >= nextCut) {
          edges.push(midpoint(vals[i]!, vals[i + 1]!));
          nextCut = cum + (m - cum) / (maxBins - edges.length);
        }
      }
    }
    allEdges.push(edges);
  }
  const offsets = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) offsets[f + 1] = offsets[f]! + allEdges[f]!.length;
  const flat = new Float64Array(offsets[nFeatures]!);
  for (let f = 0; f < nFeatures; f++) flat.set(allEdges[f]!, offsets[f]!);
  return { nFeatures, edges: flat, offsets };
}

/** Midpoint that is strictly below b (guards float rounding so that a ≤ thr < b always holds). */
function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b || !Number.isFinite(m) ? a : m;
}

/**
 * Column-major bin codes (codes[f * nRows + i]) so that the split search for one feature walks one
 * compact column. Value v goes to the first bin whose upper edge is ≥ v, matching `v <= threshold`.
 */
export function binColumns(X: Float64Array, nRows: number, binning: Binning, out?: Uint8Array): Uint8Array {
  const nF = binning.nFeatures;
  const codes = out ?? new Uint8Array(nRows * nF);
  const { edges, offsets } = binning;
  // rows outer: X is read sequentially (it is row-major and large); codes writes are scattered but small
  for (let i = 0; i < nRows; i++) {
    const xo = i * nF;
    for (let f = 0; f < nF; f++) {
      const v = X[xo + f]!;
      const lo = offsets[f]!;
      let a = lo;
      let b = offsets[f + 1]!;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (edges[mid]! < v) a = mid + 1;
        else b = mid;
      }
      codes[f * nRows + i] = a - lo;
    }
  }
  return codes;
}
