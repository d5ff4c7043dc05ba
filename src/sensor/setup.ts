/**
 * From the validated YAML-shaped configuration to the runtime pieces: meter / detector / classifier
 * settings and the sinks. Kept apart from Sensor so tests can build a Sensor with in-memory sinks.
 */
import type { SensorConfig } from '../config/schema.js';
import type { ClassifierConfig } from '../detect/flow-classifier.js';
import type { HostDetectorConfig } from '../detect/host-detectors.js';
import { LOGIN_PORTS } from '../detect/conn-tracker.js';
import type { MeterConfig } from '../flow/meter-config.js';
import { EveSink } from '../sinks/eve.js';
import { PcapLogSink } from '../sinks/pcap-log.js';
import type { EventKind, Sink } from '../sinks/sink.js';
import { ConsoleSink, TextLogSink } from '../sinks/text.js';

export function meterConfig(c: SensorConfig): Partial<MeterConfig> {
  return { capacity: c.flow.capacity, idleTimeoutUs: c.flow.idle_timeout_s * 1e6, activeTimeoutUs: c.flow.active_timeout_s * 1e6 };
}

export function hostDetectorConfig(c: SensorConfig): HostDetectorConfig {
  const d = c.detectors;
  return {
    capacity: d.hosts,
    halfLifeMs: d.half_life_ms,
    baselineHalfLifeMs: d.baseline_half_life_ms,
    baselineFactor: d.baseline_factor,
    windowMs: d.window_ms,
    cooldownMs: d.cooldown_ms,
    syn: { enabled: d.syn_rate.enabled, rate: d.syn_rate.rate_pps, maxCompletion: d.syn_rate.max_completion, scanExemptRate: d.syn_rate.scan_exempt_pps },
    udp: { enabled: d.udp_rate.enabled, rate: d.udp_rate.rate_pps, maxReplyRatio: d.udp_rate.max_reply_ratio },
    icmp: { enabled: d.icmp_rate.enabled, rate: d.icmp_rate.rate_pps },
    scan: { enabled: d.scan.enabled, targets: d.scan.targets, maxAnswered: d.scan.max_answered },
    fanin: { enabled: d.fanin.enabled, sources: d.fanin.sources, maxEstablished: d.fanin.max_established },
    slowConn: { enabled: d.slow_conn.enabled, concurrent: d.slow_conn.concurrent },
    bruteForce: { enabled: d.bruteforce.enabled, connections: d.bruteforce.connections, halfLifeMs: d.bruteforce.half_life_s * 1000, ports: LOGIN_PORTS },
  };
}

export function classifierConfig(c: SensorConfig): ClassifierConfig {
  const k = c.classifier;
  return {
    minConfidence: k.min_confidence,
    minPackets: k.min_packets,
    batchRows: k.batch_rows,
    provisional: { enabled: k.provisional.enabled, intervalMs: k.provisional.interval_ms, minPackets: k.provisional.min_packets },
  };
}

export interface BuiltSinks {
  sinks: Sink[];
  pcapLog: PcapLogSink | null;
}

export function buildSinks(c: SensorConfig): BuiltSinks {
  const o = c.outputs;
  const sinks: Sink[] = [];
  if (o.console.enabled) sinks.push(new ConsoleSink({ quiet: o.console.quiet, json: o.console.json, stats: o.console.stats }));
  if (o.eve.enabled) sinks.push(new EveSink(o.eve.path, { types: o.eve.types as EventKind[] }));
  if (o.traffic_log.enabled) sinks.push(new TextLogSink(o.traffic_log.path, 'traffic'));
  if (o.alert_log.enabled) sinks.push(new TextLogSink(o.alert_log.path, 'alerts'));
  const p = o.pcap_log;
  const pcapLog = p.enabled
    ? new PcapLogSink({ dir: p.dir, prefix: p.prefix, maxBytes: p.max_size_mb * 1024 * 1024, maxAgeS: p.max_age_s, maxFiles: p.max_files, snaplen: c.capture.snaplen })
    : null;
  return { sinks, pcapLog };
}
