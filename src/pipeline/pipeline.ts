/**
 * The pipeline: source → decode → flow meter (+ feature sets) → flow handler. The same object runs
 * offline files and live interfaces (Suricata's "single" runmode: one loop, one thread).
 *
 * Per packet: one decode into one of GROUP reused PacketViews and one meter update; no allocation.
 * Per flow: the feature set writes its row into a reused Float64Array and the handler decides what to
 * allocate.
 */
import type { PacketBatch, PacketSource } from '../capture/batch.js';
import { decodeFrame } from '../decode/decode.js';
import { PacketView } from '../decode/packet-view.js';
import { Decode, REASONS, newReasonCounters } from '../decode/reasons.js';
import type { FeatureSet } from '../features/feature-set.js';
import { FlowMeter, WARM_GROUP, type MeterCounters } from '../flow/meter.js';
import { EndReason, type MeterConfig } from '../flow/meter-config.js';
import { FlowKey } from '../flow/table.js';

/** Packets decoded and warmed together before metering (see Pipeline.meterPackets). */
const GROUP = WARM_GROUP;

/** What the handler receives for each finished (or provisional) flow. Reused: copy what you keep. */
export interface EndedFlow {
  meter: FlowMeter;
  slot: number;
  reason: EndReason | 'open';
  /** Feature values in `featureSet.columns` order. */
  row: Float64Array;
}

/**
 * Sees every decoded packet after the meter has assigned it to a flow (host-level detectors). Runs on
 * the hot path: no allocation. `meter.lastSlot` / `lastDir` / `lastNew` tell the packet's flow slot,
 * direction and whether it opened the flow (in 'first-fin' mode the slot may already have ended).
 */
export interface PacketObserver {
  onPacket(v: PacketView, meter: FlowMeter): void;
}

export interface PipelineOptions {
  featureSet: FeatureSet;
  meter?: Partial<MeterConfig>;
  onFlow: (flow: EndedFlow) => void;
  /** Called for each decoded packet, after the flow update. */
  observers?: readonly PacketObserver[];
  /** Called with each raw batch before decoding (e.g. the rolling pcap log). */
  onRawBatch?: (b: PacketBatch) => void;
}

export interface PipelineSummary {
  packetsRead: number;
  packetsFlowed: number;
  packetsIgnored: number;
  packetsWeird: number;
  /** Per-reason counts of packets that did not reach a flow (name → count, non-zero only). */
  reasons: Record<string, number>;
  meter: MeterCounters;
  firstTsUs: number;
  lastTsUs: number;
}

export class Pipeline {
  readonly meter: FlowMeter;
  readonly featureSet: FeatureSet;
  readonly reasonCounts = newReasonCounters();
  packetsRead = 0;
  firstTsUs = NaN;
  lastTsUs = NaN;
  /** One view and one flow key per packet of a group (see meterPackets). */
  private readonly views: readonly PacketView[] = Array.from({ length: GROUP }, () => new PacketView());
  private readonly keys: readonly FlowKey[] = Array.from({ length: GROUP }, () => new FlowKey());
  /** Where meterPackets leaves the sum of the loads warm() made, so the compiler keeps them. */
  warmSink = 0;
  private readonly ended: EndedFlow;
  private readonly observers: readonly PacketObserver[];
  private readonly onRawBatch: ((b: PacketBatch) => void) | null;
  private readonly provisional: EndedFlow;

  constructor(opts: PipelineOptions) {
    this.featureSet = opts.featureSet;
    this.meter = new FlowMeter([opts.featureSet], opts.meter);
    const row = new Float64Array(opts.featureSet.columns.length);
    this.ended = { meter: this.meter, slot: 0, reason: EndReason.SHUTDOWN, row };
    this.provisional = { meter: this.meter, slot: 0, reason: 'open', row: new Float64Array(row.length) };
    this.observers = opts.observers ?? [];
    this.onRawBatch = opts.onRawBatch ?? null;
    const fs = opts.featureSet;
    const ended = this.ended;
    const onFlow = opts.onFlow;
    this.meter.onFlowEnd = (slot, reason) => {
      fs.finish(slot, row, 0);
      ended.slot = slot;
      ended.reason = reason;
      onFlow(ended);
    };
  }

