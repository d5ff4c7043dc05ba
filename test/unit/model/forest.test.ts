import test from 'node:test';
import assert from 'node:assert/strict';
import { trainForest, defaultForestParams, type ForestParams } from '../../../src/model/train.js';
import { predictBatch, resolveMaxFeatures, resolveClassWeight } from '../../../src/model/forest.js';
import { Rng } from '../../../src/model/rng.js';

const params = (over: Partial<ForestParams> = {}): ForestParams => ({ ...defaultForestParams, nTrees: 10, ...over });

test('a single tree finds the exact separating threshold (midpoint between classes)', async () => {
  // class 0 for x ≤ 4, class 1 for x ≥ 7: CART puts the threshold at the midpoint 5.5
  const xs = [1, 2, 3, 4, 7, 8, 9, 10];
  const X = Float64Array.from(xs);
  const y = Int32Array.from(xs.map((v) => (v <= 4 ? 0 : 1)));
  const f = await trainForest(X, xs.length, 1, y, 2, params({ nTrees: 1, bootstrap: false }), { workers: 0 });
  assert.equal(f.feature[0], 0);
  assert.equal(f.threshold[0], 5.5);
  const out = new Int32Array(4);
  const proba = new Float32Array(8);
  predictBatch(f, Float64Array.from([4, 5.5, 5.6, 7]), 4, out, proba);
  assert.deepEqual([...out], [0, 0, 1, 1]);
});

test('separable 2-D data: exact thresholds on the relevant feature and perfect fit', async () => {
  const rng = new Rng(7);
  const n = 400;
  const X = new Float64Array(n * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.round(rng.float() * 1000) / 10; // 0.0..100.0
    X[i * 3] = rng.float(); // noise
    X[i * 3 + 1] = a === 42 ? 42.1 : a;
    X[i * 3 + 2] = rng.float();
    y[i] = X[i * 3 + 1]! > 42 ? 1 : 0;
  }
  const f = await trainForest(X, n, 3, y, 2, params({ nTrees: 1, bootstrap: false, maxFeatures: 'all' }), { workers: 0 });
  assert.equal(f.feature[0], 1);
  // the threshold is the midpoint between the largest class-0 value and the smallest class-1 value
  let hi0 = -Infinity;
  let lo1 = Infinity;
  for (let i = 0; i < n; i++) {
    const v = X[i * 3 + 1]!;
    if (y[i] === 0) hi0 = Math.max(hi0, v);
    else lo1 = Math.min(lo1, v);
  }
  assert.equal(f.threshold[0], (hi0 + lo1) / 2);
  const out = new Int32Array(n);
  predictBatch(f, X, n, out, new Float32Array(n * 2));
  assert.deepEqual([...out], [...y]);
});

test('multi-class probabilities sum to 1 and argmax matches the class output', async () => {
  const rng = new Rng(3);
  const n = 600;
  const nF = 4;
  const X = new Float64Array(n * nF);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nF; j++) X[i * nF + j] = rng.float();
    y[i] = Math.min(2, Math.floor(X[i * nF]! * 3 + (rng.float() - 0.5) * 0.3)) | 0;
    if (y[i]! < 0) y[i] = 0;
  }
  const f = await trainForest(X, n, nF, y, 3, params({ nTrees: 15, maxDepth: 6 }), { workers: 0 });
  const cls = new Int32Array(n);
  const proba = new Float32Array(n * 3);
  predictBatch(f, X, n, cls, proba);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = [proba[i * 3]!, proba[i * 3 + 1]!, proba[i * 3 + 2]!];
    assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-5, `row ${i} sums to ${p[0]! + p[1]! + p[2]!}`);
    assert.equal(cls[i], p.indexOf(Math.max(...p)));
    if (cls[i] === y[i]) correct++;
  }
  assert.ok(correct / n > 0.85, `training accuracy ${correct / n}`);
});

test('same seed ⇒ identical forest, with or without worker threads; other seed differs', async () => {
  const rng = new Rng(11);
  const n = 300;
  const X = new Float64Array(n * 5);
  const y = new Int32Array(n);
  for (let i = 0; i < n * 5; i++) X[i] = rng.float();
  for (let i = 0; i < n; i++) y[i] = X[i * 5]! + X[i * 5 + 1]! > 1 ? 1 : 0;
  const a = await trainForest(X, n, 5, y, 2, params({ seed: 5 }), { workers: 0 });
  const b = await trainForest(X, n, 5, y, 2, params({ seed: 5 }), { workers: 2 });
  const c = await trainForest(X, n, 5, y, 2, params({ seed: 6 }), { workers: 0 });
  assert.deepEqual(b, a);
  assert.notDeepEqual(c.threshold, a.threshold);
});

test('min_samples_leaf, max_depth and class weights are honoured', async () => {
  const rng = new Rng(1);
  const n = 500;
  const X = new Float64Array(n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    X[i] = rng.float();
    y[i] = rng.float() < 0.1 ? 1 : 0; // pure noise, 10 % minority
  }
  const deep = await trainForest(X, n, 1, y, 2, params({ nTrees: 1, maxDepth: 2, bootstrap: false }), { workers: 0 });
  // depth 2 ⇒ at most 3 internal nodes + 4 leaves
  assert.ok(deep.feature.length <= 7);
  const leafy = await trainForest(X, n, 1, y, 2, params({ nTrees: 1, minSamplesLeaf: 100, bootstrap: false }), { workers: 0 });
  assert.ok(leafy.leafValues.length / 2 <= 5, 'at most n / min_samples_leaf leaves');
  const w = resolveClassWeight('balanced', y, 2);
  const ones = y.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(w[1]! - n / (2 * ones)) < 1e-12);
  // with balanced weights, leaves of an unsplit stump are 50/50
  const stump = await trainForest(X, n, 1, y, 2, params({ nTrees: 1, maxDepth: 0, bootstrap: false, classWeight: 'balanced' }), { workers: 0 });
  assert.ok(Math.abs(stump.leafValues[0]! - 0.5) < 1e-6);
});

test('max_features resolution follows scikit-learn', () => {
  assert.equal(resolveMaxFeatures('sqrt', 122), 11);
  assert.equal(resolveMaxFeatures('log2', 122), 6);
  assert.equal(resolveMaxFeatures('all', 122), 122);
  assert.equal(resolveMaxFeatures(0.5, 122), 61);
  assert.equal(resolveMaxFeatures(20, 10), 10);
});

test('non-finite inputs map to the recorded value at training and prediction time', async () => {
  const X = Float64Array.from([1, 2, Infinity, NaN, 10, 11, 12, 13]);
  const y = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const f = await trainForest(X, 8, 1, y, 2, params({ nTrees: 1, bootstrap: false }), { workers: 0, nonFiniteValue: -1 });
  assert.equal(f.nonFiniteValue, -1);
  const out = new Int32Array(3);
  predictBatch(f, Float64Array.from([Infinity, NaN, 11]), 3, out, new Float32Array(6));
  assert.deepEqual([...out], [0, 0, 1]);
  await assert.rejects(trainForest(X, 8, 1, y, 2, params({ nTrees: 1 }), { workers: 0 }), /non-finite/);
});
