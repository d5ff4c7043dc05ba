/**
 * predictBatch (src/model/inference.ts) against a straightforward walk kept here: every tree in order,
 * NaN/±Infinity mapped to forest.nonFiniteValue, `x <= threshold` goes left, leaf values added into a
 * float32 sum per class, times 1/nTrees, argmax on the double product (lowest index on ties). Results
 * must be bit-identical, for both the row-wise path (small batches) and the bitset path.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { trainForest, defaultForestParams, type ForestParams } from '../../../src/model/train.js';
import { predictBatch, type Forest } from '../../../src/model/forest.js';
import { BITSET_MIN_ROWS, SPAN_ROWS } from '../../../src/model/inference.js';
import { Rng } from '../../../src/model/rng.js';

function reference(f: Forest, X: Float64Array | Float32Array, nRows: number): { cls: Int32Array; proba: Float32Array } {
  const { nFeatures: nF, nClasses: nC } = f;
  const proba = new Float32Array(nRows * nC);
  const cls = new Int32Array(nRows);
  const inv = f.roots.length > 0 ? 1 / f.roots.length : 0;
  for (let r = 0; r < nRows; r++) {
    const acc = new Float32Array(nC);
    for (let t = 0; t < f.roots.length; t++) {
      let node = f.roots[t]!;
      while (f.feature[node]! >= 0) {
        let x = X[r * nF + f.feature[node]!]!;
        if (!Number.isFinite(x)) x = f.nonFiniteValue;
        node = f.child[node]! + (x <= f.threshold[node]! ? 0 : 1);
      }
      for (let c = 0; c < nC; c++) acc[c]! += f.leafValues[f.child[node]! + c]!;
    }
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < nC; c++) {
      const p = acc[c]! * inv;
      proba[r * nC + c] = p;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    cls[r] = best;
  }
  return { cls, proba };
}

function assertSame(f: Forest, X: Float64Array | Float32Array, nRows: number, label: string): void {
  const want = reference(f, X, nRows);
  // outputs longer than needed, pre-filled with junk: only the first nRows must be written
  const cls = new Int32Array(nRows + 3).fill(-7);
  const proba = new Float32Array((nRows + 3) * f.nClasses).fill(0.25);
  predictBatch(f, X, nRows, cls, proba);
  for (let r = 0; r < nRows; r++) {
    if (cls[r] !== want.cls[r]) assert.fail(`${label}: row ${r} class ${cls[r]}, reference ${want.cls[r]}`);
    for (let c = 0; c < f.nClasses; c++) {
      const i = r * f.nClasses + c;
      if (!Object.is(proba[i], want.proba[i])) assert.fail(`${label}: row ${r} class ${c} proba ${proba[i]}, reference ${want.proba[i]}`);
    }
  }
  assert.equal(cls[nRows], -7, `${label}: wrote past nRows`);
}

/** Random data with a learnable signal, a few low-cardinality columns and duplicated rows with conflicting labels (impure leaves). */
function dataset(rng: Rng, n: number, nF: number, nC: number): { X: Float64Array; y: Int32Array } {
  const X = new Float64Array(n * nF);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nF; j++) {
      const kind = j % 4;
      X[i * nF + j] = kind === 0 ? rng.float() * 100 - 50 : kind === 1 ? rng.int(3) : kind === 2 ? Math.round(rng.float() * 1e4) / 7 : rng.int(2);
    }
    y[i] = Math.min(nC - 1, Math.floor(((X[i * nF]! + 50) / 100) * nC + (rng.float() - 0.5) * 0.8)) | 0;
    if (y[i]! < 0) y[i] = 0;
  }
  for (let i = 0; i + 1 < n; i += 17) {
    X.copyWithin((i + 1) * nF, i * nF, (i + 1) * nF);
    y[i + 1] = (y[i]! + 1) % nC;
  }
  return { X, y };
}

