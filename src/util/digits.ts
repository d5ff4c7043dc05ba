/** Decimal digit pairs for the number formatters (number-format.ts, dtoa.ts). */

/** "00".."99" as byte pairs: two digits per division instead of one. */
export const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Writes 0 ≤ d < 100 as exactly two digits at b[p], b[p + 1]. */
export function put2(b: Uint8Array, p: number, d: number): void {
  b[p] = DIGIT_PAIRS[2 * d]!;
  b[p + 1] = DIGIT_PAIRS[2 * d + 1]!;
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