  /** Decodes and meters every packet of one batch, then runs expiry at the batch's packet time. */
  processBatch(b: PacketBatch): void {
    if (this.onRawBatch !== null) this.onRawBatch(b);
    const n = b.count;
    if (n === 0) return;
    if (this.packetsRead === 0) this.firstTsUs = b.tsUs[0];
    this.lastTsUs = b.tsUs[n - 1];
    this.packetsRead += n;
    this.meterPackets(b);
    this.meter.tick();
  }

  /**
   * The packet loop, alone in its function on purpose: V8 compiles a hot loop on-stack (OSR) during
   * the first batch, before the code after it ever ran; code after the loop in the same function
   * then had no type feedback and deoptimised once per batch (341 times on the benchmark capture).
   *
   * Packets go in groups of GROUP: decode each into its own view, load every packet's flow state
   * (FlowMeter.warm: many misses in flight at once), then meter them in order. Results are the same
   * as metering each packet right after decoding it: decoding reads only the packet, and warm()
   * changes nothing.
   */
  private meterPackets(b: PacketBatch): void {
    const views = this.views;
    const keys = this.keys;
    const data = b.data;
    const meter = this.meter;
    const counts = this.reasonCounts;
    const n = b.count;
    const obs = this.observers;
    let acc = 0;
    let i = 0;
    while (i < n) {
      // decode up to GROUP packets that reach the meter into views[0..m)
      let m = 0;
      for (; i < n && m < GROUP; i++) {
        const v = views[m];
        v.tsUs = b.tsUs[i]; // set here, not passed: see decodeFrame
        const st = decodeFrame(v, data, b.offset[i], b.capLen[i], b.wireLen[i], b.linkType[i]);
        if (st === Decode.OK) m++;
        else counts[st]++;
      }
      acc += meter.warm(views, keys, m);
      for (let j = 0; j < m; j++) {
        meter.addKeyed(views[j], keys[j]);
        for (let k = 0; k < obs.length; k++) obs[k].onPacket(views[j], meter);
      }
    }
    this.warmSink = acc;
  }

  /**
   * Calls `fn` with a provisional row for every open flow accepted by `filter` (early classification
   * of long-running flows). The row object is reused between calls.
   */
  forEachOpenFlow(fn: (flow: EndedFlow) => void, filter?: (slot: number) => boolean): void {
    const p = this.provisional;
    this.meter.table.forEachLive((slot) => {
      if (filter && !filter(slot)) return;
      this.featureSet.finish(slot, p.row, 0);
      p.slot = slot;
      fn(p);
    });
  }

  /**
   * Runs a source to its end, then ends every open flow. If the source fails (truncated or corrupt
   * capture), every flow built from the packets before the failure is still emitted, then the error
   * is rethrown with the summary attached.
   */
  async run(source: PacketSource, onBatch?: (p: Pipeline) => void): Promise<PipelineSummary> {
    try {
      for await (const batch of source) {
        this.processBatch(batch);
        if (onBatch) onBatch(this);
      }
    } catch (err) {
      this.meter.flushAll(EndReason.SHUTDOWN);
      if (err && typeof err === 'object') (err as { summary?: PipelineSummary }).summary = this.summary();
      throw err;
    }
    this.meter.flushAll(EndReason.SHUTDOWN);
    return this.summary();
  }

  summary(): PipelineSummary {
    const reasons: Record<string, number> = {};
    let ignored = 0;
    let weird = 0;
    for (let i = 1; i < REASONS.length; i++) {
      const c = this.reasonCounts[i];
      if (c === 0) continue;
      reasons[REASONS[i].name] = c;
      if (REASONS[i].kind === 'weird') weird += c;
      else ignored += c;
    }
    return {
      packetsRead: this.packetsRead,
      packetsFlowed: this.meter.counters.packetsFlowed,
      packetsIgnored: ignored,
      packetsWeird: weird,
      reasons,
      meter: { ...this.meter.counters },
      firstTsUs: this.firstTsUs,
      lastTsUs: this.lastTsUs,
    };
  }
}
