import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { trainForest, defaultForestParams } from '../../../src/model/train.js';
import { decodeModel, encodeModel, loadModel, saveModel } from '../../../src/model/model-file.js';
import { assertFeatureSet, createEncoder, encodedColumnNames, type Model, type InputColumn } from '../../../src/model/model.js';
import { predictBatch } from '../../../src/model/forest.js';
import { codeOf } from '../../helpers/error-code.js';

const inputs: InputColumn[] = [
  { name: 'proto', kind: 'categorical', vocabulary: ['tcp', 'udp'] },
  { name: 'bytes', kind: 'numeric' },
];

async function tinyModel(seed = 1): Promise<Model> {
  const X = new Float64Array(40 * 3);
  const y = new Int32Array(40);
  for (let i = 0; i < 40; i++) {
    X[i * 3 + (i % 2)] = 1;
    X[i * 3 + 2] = i;
    y[i] = i >= 20 ? 1 : 0;
  }
  const forest = await trainForest(X, 40, 3, y, 2, { ...defaultForestParams, nTrees: 3, seed }, { workers: 0, nonFiniteValue: -1 });
  return {
    forest,
    info: {
      featureSet: 'nslkdd28',
      columns: inputs.map((c) => c.name),
      encodedColumns: encodedColumnNames(inputs),
      classes: ['normal', 'attack'],
      task: 'binary',
      preprocessing: { inputs, nonFiniteValue: -1 },
      training: { dataset: 'unit', params: { trees: 3, maxDepth: null }, files: [], rows: 40, classCounts: { normal: 20, attack: 20 }, notes: [] },
      metrics: { accuracy: 1 },
      createdAt: '2024-01-01T00:00:00.000Z',
    },
  };
}


test('round trip preserves metadata and predictions; same seed ⇒ byte-identical file', async () => {
  const m = await tinyModel();
  const buf = encodeModel(m);
  const back = decodeModel(buf);
  assert.deepEqual(back.info, m.info);
  assert.deepEqual(back.forest, m.forest);
  assert.ok(encodeModel(await tinyModel()).equals(buf), 'retraining with the same seed gives the same bytes');
  assert.ok(!encodeModel(await tinyModel(2)).equals(buf));
  const dir = mkdtempSync(path.join(tmpdir(), 'fsm-'));
  saveModel(path.join(dir, 'm.fsm'), m);
  const loaded = loadModel(path.join(dir, 'm.fsm'));
  const enc = createEncoder(loaded.info);
  const X = new Float64Array(6);
  enc(['udp', 35], X, 0);
  enc(['icmp', Infinity], X, 3); // unknown category → all zero; Infinity → -1
  assert.deepEqual([...X], [0, 1, 35, 0, 0, -1]);
  const logEnc = createEncoder({ preprocessing: { inputs: [{ name: 'b', kind: 'numeric', transform: 'log1p' }], nonFiniteValue: -1 } });
  const L = new Float64Array(3);
  logEnc([Math.E - 1], L, 0);
  logEnc([NaN], L, 1);
  logEnc([0], L, 2);
  assert.deepEqual([...L], [1, -Math.log(2), 0]);
  const cls = new Int32Array(2);
  predictBatch(loaded.forest, X, 2, cls, new Float32Array(4));
  assert.deepEqual([...cls], [1, 0]);
});

test('tampering with any byte fails the checksum', async () => {
  const buf = encodeModel(await tinyModel());
  for (const pos of [40, buf.length - 50, buf.length - 1]) {
    const bad = Buffer.from(buf);
    bad[pos] = bad[pos]! ^ 0x01;
    assert.match(codeOf(() => decodeModel(bad, 'x.fsm')), /^FS_ERR_MODEL_FORMAT: .*x\.fsm: (checksum mismatch|header is not valid JSON)/);
  }
  // a re-checksummed but semantically altered header is still rejected by validation
  const hlen = buf.readUInt32LE(12);
  const header = JSON.parse(buf.subarray(16, 16 + hlen).toString()) as { classes: string[] };
  header.classes = ['only-one'];
  const h2 = Buffer.from(JSON.stringify(header));
  const pre = Buffer.from(buf.subarray(0, 16));
  pre.writeUInt32LE(h2.length, 12);
  const body = Buffer.concat([pre, h2, buf.subarray(16 + hlen, buf.length - 32)]);
  const forged = Buffer.concat([body, createHash('sha256').update(body).digest()]);
  assert.match(codeOf(() => decodeModel(forged)), /^FS_ERR_MODEL_FORMAT: .*classes/);
});

test('decision rule: round-trips, and a re-checksummed header with an invalid threshold is rejected', async () => {
  const m = await tinyModel();
  const withRule: Model = { ...m, info: { ...m.info, decision: { positive: 'attack', threshold: 0.37, chosenBy: 'unit' } } };
  const buf = encodeModel(withRule);
  assert.deepEqual(decodeModel(buf).info.decision, withRule.info.decision);
  const hlen = buf.readUInt32LE(12);
  for (const [threshold, positive] of [[1.5, 'attack'], [0, 'attack'], [0.3, 'DoS']] as const) {
    const header = JSON.parse(buf.subarray(16, 16 + hlen).toString()) as { decision: { threshold: number; positive: string } };
    header.decision.threshold = threshold;
    header.decision.positive = positive;
    const h2 = Buffer.from(JSON.stringify(header));
    const pre = Buffer.from(buf.subarray(0, 16));
    pre.writeUInt32LE(h2.length, 12);
    const body = Buffer.concat([pre, h2, buf.subarray(16 + hlen, buf.length - 32)]);
    const forged = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    assert.match(codeOf(() => decodeModel(forged)), /^FS_ERR_MODEL_FORMAT: .*invalid decision rule: decision\.(threshold|positive)/);
  }
});

test('truncated, wrong-version and non-model files fail with the right code', async () => {
  const buf = encodeModel(await tinyModel());
  for (const n of [0, 10, 20, 100, buf.length - 1]) {
    assert.match(codeOf(() => decodeModel(buf.subarray(0, n))), /^FS_ERR_MODEL_FORMAT: .*truncated/);
  }
  const v2 = Buffer.from(buf);
  v2.writeUInt32LE(2, 8);
  assert.match(codeOf(() => decodeModel(v2)), /^FS_ERR_MODEL_VERSION: .*version 2/);
  assert.match(codeOf(() => decodeModel(Buffer.from('{"format":"flowsentry-rf"} and some more text to be long enough'))), /^FS_ERR_MODEL_FORMAT: .*bad magic/);
  const dir = mkdtempSync(path.join(tmpdir(), 'fsm-'));
  writeFileSync(path.join(dir, 'cut.fsm'), buf.subarray(0, buf.length >> 1));
  assert.match(codeOf(() => loadModel(path.join(dir, 'cut.fsm'))), /FS_ERR_MODEL_FORMAT: .*cut\.fsm: truncated/);
});

test('assertFeatureSet checks the id and maps columns by trimmed name', async () => {
  const m = await tinyModel();
  assert.deepEqual([...assertFeatureSet(m, 'nslkdd28', ['x', ' bytes', 'proto'])], [2, 1]);
  assert.match(codeOf(() => assertFeatureSet(m, 'nslkdd41', ['proto', 'bytes'])), /^FS_ERR_MODEL_FEATURES: .*'nslkdd28'.*'nslkdd41'/);
  assert.match(codeOf(() => assertFeatureSet(m, 'nslkdd28', ['proto'])), /^FS_ERR_MODEL_FEATURES: .*'bytes'/);
});
