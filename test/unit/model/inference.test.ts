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
import { BITSET_MIN_ROWS } from '../../../src/model/inference.js';
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
