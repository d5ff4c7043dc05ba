import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadNslKdd, NSLKDD28_COLUMNS, NSLKDD_ATTACK_CATEGORY } from '../../../src/model/datasets/nslkdd.js';
import { CIC2017_COLUMNS, loadCicids2017 } from '../../../src/model/datasets/cicids2017.js';
import { encodeDataset, fitPreprocessing } from '../../../src/model/datasets/table.js';
import { loadFlows, parseTimestampUs } from '../../../src/model/datasets/flows.js';
import { createLabeller, labelFlow, parseGroundTruth } from '../../../src/model/datasets/truth-labels.js';
import { stratifiedSplit } from '../../../src/model/split.js';
import { FlowsentryError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fs-ds-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text, 'latin1');
  return p;
};
const kddRow = (proto: string, service: string, label: string, srcBytes = 100) =>
  `0,${proto},${service},SF,${srcBytes},0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,2,2,0.00,0.00,0.00,0.00,1.00,0.00,0.00,150,25,0.17,0.03,0.17,0.00,0.00,0.00,0.05,0.00,${label},20`;

function errorOf(fn: () => unknown): FlowsentryError {
  try {
    fn();
  } catch (err) {
    assert.ok(FlowsentryError.is(err), String(err));
    return err;
  }
  assert.fail('did not throw');
}

test('NSL-KDD: 41/28 feature modes, 5-class and binary labels, train-only one-hot vocabulary', () => {
  const train = write('train.txt', [kddRow('tcp', 'http', 'normal'), kddRow('udp', 'domain_u', 'neptune'), kddRow('tcp', 'ftp', 'httptunnel')].join('\n') + '\n');
  const test41 = write('test.txt', [kddRow('icmp', 'eco_i', 'mscan')].join('\n') + '\n');
  const ds = loadNslKdd([train], { task: 'multiclass', features: 28 });
  assert.equal(ds.featureSet, 'nslkdd28');
  assert.deepEqual(ds.columns.map((c) => c.name), NSLKDD28_COLUMNS);
  assert.equal(ds.columns.length, 28);
  assert.deepEqual(ds.labels, ['normal', 'DoS', 'U2R']);
  const pre = fitPreprocessing(ds);
  const proto = pre.inputs.find((c) => c.name === 'protocol_type');
  assert.deepEqual(proto?.kind === 'categorical' ? proto.vocabulary : null, ['tcp', 'udp']);
  // a test row with categories unseen in training encodes them as all-zero
  const te = loadNslKdd([test41], { task: 'binary', features: 28 });
  assert.deepEqual(te.labels, ['attack']);
  const { X, nFeatures } = encodeDataset(te, pre);
  const protoOffset = 1; // duration first
  assert.deepEqual([...X.subarray(protoOffset, protoOffset + 2)], [0, 0]);
  assert.equal(nFeatures, 25 + 2 + 3 + 1); // numeric + tcp/udp + 3 services + SF
});

test('NSL-KDD: every attack name of KDDTrain+/KDDTest+ is mapped; unknown names and bad rows fail naming file, line and column', () => {
  assert.equal(Object.keys(NSLKDD_ATTACK_CATEGORY).length, 1 + 22 + 17);
  const bad = write('bad-label.txt', kddRow('tcp', 'http', 'normal') + '\n' + kddRow('tcp', 'http', 'superattack') + '\n');
  const e = errorOf(() => loadNslKdd([bad], { task: 'binary', features: 41 }));
  assert.equal(e.code, 'FS_ERR_CSV_VALUE');
  assert.match(e.message, /bad-label\.txt:2: column 'label'.*superattack/);
  const badNum = write('bad-num.txt', kddRow('tcp', 'http', 'normal', 'abc' as unknown as number) + '\n');
  assert.match(errorOf(() => loadNslKdd([badNum], { task: 'binary', features: 41 })).message, /bad-num\.txt:1: column 'src_bytes': 'abc'/);
  const short = write('short.txt', '0,tcp,http,SF,1\n');
  const e2 = errorOf(() => loadNslKdd([short], { task: 'binary', features: 41 }));
  assert.equal(e2.code, 'FS_ERR_CSV_COLUMNS');
  assert.match(e2.message, /short\.txt:1: 5 fields/);
});

