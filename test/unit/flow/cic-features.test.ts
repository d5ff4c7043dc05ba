/**
 * CICIDS2017 features on a hand-built TCP connection, with every expected value worked out by hand
 * (see the comments: payloads, gaps and their statistics). Packets (t in µs after T0):
 *
 *   #  t     dir  flags  tcp payload  frame   compat payload (padding counted)  window
 *   1  0     C→S  S      0            60 pad  6                                 8192
 *   2  100   S→C  SA     0            60 pad  6                                 29200
 *   3  300   C→S  A      0            60 pad  6                                 8192
 *   4  1300  C→S  PA     100          154     100                               8192
 *   5  2300  S→C  A      0            60 pad  6                                 29200
 *   6  5300  S→C  PA     500          554     500                               1000
 *   7  6300  C→S  FA     0            60 pad  6                                 8192
 *   8  6400  S→C  FA     0            60 pad  6                                 1000
 *   9  6500  C→S  A      0            60 pad  6                                 8192
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildFrame, writePcap, linkTypeOf, type FrameSpec } from '../../helpers/packet-builder.js';
import { openCaptureBytes } from '../../../src/capture/file-source.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { Cic2017Features } from '../../../src/features/cic2017/features.js';
import { CIC_FEATURE_COLUMNS } from '../../../src/features/cic2017/columns.js';
import { cicIdentifiers } from '../../../src/features/cic2017/output.js';
import { buildRecord, type FlowRecord } from '../../../src/flow/record.js';

const T0 = 1_500_000_000_000_000;
const C = '10.0.0.1';
const S = '10.0.0.2';

function pkt(t: number, fromClient: boolean, flags: string, payload: number, window: number, extra: Partial<FrameSpec> = {}) {
  const spec: FrameSpec = {
    ip: { src: fromClient ? C : S, dst: fromClient ? S : C },
    tcp: { sport: fromClient ? 40000 : 80, dport: fromClient ? 80 : 40000, flags, window, seq: 1000 + t, ack: 5000 + t },
    payload,
    ...extra,
  };
  return { frame: buildFrame(spec), tsUs: T0 + t, spec };
}

const CONNECTION = [
  pkt(0, true, 'S', 0, 8192),
  pkt(100, false, 'SA', 0, 29200),
  pkt(300, true, 'A', 0, 8192),
  pkt(1300, true, 'PA', 100, 8192),
  pkt(2300, false, 'A', 0, 29200),
  pkt(5300, false, 'PA', 500, 1000),
  pkt(6300, true, 'FA', 0, 8192),
  pkt(6400, false, 'FA', 0, 1000),
  pkt(6500, true, 'A', 0, 8192),
];

interface Row {
  values: Record<string, number>;
  ids: ReturnType<typeof cicIdentifiers>;
  record: FlowRecord;
}

async function extract(mode: 'compat' | 'corrected', packets = CONNECTION, linkType = linkTypeOf({})): Promise<Row[]> {
  const fs = new Cic2017Features({ mode });
  const rows: Row[] = [];
  const p = new Pipeline({
    featureSet: fs,
    onFlow: (f) => {
      const values: Record<string, number> = {};
      CIC_FEATURE_COLUMNS.forEach((c, i) => (values[c.name] = f.row[i]));
      rows.push({ values, ids: cicIdentifiers(f.meter, f.slot, mode === 'compat'), record: buildRecord(f.meter, f.slot, f.reason) });
    },
  });
  await p.run(openCaptureBytes(writePcap(packets.map((x) => ({ frame: x.frame, tsUs: x.tsUs })), linkType)));
  return rows;
}

function close(actual: number, expected: number, name: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${name}: ${actual} != ${expected}`);
}

test('compat: the first FIN ends the flow and the trailing FIN/ACK form an appendix flow', async () => {
  const rows = await extract('compat');
  assert.equal(rows.length, 2);
  assert.equal(rows[0].ids.flowId, '10.0.0.1-10.0.0.2-40000-80-6');
  assert.equal(rows[1].ids.flowId, '10.0.0.1-10.0.0.2-40000-80-6', 'same Flow ID, as in CICIDS2017');
  assert.equal(rows[0].ids.srcIp, C);
  assert.equal(rows[1].ids.srcIp, S, 'the appendix starts with the server FIN, so its direction is reversed');
});

test('compat: every column of the main flow matches the hand computation', async () => {
  const [{ values: v }] = await extract('compat');
  const expected: Record<string, number> = {
    'Flow Duration': 6300,
    'Total Fwd Packets': 4, // 1,3,4,7
    'Total Backward Packets': 3, // 2,5,6
    'Total Length of Fwd Packets': 118, // 6+6+100+6 (padding counts)
    'Total Length of Bwd Packets': 512, // 6+6+500
    'Fwd Packet Length Max': 100,
    'Fwd Packet Length Min': 6,
    'Fwd Packet Length Mean': 29.5,
    'Fwd Packet Length Std': 47, // devs -23.5×3, 70.5 → Σ² 6627 / 3 = 2209
    'Bwd Packet Length Max': 500,
    'Bwd Packet Length Min': 6,
    'Bwd Packet Length Mean': 512 / 3,
    'Bwd Packet Length Std': Math.sqrt((2 * (512 / 3 - 6) ** 2 + (500 - 512 / 3) ** 2) / 2),
    'Flow Bytes/s': 630 / 0.0063, // 100000
    'Flow Packets/s': 7 / 0.0063,
    'Flow IAT Mean': 1050, // gaps 100,200,1000,1000,3000,1000
    'Flow IAT Std': Math.sqrt(5435000 / 5),
    'Flow IAT Max': 3000,
    'Flow IAT Min': 100,
    'Fwd IAT Total': 6300, // 300,1000,5000
    'Fwd IAT Mean': 2100,
    'Fwd IAT Std': Math.sqrt(12860000 / 2),
    'Fwd IAT Max': 5000,
    'Fwd IAT Min': 300,
    'Bwd IAT Total': 5200, // 2200,3000
    'Bwd IAT Mean': 2600,
    'Bwd IAT Std': Math.sqrt(320000),
    'Bwd IAT Max': 3000,
    'Bwd IAT Min': 2200,
    'Fwd PSH Flags': 0, // first packet is a bare SYN
    'Bwd PSH Flags': 0,
    'Fwd URG Flags': 0,
    'Bwd URG Flags': 0,
    'Fwd Header Length': 80,
    'Bwd Header Length': 60,
    'Fwd Packets/s': 4 / 0.0063,
    'Bwd Packets/s': 3 / 0.0063,
    // packet-length multiset counts the first packet twice: 6,6,6,6,100,6,500,6
    'Min Packet Length': 6,
    'Max Packet Length': 500,
    'Packet Length Mean': 79.5,
    'Packet Length Std': Math.sqrt(209654 / 7),
    'Packet Length Variance': 209654 / 7,
    // flag columns hold the first packet's RST,PSH,ECE,SYN,ACK,FIN,URG,CWR: SYN lands in "PSH Flag Count"
    'FIN Flag Count': 0,
    'SYN Flag Count': 0,
    'RST Flag Count': 0,
    'PSH Flag Count': 1,
    'ACK Flag Count': 0,
    'URG Flag Count': 0,
    'CWE Flag Count': 0,
    'ECE Flag Count': 0,
    'Down/Up Ratio': 0, // ⌊3/4⌋
    'Average Packet Size': 636 / 7,
    'Avg Fwd Segment Size': 29.5,
    'Avg Bwd Segment Size': 512 / 3,
    'Fwd Header Length.1': 80,
    'Fwd Avg Bytes/Bulk': 0,
    'Subflow Fwd Packets': 4,
    'Subflow Fwd Bytes': 118,
    'Subflow Bwd Packets': 3,
    'Subflow Bwd Bytes': 512,
    'Init_Win_bytes_forward': 8192,
    'Init_Win_bytes_backward': 1000, // the *last* backward window (packet 6)
    'act_data_pkt_fwd': 3, // packets 3 (padding), 4, 7 — the first packet is skipped
    'min_seg_size_forward': 20,
    'Active Mean': 0,
    'Idle Mean': 0,
  };
  for (const [k, e] of Object.entries(expected)) close(v[k], e, k);
});

test('compat: the appendix flow shows FIN and ACK of its first packet in the permuted columns', async () => {
  const [, { values: v }] = await extract('compat');
  assert.equal(v['Flow Duration'], 100);
  assert.equal(v['Total Fwd Packets'], 1);
  assert.equal(v['Total Backward Packets'], 1);
  assert.equal(v['URG Flag Count'], 1, 'FIN of the first packet');
  assert.equal(v['ACK Flag Count'], 1);
  assert.equal(v['Init_Win_bytes_forward'], 1000);
  assert.equal(v['Init_Win_bytes_backward'], 8192);
});

test('compat: unpadded frames get their Ethernet padding back in wire mode, not in captured mode', async () => {
  const unpadded = CONNECTION.map((x) => pkt(x.tsUs - T0, x.spec.ip!.src === C, (x.spec.tcp!.flags as string), Number(x.spec.payload), x.spec.tcp!.window!, { pad: false }));
  const wire = await extract('compat', unpadded);
  assert.equal(wire[0].values['Total Length of Fwd Packets'], 118);
  const fs = new Cic2017Features({ mode: 'compat', padding: 'captured' });
  let fwdBytes = -1;
  const p = new Pipeline({ featureSet: fs, onFlow: (f) => { if (fwdBytes < 0) fwdBytes = f.row[3]; } });
  await p.run(openCaptureBytes(writePcap(unpadded.map((x) => ({ frame: x.frame, tsUs: x.tsUs })), 1)));
  assert.equal(fwdBytes, 100, 'only the real payload is in the file');
});

test('corrected: one flow for the whole connection, closed by FIN/FIN/ACK, with per-packet flags', async () => {
  const rows = await extract('corrected');
  assert.equal(rows.length, 1);
  const { values: v, record } = rows[0];
  assert.equal(record.reason, 'fin');
  assert.equal(record.connState, 'SF');
  assert.equal(record.srcIp, C);
  assert.equal(record.destPort, 80);
  assert.equal(record.pktsToServer, 5);
  assert.equal(record.pktsToClient, 4);
  close(v['Flow Duration'], 6500, 'duration');
  close(v['Total Length of Fwd Packets'], 100, 'no padding');
  close(v['Total Length of Bwd Packets'], 500, 'no padding');
  close(v['Packet Length Mean'], 600 / 9, 'first packet counted once');
  close(v['FIN Flag Count'], 2, 'FIN');
  close(v['SYN Flag Count'], 2, 'SYN');
  close(v['PSH Flag Count'], 2, 'PSH');
  close(v['ACK Flag Count'], 8, 'ACK');
  close(v['Fwd PSH Flags'], 1, 'fwd PSH');
  close(v['Bwd PSH Flags'], 1, 'bwd PSH');
  close(v['Down/Up Ratio'], 0.8, 'float ratio');
  close(v['Init_Win_bytes_backward'], 29200, 'first backward window');
  close(v['act_data_pkt_fwd'], 1, 'only packet 4 carries data');
  close(v['Average Packet Size'], 600 / 9, 'avg size');
});

test('corrected: zero-duration flows have rate 0, compat has Infinity/NaN as published', async () => {
  const two = [pkt(0, true, 'S', 0, 8192), pkt(0, false, 'R', 0, 0)];
  const [c] = await extract('compat', [two[0], pkt(0, true, 'A', 0, 8192)]);
  assert.equal(c.values['Flow Bytes/s'], Infinity); // 12 padding bytes / 0 s
  assert.equal(c.values['Flow Packets/s'], Infinity);
  const [r] = await extract('corrected', two);
  assert.equal(r.values['Flow Bytes/s'], 0);
  assert.equal(r.values['Flow Packets/s'], 0);
  assert.equal(r.record.connState, 'REJ');
  assert.equal(r.record.reason, 'rst');
});

test('the same connection gives identical features over Ethernet+VLAN, Linux SLL and raw IP', async () => {
  const base = await extract('corrected');
  for (const link of [{ vlans: [42] }, { link: 'sll' as const }, { link: 'sll2' as const }, { link: 'raw' as const }]) {
    const packets = CONNECTION.map((x) => pkt(x.tsUs - T0, x.spec.ip!.src === C, x.spec.tcp!.flags as string, Number(x.spec.payload), x.spec.tcp!.window!, link));
    const rows = await extract('corrected', packets, linkTypeOf(link));
    assert.equal(rows.length, 1, JSON.stringify(link));
    assert.deepEqual(rows[0].values, base[0].values, JSON.stringify(link));
  }
});

test('IPv6 flows are bidirectional and keep their addresses', async () => {
  const v6 = (t: number, fromClient: boolean, flags: string, payload: number) => ({
    frame: buildFrame({
      ip: { version: 6, src: fromClient ? 'fd00::1' : 'fd00::2', dst: fromClient ? 'fd00::2' : 'fd00::1' },
      tcp: { sport: fromClient ? 5555 : 443, dport: fromClient ? 443 : 5555, flags, seq: t, ack: t },
      payload,
    }),
    tsUs: T0 + t,
    spec: {},
  });
  const rows = await extract('corrected', [v6(0, true, 'S', 0), v6(10, false, 'SA', 0), v6(20, true, 'A', 0), v6(30, true, 'PA', 40), v6(40, false, 'RA', 0)]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].record.srcIp, 'fd00::1');
  assert.equal(rows[0].record.destIp, 'fd00::2');
  assert.equal(rows[0].record.ipVersion, 6);
  assert.equal(rows[0].values['Total Fwd Packets'], 3);
  assert.equal(rows[0].values['Total Backward Packets'], 2);
  assert.equal(rows[0].values['Total Length of Fwd Packets'], 40);
  assert.equal(rows[0].record.connState, 'RSTR');
});
