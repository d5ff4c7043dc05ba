/**
 * The sensor configuration: one tree of defaults (the YAML file's shape, snake_case keys) plus a
 * constraint per leaf. Every leaf has a dotted path (detectors.syn_rate.rate_pps) that is also its
 * name in `--set PATH=VALUE` overrides and in error messages.
 */
import { MAX_FLOW_CAPACITY } from '../flow/table.js';

export interface SensorConfig {
  /** Capture interface (monitor). */
  interface: string | null;
  /** BPF filter (tcpdump syntax); null = everything. */
  filter: string | null;
  /** Model file; null = host detectors only (no per-flow classification). */
  model: string | null;
  /** Drop root to this user after the capture is open (monitor). */
  user: string | null;
  /** Seconds between stats events. */
  stats_interval_s: number;
  capture: { snaplen: number; buffer_mb: number; promisc: boolean; immediate: boolean };
  flow: { capacity: number; idle_timeout_s: number; active_timeout_s: number };
  classifier: {
    min_confidence: number;
    min_packets: number;
    batch_rows: number;
    provisional: { enabled: boolean; interval_ms: number; min_packets: number };
  };
  detectors: {
    hosts: number;
    half_life_ms: number;
    baseline_half_life_ms: number;
    baseline_factor: number;
    window_ms: number;
    cooldown_ms: number;
    syn_rate: { enabled: boolean; rate_pps: number; max_completion: number; scan_exempt_pps: number };
    udp_rate: { enabled: boolean; rate_pps: number; max_reply_ratio: number };
    icmp_rate: { enabled: boolean; rate_pps: number };
    scan: { enabled: boolean; targets: number; max_answered: number };
    fanin: { enabled: boolean; sources: number; max_established: number };
    slow_conn: { enabled: boolean; concurrent: number };
    bruteforce: { enabled: boolean; connections: number; half_life_s: number };
  };
  alerts: { cooldown_s: number };
  outputs: {
    console: { enabled: boolean; quiet: boolean; json: boolean; stats: boolean };
    eve: { enabled: boolean; path: string; types: string[] };
    traffic_log: { enabled: boolean; path: string };
    alert_log: { enabled: boolean; path: string };
    pcap_log: { enabled: boolean; dir: string; prefix: string; max_size_mb: number; max_age_s: number; max_files: number };
  };
}

export const DEFAULT_CONFIG: SensorConfig = {
  interface: null,
  filter: null,
  model: null,
  user: null,
  stats_interval_s: 5,
  // 128 MiB: 0 kernel drops at 300 k packets/s in bench:monitor (32 MiB lost ~1 %; docs/detection.md §4)
  capture: { snaplen: 262144, buffer_mb: 128, promisc: true, immediate: false },
  flow: { capacity: 262144, idle_timeout_s: 120, active_timeout_s: 120 },
  classifier: {
    min_confidence: 0.8,
    min_packets: 1,
    batch_rows: 1024,
    provisional: { enabled: true, interval_ms: 500, min_packets: 20 },
  },
  detectors: {
    hosts: 65536,
    half_life_ms: 1000,
    baseline_half_life_ms: 60000,
    baseline_factor: 4,
    window_ms: 2000,
    cooldown_ms: 10000,
    syn_rate: { enabled: true, rate_pps: 300, max_completion: 0.2, scan_exempt_pps: 5000 },
    udp_rate: { enabled: true, rate_pps: 2000, max_reply_ratio: 0.05 },
    icmp_rate: { enabled: true, rate_pps: 1000 },
    scan: { enabled: true, targets: 100, max_answered: 0.5 },
    fanin: { enabled: true, sources: 200, max_established: 0.5 },
    slow_conn: { enabled: true, concurrent: 50 },
    bruteforce: { enabled: true, connections: 20, half_life_s: 10 },
  },
  alerts: { cooldown_s: 60 },
  outputs: {
    console: { enabled: true, quiet: false, json: false, stats: false },
    eve: { enabled: false, path: 'flowsentry-eve.json', types: ['flow', 'alert', 'stats'] },
    traffic_log: { enabled: false, path: 'logs/traffic.log' },
    alert_log: { enabled: false, path: 'logs/ids_log.txt' },
    pcap_log: { enabled: false, dir: 'logs/pcap', prefix: 'flowsentry', max_size_mb: 100, max_age_s: 3600, max_files: 10 },
  },
};

