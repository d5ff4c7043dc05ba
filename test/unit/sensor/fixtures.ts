/** Shared fixtures for sensor tests: a hand-built forest model and a synthetic attack+benign capture. */
import type { Forest } from '../../../src/model/forest.js';
import type { Model } from '../../../src/model/model.js';
import type { EventKind, EventMap, Sink } from '../../../src/sinks/sink.js';
import { buildFrame, writePcap, type PcapRecord } from '../../helpers/packet-builder.js';

/**
 * A one-stump forest over the cic2017 feature set: "Total Fwd Packets" > 100 → DDoS, else BENIGN.
 * Uses the identifier column Protocol too (as the bundled CICIDS2017 model does).
 */
export function stumpModel(): Model {
  const forest: Forest = {
    nFeatures: 2,
    nClasses: 2,
    roots: Int32Array.from([0]),
    feature: Int32Array.from([0, -1, -1]),
    threshold: Float64Array.from([100, 0, 0]),
    child: Int32Array.from([1, 0, 2]),
    leafValues: Float32Array.from([0.9, 0.1, 0.05, 0.95]),
    nonFiniteValue: 0,
  };
  const columns = ['Total Fwd Packets', 'Protocol'];
  return {
    forest,
    info: {
      featureSet: 'cic2017',
      columns,
      encodedColumns: columns,
      classes: ['BENIGN', 'DDoS'],
      task: 'multiclass',
      preprocessing: { inputs: columns.map((name) => ({ name, kind: 'numeric' as const })), nonFiniteValue: 0 },
      training: { dataset: 'test', params: {}, files: [], rows: 0, classCounts: {}, notes: [] },
      metrics: null,
      createdAt: '2024-01-01T00:00:00Z',
    },
  };
}

/** Collects every event. */
export class MemorySink implements Sink {
  readonly name = 'memory';
  readonly events: { kind: EventKind; rec: unknown }[] = [];
  opened = 0;
  closed = 0;
  reopened = 0;
  open(): void {
    this.opened++;
  }
  write<K extends EventKind>(kind: K, rec: EventMap[K]): void {
    this.events.push({ kind, rec });
  }
  flush(): void {}
  reopen(): void {
    this.reopened++;
  }
  close(): void {
    this.closed++;
  }
  of<K extends EventKind>(kind: K): EventMap[K][] {
    return this.events.filter((e) => e.kind === kind).map((e) => e.rec as EventMap[K]);
  }
}

export const CAPTURE_T0 = 1_600_000_000e6;

/**
 * 0–0.2 s: a benign HTTP exchange 10.0.0.1 → 10.0.0.2:80 (handshake, request, response, FIN);
 * 0.5–1.5 s: a SYN flood 10.0.0.66 → 10.0.0.2:80 at 20 k pps (20 000 SYNs);
 * 2–2.6 s: one long UDP flow 10.0.0.77:5000 → 10.0.0.2:9000 of 600 packets (the stump calls it DDoS).
 */
export function attackCapture(): Uint8Array {
  const r: PcapRecord[] = [];
  const t = CAPTURE_T0;
  const c = { src: '10.0.0.1', dst: '10.0.0.2' };
  const s = { src: '10.0.0.2', dst: '10.0.0.1' };
  r.push({ tsUs: t, frame: buildFrame({ ip: c, tcp: { sport: 40000, dport: 80, flags: 'S', seq: 1 } }) });
  r.push({ tsUs: t + 1000, frame: buildFrame({ ip: s, tcp: { sport: 80, dport: 40000, flags: 'SA', seq: 100, ack: 2 } }) });
  r.push({ tsUs: t + 2000, frame: buildFrame({ ip: c, tcp: { sport: 40000, dport: 80, flags: 'A', seq: 2, ack: 101 } }) });
  r.push({ tsUs: t + 3000, frame: buildFrame({ ip: c, tcp: { sport: 40000, dport: 80, flags: 'PA', seq: 2, ack: 101 }, payload: 'GET / HTTP/1.1\r\n\r\n' }) });
  r.push({ tsUs: t + 9000, frame: buildFrame({ ip: s, tcp: { sport: 80, dport: 40000, flags: 'PA', seq: 101, ack: 20 }, payload: 500 }) });
  r.push({ tsUs: t + 10000, frame: buildFrame({ ip: c, tcp: { sport: 40000, dport: 80, flags: 'FA', seq: 20, ack: 601 } }) });
  r.push({ tsUs: t + 11000, frame: buildFrame({ ip: s, tcp: { sport: 80, dport: 40000, flags: 'FA', seq: 601, ack: 21 } }) });
  r.push({ tsUs: t + 12000, frame: buildFrame({ ip: c, tcp: { sport: 40000, dport: 80, flags: 'A', seq: 21, ack: 602 } }) });
  for (let i = 0; i < 20_000; i++) {
    r.push({ tsUs: t + 500_000 + i * 50, frame: buildFrame({ ip: { src: '10.0.0.66', dst: '10.0.0.2' }, tcp: { sport: 1024 + i, dport: 80, flags: 'S', seq: i } }) });
  }
  for (let i = 0; i < 600; i++) {
    r.push({ tsUs: t + 2_000_000 + i * 1000, frame: buildFrame({ ip: { src: '10.0.0.77', dst: '10.0.0.2' }, udp: { sport: 5000, dport: 9000 }, payload: 64 }) });
  }
  return writePcap(r, 1);
}
