/**
 * NSL-KDD (`nslkdd28`) features on hand-built captures: every expected value below is worked out by
 * hand from the packets (comments show the arithmetic). Frames go through the real decoder, meter and
 * pipeline (packet-builder → pcap bytes → openCaptureBytes → Pipeline).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildFrame, buildFragments, linkTypeOf, writePcap, type FrameSpec, type PcapRecord } from '../../helpers/packet-builder.js';
import { openCaptureBytes } from '../../../src/capture/file-source.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { END_REASON_NAMES } from '../../../src/flow/meter-config.js';
import { NslKddFeatures, type NslKddOptions } from '../../../src/features/nslkdd/features.js';
import { NSLKDD28_COLUMN_NAMES } from '../../../src/features/nslkdd/columns.js';
import { nslkddRecord, createNslKddModelInput } from '../../../src/features/nslkdd/model-input.js';
import { NSLKDD_SERVICES, tcpService, udpService, icmpService } from '../../../src/features/nslkdd/services.js';
import { NSLKDD_FLAGS, kddFlagCode } from '../../../src/features/nslkdd/flags.js';
import { NSLKDD28_COLUMNS } from '../../../src/model/datasets/nslkdd.js';
import { encodedColumnNames, type InputColumn, type ModelInfo, type RawValue } from '../../../src/model/model.js';

type Row = Record<string, RawValue> & { reason: string };

const T0 = 1_500_000_000e6;
const A = '10.0.0.1';
const B = '10.0.0.2';
const C = '10.0.0.3';
const D = '10.0.0.4';

function tcp(src: string, dst: string, sport: number, dport: number, flags: string, seq = 0, ack = 0, payload = 0): FrameSpec {
  return { ip: { src, dst }, tcp: { sport, dport, flags, seq, ack }, payload };
}

async function run(pkts: Array<{ spec?: FrameSpec; frame?: Uint8Array; t: number }>, opts: NslKddOptions = {}): Promise<Row[]> {
  const recs: PcapRecord[] = pkts.map((p) => ({ frame: p.frame ?? buildFrame(p.spec!), tsUs: T0 + p.t }));
  const bytes = writePcap(recs, linkTypeOf({}));
  const fs = new NslKddFeatures(opts);
  const rows: Row[] = [];
  const pipe = new Pipeline({
    featureSet: fs,
    onFlow: (f) => rows.push({ ...nslkddRecord(f.row), reason: f.reason === 'open' ? 'open' : END_REASON_NAMES[f.reason] }),
  });
  await pipe.run(openCaptureBytes(bytes));
  return rows;
}

const ZERO_RATES = {
  serror_rate: 0, srv_serror_rate: 0, rerror_rate: 0, srv_rerror_rate: 0, diff_srv_rate: 0, srv_diff_host_rate: 0,
  dst_host_diff_srv_rate: 0, dst_host_srv_diff_host_rate: 0, dst_host_serror_rate: 0, dst_host_srv_serror_rate: 0,
  dst_host_rerror_rate: 0, dst_host_srv_rerror_rate: 0,
};

function pick(r: Row, keys: readonly string[]): Record<string, RawValue> {
  const o: Record<string, RawValue> = {};
  for (const k of keys) o[k] = r[k];
  return o;
}

test('columns are exactly the model side\'s NSL-KDD 28 names, in order', () => {
  assert.deepEqual([...NSLKDD28_COLUMN_NAMES], [...NSLKDD28_COLUMNS]);
  const fs = new NslKddFeatures();
  assert.equal(fs.id, 'nslkdd28');
  assert.equal(fs.columns.length, 28);
  assert.equal(NSLKDD_SERVICES.length, 70);
  assert.equal(new Set(NSLKDD_SERVICES).size, 70);
  assert.equal(NSLKDD_FLAGS.length, 11);
});

test('normal HTTP connection: SF, http, data bytes per direction, integer duration', async () => {
  // A:40000 → B:80; ISNs 1000 / 5000. A sends 100 data bytes, B 500; FIN both ways, last FIN acked.
  const rows = await run([
    { t: 0, spec: tcp(A, B, 40000, 80, 'S', 1000) },
    { t: 10_000, spec: tcp(B, A, 80, 40000, 'SA', 5000, 1001) },
    { t: 20_000, spec: tcp(A, B, 40000, 80, 'A', 1001, 5001) },
    { t: 30_000, spec: tcp(A, B, 40000, 80, 'PA', 1001, 5001, 100) },
    { t: 500_000, spec: tcp(B, A, 80, 40000, 'PA', 5001, 1101, 500) },
    { t: 2_400_000, spec: tcp(B, A, 80, 40000, 'FA', 5501, 1101) },
    { t: 2_450_000, spec: tcp(A, B, 40000, 80, 'FA', 1101, 5502) },
    { t: 2_500_000, spec: tcp(B, A, 80, 40000, 'A', 5502, 1102) },
  ]);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], {
    // ⌊2.5 s⌋ = 2; payload 100 (A→B) and 500 (B→A); the lone connection is its own window
    duration: 2, protocol_type: 'tcp', service: 'http', flag: 'SF', src_bytes: 100, dst_bytes: 500,
    land: 0, wrong_fragment: 0, urgent: 0,
    count: 1, srv_count: 1, same_srv_rate: 1,
    dst_host_count: 1, dst_host_srv_count: 1, dst_host_same_srv_rate: 1, dst_host_same_src_port_rate: 1,
    ...ZERO_RATES,
    reason: 'fin',
  });
});

test('unanswered SYN is S0; SYN answered by RST is REJ (telnet)', async () => {
  const rows = await run([
    { t: 0, spec: tcp(A, B, 40001, 80, 'S', 1) },
    { t: 5_000_000, spec: tcp(A, B, 40002, 23, 'S', 7) },
    { t: 5_001_000, spec: tcp(B, A, 23, 40002, 'RA', 0, 8) },
  ]);
  assert.equal(rows.length, 2);
  const s0 = rows.find((r) => r.service === 'http')!;
  const rej = rows.find((r) => r.service === 'telnet')!;
  assert.deepEqual(pick(s0, ['flag', 'src_bytes', 'dst_bytes', 'duration', 'serror_rate', 'dst_host_serror_rate']), {
    flag: 'S0', src_bytes: 0, dst_bytes: 0, duration: 0, serror_rate: 1, dst_host_serror_rate: 1,
  });
  assert.equal(rej.flag, 'REJ');
  // time window of the REJ record (ended t = 5.001 s): the S0 (t = 0) is 5 s older → only itself: 1/1
  assert.equal(rej.count, 1);
  assert.equal(rej.rerror_rate, 1);
  // host window (last 100): S0 then REJ, both to B, different services
  //   dst_host_count 2, same_srv 1/2, serror 1/2 (the S0), rerror 1/2, srv set = {REJ} only
  assert.equal(rows[1], rej, 'both end at shutdown, in creation order');
  assert.deepEqual(pick(rej, ['dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate', 'dst_host_serror_rate', 'dst_host_rerror_rate']), {
    dst_host_count: 2, dst_host_srv_count: 1, dst_host_same_srv_rate: 0.5, dst_host_diff_srv_rate: 0.5,
    dst_host_serror_rate: 0.5, dst_host_rerror_rate: 0.5,
  });
});

test('burst of 20 unanswered SYNs to one host in 1 s: count climbs to 20, serror rates 1', async () => {
  const pkts = [];
  for (let i = 0; i < 20; i++) pkts.push({ t: i * 50_000, spec: tcp(A, C, 50000 + i, 80, 'S', 100 + i) });
  const rows = await run(pkts);
  assert.equal(rows.length, 20);
  // records leave at shutdown in creation order; record k sees the k−1 before it (all within 0.95 s)
  rows.forEach((r, k) => {
    assert.equal(r.flag, 'S0');
    assert.equal(r.count, k + 1, `count of record ${k + 1}`);
    assert.equal(r.srv_count, k + 1);
    assert.equal(r.dst_host_count, k + 1);
  });
  const last = rows[19]!;
  assert.deepEqual(pick(last, ['count', 'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'same_srv_rate', 'diff_srv_rate', 'srv_diff_host_rate',
    'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_same_src_port_rate', 'dst_host_serror_rate', 'dst_host_srv_serror_rate']), {
    count: 20, srv_count: 20, serror_rate: 1, srv_serror_rate: 1, rerror_rate: 0, same_srv_rate: 1, diff_srv_rate: 0, srv_diff_host_rate: 0,
    // 20 distinct source ports: only itself has its port → 1/20 = 0.05
    dst_host_count: 20, dst_host_srv_count: 20, dst_host_same_srv_rate: 1, dst_host_same_src_port_rate: 0.05,
    dst_host_serror_rate: 1, dst_host_srv_serror_rate: 1,
  });
});

test('port scan: 20 rejected connections to 20 services of one host in 1 s', async () => {
  const ports = [21, 22, 23, 25, 53, 79, 80, 110, 111, 113, 119, 143, 139, 443, 512, 513, 514, 515, 540, 6000];
  const pkts = [];
  for (let i = 0; i < 20; i++) {
    pkts.push({ t: i * 50_000, spec: tcp(A, C, 45000, ports[i]!, 'S', 10) });
    pkts.push({ t: i * 50_000 + 1000, spec: tcp(C, A, ports[i]!, 45000, 'RA', 0, 11) });
  }
  const rows = await run(pkts);
  assert.equal(rows.length, 20);
  assert.equal(new Set(rows.map((r) => r.service)).size, 20);
  const last = rows[19]!;
  assert.equal(last.service, 'X11');
  assert.deepEqual(pick(last, ['flag', 'count', 'srv_count', 'rerror_rate', 'srv_rerror_rate', 'serror_rate', 'same_srv_rate', 'diff_srv_rate',
    'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate', 'dst_host_same_src_port_rate', 'dst_host_rerror_rate']), {
    // 20 to the host, 1 to the service; same_srv 1/20 = 0.05, diff 0.95; one source port for all → 1
    flag: 'REJ', count: 20, srv_count: 1, rerror_rate: 1, srv_rerror_rate: 1, serror_rate: 0, same_srv_rate: 0.05, diff_srv_rate: 0.95,
    dst_host_count: 20, dst_host_srv_count: 1, dst_host_same_srv_rate: 0.05, dst_host_diff_srv_rate: 0.95, dst_host_same_src_port_rate: 1,
    dst_host_rerror_rate: 1,
  });
});

test('host window: last 100 connections, same-host and same-service sets', async () => {
  // 150 SYN-only connections i = 0..149, 10 ms apart: host C if i % 3 == 0 else D; service http (80)
  // if i even else smtp (25); every source port distinct (so every 5-tuple is a new connection).
  const uniq = [];
  for (let i = 0; i < 150; i++) {
    const host = i % 3 === 0 ? C : D;
    const dport = i % 2 === 0 ? 80 : 25;
    uniq.push({ t: i * 10_000, spec: tcp(A, host, 2000 + i, dport, 'S', i) });
  }
  const rows = await run(uniq);
  assert.equal(rows.length, 150);
  const last = rows[149]!; // i = 149: host D, smtp
  assert.equal(last.service, 'smtp');
  // Window i = 50..149. H (host D, i % 3 != 0): 100 − 33 multiples of 3 (51..147) = 67.
  // S (smtp, odd i): 50. H∩S: 50 odd − 17 odd multiples of 3 (51, 57, ..., 147) = 33.
  // same_srv 33/67 = 0.49; srv_diff_host (S − H∩S)/S = 17/50 = 0.34.
  // Source ports are unique, so same_src_port = 1/67 = 0.01.
  assert.deepEqual(pick(last, ['dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate',
    'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate', 'dst_host_srv_serror_rate']), {
    dst_host_count: 67, dst_host_srv_count: 50, dst_host_same_srv_rate: 0.49, dst_host_diff_srv_rate: 0.51,
    dst_host_same_src_port_rate: 0.01, dst_host_srv_diff_host_rate: 0.34, dst_host_serror_rate: 1, dst_host_srv_serror_rate: 1,
  });
  // 2 s window holds all 150 (1.49 s): H = 150 − 50 = 100, S = 75 odd, H∩S = 75 − 25 = 50
  assert.deepEqual(pick(last, ['count', 'srv_count', 'same_srv_rate', 'diff_srv_rate', 'srv_diff_host_rate']), {
    count: 100, srv_count: 75, same_srv_rate: 0.5, diff_srv_rate: 0.5, srv_diff_host_rate: 0.33,
  });
});

test('kdd-compat host window: 256 connections, dst_host_count capped at 255', async () => {
  const pkts = [];
  for (let i = 0; i < 300; i++) pkts.push({ t: i * 100_000, spec: tcp(A, B, 3000 + i, 80, 'S', i) });
  const spec = await run(pkts);
  const compat = await run(pkts, { preset: 'kdd-compat' });
  assert.equal(spec.at(-1)!.dst_host_count, 100);
  assert.equal(compat.at(-1)!.dst_host_count, 255);
  assert.equal(compat.at(-1)!.dst_host_srv_count, 255);
  assert.equal(compat[99]!.dst_host_count, 100);
  // 2 s window at 100 ms spacing: this one + 20 before (t − 2.0 s inclusive) = 21
  assert.equal(compat.at(-1)!.count, 21);
});

test('UDP DNS query/answer → udp, domain_u, SF, payload bytes', async () => {
  const rows = await run([
    { t: 0, spec: { ip: { src: A, dst: B }, udp: { sport: 5353, dport: 53 }, payload: 30 } },
    { t: 20_000, spec: { ip: { src: B, dst: A }, udp: { sport: 53, dport: 5353 }, payload: 60 } },
  ]);
  assert.equal(rows.length, 1);
  assert.deepEqual(pick(rows[0]!, ['protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'duration', 'count']), {
    protocol_type: 'udp', service: 'domain_u', flag: 'SF', src_bytes: 30, dst_bytes: 60, duration: 0, count: 1,
  });
});

test('ICMP echo request and reply are two one-packet records: eco_i and ecr_i', async () => {
  const rows = await run([
    { t: 0, spec: { ip: { src: A, dst: B }, icmp: { type: 8, rest: [0, 1, 0, 1] }, payload: 56 } },
    { t: 1000, spec: { ip: { src: B, dst: A }, icmp: { type: 0, rest: [0, 1, 0, 1] }, payload: 56 } },
  ]);
  assert.equal(rows.length, 2);
  // ICMP bytes = ICMP header 8 + 56 data = 64 (KDD smurf rows: 1024 + 8 = 1032)
  assert.deepEqual(rows.map((r) => pick(r, ['protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'duration', 'reason'])), [
    { protocol_type: 'icmp', service: 'eco_i', flag: 'SF', src_bytes: 64, dst_bytes: 0, duration: 0, reason: 'active' },
    { protocol_type: 'icmp', service: 'ecr_i', flag: 'SF', src_bytes: 64, dst_bytes: 0, duration: 0, reason: 'active' },
  ]);
  // second record's host window: the first went to B, this one to A → dst_host_count 1, srv set {itself}
  assert.equal(rows[1]!.dst_host_count, 1);
});

test('land, urgent', async () => {
  const rows = await run([
    { t: 0, spec: tcp(A, A, 139, 139, 'S', 5) },
    { t: 10, spec: tcp(A, B, 40010, 21, 'S', 1) },
    { t: 20, spec: tcp(B, A, 21, 40010, 'SA', 9, 2) },
    { t: 30, spec: tcp(A, B, 40010, 21, 'A', 2, 10) },
    { t: 40, spec: tcp(A, B, 40010, 21, 'UPA', 2, 10, 3) },
    { t: 50, spec: tcp(B, A, 21, 40010, 'UA', 10, 5) },
  ]);
  const land = rows.find((r) => r.service === 'netbios_ssn')!;
  const ftp = rows.find((r) => r.service === 'ftp')!;
  assert.equal(land.land, 1);
  assert.equal(ftp.land, 0);
  assert.equal(ftp.urgent, 2);
  assert.equal(ftp.flag, 'S1'); // established, never closed
  assert.equal(ftp.src_bytes, 3);
});

test('wrong_fragment: overlapping UDP fragment, oversize ICMP fragment (ping of death)', async () => {
  const spec: FrameSpec = { ip: { src: A, dst: B }, udp: { sport: 7000, dport: 7001 }, payload: 3000 - 8 };
  const frags = buildFragments(spec, 1480, 0x4242); // [0,1480) [1480,2960) [2960,3000)
  // a fourth fragment of the same datagram covering [1000, 1800): overlaps what was seen
  const overlap = buildFrame({ ip: { src: A, dst: B, id: 0x4242, fragOffset: 1000, mf: true, proto: 17 }, payload: 800 });
  const pod = buildFrame({ ip: { src: C, dst: D, id: 7, fragOffset: 65000, mf: false, proto: 1 }, payload: 1480 });
  const rows = await run([
    { t: 0, frame: frags[0] },
    { t: 10, frame: frags[1] },
    { t: 20, frame: frags[2] },
    { t: 30, frame: overlap },
    { t: 40, frame: pod },
  ]);
  // the first fragment (with ports) is the 7000→7001 flow; the others have no ports → one port-0 flow
  const first = rows.find((r) => r.protocol_type === 'udp' && r.src_bytes === 1480 - 8)!;
  const rest = rows.find((r) => r.protocol_type === 'udp' && r !== first)!;
  assert.equal(first.wrong_fragment, 0);
  assert.equal(rest.wrong_fragment, 1);
  const icmp = rows.find((r) => r.protocol_type === 'icmp')!;
  // 65000 + 1480 + 20 > 65535; no ICMP header in a non-first fragment: type reads 0 → ecr_i (as KDD's pod rows)
  assert.deepEqual(pick(icmp, ['service', 'wrong_fragment', 'src_bytes']), { service: 'ecr_i', wrong_fragment: 1, src_bytes: 1480 });
  // a clean train alone has no wrong fragments
  const clean = await run(frags.map((f, i) => ({ t: i * 10, frame: f })));
  assert.ok(clean.every((r) => r.wrong_fragment === 0));
});

test('provisional rows (open flows) do not enter the windows', async () => {
  const fs = new NslKddFeatures();
  const ended: Row[] = [];
  const pipe = new Pipeline({ featureSet: fs, onFlow: (f) => ended.push({ ...nslkddRecord(f.row), reason: String(f.reason) }) });
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 3; i++) recs.push({ frame: buildFrame(tcp(A, B, 100 + i, 80, 'S', i)), tsUs: T0 + i * 1000 });
  const src = openCaptureBytes(writePcap(recs, linkTypeOf({})));
  for await (const b of src) pipe.processBatch(b);
  const provisional: number[] = [];
  for (let k = 0; k < 3; k++) pipe.forEachOpenFlow((f) => provisional.push(f.row[NSLKDD28_COLUMN_NAMES.indexOf('count')]!));
  // nothing has ended yet: each open flow's provisional count is 1 (itself)
  assert.deepEqual(provisional, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
  pipe.meter.flushAll();
  assert.deepEqual(ended.map((r) => r.count), [1, 2, 3]);
});

test('service and flag tables', () => {
  const name = (c: number) => NSLKDD_SERVICES[c];
  assert.equal(name(tcpService(40000, 80)), 'http');
  assert.equal(name(tcpService(20, 40000)), 'ftp_data');
  assert.equal(name(tcpService(40000, 443)), 'http_443');
  assert.equal(name(tcpService(40000, 6010)), 'X11');
  assert.equal(name(tcpService(40000, 999)), 'private');
  assert.equal(name(tcpService(40000, 31337)), 'other');
  assert.equal(name(udpService(53)), 'domain_u');
  assert.equal(name(udpService(123)), 'ntp_u');
  assert.equal(name(udpService(69)), 'tftp_u');
  assert.equal(name(udpService(137)), 'private');
  assert.equal(name(udpService(5000)), 'other');
  assert.equal(name(icmpService(3, 3, false)), 'urp_i');
  assert.equal(name(icmpService(3, 1, false)), 'urh_i');
  assert.equal(name(icmpService(5, 0, false)), 'red_i');
  assert.equal(name(icmpService(13, 0, false)), 'tim_i');
  assert.equal(name(icmpService(128, 0, true)), 'eco_i');
  assert.equal(NSLKDD_FLAGS[kddFlagCode('RSTRH')], 'OTH');
  assert.equal(NSLKDD_FLAGS[kddFlagCode('SHR')], 'OTH');
  assert.equal(NSLKDD_FLAGS[kddFlagCode('RSTOS0')], 'RSTOS0');
});

test('createNslKddModelInput encodes a feature row for an nslkdd28 model', () => {
  const inputs: InputColumn[] = NSLKDD28_COLUMNS.map((name) =>
    name === 'protocol_type' ? { name, kind: 'categorical', vocabulary: ['icmp', 'tcp', 'udp'] }
      : name === 'service' ? { name, kind: 'categorical', vocabulary: ['domain_u', 'http', 'private'] }
        : name === 'flag' ? { name, kind: 'categorical', vocabulary: ['REJ', 'S0', 'SF'] }
          : { name, kind: 'numeric' });
  const encodedColumns = encodedColumnNames(inputs);
  const info = { featureSet: 'nslkdd28', columns: [...NSLKDD28_COLUMNS], encodedColumns, preprocessing: { inputs, nonFiniteValue: -1 } } as unknown as ModelInfo;
  const input = createNslKddModelInput(info);
  assert.equal(input.width, 25 + 9);
  const row = new Float64Array(28);
  row[0] = 3; // duration
  row[1] = 0; // tcp
  row[2] = NSLKDD_SERVICES.indexOf('http');
  row[3] = NSLKDD_FLAGS.indexOf('S0');
  row[4] = 123; // src_bytes
  const X = new Float64Array(input.width);
  input.encode(row, X, 0);
  const at = (n: string) => X[encodedColumns.indexOf(n)];
  assert.equal(at('duration'), 3);
  assert.equal(at('protocol_type=tcp'), 1);
  assert.equal(at('protocol_type=udp'), 0);
  assert.equal(at('service=http'), 1);
  assert.equal(at('flag=S0'), 1);
  assert.equal(at('flag=SF'), 0);
  assert.equal(at('src_bytes'), 123);
  assert.throws(() => createNslKddModelInput({ ...info, featureSet: 'cic2017' } as ModelInfo), /feature set/);
});