export type LeafSpec =
  | { kind: 'number'; min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean }
  | { kind: 'boolean' }
  | { kind: 'string'; nullable?: boolean; oneOf?: readonly string[] }
  | { kind: 'strings'; oneOf?: readonly string[] };

const num = (min: number, max = Infinity, integer = false, exclusiveMin = false): LeafSpec => ({ kind: 'number', min, max, integer, exclusiveMin });
const int = (min: number, max = Number.MAX_SAFE_INTEGER): LeafSpec => num(min, max, true);
const pos = (max = Infinity): LeafSpec => num(0, max, false, true);
const ratio: LeafSpec = num(0, 1);
const bool: LeafSpec = { kind: 'boolean' };
const str: LeafSpec = { kind: 'string' };
const optStr: LeafSpec = { kind: 'string', nullable: true };

/** Every leaf of the tree and its constraint. */
export const SPEC: Readonly<Record<string, LeafSpec>> = {
  interface: optStr,
  filter: optStr,
  model: optStr,
  user: optStr,
  stats_interval_s: pos(),
  'capture.snaplen': int(64, 262144),
  'capture.buffer_mb': int(1, 4096),
  'capture.promisc': bool,
  'capture.immediate': bool,
  'flow.capacity': int(16, MAX_FLOW_CAPACITY),
  'flow.idle_timeout_s': pos(),
  'flow.active_timeout_s': pos(),
  'classifier.min_confidence': ratio,
  'classifier.min_packets': int(1),
  'classifier.batch_rows': int(1, 1 << 20),
  'classifier.provisional.enabled': bool,
  'classifier.provisional.interval_ms': pos(),
  'classifier.provisional.min_packets': int(1),
  'detectors.hosts': int(16, 1 << 24),
  'detectors.half_life_ms': pos(),
  'detectors.baseline_half_life_ms': pos(),
  'detectors.baseline_factor': num(0),
  'detectors.window_ms': pos(),
  'detectors.cooldown_ms': num(0),
  'detectors.syn_rate.enabled': bool,
  'detectors.syn_rate.rate_pps': pos(),
  'detectors.syn_rate.max_completion': ratio,
  'detectors.syn_rate.scan_exempt_pps': num(0),
  'detectors.udp_rate.enabled': bool,
  'detectors.udp_rate.rate_pps': pos(),
  'detectors.udp_rate.max_reply_ratio': ratio,
  'detectors.icmp_rate.enabled': bool,
  'detectors.icmp_rate.rate_pps': pos(),
  'detectors.scan.enabled': bool,
  'detectors.scan.targets': int(2, 5000),
  'detectors.scan.max_answered': ratio,
  'detectors.fanin.enabled': bool,
  'detectors.fanin.sources': int(2, 3000),
  'detectors.fanin.max_established': ratio,
  'detectors.slow_conn.enabled': bool,
  'detectors.slow_conn.concurrent': int(2),
  'detectors.bruteforce.enabled': bool,
  'detectors.bruteforce.connections': pos(),
  'detectors.bruteforce.half_life_s': pos(),
  'alerts.cooldown_s': num(0),
  'outputs.console.enabled': bool,
  'outputs.console.quiet': bool,
  'outputs.console.json': bool,
  'outputs.console.stats': bool,
  'outputs.eve.enabled': bool,
  'outputs.eve.path': str,
  'outputs.eve.types': { kind: 'strings', oneOf: ['flow', 'alert', 'stats'] },
  'outputs.traffic_log.enabled': bool,
  'outputs.traffic_log.path': str,
  'outputs.alert_log.enabled': bool,
  'outputs.alert_log.path': str,
  'outputs.pcap_log.enabled': bool,
  'outputs.pcap_log.dir': str,
  'outputs.pcap_log.prefix': { kind: 'string', oneOf: undefined },
  'outputs.pcap_log.max_size_mb': pos(),
  'outputs.pcap_log.max_age_s': pos(),
  'outputs.pcap_log.max_files': int(0),
};
