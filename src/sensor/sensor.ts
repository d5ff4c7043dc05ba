/**
 * The sensor: one object runs `monitor` (live interface) and `analyze` (capture file, optionally
 * replayed at capture speed) with the same pipeline, detectors and sinks.
 *
 *   source → Pipeline (decode → FlowMeter + feature set) ─┬→ ended flows → FlowClassifier (batched forest) → flow events / alerts
 *                       │                                 └→ open flows every interval → provisional verdicts → alerts
 *                       └→ HostDetectors (per packet)  → alerts
 *   alerts → AlertManager (dedupe per key, cooldown) → sinks;  stats every few seconds → sinks
 *
 * Work between batches (classifier flush, provisional pass, stats) happens on the sensor clock: packet
 * time when reading a file as fast as possible, wall time when live or replaying. Timers only fire
 * while the loop awaits the next batch, i.e. when the meter is consistent.
 */
import type { PacketBatch, PacketSource } from '../capture/batch.js';
import { AlertManager, type Alert } from '../detect/alert.js';
import { FlowClassifier, type ClassifierConfig, type Verdict } from '../detect/flow-classifier.js';
import { HostDetectors, type HostDetectorConfig } from '../detect/host-detectors.js';
import { featureSetFor } from '../detect/model-features.js';
import { Cic2017Features } from '../features/cic2017/features.js';
import { DEFAULT_METER_CONFIG, EndReason, type MeterConfig } from '../flow/meter-config.js';
import { buildRecord, type FlowRecord } from '../flow/record.js';
import type { Model } from '../model/model.js';
import { Pipeline, type PipelineSummary } from '../pipeline/pipeline.js';
import type { PcapLogSink } from '../sinks/pcap-log.js';
import type { Sink, StatsEvent } from '../sinks/sink.js';

export interface SensorOptions {
  source: PacketSource;
  /** live: wall-clock timers; offline: packet time; replay: offline paced at capture speed. */
  mode: 'live' | 'offline' | 'replay';
  model: Model | null;
  meter: Partial<MeterConfig>;
  classifier: ClassifierConfig;
  hosts: HostDetectorConfig;
  alertCooldownS: number;
  statsIntervalS: number;
  sinks: readonly Sink[];
  pcapLog?: PcapLogSink | null;
}

export interface SensorSummary {
  pipeline: PipelineSummary;
  flows: number;
  alerts: number;
  alertsSuppressed: number;
  alertsByType: Record<string, number>;
  kernelDrops: number;
  ifDrops: number;
  appDrops: number;
  wallSeconds: number;
  /** Packet time of the first alert (µs), or null. */
  firstAlertUs: number | null;
}

const nowUs = (): number => Date.now() * 1000;

export class Sensor {
  readonly pipeline: Pipeline;
  readonly classifier: FlowClassifier | null;
  readonly hostDetectors: HostDetectors;
  readonly alerts: AlertManager;
  private readonly sinks: readonly Sink[];
  private readonly statsUs: number;
  private readonly startWallUs = nowUs();
  private nextStatsUs = -Infinity;
  private flows = 0;
  private readonly byType: Record<string, number> = {};
  private firstAlertUs: number | null = null;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  /** Replay: packet time ↔ wall time anchor. */
  private replayAnchor: { pktUs: number; wallUs: number } | null = null;

  constructor(private readonly opts: SensorOptions) {
    this.sinks = opts.sinks;
    this.statsUs = opts.statsIntervalS * 1e6;
    const fs = opts.model ? featureSetFor(opts.model.info.featureSet) : new Cic2017Features({ mode: 'corrected' });
    this.alerts = new AlertManager({ cooldownUs: opts.alertCooldownS * 1e6 }, (a) => this.emitAlert(a));
    const offer = (a: Alert): void => {
      this.alerts.offer(a);
    };
    const emitFlow = this.emitFlow.bind(this);
    this.classifier = opts.model
      ? new FlowClassifier(opts.model, fs, opts.classifier, { onFlow: (record, verdict) => emitFlow({ record, verdict }), onAlert: offer })
      : null;
    const cls = this.classifier;
    // per-flow detector state is indexed by meter slot (it grows itself if the meter is larger)
    this.hostDetectors = new HostDetectors(opts.hosts, offer, opts.meter.capacity ?? DEFAULT_METER_CONFIG.capacity);
    const pcapLog = opts.pcapLog ?? null;
    this.pipeline = new Pipeline({
      featureSet: fs,
      meter: opts.meter,
      onFlow: (f) => {
        this.hostDetectors.flowEnded(f.slot);
        const rec = buildRecord(f.meter, f.slot, f.reason);
        if (cls) cls.add(rec, f.row, false);
        else emitFlow({ record: rec, verdict: null });
      },
      onRawBatch: pcapLog ? (b) => pcapLog.writeBatch(b) : undefined,
      observers: [this.hostDetectors],
    });
  }

  private emitFlow(e: { record: FlowRecord; verdict: Verdict | null }): void {
    this.flows++;
    for (const s of this.sinks) s.write('flow', e);
  }

  private emitAlert(a: Alert): void {
    if (this.firstAlertUs === null) this.firstAlertUs = a.tsUs;
    const k = `${a.detector}:${a.attackType}`;
    this.byType[k] = (this.byType[k] ?? 0) + 1;
    for (const s of this.sinks) s.write('alert', a);
  }