/** Prediction rows: fresh random rows, rows sitting exactly on / one ulp around split thresholds, non-finite cells. */
function queryRows(rng: Rng, f: Forest, train: Float64Array, n: number): Float64Array {
  const nF = f.nFeatures;
  const X = new Float64Array(n * nF);
  const internal: number[] = [];
  for (let i = 0; i < f.feature.length; i++) if (f.feature[i]! >= 0) internal.push(i);
  const nTrain = train.length / nF;
  for (let r = 0; r < n; r++) {
    const src = rng.int(nTrain);
    for (let j = 0; j < nF; j++) X[r * nF + j] = train[src * nF + j]!;
    const edits = rng.int(4);
    for (let e = 0; e < edits; e++) {
      const node = internal[rng.int(internal.length)]!;
      const t = f.threshold[node]!;
      const kind = rng.int(6);
      const v = kind === 0 ? t : kind === 1 ? t + Math.abs(t) * Number.EPSILON + Number.MIN_VALUE : kind === 2 ? t - Math.abs(t) * Number.EPSILON - Number.MIN_VALUE : kind === 3 ? rng.float() * 200 - 100 : kind === 4 ? -0 : t;
      X[r * nF + f.feature[node]!] = v;
    }
    if (rng.int(5) === 0) {
      const cells = [Number.NaN, Infinity, -Infinity];
      X[r * nF + rng.int(nF)] = cells[rng.int(3)]!;
    }
  }
  return X;
}

const sizes = [1, 2, 7, BITSET_MIN_ROWS - 1, BITSET_MIN_ROWS, BITSET_MIN_ROWS + 1, 31, 33, 64, 97, 127, 128, 129, 300, 1000, 2047, 2049, 4100];

const configs: { nF: number; nC: number; params: Partial<ForestParams>; nonFinite: number }[] = [
  { nF: 6, nC: 2, params: { nTrees: 12 }, nonFinite: -1 },
  { nF: 9, nC: 3, params: { nTrees: 9, maxFeatures: 'all' }, nonFinite: -1 },
  { nF: 5, nC: 5, params: { nTrees: 7, minSamplesLeaf: 6 }, nonFinite: 0 },
  { nF: 12, nC: 4, params: { nTrees: 10, maxDepth: 4, maxBins: 16 }, nonFinite: -1 },
  { nF: 3, nC: 2, params: { nTrees: 5, bootstrap: false, maxFeatures: 'all' }, nonFinite: 1000 },
];

test('predictBatch equals the reference walk bit for bit (trained forests, all batch sizes, non-finite inputs)', async () => {
  for (const [ci, cfg] of configs.entries()) {
    const rng = new Rng(100 + ci);
    const { X: Xtr, y } = dataset(rng, 700, cfg.nF, cfg.nC);
    const forest = await trainForest(Xtr, 700, cfg.nF, y, cfg.nC, { ...defaultForestParams, seed: ci + 1, ...cfg.params }, { workers: 0, nonFiniteValue: cfg.nonFinite });
    const mixed = forest.leafValues.some((v) => v > 0 && v < 1);
    if (ci === 2) assert.ok(mixed, 'min_samples_leaf forest should have impure leaves');
    const Xq = queryRows(rng, forest, Xtr, 4100);
    for (const n of sizes) assertSame(forest, Xq, n, `config ${ci}, ${n} rows`);
    // the same rows as float32 input
    const X32 = Float32Array.from(Xq.subarray(0, 1000 * cfg.nF));
    assertSame(forest, X32, 1000, `config ${ci}, float32 input`);
    // no mapping recorded: NaN/±Infinity are compared as they are (NaN goes right)
    const unmapped: Forest = { ...forest, nonFiniteValue: Number.NaN };
    for (const n of [5, 129, 2049]) assertSame(unmapped, Xq, n, `config ${ci}, unmapped non-finite, ${n} rows`);
  }
});

test('predictBatch on the same forest and buffers twice, and on batches that start mid-data, stays exact', async () => {
  const rng = new Rng(9);
  const { X, y } = dataset(rng, 900, 8, 3);
  const forest = await trainForest(X, 900, 8, y, 3, { ...defaultForestParams, nTrees: 20, seed: 3 }, { workers: 0, nonFiniteValue: -1 });
  const Xq = queryRows(rng, forest, X, 3000);
  assertSame(forest, Xq, 3000, 'first call');
  assertSame(forest, Xq, 3000, 'second call (cached plan, dirty scratch)');
  assertSame(forest, Xq.subarray(8 * 333), 1500, 'offset batch');
});

