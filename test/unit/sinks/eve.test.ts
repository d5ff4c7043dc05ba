import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/detect/alert.js';
import type { FlowRecord } from '../../../src/flow/record.js';
import { parseEve, parseEveTimestamp } from '../../../src/lab/eve.js';
import { EveSink, eveTimestamp } from '../../../src/sinks/eve.js';
import type { StatsEvent } from '../../../src/sinks/sink.js';
import { ConsoleSink, TextLogSink } from '../../../src/sinks/text.js';

const T = 1_499_436_000_123_456;
const rec: FlowRecord = {
  flowId: 7, ipVersion: 4, proto: 6, srcIp: '172.16.0.1', srcPort: 40000, destIp: '192.168.10.50', destPort: 80,
  startUs: T, endUs: T + 2_500_000, pktsToServer: 5, pktsToClient: 4, bytesToServer: 400, bytesToClient: 3000,
  connState: 'SF', history: 'ShADadFf', reason: 'fin',
};
const alert: Alert = {
  tsUs: T + 1000, detector: 'forest', attackType: 'httpdos', confidence: 0.93, severity: 1, srcIp: '172.16.0.1', srcPort: 40000,
  destIp: '192.168.10.50', destPort: 80, proto: 'TCP', flowId: 7, evidence: { model_class: 'DoS Hulk', packets: 9, weird: Infinity },
  topFeatures: [{ name: 'Flow Duration', value: 2.5e6, weight: 0.4 }], signature: 'DoS Hulk (93%)', key: 'k',
};
const stats: StatsEvent = {
  tsUs: T + 5e6, uptimeS: 5, final: false, capture: { packets: 10, kernelDrops: 1, ifDrops: 0, appDrops: 0 },
  decoder: { packets: 10, flowed: 9, ignored: 1, weird: 0 }, flows: { active: 1, created: 2, ended: 1, evicted: 0, classified: 1, provisional: 0 },
  detect: { alerts: 1, suppressed: 0, hostsTracked: 2, hostReplacements: 0 },
};

test('EVE timestamps are ISO-8601 with microseconds and round-trip through the lab parser', () => {
  assert.equal(eveTimestamp(T), '2017-07-07T14:00:00.123456+0000');
  assert.equal(parseEveTimestamp(eveTimestamp(T)), T);
});

test('EVE sink: one JSON object per line with the documented schema, flushed as written, reopenable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-eve-'));
  try {
    const path = join(dir, 'eve.json');
    const s = new EveSink(path);
    s.open();
    s.write('flow', { record: rec, verdict: { label: 'BENIGN', modelClass: 'BENIGN', confidence: 0.99, provisional: false } });
    // written before close: a tail -f reader sees it at once
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 2);
    s.write('alert', alert);
    s.write('stats', stats);
    // logrotate: move the file away, reopen, keep writing to a fresh file at the same path
    writeFileSync(path + '.1', readFileSync(path));
    rmSync(path);
    s.reopen();
    s.write('stats', { ...stats, final: true });
    s.close();
    const lines = readFileSync(path + '.1', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const [f, a, st] = lines;
    for (const o of lines) {
      for (const k of ['timestamp', 'event_type']) assert.ok(k in o, `${k} in ${o.event_type}`);
      assert.match(o.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    }
    assert.equal(f.event_type, 'flow');
    assert.deepEqual(
      Object.keys(f).sort(),
      ['dest_ip', 'dest_port', 'event_type', 'flow', 'flow_id', 'proto', 'src_ip', 'src_port', 'timestamp'],
    );
    for (const k of ['pkts_toserver', 'pkts_toclient', 'bytes_toserver', 'bytes_toclient', 'start', 'end', 'state', 'reason', 'conn_state', 'history', 'verdict', 'confidence']) {
      assert.ok(k in f.flow, `flow.${k}`);
    }
    assert.equal(f.flow.state, 'closed');
    assert.equal(f.proto, 'TCP');
    assert.equal(a.event_type, 'alert');
    assert.equal(a.flow_id, f.flow_id, 'flow_id joins alert and flow');
    for (const k of ['detector', 'attack_type', 'confidence', 'severity', 'evidence', 'top_features']) assert.ok(k in a.alert, `alert.${k}`);
    assert.equal(a.alert.evidence.weird, 'Infinity', 'non-finite numbers stay valid JSON');
    assert.equal(st.event_type, 'stats');
    assert.equal(st.stats.capture.kernel_drops, 1);
    assert.equal(st.stats.capture.app_drops, 0);
    const after = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(after.length, 1);
    assert.equal(JSON.parse(after[0]!).stats.final, true);
    const parsed = parseEve(readFileSync(path + '.1', 'utf8'));
    assert.equal(parsed.skipped, 0);
    assert.equal(parsed.alerts[0]!.attackType, 'httpdos');
    assert.equal(parsed.flows[0]!.verdict, 'BENIGN');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('text sinks: traffic log has one line per flow, alert log one ids_log line per alert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-txt-'));
  try {
    const t = new TextLogSink(join(dir, 'traffic.log'), 'traffic');
    const al = new TextLogSink(join(dir, 'ids_log.txt'), 'alerts');
    for (const s of [t, al]) {
      s.open();
      s.write('flow', { record: rec, verdict: null });
      s.write('alert', alert);
      s.close();
    }
    const traffic = readFileSync(join(dir, 'traffic.log'), 'utf8');
    assert.match(traffic, /^2017-07-07 14:00:02\.623 flow  TCP  172\.16\.0\.1:40000 -> 192\.168\.10\.50:80  5\/4 pkts 400\/3\.0k B  fin SF ShADadFf  -\n$/);
    const ids = readFileSync(join(dir, 'ids_log.txt'), 'utf8');
    assert.match(ids, /\[\*\*\] \[forest:httpdos\] DoS Hulk \(93%\) \[\*\*\] \[Severity: 1\] \[Confidence: 0\.930\] \{TCP\} 172\.16\.0\.1:40000 -> 192\.168\.10\.50:80 flow_id=7 \| model_class=DoS Hulk/);
    assert.equal(ids.split('\n').length, 2);
    const c = new ConsoleSink({ path: join(dir, 'console.txt'), quiet: true });
    c.open();
    c.write('flow', { record: rec, verdict: null });
    c.write('alert', alert);
    c.close();
    assert.match(readFileSync(join(dir, 'console.txt'), 'utf8'), /^\S+ \S+ ALERT \[forest\] httpdos sev=1 conf=0\.93 /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
