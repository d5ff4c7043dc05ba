/**
 * Running statistics stored in place in a Float64Array (no objects per flow). The update follows
 * Apache commons-math's SummaryStatistics exactly (FirstMoment / SecondMoment incremental updates),
 * which is what CICFlowMeter used: the mean is the incremental m1, not sum/n, so that printed values
 * match CICFlowMeter's to the last digit (e.g. 3.7187499999999996 rather than 3.71875).
 *
 * Layout of one block at offset o: [n, sum, min, max, m1, m2].
 */
export const STAT_BLOCK = 6;
const N = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;
const M1 = 4;
const M2 = 5;

export function statReset(a: Float64Array, o: number): void {
  a[o + N] = 0;
  a[o + SUM] = 0;
  a[o + MIN] = 0;
  a[o + MAX] = 0;
  a[o + M1] = 0;
  a[o + M2] = 0;
}

export function statAdd(a: Float64Array, o: number, x: number): void {
  const n = a[o + N] + 1;
  a[o + N] = n;
  a[o + SUM] += x;
  if (n === 1) {
    a[o + MIN] = x;
    a[o + MAX] = x;
    a[o + M1] = x;
    a[o + M2] = 0;
    return;
  }
  if (x < a[o + MIN]) a[o + MIN] = x;
  if (x > a[o + MAX]) a[o + MAX] = x;
  const dev = x - a[o + M1];
  const nDev = dev / n;
  a[o + M1] += nDev;
  a[o + M2] += (n - 1) * dev * nDev;
}

export function statN(a: Float64Array, o: number): number {
  return a[o + N];
}
export function statSum(a: Float64Array, o: number): number {
  return a[o + SUM];
}
export function statMin(a: Float64Array, o: number): number {
  return a[o + MIN];
}
export function statMax(a: Float64Array, o: number): number {
  return a[o + MAX];
}
export function statMean(a: Float64Array, o: number): number {
  return a[o + M1];
}
/** Sample (n−1) variance; 0 for a single value (commons-math convention). */
export function statVariance(a: Float64Array, o: number): number {
  const n = a[o + N];
  return n > 1 ? a[o + M2] / (n - 1) : 0;
}
export function statStd(a: Float64Array, o: number): number {
  const n = a[o + N];
  return n > 1 ? Math.sqrt(a[o + M2] / (n - 1)) : 0;
}