test('hand-built forests: leaf-only trees, infinite and NaN thresholds, zero leaves, no trees', () => {
  // tree 0: root is a leaf; tree 1: x0 <= +Inf; tree 2: x1 <= -Inf; tree 3: x0 <= NaN (never left)
  const base = {
    nFeatures: 2,
    nClasses: 2,
    roots: Int32Array.from([0, 1, 4, 7]),
    feature: Int32Array.from([-1, 0, -1, -1, 1, -1, -1, 0, -1, -1]),
    threshold: Float64Array.from([0, Infinity, 0, 0, -Infinity, 0, 0, Number.NaN, 0, 0]),
    child: Int32Array.from([0, 2, 2, 4, 5, 6, 8, 8, 10, 12]),
    leafValues: Float32Array.from([0.25, 0.75, 1, 0, 0, 1, 0.5, 0.5, 0, 0, 0.125, 0.875, 0, 1]),
    nonFiniteValue: Number.NaN,
  };
  const rng = new Rng(4);
  const n = 700;
  const X = new Float64Array(n * 2);
  const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 3];
  for (let i = 0; i < X.length; i++) X[i] = special[rng.int(special.length)]!;
  for (const nf of [Number.NaN, -1, Infinity]) {
    const f: Forest = { ...base, nonFiniteValue: nf };
    for (const rows of [1, 64, 700]) assertSame(f, X, rows, `hand-built, nonFinite ${nf}, ${rows} rows`);
  }
  const noNaN: Forest = { ...base, roots: Int32Array.from([0, 1, 4]), feature: base.feature.slice(0, 7), threshold: base.threshold.slice(0, 7), child: base.child.slice(0, 7), nonFiniteValue: -1 };
  for (const rows of [3, 65, 700]) assertSame(noNaN, X, rows, `hand-built without NaN threshold, ${rows} rows`);
  const empty: Forest = { ...base, roots: new Int32Array(0) };
  assertSame(empty, X, 100, 'no trees');
});

