import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeShortestDouble } from '../../src/util/dtoa.js';

const buf = new Uint8Array(64);
const dec = new TextDecoder();

/** Returns [fast-path text or null, String(v)]. */
function both(v: number): [string | null, string] {
  const end = writeShortestDouble(buf, 0, v);
  return [end < 0 ? null : dec.decode(buf.subarray(0, end)), String(v)];
}

function check(values: Iterable<number>): { n: number; fast: number } {
  let n = 0;
  let fast = 0;
  for (const v of values) {
    const [got, want] = both(v);
    n++;
    if (got === null) continue;
    fast++;
    if (got !== want) assert.fail(`writeShortestDouble(${want}) wrote ${got}`);
  }
  return { n, fast };
}

/** xorshift for reproducible random doubles. */
function* randomDoubles(count: number, seed: number): Generator<number> {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < count; i++) {
    // random significand, binary exponent spanning the fast path's range and beyond
    u[0] = next();
    u[1] = (next() & 0xfffff) | ((1023 - 24 + (next() % 78)) << 20) | (i & 1 ? 0x80000000 : 0);
    yield f[0]!;
  }
}

test('dtoa: identical to String(v) on random bit patterns, and handles most of them', () => {
  const r = check(randomDoubles(2_000_000, 12345));
  assert.ok(r.fast / r.n > 0.7, `fast path took ${r.fast}/${r.n}`);
});

test('dtoa: identical to String(v) on flow-like values (ratios, rates, square roots, short decimals)', () => {
  const vals: number[] = [];
  for (let a = 1; a < 3000; a += 7) {
    for (let b = 1; b < 200; b += 3) {
      vals.push(a / b, (a * 1e6) / (b * 997), Math.sqrt(a / b), (a * 1460) / b, a / (b * 1e6), -a / b);
    }
  }
  for (let i = 1; i < 100000; i++) vals.push(i / 1000, i / 100, i / 10 + 0.05, i * 0.1, i * 1e-6, 1 / i);
  const r = check(vals);
  assert.ok(r.fast / r.n > 0.9, `fast path took ${r.fast}/${r.n}`);
});

test('dtoa: edges — range limits, powers of two and ten, neighbours of short decimals', () => {
  const edge: number[] = [1e-6, 1e-5, 9.999999999999999e-7, 1e15, 999999999999999.9, 0.1, 0.2, 0.3, 0.1 + 0.2, 1.005, 2.5, 0.5,
    123456789.12345679, 5e-324, Number.MIN_VALUE, Number.MAX_VALUE, 1e21, 1e-7, 4.35, 0.000001234];
  for (let e = -20; e < 50; e++) edge.push(2 ** e, 2 ** e * (1 + Number.EPSILON), 2 ** e * (1 - Number.EPSILON / 2));
  for (let e = -6; e < 15; e++) {
    const p = Number(`1e${e}`);
    edge.push(p, p * (1 + Number.EPSILON), p * (1 - Number.EPSILON / 2), p * 1.5);
  }
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  for (const base of [0.1, 0.3, 1.1, 2.675, 1e-3, 33.3, 9.95]) {
    f[0] = base;
    const b = u[0]!;
    for (let d = -50n; d <= 50n; d++) {
      u[0] = b + d;
      edge.push(f[0]!);
    }
  }
  check(edge);
  // outside the range it declines rather than guessing
  for (const v of [1e-7, 1e15, 1e21, 5e-324, Infinity, NaN]) assert.equal(writeShortestDouble(buf, 0, v), -1, String(v));
});