const cicHeader = (names: readonly string[]) => names.map((n, i) => (i > 0 && i % 3 === 0 ? n : ` ${n}`)).join(',').replace(/Fwd Header Length\.1/, 'Fwd Header Length');

test('CICIDS2017 published format: leading spaces, duplicate Fwd Header Length, Infinity/NaN, cp1252 dash, CRLF', () => {
  const cols = CIC2017_COLUMNS;
  const row = (label: string, rate: string) =>
    cols
      .map((c) => {
        if (c === 'Label') return label;
        if (c === 'Flow ID') return '10.0.0.1-10.0.0.2-1-80-6';
        if (c.endsWith(' IP')) return '10.0.0.1';
        if (c === 'Timestamp') return '7/7/2017 3:30';
        if (c === 'Flow Bytes/s') return rate;
        return '1';
      })
      .join(',');
  const f = write('tl.csv', [cicHeader(cols), row('BENIGN', 'Infinity'), row('Web Attack \x96 Brute Force', 'NaN'), row('PortScan', '5.5')].join('\r\n') + '\r\n');
  const ds = loadCicids2017([f], { task: 'multiclass' });
  const names = ds.columns.map((c) => c.name);
  for (const dropped of ['Flow ID', 'Source IP', 'Source Port', 'Destination IP', 'Destination Port', 'Timestamp', 'Fwd Header Length.1', 'Label']) {
    assert.ok(!names.includes(dropped), dropped);
  }
  assert.ok(names.includes('Protocol') && names.includes('Fwd Header Length'));
  assert.equal(names.length, 85 - 6 - 1 - 1); // 6 identifiers, the duplicate, Label
  assert.deepEqual(ds.labels, ['BENIGN', 'Web Attack - Brute Force', 'Portscan']);
  assert.equal(ds.nonFiniteCells, 2);
  const { X, nFeatures } = encodeDataset(ds, fitPreprocessing(ds));
  const k = names.indexOf('Flow Bytes/s');
  assert.deepEqual([X[k], X[nFeatures + k], X[2 * nFeatures + k]], [-1, -1, 5.5]);
  const keep = loadCicids2017([f], { task: 'binary', keepIdentifiers: true });
  assert.ok(keep.columns.some((c) => c.name === 'Destination Port'));
  assert.deepEqual(keep.labels, ['BENIGN', 'ATTACK', 'ATTACK']);
});

test('CICIDS2017: improved-set names map onto published names; unknown or missing columns fail naming them', () => {
  const header = 'id,Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Total Fwd Packet,Total Bwd packets,Flow Bytes/s,Packet Length Min,CWR Flag Count,FWD Init Win Bytes,Fwd RST Flags,ICMP Code,Label,Attempted Category';
  const f = write('imp.csv', `${header}\n1,x,1.1.1.1,1,2.2.2.2,80,6,2017-07-07 19:02:39.182486,10,2,1,5,0,0,8192,0,-1,DDoS,-1\n`);
  const ds = loadCicids2017([f], { task: 'multiclass' });
  assert.deepEqual(ds.columns.map((c) => c.name), ['Protocol', 'Flow Duration', 'Total Fwd Packets', 'Total Backward Packets', 'Flow Bytes/s', 'Min Packet Length', 'CWE Flag Count', 'Init_Win_bytes_forward']);
  const bad = write('badcol.csv', header.replace('Flow Duration', 'Flow Durration') + '\n');
  const e = errorOf(() => loadCicids2017([bad], { task: 'multiclass' }));
  assert.equal(e.code, 'FS_ERR_CSV_COLUMNS');
  assert.match(e.message, /badcol\.csv:1: unknown column 'Flow Durration'/);
  const badVal = write('badval.csv', `${header}\n1,x,1.1.1.1,1,2.2.2.2,80,6,t,ten,2,1,5,0,0,8192,0,-1,DDoS,-1\n`);
  assert.match(errorOf(() => loadCicids2017([badVal], { task: 'multiclass' })).message, /badval\.csv:2: column 'Flow Duration': 'ten'/);
});

