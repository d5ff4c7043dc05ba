/**
 * CICIDS2017 loaders on the real files and the quality floor on the improved sample (stratified 70/30,
 * identifiers dropped) at a reduced tree count.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dataPath, hasSharedData, skipWithoutData } from '../helpers/shared-data.js';
import { loadDataset } from '../../src/model/datasets/index.js';
import { CIC2017_COLUMNS } from '../../src/model/datasets/cicids2017.js';
import { evaluateModel, trainModel } from '../../src/model/pipeline.js';
import { stratifiedSplit } from '../../src/model/split.js';
import { CIC_PARAMS } from '../../src/model/presets.js';

const improved = hasSharedData
  ? readdirSync(dataPath('cicids2017-improved-sample')).filter((f) => f.endsWith('.csv')).sort().map((f) => dataPath('cicids2017-improved-sample', f))
  : [];

test('MachineLearningCVE head: 79-column published header parses; Infinity/NaN are counted, not dropped', { skip: skipWithoutData }, () => {
  const f = dataPath('cicids2017-machinelearningcve-head', 'Friday-WorkingHours-Afternoon-DDos.pcap_ISCX.first-9998-rows.csv');
  const ds = loadDataset('cicids2017', [f], { task: 'multiclass' });
  assert.equal(ds.nRows, 9998);
  assert.equal(ds.columns.length, 79 - 1 - 1 - 1); // minus Destination Port, the duplicate Fwd Header Length, Label
  assert.equal(ds.nonFiniteCells, 14); // 13 Infinity + 1 NaN cells (Flow Bytes/s, Flow Packets/s of 7 zero-duration rows)
  assert.deepEqual(new Set(ds.labels), new Set(['BENIGN']));
  assert.ok(ds.columns.every((c) => CIC2017_COLUMNS.includes(c.name)));
});

test('CICFlowMeter reference 85-column TrafficLabelling CSV parses to the same feature names', { skip: skipWithoutData }, () => {
  const ds = loadDataset('cicids2017', [dataPath('cicflowmeter-reference', 'test.pcap_CIC.csv')], { task: 'multiclass' });
  assert.equal(ds.nRows, 96);
  assert.equal(ds.columns.length, 85 - 6 - 1 - 1);
});

test('improved sample: 16 classes, stratified 70/30, 40 trees: macro-F1 ≥ 0.97, DDoS and DoS Hulk F1 ≥ 0.995', { skip: skipWithoutData }, async () => {
  const ds = loadDataset('cicids2017', improved, { task: 'multiclass' });
  assert.equal(ds.nRows, 43419);
  assert.equal(ds.classOrder.length, 16);
  const names = ds.columns.map((c) => c.name);
  for (const id of ['Source IP', 'Destination IP', 'Source Port', 'Destination Port', 'Timestamp', 'Flow ID']) assert.ok(!names.includes(id), id);
  assert.ok(names.includes('Total Fwd Packets') && names.includes('Init_Win_bytes_backward') && !names.includes('ICMP Type'));
  const split = stratifiedSplit(ds.labels, 0.3, 1);
  const { model } = await trainModel({ train: ds, trainRows: split.train, params: { ...CIC_PARAMS, nTrees: 40 }, task: 'multiclass' });
  assert.deepEqual(model.info.columns, names);
  const r = evaluateModel(model, ds, split.test);
  const f1 = (l: string) => r.per_class.find((p) => p.label === l)!.f1;
  assert.ok(r.macro_f1 >= 0.97, `macro-F1 ${r.macro_f1}`);
  assert.ok(f1('DDoS') >= 0.995 && f1('DoS Hulk') >= 0.995, `DDoS ${f1('DDoS')} Hulk ${f1('DoS Hulk')}`);
});