test('predictBatch rejects undersized inputs and outputs', () => {
  const f: Forest = { nFeatures: 2, nClasses: 2, roots: Int32Array.from([0]), feature: Int32Array.from([-1]), threshold: new Float64Array(1), child: new Int32Array(1), leafValues: Float32Array.from([1, 0]), nonFiniteValue: -1 };
  assert.throws(() => predictBatch(f, new Float64Array(3), 2, new Int32Array(2), new Float32Array(4)), RangeError);
  assert.throws(() => predictBatch(f, new Float64Array(4), 2, new Int32Array(1), new Float32Array(4)), RangeError);
  assert.throws(() => predictBatch(f, new Float64Array(4), 2, new Int32Array(2), new Float32Array(3)), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Lookup tables (integer and hundredths grids), single-threshold ("bit") features, spans

/** x moved by one ulp up (dir 1) or down (dir −1); ±0 go to ±MIN_VALUE; non-finite x unchanged. */
function ulp(x: number, dir: 1 | -1): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return dir * Number.MIN_VALUE;
  const b = Float64Array.of(x);
  const i = new BigInt64Array(b.buffer);
  i[0]! += (x > 0) === (dir > 0) ? 1n : -1n;
  return b[0]!;
}

/**
 * A forest of balanced search trees, one per spec: the tree splits `feature` at each of `thresholds`
 * (internal nodes in search order), so every code of that feature reaches its own leaf. Leaf j is
 * class j mod nC with value 1, or, for `mixed` trees, 0.5 on classes j and j + 1 (float mode).
 */
function searchForest(nF: number, nC: number, specs: { feature: number; thresholds: number[]; mixed?: boolean }[], nonFiniteValue: number): Forest {
  const feature: number[] = [];
  const threshold: number[] = [];
  const child: number[] = [];
  const leafValues: number[] = [];
  const roots: number[] = [];
  const alloc = (): number => {
    feature.push(-1);
    threshold.push(0);
    child.push(0);
    return feature.length - 1;
  };
  for (const spec of specs) {
    const ths = [...new Set(spec.thresholds)].sort((a, b) => a - b);
    let leaf = 0;
    const fill = (node: number, lo: number, hi: number): void => {
      if (lo >= hi) {
        child[node] = leafValues.length;
        const vals = new Array<number>(nC).fill(0);
        if (spec.mixed) {
          vals[leaf % nC] = 0.5;
          vals[(leaf + 1) % nC]! += 0.5;
        } else vals[leaf % nC] = 1;
        leafValues.push(...vals);
        leaf++;
        return;
      }
      const mid = (lo + hi) >> 1;
      feature[node] = spec.feature;
      threshold[node] = ths[mid]!;
      const l = alloc();
      alloc(); // the right child, l + 1
      child[node] = l;
      fill(l, lo, mid);
      fill(l + 1, mid + 1, hi);
    };
    const root = alloc();
    roots.push(root);
    fill(root, 0, ths.length);
  }
  return {
    nFeatures: nF,
    nClasses: nC,
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    child: Int32Array.from(child),
    leafValues: Float32Array.from(leafValues),
    nonFiniteValue,
  };
}

const range = (a: number, b: number, step = 1): number[] => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);

test('lookup tables and bit features: values on and off the grids, at the grid ends, non-finite, -0, huge; several spans', () => {
  const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 2 ** 31, -(2 ** 31), 2 ** 32 + 0.5, Number.MIN_VALUE, -Number.MIN_VALUE];
  // feature: thresholds (grid kind), values to draw from besides specials, thresholds and their neighbours
  const cols: { thresholds: number[]; values: number[] }[] = [
    // integer grid, base 0, top end exact (40.5 < 41)
    { thresholds: range(0, 40).map((k) => k + 0.5), values: [...range(-20, 60), 2.5000000001, 7.25, 254, 255, 256] },
    // hundredths grid (rates): i/100, and values that are not i/100
    { thresholds: range(0, 99).map((k) => (k + 0.5) / 100), values: [...range(0, 100).map((k) => k / 100), ...range(0, 100).map((k) => ulp(k / 100, 1)), 0.1 + 0.2, 1.0000001, 2, -0.01] },
    // integer grid, both ends not exact (thresholds below -16 and above 255): TABLE_MISS at the ends
    { thresholds: [-1000.5, -20, -16, -15.5, -1, 0, 3.5, 100, 254.5, 255, 1e9], values: [...range(-40, 300), -1000.5, -16.5, 1e9, 1e12] },
    // 300 distinct thresholds: no table (codes do not fit a byte)
    { thresholds: range(0, 299).map((k) => k * 1.5 - 7), values: [...range(-20, 460), 0.75, 1.25] },
    // one threshold: a bit feature (one-hot style)
    { thresholds: [0.5], values: [0, 1, 0, 0, 0, 1, 2] },
    // infinite thresholds: x <= Infinity is true for all but NaN, x <= -Infinity only for -Infinity
    { thresholds: [-Infinity, -2.5, 0.5, 3, Infinity], values: range(-5, 5) },
    // negative integers on the grid (base -11), -1 among them (the usual non-finite value)
    { thresholds: [-10.5, -3.5, -1, 0, 2.5], values: range(-20, 5) },
    // thresholds in [0, 1) on integer-valued data: hundredths grid, values 0 and 1 on it
    { thresholds: [0.005, 0.25, 0.5, 0.995], values: [0, 1, 0, 1, 0.3, 0.7, 0.29999999999999993] },
    // one threshold at a negative value (bit feature with -0, -1 around it)
    { thresholds: [-0.5], values: [-1, 0, -0, -0.5, 1] },
    // all thresholds below the lowest integer grid value (-16): no table
    { thresholds: [-1000.5, -700, -500.5], values: [...range(-20, 5), -700, -1000] },
    // hundredths grid with thresholds on and one ulp around i/100: each table entry must be the code
    // of the double i/100 itself (for i = 35, 41, … i·0.01 is not that double)
    { thresholds: range(1, 99, 2).flatMap((i) => [i / 100, ulp(i / 100, -1), ulp(i / 100, 1)]), values: range(0, 100).map((i) => i / 100) },
  ];
  const nF = cols.length;
  const specs = cols.map((c, f) => ({ feature: f, thresholds: c.thresholds, mixed: f === 2 || f === 7 }));
  const rng = new Rng(77);
  const nRows = SPAN_ROWS + 1500;
  const X = new Float64Array(nRows * nF);
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nF; f++) {
      const c = cols[f]!;
      const kind = rng.int(10);
      let v: number;
      if (kind === 0) v = specials[rng.int(specials.length)]!;
      else if (kind <= 2) {
        const t = c.thresholds[rng.int(c.thresholds.length)]!;
        v = kind === 1 ? t : ulp(t, rng.int(2) === 0 ? 1 : -1);
      } else v = c.values[rng.int(c.values.length)]!;
      X[r * nF + f] = v;
    }
  }
  for (const nf of [-1, Number.NaN, 0.5, 1e6]) {
    const forest = searchForest(nF, 3, specs, nf);
    for (const n of [BITSET_MIN_ROWS, 100, 2049, nRows]) assertSame(forest, X, n, `hand-built grids, nonFinite ${nf}, ${n} rows`);
  }
  const forest = searchForest(nF, 3, specs, -1);
  assertSame(forest, Float32Array.from(X.subarray(0, 3000 * nF)), 3000, 'hand-built grids, float32 input');
});

