/**
 * The one interface every output implements (console, EVE JSON, text logs, rolling pcap): events are
 * written as they are produced; flush() pushes buffered bytes out; reopen() closes and reopens files
 * (SIGHUP after logrotate); close() flushes and releases everything.
 */
import type { Alert } from '../detect/alert.js';
import type { Verdict } from '../detect/flow-classifier.js';
import type { FlowRecord } from '../flow/record.js';

export interface FlowEvent {
  readonly record: FlowRecord;
  /** null when no model is loaded or the flow was too short to classify. */
  readonly verdict: Verdict | null;
}

/** Periodic and final counters (EVE event_type "stats"). */
export interface StatsEvent {
  /** Sensor clock: packet time offline, wall clock live (µs). */
  readonly tsUs: number;
  readonly uptimeS: number;
  readonly final: boolean;
  readonly capture: { packets: number; kernelDrops: number; ifDrops: number; appDrops: number };
  readonly decoder: { packets: number; flowed: number; ignored: number; weird: number };
  readonly flows: { active: number; created: number; ended: number; evicted: number; classified: number; provisional: number };
  readonly detect: { alerts: number; suppressed: number; hostsTracked: number; hostReplacements: number };
}

export interface EventMap {
  flow: FlowEvent;
  alert: Alert;
  stats: StatsEvent;
}

export type EventKind = keyof EventMap;

export interface Sink {
  readonly name: string;
  open(): void;
  write<K extends EventKind>(kind: K, rec: EventMap[K]): void;
  flush(): void;
  reopen(): void;
  close(): void;
}

/** Fans events out to several sinks. */
export class SinkSet implements Sink {
  readonly name = 'all';
  constructor(readonly sinks: Sink[]) {}
  open(): void {
    for (const s of this.sinks) s.open();
  }
  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    for (const s of this.sinks) s.write(kind, rec);
  }
  flush(): void {
    for (const s of this.sinks) s.flush();
  }
  reopen(): void {
    for (const s of this.sinks) s.reopen();
  }
  close(): void {
    for (const s of this.sinks) s.close();
  }
}
