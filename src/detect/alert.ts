/**
 * The alert record every detector produces and every sink consumes, plus the deduplicating alert
 * manager. Alerts are rare, so this is the one place on the detection path that may allocate freely.
 */

/** Detector names (EVE `alert.detector`). The lab scorer treats the destination-keyed ones specially. */
export type DetectorName = 'forest' | 'syn_rate' | 'udp_rate' | 'icmp_rate' | 'scan' | 'fanin' | 'slow_conn' | 'bruteforce';

/** Suricata convention: 1 = high, 2 = medium, 3 = low. */
export type Severity = 1 | 2 | 3;

/** One feature (or host signal) that drove an alert. */
export interface TopFeature {
  readonly name: string;
  /** The value the flow / host had. */
  readonly value: number;
  /** Relative contribution, summing to ≤ 1 over the list (method: docs/eve-schema.md). */
  readonly weight: number;
}

export type EvidenceValue = number | string | boolean;

export interface Alert {
  /** Packet time the alert fired at (µs since the epoch). */
  readonly tsUs: number;
  readonly detector: DetectorName;
  /** Normalised attack type (synflood, udpflood, icmpflood, portscan, hostsweep, ddos, slowloris, ...). */
  readonly attackType: string;
  /** 0..1. Forest: the class probability; host detectors: how far past the threshold (see docs). */
  readonly confidence: number;
  readonly severity: Severity;
  readonly srcIp: string;
  readonly srcPort: number | null;
  readonly destIp: string;
  readonly destPort: number | null;
  /** Protocol name (TCP, UDP, ICMP, IPv6-ICMP, or the number). */
  readonly proto: string;
  /** Flow that triggered the alert (joins EVE flow events), or null for host-level alerts without one. */
  readonly flowId: number | null;
  /** Detector-specific numbers: rates, counts, ratios, window/half-life, thresholds. */
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
  readonly topFeatures: readonly TopFeature[];
  /** Human-readable one-liner. */
  readonly signature: string;
  /** Deduplication key: who/whom/what the alert is about ('*' where a side is not part of the identity). */
  readonly key: string;
}

export interface AlertManagerOptions {
  /** Alerts with the same key within this much packet time of the last *emitted* one are suppressed. */
  cooldownUs: number;
  /** Upper bound on remembered keys; the oldest are forgotten first (bounded memory under spoofing). */
  maxKeys?: number;
}

/**
 * Per-key cooldown. Suppressed alerts are counted per key, and the next emitted alert for the key
 * reports how many were suppressed since the previous one (evidence.suppressed).
 */
export class AlertManager {
  private readonly last = new Map<string, { tsUs: number; suppressed: number }>();
  private readonly cooldownUs: number;
  private readonly maxKeys: number;
  emitted = 0;
  suppressed = 0;

  constructor(opts: AlertManagerOptions, private readonly emit: (a: Alert) => void) {
    this.cooldownUs = opts.cooldownUs;
    this.maxKeys = opts.maxKeys ?? 65536;
  }

  offer(a: Alert): boolean {
    const prev = this.last.get(a.key);
    if (prev !== undefined && a.tsUs - prev.tsUs < this.cooldownUs && a.tsUs >= prev.tsUs) {
      prev.suppressed++;
      this.suppressed++;
      return false;
    }
    const suppressedBefore = prev?.suppressed ?? 0;
    if (prev !== undefined) this.last.delete(a.key); // re-insert: Map order = recency
    else if (this.last.size >= this.maxKeys) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.set(a.key, { tsUs: a.tsUs, suppressed: 0 });
    this.emitted++;
    this.emit(suppressedBefore > 0 ? { ...a, evidence: { ...a.evidence, suppressed: suppressedBefore } } : a);
    return true;
  }
}

/** Confidence of a threshold detector: 0.5 at the threshold, → 1 as the signal grows (1 − thr / 2·value). */
export function thresholdConfidence(value: number, threshold: number): number {
  if (!(value > 0)) return 0;
  return Math.min(0.999, Math.max(0.5, 1 - threshold / (2 * value)));
}
