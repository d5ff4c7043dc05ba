/**
 * Shortest round-trip formatting of doubles straight into a byte buffer, producing exactly what
 * `String(v)` produces (ECMAScript Number::toString: the fewest significant digits that read back
 * as v, the closest such digits when several qualify), without creating a string.
 *
 * Why: `flowsentry features` writes ~16 non-integer doubles per flow (rates, means, standard
 * deviations). `String(v)` plus copying its characters cost ~200 ns per value, the single largest
 * cost of the whole process after the packet loop. This path costs a fraction of that.
 *
 * How: for 1e-6 ≤ |v| < 1e15, P = |v|·10^k is brought into [1e16, 1e17) and computed *exactly* as
 * the unevaluated sum ph + pl (Dekker's error-free product; 10^k is exact for k ≤ 22). The decimals
 * that read back as v are those inside v's rounding interval, scaled: P − L … P + U, where U and L
 * are half the gaps to the neighbouring doubles (exact powers of two times 10^k). Candidates with 15, 16, then 17
 * significant digits are the multiples of 100, 10, 1 next to P; the first level with a candidate in
 * the interval gives the shortest digits (15 suffices for every shorter decimal: DBL_DIG), and of
 * the two bracketing candidates the closer one wins. All comparisons happen on small offsets from
 * ph. Whenever a comparison is too close to call in double arithmetic, or v is outside the range,
 * the function declines (returns -1) and the caller falls back to String(v): the fast path never
 * guesses. test/unit/dtoa.test.ts compares it with String(v) on millions of values.
 */

import { put2 } from './digits.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Little-endian hosts keep the sign/exponent word second. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const POW10 = new Float64Array(23);
const POW10_HI = new Float64Array(23);
const POW10_LO = new Float64Array(23);
const SPLITTER = 134217729; // 2^27 + 1
for (let k = 0; k <= 22; k++) {
  const p = Number(`1e${k}`);
  POW10[k] = p;
  const c = SPLITTER * p;
  const h = c - (c - p);
  POW10_HI[k] = h;
  POW10_LO[k] = p - h;
}
/** 2^(i − 1076) for a biased exponent i: half an ulp of a double with that exponent. */
const HALF_ULP = new Float64Array(2048);
for (let i = 1; i < 2047; i++) HALF_ULP[i] = 2 ** (i - 1076);

/** Comparisons closer than this (in units of the last of 17 digits) are left to String(v). */
const MARGIN = 1e-7;
const LOG10_2 = 0.30102999566398120;

/**
 * Writes the shortest round-trip decimal of `v` (as String(v) would) into `buf` at `pos` and
 * returns the new position, or -1 if this fast path does not handle `v` (outside 1e-6 ≤ |v| < 1e15,
 * or a case too close to call); bytes from `pos` on may then hold scratch digits. `buf` needs 26
 * bytes of room (sign, "0.00000" and 17 digits, plus the byte the decimal point shifts).
 */
export function writeShortestDouble(buf: Uint8Array, pos: number, v: number): number {
  ARG[0] = v;
  return writeShortestDoubleAt(buf, pos, ARG, 0);
}

const ARG = new Float64Array(1);