test('ground-truth labelling: attacker↔victim in either direction, time overlap, IPv6 canonical form', () => {
  const truth = parseGroundTruth({
    episodes: [{ label: 'synflood', attacker: ['10.0.0.2', 'FD00:0::2'], victim: ['10.0.0.1'], start_us: 1_000_000, end_us: 2_000_000 }],
  });
  const L = createLabeller(truth);
  assert.equal(L({ src: '10.0.0.2', dst: '10.0.0.1', startUs: 1_500_000, endUs: 1_600_000 }), 'synflood');
  assert.equal(L({ src: '10.0.0.1', dst: 'fd00::2', startUs: 0, endUs: 1_000_000 }), 'synflood'); // touches the start
  assert.equal(L({ src: '10.0.0.2', dst: '10.0.0.1', startUs: 2_000_001, endUs: 3_000_000 }), 'BENIGN');
  assert.equal(L({ src: '10.0.0.2', dst: '10.0.0.3', startUs: 1_500_000, endUs: 1_500_000 }), 'BENIGN');
  assert.equal(labelFlow(truth, { src: '10.0.0.3', dst: '10.0.0.1', startUs: 1_500_000, endUs: 1_500_000 }), 'BENIGN');
  assert.throws(() => parseGroundTruth({ episodes: [{ label: 'x', attacker: ['nope'], victim: ['10.0.0.1'], start_us: 0, end_us: 1 }] }, 't.json'), /t\.json: episodes\[0\]\.attacker/);
  assert.equal(parseTimestampUs('2017-07-07T19:02:39.182486Z'), Date.UTC(2017, 6, 7, 19, 2, 39) * 1000 + 182486);
  assert.equal(parseTimestampUs('1499454159182486'), 1499454159182486);
  assert.equal(parseTimestampUs('7/7/2017 3:30'), null);
});

test('flows dataset: our TrafficLabelling CSV + truth.json → labels; identifiers are not features', () => {
  const cols = CIC2017_COLUMNS;
  const row = (src: string, dst: string, ts: string) =>
    cols.map((c) => (c === 'Source IP' ? src : c === 'Destination IP' ? dst : c === 'Timestamp' ? ts : c === 'Flow ID' ? 'id' : c === 'Label' ? 'NeedManualLabel' : '3')).join(',');
  const csv = write('flows.csv', [cicHeader(cols), row('10.0.0.2', '10.0.0.1', '1970-01-01T00:00:01.5Z'), row('10.0.0.9', '10.0.0.1', '1970-01-01T00:00:01.5Z')].join('\n') + '\n');
  const truth = write('truth.json', JSON.stringify({ episodes: [{ label: 'synflood', attacker: ['10.0.0.2'], victim: ['10.0.0.1'], start_us: 1_000_000, end_us: 2_000_000 }] }));
  const ds = loadFlows([csv], { task: 'multiclass', truth });
  assert.deepEqual(ds.labels, ['synflood', 'BENIGN']);
  assert.deepEqual(ds.classOrder, ['BENIGN', 'synflood']);
  assert.ok(!ds.columns.some((c) => ['Source IP', 'Destination IP', 'Timestamp'].includes(c.name)));
  assert.ok(ds.columns.every((c) => c.kind === 'numeric'));
});

test('stratified split keeps class proportions and is seeded', () => {
  const labels = [...Array<string>(70).fill('a'), ...Array<string>(30).fill('b')];
  const s = stratifiedSplit(labels, 0.3, 1);
  assert.equal(s.test.length, 30);
  assert.equal([...s.test].filter((r) => labels[r] === 'b').length, 9);
  assert.deepEqual(stratifiedSplit(labels, 0.3, 1), s);
  assert.notDeepEqual(stratifiedSplit(labels, 0.3, 2).test, s.test);
});
