/** Decimal digits for the number formatters (number-format.ts, dtoa.ts). */

/**
 * Writes 0 ≤ d < 100 as exactly two digits at b[p], b[p + 1]. The tens digit is (d · 103) >> 10
 * (exact for d < 179), not a lookup in a digit-pair table: V8 re-checked the module-level table
 * (hole check, map, bounds) on every pair, ~25 instructions each, and the number formatters write
 * ~40 pairs per CSV row.
 */
export function put2(b: Uint8Array, p: number, d: number): void {
  const t = (d * 103) >>> 10;
  b[p] = 48 + t;
  b[p + 1] = 48 + d - t * 10;
}

/** Writes 0 ≤ x < 1e8 as exactly eight digits (zero-padded) at b[p..p+7]. */
export function put8(b: Uint8Array, p: number, x: number): void {
  const hi = (x / 10000) | 0;
  const lo = x - hi * 10000;
  const a = (hi / 100) | 0;
  const c = (lo / 100) | 0;
  put2(b, p, a);
  put2(b, p + 2, hi - a * 100);
  put2(b, p + 4, c);
  put2(b, p + 6, lo - c * 100);
}
