import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { trainForest, defaultForestParams } from '../../../src/model/train.js';
import { decodeModel, encodeModel } from '../../../src/model/model-file.js';
import { decideClass, decideClasses, encodedColumnNames, predictModel, withDecision, type InputColumn, type Model, type ModelInfo } from '../../../src/model/model.js';
import { predictBatch } from '../../../src/model/forest.js';
import { evaluateModel, predictDataset } from '../../../src/model/pipeline.js';
import { crossValidateThreshold, decisionFromCv, fitThreshold } from '../../../src/model/threshold.js';
import { groupedKFold } from '../../../src/model/split.js';
import type { Dataset } from '../../../src/model/datasets/table.js';
import { codeOf } from '../../helpers/error-code.js';

const inputs: InputColumn[] = [{ name: 'x', kind: 'numeric' }];

/** 1-feature binary dataset: attacks have x ≥ 50; some 'novel' attack groups sit lower. */
function tinyDataset(): Dataset {
  const n = 200;
  const x = new Float64Array(n);
  const labels: string[] = [];
  const groups: string[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = i;
    const attack = i >= 100;
    labels.push(attack ? 'attack' : 'normal');
    groups.push(attack ? `a${i % 4}` : 'normal');
  }
  return { kind: 'unit', featureSet: 'nslkdd28', columns: [{ name: 'x', kind: 'numeric', values: x }], nRows: n, labels, groups, classOrder: ['normal', 'attack'], files: [], nonFiniteCells: 0, notes: [] };
}

async function tinyModel(): Promise<Model> {
  const X = new Float64Array(40);
  const y = new Int32Array(40);
  for (let i = 0; i < 40; i++) {
    X[i] = i;
    // noisy middle so probabilities are not all 0/1
    y[i] = i >= 20 ? (i % 5 === 0 ? 0 : 1) : i % 7 === 0 ? 1 : 0;
  }
  const forest = await trainForest(X, 40, 1, y, 2, { ...defaultForestParams, nTrees: 15, seed: 3 }, { workers: 0, nonFiniteValue: -1 });
  return {
    forest,
    info: {
      featureSet: 'nslkdd28',
      columns: ['x'],
      encodedColumns: encodedColumnNames(inputs),
      classes: ['normal', 'attack'],
      task: 'binary',
      preprocessing: { inputs, nonFiniteValue: -1 },
      training: { dataset: 'unit', params: {}, files: [], rows: 40, classCounts: { normal: 20, attack: 20 }, notes: [] },
      metrics: null,
      createdAt: '2024-01-01T00:00:00.000Z',
    },
  };
}


