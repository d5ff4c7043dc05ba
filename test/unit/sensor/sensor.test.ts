/** The sensor end to end on a synthetic capture: flows, batched forest verdicts, provisional alerts, host alerts, stats. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureBytes } from '../../../src/capture/file-source.js';
import type { Alert } from '../../../src/detect/alert.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { parseEve } from '../../../src/lab/eve.js';
import { Sensor } from '../../../src/sensor/sensor.js';
import { classifierConfig, hostDetectorConfig, meterConfig } from '../../../src/sensor/setup.js';
import type { FlowEvent } from '../../../src/sinks/sink.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { attackCapture, CAPTURE_T0, MemorySink, stumpModel } from './fixtures.js';

function sensor(sink: MemorySink, withModel: boolean, bytes = attackCapture()): Sensor {
  const cfg = DEFAULT_CONFIG;
  return new Sensor({
    source: openCaptureBytes(bytes, { batchPackets: 1024 }), mode: 'offline', model: withModel ? stumpModel() : null,
    meter: meterConfig(cfg), classifier: classifierConfig(cfg), hosts: hostDetectorConfig(cfg),
    alertCooldownS: 60, statsIntervalS: 0.5, sinks: [sink],
  });
}

test('sensor with a model: verdicts per flow, provisional alert on the long flow, SYN-flood alert, stats', async () => {
  const sink = new MemorySink();
  const s = sensor(sink, true);
  const sum = await s.run();
  assert.equal(sink.opened, 1);
  assert.equal(sink.closed, 1);
  const flows = sink.of('flow') as FlowEvent[];
  assert.equal(flows.length, 1 + 20_000 + 1);
  assert.equal(sum.flows, flows.length);
  const http = flows.find((f) => f.record.destPort === 80 && f.record.srcIp === '10.0.0.1')!;
  assert.equal(http.record.reason, 'fin');
  assert.equal(http.verdict?.label, 'BENIGN');
  const udp = flows.find((f) => f.record.proto === 17)!;
  assert.equal(udp.verdict?.label, 'DDoS');
  assert.equal(udp.verdict?.confidence, 0.95);
  // batched: far fewer model calls than flows
  assert.ok(s.classifier!.counters.modelCalls < 100, `${s.classifier!.counters.modelCalls} model calls`);
  const alerts = sink.of('alert') as Alert[];
  const syn = alerts.filter((a) => a.detector === 'syn_rate');
  assert.equal(syn.length, 1);
  assert.ok(syn[0]!.tsUs - (CAPTURE_T0 + 500_000) < 1e6);
  const forest = alerts.filter((a) => a.detector === 'forest');
  assert.equal(forest.length, 1, 'deduplicated per (src, dst, type)');
  assert.equal(forest[0]!.evidence.provisional, true, 'judged while the flow was still open');
  assert.ok(forest[0]!.tsUs < CAPTURE_T0 + 2_600_000, 'before the flow ended');
  assert.equal(forest[0]!.srcIp, '10.0.0.77');
  assert.equal(forest[0]!.topFeatures[0]!.name, 'Total Fwd Packets');
  assert.equal(forest[0]!.topFeatures[0]!.weight, 1);
  const stats = sink.of('stats');
  assert.ok(stats.length >= 3, 'periodic stats on packet time plus the final one');
  const last = stats[stats.length - 1]!;
  assert.equal(last.final, true);
  assert.equal(last.decoder.packets, 20_608);
  assert.equal(last.flows.active, 0);
});

test('sensor without a model: host detectors only, flows have no verdict', async () => {
  const sink = new MemorySink();
  await sensor(sink, false).run();
  const flows = sink.of('flow') as FlowEvent[];
  assert.ok(flows.every((f) => f.verdict === null));
  assert.deepEqual((sink.of('alert') as Alert[]).map((a) => a.detector), ['syn_rate']);
});

test('flowsentry analyze -r on a built pcap writes flow, alert and stats EVE events the lab scorer reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-analyze-'));
  try {
    const pcap = join(dir, 'attack.pcap');
    writeFileSync(pcap, attackCapture());
    const eve = join(dir, 'eve.json');
    const alertLog = join(dir, 'ids_log.txt');
    const out = execFileSync(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'analyze', '-r', pcap, '--model', 'none', '--eve', eve, '--alert-log', alertLog, '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /ALERT \[syn_rate\] synflood .*10\.0\.0\.66/);
    assert.doesNotMatch(out, / flow /, '--quiet prints alerts only');
    const lines = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = new Set(lines.map((l) => l.event_type));
    assert.deepEqual([...types].sort(), ['alert', 'flow', 'stats']);
    const parsed = parseEve(readFileSync(eve, 'utf8'));
    assert.equal(parsed.skipped, 0);
    assert.equal(parsed.flows.length, 20_002);
    assert.equal(parsed.alerts.length, 1);
    assert.equal(parsed.alerts[0]!.srcIp, '10.0.0.66');
    assert.equal(parsed.alerts[0]!.detector, 'syn_rate');
    // the alert's flow_id joins a flow event of the attacker
    const alert = lines.find((l) => l.event_type === 'alert')!;
    const flow = lines.find((l) => l.event_type === 'flow' && l.flow_id === alert.flow_id)!;
    assert.equal(flow.src_ip, '10.0.0.66');
    assert.match(readFileSync(alertLog, 'utf8'), /\[\*\*\] \[syn_rate:synflood\] SYN flood to 10\.0\.0\.2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
