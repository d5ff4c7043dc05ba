/**
 * Numbers written straight into a byte buffer as `String(v)` would print them: the formatters behind
 * LineWriter and the CSV row writers. Each takes (buffer, position, value) and returns the position
 * after the text; the caller guarantees the room (MAX_NUMBER_CHARS per value).
 *
 * Why plain functions over a buffer and not LineWriter methods: a CSV row is ~80 numbers, and a
 * method per value re-read and re-stored the writer's position and re-checked its room every time
 * (~180 instructions per integer in the profile of `flowsentry features`). A row writer reserves
 * room once, keeps the position in a local and calls these.
 */
import { put2, put8 } from './digits.js';
import { writeShortestDoubleAt } from './dtoa.js';

/** Longest text String(v) produces for a number ("-1.2345678901234567e-300" is 24) plus slack. */
export const MAX_NUMBER_CHARS = 32;

/** Writes a non-negative safe integer (0 ≤ x ≤ 2^53 − 1; -0 prints "0") in decimal. */
export function writeUint(b: Uint8Array, p: number, x: number): number {
  if (x < 10) {
    b[p] = 48 + x;
    return p + 1;
  }
  if (x < 4294967296) {
    let y = x >>> 0;
    const d = y < 100 ? 2 : y < 1000 ? 3 : y < 10000 ? 4 : y < 100000 ? 5 : y < 1000000 ? 6 : y < 10000000 ? 7
      : y < 100000000 ? 8 : y < 1000000000 ? 9 : 10;
    let e = p + d;
    while (y >= 100) {
      const q = (y / 100) >>> 0;
      e -= 2;
      put2(b, e, y - q * 100);
      y = q;
    }
    if (y >= 10) put2(b, e - 2, y);
    else b[e - 1] = 48 + y;
    return p + d;
  }
  // up to 16 digits: the high part (< 2^53 / 1e8 < 9.1e7) then eight padded digits
  const hi = Math.floor(x / 1e8);
  const q = writeUint(b, p, hi);
  put8(b, q, x - hi * 1e8);
  return q + 8;
}

/** Writes an ASCII string's characters (number text from String(v)). */
export function writeAscii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Writes `v` exactly as String(v) prints it; allocates only for values outside the fast paths. */
export function writeNumber(b: Uint8Array, p: number, v: number): number {
  ARG[0] = v;
  return writeNumberAt(b, p, ARG, 0);
}

const ARG = new Float64Array(1);

/**
 * writeNumber() of `src[i]`. The row writers use this form: a double passed as an argument to a call
 * V8 does not inline (the shortest-double writer is too big to inline) is boxed into a new heap
 * number, ~15 allocations per CSV row; an array and an index are not.
 */
export function writeNumberAt(b: Uint8Array, p: number, src: Float64Array, i: number): number {
  const v = src[i];
  if (Number.isInteger(v)) {
    // -0 takes the first branch and prints "0", as String(-0) does
    if (v >= 0) {
      if (v <= 9007199254740991) return writeUint(b, p, v);
    } else if (v >= -9007199254740991) {
      b[p] = 45; // '-'
      return writeUint(b, p + 1, -v);
    }
  } else {
    const e = writeShortestDoubleAt(b, p, src, i);
    if (e >= 0) return e;
  }
  return writeAscii(b, p, String(v));
}