/** Re-encodes `buf` with its JSON header edited by `edit` and a recomputed checksum (a forged file). */
function forge(buf: Buffer, edit: (h: Record<string, unknown>) => void): Buffer {
  const hlen = buf.readUInt32LE(12);
  const header = JSON.parse(buf.subarray(16, 16 + hlen).toString()) as Record<string, unknown>;
  edit(header);
  const h2 = Buffer.from(JSON.stringify(header));
  const pre = Buffer.from(buf.subarray(0, 16));
  pre.writeUInt32LE(h2.length, 12);
  const body = Buffer.concat([pre, h2, buf.subarray(16 + hlen, buf.length - 32)]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

test('fitThreshold: separable scores → the centre of the perfect plateau; 0.5 is worse', () => {
  // negatives score 0.00..0.20, positives 0.40..1.00: every t in (0.20, 0.40] is perfect
  const score: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i <= 20; i++) (score.push(i / 100), pos.push(0));
  for (let i = 40; i <= 100; i++) (score.push(i / 100), pos.push(1));
  const r = fitThreshold(score, pos, { tolerance: 0 });
  assert.deepEqual(r.plateau, [0.21, 0.4]);
  assert.equal(r.maxAccuracy, 1);
  assert.equal(r.accuracy, 1);
  assert.ok(r.threshold >= 0.3 && r.threshold <= 0.31, `t ${r.threshold}`);
  assert.ok(r.accuracyAtHalf < 1);
  assert.equal(r.curve.length, 91);
  assert.equal(r.curve[0]!.t, 0.05);
  assert.equal(r.curve[90]!.t, 0.95);
});

test('fitThreshold: noisy scores, the optimum at ~0.3 is found; rows with NaN scores are ignored', () => {
  // 1000 negatives ~ uniform [0, 0.3); 1000 positives: 80 % uniform [0.3, 1), 20 % uniform [0, 0.3)
  const score = new Float64Array(2002);
  const pos = new Uint8Array(2002);
  for (let i = 0; i < 1000; i++) score[i] = (0.3 * i) / 1000;
  for (let i = 0; i < 1000; i++) {
    pos[1000 + i] = 1;
    score[1000 + i] = i % 5 === 0 ? (0.3 * i) / 1000 : 0.3 + (0.7 * i) / 1000;
  }
  score[2000] = Number.NaN;
  score[2001] = Number.NaN;
  pos[2001] = 1;
  const r = fitThreshold(score, pos, { tolerance: 0.002 });
  assert.equal(r.nRows, 2000);
  assert.ok(Math.abs(r.argmax - 0.3) <= 0.01, `argmax ${r.argmax}`);
  assert.ok(r.threshold >= r.plateau[0] && r.threshold <= r.plateau[1]);
  assert.ok(r.maxAccuracy - r.accuracy <= 0.002 + 1e-12);
  assert.ok(r.maxAccuracy > r.accuracyAtHalf + 0.05, `${r.maxAccuracy} vs ${r.accuracyAtHalf}`);
  assert.throws(() => fitThreshold([0.5], [1], { lo: 0, hi: 0.9 }), RangeError);
});

test('decideClass honours the decision rule; without one it is argmax (lowest index on ties)', async () => {
  const m = await tinyModel();
  const proba = Float32Array.from([0.75, 0.25, 0.69, 0.31, 0.5, 0.5, 0.2, 0.8]);
  const argmax = new Int32Array(4);
  decideClasses(m, proba, 4, argmax);
  assert.deepEqual([...argmax], [0, 0, 0, 1]);
  const t = withDecision(m, { positive: 'attack', threshold: 0.3, chosenBy: 'unit' });
  assert.deepEqual([0, 1, 2, 3].map((r) => decideClass(t, proba, r)), [0, 1, 1, 1]);
  const tn = withDecision(m, { positive: 'normal', threshold: 0.72, chosenBy: 'unit' });
  assert.deepEqual([0, 1, 2, 3].map((r) => decideClass(tn.info, proba, r)), [0, 1, 1, 1]);
  assert.equal(withDecision(t, null).info.decision, undefined);
  // predictModel / predictDataset give the decided class; the probabilities are unchanged
  const X = Float64Array.from({ length: 40 }, (_, i) => i);
  const c0 = new Int32Array(40);
  const p0 = new Float32Array(80);
  predictBatch(m.forest, X, 40, c0, p0);
  const lowT = withDecision(m, { positive: 'attack', threshold: 0.05, chosenBy: 'unit' });
  const c1 = new Int32Array(40);
  const p1 = new Float32Array(80);
  predictModel(lowT, X, 40, c1, p1);
  assert.deepEqual(p1, p0);
  for (let r = 0; r < 40; r++) assert.equal(c1[r], p0[2 * r + 1]! >= 0.05 ? 1 : 0);
  assert.ok(c1.reduce((a, b) => a + b, 0) > c0.reduce((a, b) => a + b, 0), 'a low threshold predicts more attacks');
  const c2 = new Int32Array(40);
  predictModel(m, X, 40, c2, new Float32Array(80));
  assert.deepEqual(c2, c0, 'no rule: predictBatch argmax');
});

test('withDecision rejects invalid rules', async () => {
  const m = await tinyModel();
  for (const threshold of [0, 1, 1.5, -0.1, Number.NaN]) {
    assert.match(codeOf(() => withDecision(m, { positive: 'attack', threshold, chosenBy: 'x' })), /threshold .* not a number in \(0, 1\)/);
  }
  assert.match(codeOf(() => withDecision(m, { positive: 'dos', threshold: 0.3, chosenBy: 'x' })), /'dos' is not one of the model's classes/);
  const multi: Model = { ...m, info: { ...m.info, task: 'multiclass', classes: ['normal', 'DoS', 'Probe'] } as ModelInfo };
  assert.match(codeOf(() => withDecision(multi, { positive: 'DoS', threshold: 0.3, chosenBy: 'x' })), /non-binary model/);
});

test('model file: the decision rule round-trips; absent stays absent; forged invalid rules are rejected', async () => {
  const m = await tinyModel();
  const plain = decodeModel(encodeModel(m));
  assert.equal('decision' in plain.info, false);
  const rule = { positive: 'attack', threshold: 0.37, chosenBy: 'grouped CV on unit data' };
  const buf = encodeModel(withDecision(m, rule));
  const back = decodeModel(buf);
  assert.deepEqual(back.info.decision, rule);
  assert.deepEqual(back.info, withDecision(m, rule).info);
  const bad: [string, (h: Record<string, unknown>) => void, RegExp][] = [
    ['threshold 0', (h) => ((h.decision as Record<string, unknown>).threshold = 0), /invalid decision rule: .*threshold 0 is not a number in \(0, 1\)/],
    ['threshold 1', (h) => ((h.decision as Record<string, unknown>).threshold = 1), /threshold 1 is not/],
    ['threshold string', (h) => ((h.decision as Record<string, unknown>).threshold = '0.3'), /threshold "0.3" is not/],
    ['threshold null', (h) => ((h.decision as Record<string, unknown>).threshold = null), /threshold null is not/],
    ['unknown positive', (h) => ((h.decision as Record<string, unknown>).positive = 'DoS'), /positive 'DoS' is not one of the model's classes/],
    ['not an object', (h) => (h.decision = 0.3), /decision must be an object/],
    ['extra field', (h) => ((h.decision as Record<string, unknown>).script = 'rm -rf'), /unknown field\(s\) 'script'/],
    ['non-binary task', (h) => (h.task = 'multiclass'), /non-binary model/],
  ];
  for (const [what, edit, re] of bad) {
    const msg = codeOf(() => decodeModel(forge(buf, edit), 'm.fsm'));
    assert.match(msg, /^FS_ERR_MODEL_FORMAT: .*m\.fsm: invalid decision rule: /, what);
    assert.match(msg, re, what);
  }
});

test('groupedKFold: each group lands whole in one fold; ungrouped rows are spread evenly', () => {
  const ds = tinyDataset();
  const folds = groupedKFold(ds.groups!, 3, 7, 'normal');
  const seen = new Uint8Array(ds.nRows);
  for (const f of folds) for (const r of f) seen[r]!++;
  assert.ok(seen.every((v) => v === 1), 'a partition');
  for (const g of ['a0', 'a1', 'a2', 'a3']) assert.equal(folds.filter((f) => [...f].some((r) => ds.groups![r] === g)).length, 1, g);
  const normals = folds.map((f) => [...f].filter((r) => ds.labels[r] === 'normal').length);
  assert.ok(Math.max(...normals) - Math.min(...normals) <= 1, String(normals));
});

test('crossValidateThreshold: out-of-fold scores on training rows only; the rule it yields is valid and used by evaluateModel', async () => {
  const ds = tinyDataset();
  const rows = Int32Array.from({ length: 150 }, (_, i) => (i < 75 ? i : i + 50)); // rows 0..74 and 125..199
  const cv = await crossValidateThreshold({ ds, rows, params: { ...defaultForestParams, nTrees: 5 }, positive: 'attack', repeats: 2, workers: 0 });
  assert.equal(cv.folds, 'grouped');
  assert.equal(cv.nRows, 150);
  for (let r = 75; r < 125; r++) assert.ok(Number.isNaN(cv.scores[r]!), 'rows outside the training rows are never scored');
  assert.ok(cv.threshold > 0 && cv.threshold < 1);
  const rule = decisionFromCv(cv, 'attack', 'unit rows');
  assert.match(rule.chosenBy, /attack-name-grouped 3-fold CV on unit rows only \(2 seed\(s\), 5 trees per fit, 150 rows\)/);
  const m = await tinyModel();
  const dm = withDecision(m, { positive: 'attack', threshold: 0.95, chosenBy: 'unit' });
  const pred = predictDataset(dm, ds);
  for (let r = 0; r < pred.nRows; r++) assert.equal(pred.cls[r], pred.proba[2 * r + 1]! >= 0.95 ? 1 : 0);
  const e0 = evaluateModel(m, ds);
  const e1 = evaluateModel(dm, ds);
  assert.equal(e1.auc, e0.auc, 'AUC does not depend on the threshold');
  const predictedAttack = (e: typeof e0) => e.confusion.matrix[0]![1]! + e.confusion.matrix[1]![1]!;
  assert.ok(predictedAttack(e1) < predictedAttack(e0), 'a high threshold predicts fewer attacks in the confusion matrix');
  await assert.rejects(crossValidateThreshold({ ds: { ...ds, labels: ds.labels.map((l, i) => (i % 3 === 0 ? 'x' : l)) }, params: defaultForestParams, positive: 'attack' }), /binary task/);
});