  /** Ctrl+C / SIGTERM: stop reading; run() then flushes open flows and closes the sinks. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.source.close();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** SIGHUP: reopen every log file (after logrotate moved them). */
  reopen(): void {
    for (const s of this.sinks) s.reopen();
    this.opts.pcapLog?.reopen();
  }

  /** Current sensor clock (µs). */
  private clock(): number {
    if (this.opts.mode === 'live') return nowUs();
    if (this.opts.mode === 'replay' && this.replayAnchor) return this.replayAnchor.pktUs + (nowUs() - this.replayAnchor.wallUs);
    return this.pipeline.meter.clock;
  }

  async run(): Promise<SensorSummary> {
    for (const s of this.sinks) s.open();
    this.opts.pcapLog?.open();
    const p = this.pipeline;
    const cls = this.classifier;
    const wallTimers = this.opts.mode !== 'offline';
    if (wallTimers) this.timer = setInterval(() => this.onTimer(), 200);
    let failure: unknown = null;
    try {
      for await (const batch of this.opts.source) {
        if (this.opts.mode === 'replay') await this.pace(batch);
        p.processBatch(batch);
        if (cls) {
          cls.flush();
          cls.provisionalPass(p, p.meter.clock);
        }
        if (!wallTimers) this.maybeStats(p.meter.clock, false);
        else for (const s of this.sinks) s.flush();
        if (this.stopping && this.opts.mode === 'replay') break;
      }
    } catch (err) {
      failure = err;
    } finally {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    }
    // shutdown: end and classify every open flow, final stats, close files
    p.meter.flushAll(EndReason.SHUTDOWN);
    cls?.flush();
    const end = this.opts.mode === 'offline' ? p.meter.clock : nowUs();
    this.writeStats(Number.isFinite(end) ? end : nowUs(), true);
    for (const s of this.sinks) s.close();
    this.opts.pcapLog?.close();
    if (failure) {
      if (typeof failure === 'object') (failure as { summary?: SensorSummary }).summary = this.summary();
      throw failure;
    }
    return this.summary();
  }

  /** Replay: waits until the wall clock reaches the batch's last packet time (relative to the first). */
  private async pace(b: PacketBatch): Promise<void> {
    if (b.count === 0) return;
    if (this.replayAnchor === null) this.replayAnchor = { pktUs: b.tsUs[0], wallUs: nowUs() };
    const due = this.replayAnchor.wallUs + (b.tsUs[b.count - 1] - this.replayAnchor.pktUs);
    const wait = (due - nowUs()) / 1000;
    if (wait > 1 && !this.stopping) await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
  }

  /** Live / replay housekeeping: expire idle flows on the wall clock, classify, stats. */
  private onTimer(): void {
    const now = this.clock();
    const p = this.pipeline;
    // the packet clock must not jump ahead of packets still in flight: only tick when time moved on
    if (now > p.meter.clock + 1e6) p.meter.tick(now - 1e6);
    if (this.classifier) {
      this.classifier.flush();
      this.classifier.provisionalPass(p, p.meter.clock);
    }
    this.maybeStats(now, false);
    for (const s of this.sinks) s.flush();
  }

  private maybeStats(now: number, final: boolean): void {
    if (!Number.isFinite(now)) return;
    if (this.nextStatsUs === -Infinity) this.nextStatsUs = now + this.statsUs;
    if (now < this.nextStatsUs) return;
    this.nextStatsUs = now + this.statsUs;
    this.writeStats(now, final);
  }

  statsEvent(tsUs: number, final: boolean): StatsEvent {
    const p = this.pipeline;
    const src = this.opts.source.stats();
    const sum = p.summary();
    const mc = p.meter.counters;
    const hd = this.hostDetectors.counters();
    const cc = this.classifier?.counters;
    return {
      tsUs,
      uptimeS: (nowUs() - this.startWallUs) / 1e6,
      final,
      capture: { packets: src.packetsRead, kernelDrops: src.kernelDrops, ifDrops: src.ifDrops, appDrops: src.appDrops ?? 0 },
      decoder: { packets: sum.packetsRead, flowed: sum.packetsFlowed, ignored: sum.packetsIgnored, weird: sum.packetsWeird },
      flows: {
        active: p.meter.openFlowCount(), created: mc.flowsCreated, ended: mc.flowsEmitted, evicted: mc.flowsEvicted,
        classified: cc?.flowsClassified ?? 0, provisional: cc?.provisionalScored ?? 0,
      },
      detect: { alerts: this.alerts.emitted, suppressed: this.alerts.suppressed, hostsTracked: hd.hostsTracked, hostReplacements: hd.hostReplacements },
    };
  }

  private writeStats(tsUs: number, final: boolean): void {
    const ev = this.statsEvent(tsUs, final);
    for (const s of this.sinks) s.write('stats', ev);
  }

  summary(): SensorSummary {
    const src = this.opts.source.stats();
    return {
      pipeline: this.pipeline.summary(),
      flows: this.flows,
      alerts: this.alerts.emitted,
      alertsSuppressed: this.alerts.suppressed,
      alertsByType: { ...this.byType },
      kernelDrops: src.kernelDrops,
      ifDrops: src.ifDrops,
      appDrops: src.appDrops ?? 0,
      wallSeconds: (nowUs() - this.startWallUs) / 1e6,
      firstAlertUs: this.firstAlertUs,
    };
  }
}
