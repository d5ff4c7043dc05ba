/**
 * `analyze` on the shared attack captures: each alerts, with the attacker address from
 * PROVENANCE.md §3a, within a second of packet time; every benign capture stays silent.
 * Runs the sensor in-process exactly as `flowsentry analyze -r FILE` does (default config, bundled
 * model when installed). Skips without ../shared/data.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { openCaptureFile } from '../../src/capture/file-source.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import type { Alert } from '../../src/detect/alert.js';
import { resolveModel } from '../../src/sensor/cli.js';
import { Sensor } from '../../src/sensor/sensor.js';
import { classifierConfig, hostDetectorConfig, meterConfig } from '../../src/sensor/setup.js';
import type { EventKind, EventMap, Sink } from '../../src/sinks/sink.js';
import { dataPath, hasSharedData, skipWithoutData } from '../helpers/shared-data.js';

class AlertSink implements Sink {
  readonly name = 'alerts';
  readonly alerts: Alert[] = [];
  open(): void {}
  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    if (kind === 'alert') this.alerts.push(rec as Alert);
  }
  flush(): void {}
  reopen(): void {}
  close(): void {}
}

const { model } = hasSharedData ? resolveModel(DEFAULT_CONFIG) : { model: null };

async function analyze(file: string): Promise<{ alerts: Alert[]; firstTsUs: number }> {
  const sink = new AlertSink();
  const cfg = DEFAULT_CONFIG;
  const s = new Sensor({
    source: openCaptureFile(file), mode: 'offline', model,
    meter: meterConfig(cfg), classifier: classifierConfig(cfg), hosts: hostDetectorConfig(cfg),
    alertCooldownS: cfg.alerts.cooldown_s, statsIntervalS: cfg.stats_interval_s, sinks: [sink],
  });
  const sum = await s.run();
  return { alerts: sink.alerts, firstTsUs: sum.pipeline.firstTsUs };
}

/** Capture → attacker address (PROVENANCE.md §3a) and the detectors expected to see it. */
const ATTACKS: [string, string, string[]][] = [
  ['cic-ddos2019/CIC-DDoS-2019-SynFlood.pcap', '172.16.0.5', ['syn_rate']],
  ['lucid-custom/dataset-chunk-syn.pcap', '11.0.0.210', ['syn_rate']],
  ['dos/doup123-udp__flood.pcap', '172.16.2.1', ['udp_rate']],
  ['dos/doup123-icmp_blacknurse.pcap', '172.16.2.1', ['icmp_rate']],
  ['scans/chrissanders-synscan.pcapng', '172.16.0.8', ['scan']],
  ['scans/evilfingers-nmap-TCP_SYN_SCAN.pcap', '192.168.1.10', ['scan']],
  ['slowdos/kihy-slowloris.pcap', '10.0.2.15', ['slow_conn']],
];

for (const [file, attacker, detectors] of ATTACKS) {
  test(`analyze ${file}: alerts with attacker ${attacker}`, { skip: skipWithoutData }, async (t) => {
    const { alerts, firstTsUs } = await analyze(dataPath('pcaps', file));
    const mine = alerts.filter((a) => a.srcIp === attacker);
    assert.ok(mine.length > 0, `alerts: ${alerts.map((a) => `${a.detector} ${a.srcIp}`).join(', ') || 'none'}`);
    for (const d of detectors) assert.ok(mine.some((a) => a.detector === d), `${d} among ${[...new Set(mine.map((a) => a.detector))].join(',')}`);
    const first = Math.min(...mine.map((a) => a.tsUs));
    t.diagnostic(`first alert ${((first - firstTsUs) / 1000).toFixed(1)} ms after the first packet; ${alerts.length} alerts: ${[...new Set(alerts.map((a) => `${a.detector}:${a.attackType}`))].join(' ')}`);
    // floods and fast scans: within a second of the capture's start (chrissanders' scan starts slowly)
    if (!file.includes('slowloris') && !file.includes('chrissanders')) assert.ok(first - firstTsUs < 1e6, `${(first - firstTsUs) / 1000} ms`);
  });
}

const benignDir = hasSharedData ? dataPath('pcaps', 'benign') : '';
const benign = hasSharedData ? readdirSync(benignDir).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort() : ['(no data)'];
for (const f of benign) {
  test(`analyze benign/${f}: no alerts`, { skip: skipWithoutData }, async () => {
    const { alerts } = await analyze(`${benignDir}/${f}`);
    assert.deepEqual(alerts.map((a) => a.signature), []);
  });
}
