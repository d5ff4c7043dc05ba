/**
 * NSL-KDD features on real captures (../shared/data/pcaps; skipped without it): plausibility of the
 * records of known attacks, and value ranges that fit NSL-KDD's (count/srv_count ≤ 511, dst_host_* ≤
 * the host window cap, rates in [0, 1] with 2 decimals, categories inside the training vocabularies).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { openCaptureFile } from '../../src/capture/file-source.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { NslKddFeatures, type NslKddWindowPreset } from '../../src/features/nslkdd/features.js';
import { NSLKDD28_COLUMN_NAMES, NSLKDD_PROTOCOLS } from '../../src/features/nslkdd/columns.js';
import { nslkddRecord } from '../../src/features/nslkdd/model-input.js';
import { NSLKDD_SERVICES } from '../../src/features/nslkdd/services.js';
import { NSLKDD_FLAGS } from '../../src/features/nslkdd/flags.js';
import type { RawValue } from '../../src/model/model.js';
import { dataPath, skipWithoutData } from '../helpers/shared-data.js';

type Rec = Record<string, RawValue>;

async function extract(rel: string, preset: NslKddWindowPreset = 'spec'): Promise<{ rows: Rec[]; emitted: number }> {
  const fs = new NslKddFeatures({ preset });
  const rows: Rec[] = [];
  const p = new Pipeline({ featureSet: fs, onFlow: (f) => rows.push(nslkddRecord(f.row)) });
  const s = await p.run(openCaptureFile(dataPath('pcaps', rel)));
  return { rows, emitted: s.meter.flowsEmitted };
}

const RATES = NSLKDD28_COLUMN_NAMES.filter((n) => n.endsWith('_rate'));

function checkRanges(rows: readonly Rec[], hostCap: number, file: string): void {
  for (const r of rows) {
    // non-TCP/UDP/ICMP flows (GRE, IGMP, ...) have no KDD protocol: 'other' (the encoder's all-zero)
    assert.ok([...NSLKDD_PROTOCOLS, 'other'].includes(String(r.protocol_type)), `${file}: protocol ${r.protocol_type}`);
    assert.ok((NSLKDD_SERVICES as readonly string[]).includes(String(r.service)), `${file}: service ${r.service}`);
    assert.ok((NSLKDD_FLAGS as readonly string[]).includes(String(r.flag)), `${file}: flag ${r.flag}`);
    for (const k of ['duration', 'src_bytes', 'dst_bytes', 'wrong_fragment', 'urgent']) {
      const v = r[k] as number;
      assert.ok(Number.isInteger(v) && v >= 0, `${file}: ${k} = ${v}`);
    }
    assert.ok(r.land === 0 || r.land === 1);
    for (const k of ['count', 'srv_count']) {
      const v = r[k] as number;
      assert.ok(Number.isInteger(v) && v >= 1 && v <= 511, `${file}: ${k} = ${v}`);
    }
    for (const k of ['dst_host_count', 'dst_host_srv_count']) {
      const v = r[k] as number;
      assert.ok(Number.isInteger(v) && v >= 1 && v <= hostCap, `${file}: ${k} = ${v}`);
    }
    for (const k of RATES) {
      const v = r[k] as number;
      assert.ok(v >= 0 && v <= 1 && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, `${file}: ${k} = ${v}`);
    }
  }
}

function share(rows: readonly Rec[], pred: (r: Rec) => boolean): number {
  return rows.filter(pred).length / rows.length;
}

function median(rows: readonly Rec[], k: string): number {
  const v = rows.map((r) => r[k] as number).sort((a, b) => a - b);
  return v[v.length >> 1]!;
}

test('SYN flood (LUCID chunk): S0 http records, count saturated, serror_rate 1', { skip: skipWithoutData }, async () => {
  const { rows, emitted } = await extract('lucid-custom/dataset-chunk-syn.pcap');
  assert.equal(rows.length, emitted);
  assert.ok(rows.length > 1000);
  checkRanges(rows, 100, 'lucid');
  assert.ok(share(rows, (r) => r.flag === 'S0') > 0.9);
  assert.ok(share(rows, (r) => r.service === 'http') > 0.9);
  assert.equal(median(rows, 'count'), 511);
  assert.equal(median(rows, 'serror_rate'), 1);
  assert.equal(median(rows, 'dst_host_serror_rate'), 1);
  assert.equal(median(rows, 'src_bytes'), 0);
});

test('small SYN flood (suricata-verify): S0 to 443, serror 1, kdd-compat host cap', { skip: skipWithoutData }, async () => {
  for (const preset of ['spec', 'kdd-compat'] as const) {
    const { rows } = await extract('dos/suricata-verify-tcp-session-syn-flood.pcap', preset);
    checkRanges(rows, preset === 'spec' ? 100 : 255, `suricata ${preset}`);
    assert.ok(share(rows, (r) => r.flag === 'S0') > 0.9);
    assert.ok(share(rows, (r) => r.service === 'http_443') > 0.9);
    assert.ok(median(rows, 'count') > 50);
    assert.equal(median(rows, 'serror_rate'), 1);
    if (preset === 'kdd-compat') assert.ok(rows.some((r) => (r.dst_host_count as number) > 100));
  }
});

test('nmap SYN scan: REJ records over many services, high rerror and diff_srv rates', { skip: skipWithoutData }, async () => {
  const { rows } = await extract('scans/evilfingers-nmap-TCP_SYN_SCAN.pcap');
  checkRanges(rows, 100, 'nmap');
  assert.ok(share(rows, (r) => r.flag === 'REJ') > 0.9);
  assert.ok(new Set(rows.map((r) => r.service)).size > 5);
  assert.ok(median(rows, 'rerror_rate') > 0.9);
  assert.ok(median(rows, 'dst_host_rerror_rate') > 0.9);
});

test('BlackNurse ICMP flood: one urp_i record per packet, dst_bytes 0', { skip: skipWithoutData }, async () => {
  const { rows } = await extract('dos/doup123-icmp_blacknurse.pcap');
  checkRanges(rows, 100, 'blacknurse');
  assert.ok(share(rows, (r) => r.protocol_type === 'icmp' && r.service === 'urp_i' && r.dst_bytes === 0 && r.duration === 0) > 0.99);
  assert.equal(median(rows, 'count'), 511);
});

test('benign captures stay in range', { skip: skipWithoutData }, async () => {
  for (const f of ['benign/ppa-dns.cap', 'benign/ppa-http.cap', 'benign/chrissanders-icmp_traceroute.pcapng', 'benign/tcpreplay-test.pcap']) {
    const { rows } = await extract(f);
    assert.ok(rows.length > 0, f);
    checkRanges(rows, 100, f);
  }
});