/** writeShortestDouble() of `src[i]` (no heap number for the argument; see number-format.ts). */
export function writeShortestDoubleAt(buf: Uint8Array, pos: number, src: Float64Array, at: number): number {
  const v = src[at];
  let a = v;
  let neg = false;
  if (a < 0) {
    a = -a;
    neg = true;
  }
  if (!(a >= 1e-6 && a < 1e15)) return -1;
  f64[0] = a;
  const hi = u32[HI]!;
  const lo = u32[LO]!;
  const be = hi >>> 20; // sign is 0 here
  const pow2Boundary = (hi & 0xfffff) === 0 && lo === 0 && be > 1;

  // decimal exponent estimate from the binary one, then exact correction on P
  let k = 16 - Math.floor((be - 1023) * LOG10_2);
  if (k < 0 || k > 22) return -1;
  let ph = 0;
  let pl = 0;
  for (let tries = 0; ; tries++) {
    // exact product a·10^k = ph + pl (Dekker; 10^k pre-split)
    const c = SPLITTER * a;
    const ah = c - (c - a);
    const al = a - ah;
    const bh = POW10_HI[k]!;
    const bl = POW10_LO[k]!;
    ph = a * POW10[k]!;
    pl = ah * bh - ph + ah * bl + al * bh + al * bl;
    if (ph >= 1e17) {
      if (k === 0 || tries > 1) return -1;
      k--;
    } else if (ph < 1e16 || (ph === 1e16 && pl < 0)) {
      if (k === 22 || tries > 1) return -1;
      k++;
    } else break;
  }
  // ph ≥ 1e16 > 2^53: an integer; pl is small (|pl| ≤ half ph's ulp ≤ 8)
  const U = HALF_ULP[be]! * POW10[k]!;
  const L = pow2Boundary ? U * 0.5 : U;

  // ph = hq·1e9 + lr exactly (hq·1e9 is a multiple of 512, representable at this magnitude; hq may
  // be one off, which the final carry fixes), so the rest is small-integer arithmetic
  let hq = Math.floor(ph / 1e9);
  // |ph − hq·1e9| < 2e9 < 2^31: the low part and everything below runs in int32 (V8 turns int32
  // division by a constant into a multiply; double divisions and % cost ~15 cycles each)
  let lr = (ph - hq * 1e9) | 0;

  // the shortest level with a candidate in the interval: 15, 16, then 17 significant digits (steps
  // of 100, 10, 1 in P). One loop rather than a helper called three times: V8 did not inline the
  // third call, and every out-of-line call boxed its double arguments into new heap numbers.
  let r100 = lr % 100; // ph mod 100 (1e9 ≡ 0)
  if (r100 < 0) r100 += 100;
  let off = NONE;
  for (let step = 100, r0 = r100; ; step = step === 100 ? 10 : 1, r0 = step === 10 ? r100 % 10 : 0) {
    // the multiple of `step` at or below P, as an offset from ph; for step ≥ 10, as |pl| ≤ 8 and
    // 0 ≤ r0 < step, it is −r0 − step, −r0 or −r0 + step (no division)
    const w = pl + r0;
    const base = step === 1 ? Math.floor(pl) : w < 0 ? -r0 - step : w >= step ? step - r0 : -r0;
    const d1 = base - pl; // ≤ 0 (up to rounding)
    const d2 = d1 + step; // ≥ 0
    const in1 = inside(d1, L, U);
    const in2 = inside(d2, L, U);
    if (in1 === 2 || in2 === 2) return -1; // too close to call: String(v) decides
    if (in1 === 1) {
      if (in2 !== 1) off = base;
      else {
        // both inside: the closer one; a tie (ECMAScript: either) is left to String(v)
        const diff = -d1 - d2;
        if (diff > MARGIN) off = base + step;
        else if (diff < -MARGIN) off = base;
        else return -1;
      }
      break;
    }
    if (in2 === 1) {
      off = base + step;
      break;
    }
    if (step === 1) return -1;
  }

  lr = (lr + off) | 0;
  while (lr >= 1e9) {
    lr -= 1e9;
    hq++;
  }
  while (lr < 0) {
    lr += 1e9;
    hq--;
  }
  if (hq < 1e7 || hq >= 1e8) return -1; // rounded to 1e17 or below 1e16: rare, let String(v) do it
  // value = 0.d1d2…d17 × 10^n. For n ≤ 0 the digits follow "0.000…"; for n > 0 they go one byte to the
  // right of where they belong and the n integer digits then move left over the gap to make room for
  // the point (usually fewer bytes than shifting the fraction right, ~10 per value before)
  const n = 17 - k;
  if (n >= 17) return -1; // integral: callers format integers themselves
  let p = pos;
  if (neg) buf[p++] = 45; // '-'
  let q = p + 1;
  if (n <= 0) {
    buf[p++] = 48; // '0'
    buf[p++] = 46; // '.'
    for (let i = n; i < 0; i++) buf[p++] = 48;
    q = p;
  }
  // 17 digits: hq (8) then lr (9), two at a time, unrolled: in the loop V8 re-checked the buffer and
  // put2 on every pair (~50 instructions each); in straight-line code those checks are shared
  let d = (lr / 100) | 0;
  put2(buf, q + 15, lr - d * 100);
  let x = d;
  d = (x / 100) | 0;
  put2(buf, q + 13, x - d * 100);
  x = d;
  d = (x / 100) | 0;
  put2(buf, q + 11, x - d * 100);
  x = d;
  d = (x / 100) | 0;
  put2(buf, q + 9, x - d * 100);
  buf[q + 8] = 48 + d;
  x = hq | 0;
  d = (x / 100) | 0;
  put2(buf, q + 6, x - d * 100);
  x = d;
  d = (x / 100) | 0;
  put2(buf, q + 4, x - d * 100);
  x = d;
  d = (x / 100) | 0;
  put2(buf, q + 2, x - d * 100);
  put2(buf, q, d);
  let nd = 17;
  while (nd > 1 && buf[q + nd - 1] === 48) nd--;
  if (n <= 0) return q + nd;
  if (n >= nd) return -1; // integral after all
  for (let i = 0; i < n; i++) buf[p + i] = buf[q + i]!;
  buf[p + n] = 46; // '.'
  return q + nd;
}

const NONE = 1e9;

/**
 * Is the candidate at signed distance d (candidate − P) inside the rounding interval [−L, U]?
 * 1 = inside, 0 = outside, 2 = on or too close to the boundary to tell in double arithmetic (an
 * exact midpoint reads back by round-half-even, which String(v) is left to settle).
 */
function inside(d: number, L: number, U: number): number {
  const bound = d < 0 ? L : U;
  const m = Math.abs(d) - bound;
  if (m < -MARGIN) return 1;
  if (m > MARGIN) return 0;
  return 2;
}
