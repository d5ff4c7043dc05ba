/**
 * EVE-style JSON lines (Suricata's eve.json vocabulary; schema in docs/eve-schema.md): one object per
 * line, event_type flow / alert / stats, joined by flow_id. Each line is written and flushed as it is
 * produced, so `tail -f` and the lab scorer see events immediately.
 */
import type { Alert } from '../detect/alert.js';
import { protoName } from '../flow/record.js';
import { LogFile } from './log-file.js';
import type { EventKind, EventMap, FlowEvent, Sink, StatsEvent } from './sink.js';

/** Suricata's timestamp form: 2017-07-07T15:04:05.123456+0000 (UTC, microseconds). */
export function eveTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  const micros = Math.floor(us - ms * 1000);
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}+0000`;
}

/** Suricata flow.state: new (one direction only), established, closed (FIN/RST). */
function flowState(e: FlowEvent): string {
  const r = e.record;
  if (r.reason === 'fin' || r.reason === 'rst') return 'closed';
  return r.pktsToClient > 0 ? 'established' : 'new';
}

export function eveFlow(e: FlowEvent): Record<string, unknown> {
  const r = e.record;
  const v = e.verdict;
  return {
    timestamp: eveTimestamp(r.endUs),
    flow_id: r.flowId,
    event_type: 'flow',
    src_ip: r.srcIp,
    src_port: r.srcPort,
    dest_ip: r.destIp,
    dest_port: r.destPort,
    proto: protoName(r.proto),
    flow: {
      pkts_toserver: r.pktsToServer,
      pkts_toclient: r.pktsToClient,
      bytes_toserver: r.bytesToServer,
      bytes_toclient: r.bytesToClient,
      start: eveTimestamp(r.startUs),
      end: eveTimestamp(r.endUs),
      state: flowState(e),
      reason: r.reason,
      conn_state: r.connState,
      history: r.history,
      verdict: v ? v.label : null,
      confidence: v ? v.confidence : null,
      model_class: v ? v.modelClass : null,
    },
  };
}

export function eveAlert(a: Alert): Record<string, unknown> {
  const o: Record<string, unknown> = { timestamp: eveTimestamp(a.tsUs) };
  if (a.flowId !== null) o.flow_id = a.flowId;
  o.event_type = 'alert';
  o.src_ip = a.srcIp;
  if (a.srcPort !== null) o.src_port = a.srcPort;
  o.dest_ip = a.destIp;
  if (a.destPort !== null) o.dest_port = a.destPort;
  o.proto = a.proto;
  o.alert = {
    detector: a.detector,
    attack_type: a.attackType,
    confidence: a.confidence,
    severity: a.severity,
    signature: a.signature,
    evidence: a.evidence,
    top_features: a.topFeatures,
  };
  return o;
}

export function eveStats(s: StatsEvent): Record<string, unknown> {
  return {
    timestamp: eveTimestamp(s.tsUs),
    event_type: 'stats',
    stats: {
      uptime: Math.round(s.uptimeS),
      final: s.final,
      capture: { packets: s.capture.packets, kernel_drops: s.capture.kernelDrops, if_drops: s.capture.ifDrops, app_drops: s.capture.appDrops },
      decoder: { pkts: s.decoder.packets, flowed: s.decoder.flowed, ignored: s.decoder.ignored, weird: s.decoder.weird },
      flow: s.flows,
      detect: { alerts: s.detect.alerts, suppressed: s.detect.suppressed, hosts_tracked: s.detect.hostsTracked, host_replacements: s.detect.hostReplacements },
    },
  };
}

/** JSON.stringify that keeps NaN/±Infinity evidence valid JSON (as null would lose them: strings). */
function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export function eveLine(kind: EventKind, rec: EventMap[EventKind]): string {
  const o = kind === 'flow' ? eveFlow(rec as FlowEvent) : kind === 'alert' ? eveAlert(rec as Alert) : eveStats(rec as StatsEvent);
  return JSON.stringify(o, replacer) + '\n';
}

export interface EveSinkOptions {
  /** Event types to write (default all three). */
  types?: readonly EventKind[];
}

export class EveSink implements Sink {
  readonly name = 'eve';
  private readonly file: LogFile;
  private readonly types: ReadonlySet<EventKind>;
  lines = 0;

  constructor(readonly path: string, opts: EveSinkOptions = {}) {
    this.file = new LogFile(path);
    this.types = new Set(opts.types ?? ['flow', 'alert', 'stats']);
  }

  open(): void {
    this.file.open();
  }

  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    if (!this.types.has(kind)) return;
    this.file.write(eveLine(kind, rec));
    this.lines++;
  }

  flush(): void {
    this.file.flush();
  }

  reopen(): void {
    this.file.reopen();
  }

  close(): void {
    this.file.close();
  }
}