test('trained forest on counts, rates and one-hot columns: tables drop out on off-grid rows and come back, across calls and spans', async () => {
  const rng = new Rng(31);
  const nF = 10;
  const n = 1500;
  const X = new Float64Array(n * nF);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const count = rng.int(40);
    const rate = rng.int(101) / 100;
    const hot = rng.int(4);
    X[i * nF] = count;
    X[i * nF + 1] = rate;
    X[i * nF + 2] = rng.int(3) - 1;
    for (let k = 0; k < 4; k++) X[i * nF + 3 + k] = +(k === hot);
    X[i * nF + 7] = Math.round(rng.float() * 1e4) / 7;
    X[i * nF + 8] = rng.int(101) / 100;
    X[i * nF + 9] = count * 3;
    y[i] = (count > 20 ? 1 : 0) + (rate > 0.5 ? 1 : 0) + (hot === 2 ? 1 : 0);
    if (rng.int(10) === 0) y[i] = rng.int(4);
  }
  const forest = await trainForest(X, n, nF, y, 4, { ...defaultForestParams, nTrees: 15, seed: 5 }, { workers: 0, nonFiniteValue: -1 });
  // query: first rows pushed off the grids (tables drop out), then rows on them again (a probe brings them back)
  const nq = SPAN_ROWS + 3000;
  const Q = new Float64Array(nq * nF);
  for (let r = 0; r < nq; r++) {
    const src = rng.int(n);
    for (let j = 0; j < nF; j++) Q[r * nF + j] = X[src * nF + j]!;
    const off = r < 4000 || (r > 20000 && r < 22000);
    if (off) for (const j of [0, 1, 2, 8, 9]) Q[r * nF + j] = Q[r * nF + j]! + (rng.float() - 0.5) * 1e-3;
    if (rng.int(50) === 0) Q[r * nF + rng.int(nF)] = [Number.NaN, Infinity, -Infinity, -0][rng.int(4)]!;
  }
  assertSame(forest, Q, nq, 'off-grid then on-grid rows, several spans');
  for (const [start, len] of [[0, 1024], [4000, 1024], [3500, 1024], [21000, 2000]] as const) assertSame(forest, Q.subarray(start * nF), len, `batch of ${len} rows from row ${start}`);
  assertSame(forest, Float32Array.from(Q.subarray(0, 5000 * nF)), 5000, 'float32 input');
});
