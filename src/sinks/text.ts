/**
 * Human-readable outputs: the console (one line per classified flow and per alert; `quiet` = alerts
 * only; `json` = EVE lines), the traffic log (one line per flow) and the alert log (ids_log.txt style:
 * one line per alert with its evidence).
 */
import type { Alert } from '../detect/alert.js';
import { protoName } from '../flow/record.js';
import { eveLine } from './eve.js';
import { LogFile } from './log-file.js';
import type { EventKind, EventMap, FlowEvent, Sink, StatsEvent } from './sink.js';

/** `2017-07-07 15:04:05.123` (UTC): short enough for a console column. */
export function shortTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').slice(0, 23);
}

function endpoint(ip: string, port: number | null): string {
  if (port === null) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function human(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

export function flowLine(e: FlowEvent): string {
  const r = e.record;
  const v = e.verdict;
  const verdict = v ? `${v.label}${v.label !== v.modelClass ? ` (${v.modelClass} ${v.confidence})` : ` ${v.confidence}`}` : '-';
  const tcp = r.connState ? ` ${r.connState} ${r.history}` : '';
  return (
    `${shortTime(r.endUs)} flow  ${protoName(r.proto).padEnd(4)} ${endpoint(r.srcIp, r.srcPort)} -> ${endpoint(r.destIp, r.destPort)}` +
    `  ${r.pktsToServer}/${r.pktsToClient} pkts ${human(r.bytesToServer)}/${human(r.bytesToClient)} B  ${r.reason}${tcp}  ${verdict}\n`
  );
}

export function alertLine(a: Alert): string {
  return (
    `${shortTime(a.tsUs)} ALERT [${a.detector}] ${a.attackType} sev=${a.severity} conf=${a.confidence.toFixed(2)} ` +
    `${endpoint(a.srcIp, a.srcPort)} -> ${endpoint(a.destIp, a.destPort)} ${a.proto}  ${a.signature}\n`
  );
}

export function statsLine(s: StatsEvent): string {
  const c = s.capture;
  return (
    `${shortTime(s.tsUs)} stats ${s.final ? '(final) ' : ''}packets=${s.decoder.packets} kernel_drops=${c.kernelDrops} if_drops=${c.ifDrops} app_drops=${c.appDrops} ` +
    `weird=${s.decoder.weird} flows_active=${s.flows.active} flows_ended=${s.flows.ended} evicted=${s.flows.evicted} alerts=${s.detect.alerts} suppressed=${s.detect.suppressed}\n`
  );
}

/** ids_log.txt-style alert line: everything on one line, evidence as key=value. */
export function alertLogLine(a: Alert): string {
  const ev = Object.entries(a.evidence).map(([k, v]) => `${k}=${v}`).join(' ');
  const top = a.topFeatures.map((f) => `${f.name}=${f.value}(${f.weight})`).join(', ');
  return (
    `${shortTime(a.tsUs)} [**] [${a.detector}:${a.attackType}] ${a.signature} [**] [Severity: ${a.severity}] [Confidence: ${a.confidence.toFixed(3)}] ` +
    `{${a.proto}} ${endpoint(a.srcIp, a.srcPort)} -> ${endpoint(a.destIp, a.destPort)}${a.flowId !== null ? ` flow_id=${a.flowId}` : ''} | ${ev}${top ? ` | top: ${top}` : ''}\n`
  );
}

export interface ConsoleSinkOptions {
  /** Alerts (and the final stats) only. */
  quiet?: boolean;
  /** EVE JSON lines instead of text. */
  json?: boolean;
  /** Print periodic stats lines too (the final one is always printed, to stderr in text mode). */
  stats?: boolean;
  /** '-' = stdout (default). */
  path?: string;
}

export class ConsoleSink implements Sink {
  readonly name = 'console';
  private readonly out: LogFile;
  private readonly err = new LogFile('/dev/stderr');

  constructor(private readonly opts: ConsoleSinkOptions = {}) {
    this.out = new LogFile(opts.path ?? '-');
  }

  open(): void {
    this.out.open();
  }

  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    const o = this.opts;
    if (kind === 'flow') {
      if (o.quiet) return;
      this.out.write(o.json ? eveLine(kind, rec) : flowLine(rec as FlowEvent));
    } else if (kind === 'alert') {
      this.out.write(o.json ? eveLine(kind, rec) : alertLine(rec as Alert));
    } else {
      const s = rec as StatsEvent;
      if (!s.final && !o.stats) return;
      if (o.json) this.out.write(eveLine(kind, rec));
      else this.err.write(statsLine(s));
    }
  }

  flush(): void {
    this.out.flush();
  }

  reopen(): void {}

  close(): void {
    this.out.close();
  }
}

/** Text traffic log (one line per flow) or alert log (ids_log.txt style), appended and reopenable. */
export class TextLogSink implements Sink {
  readonly name: string;
  private readonly file: LogFile;

  constructor(readonly path: string, private readonly what: 'traffic' | 'alerts') {
    this.name = what === 'traffic' ? 'traffic-log' : 'alert-log';
    // the traffic log can see thousands of flows per second: buffer it; alerts go out at once
    this.file = new LogFile(path, what === 'traffic');
  }

  open(): void {
    this.file.open();
  }

  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    if (this.what === 'traffic') {
      if (kind === 'flow') this.file.write(flowLine(rec as FlowEvent));
      else if (kind === 'stats') this.file.write(statsLine(rec as StatsEvent));
    } else if (kind === 'alert') {
      this.file.write(alertLogLine(rec as Alert));
    }
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
