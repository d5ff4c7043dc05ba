/**
 * Per-flow classification with the Random Forest. Flows are batched: each ended (or provisional) flow
 * copies its feature row into a preallocated matrix, and the model runs once per batch — at the end
 * of every pipeline batch or when the matrix is full — so inference cost is amortised over rows
 * (predictBatch walks one tree over a block of rows) and nothing is allocated per row but the record.
 *
 * Provisional classification: long flows (a flood on one 5-tuple, slowloris connections) would only be
 * judged when they end, possibly minutes later. Every `provisionalIntervalMs` of packet time the
 * sensor scores open flows with at least `provisionalMinPackets` packets that grew since they were
 * last scored; an attack verdict raises an alert at once (the flow event still comes at flow end).
 */
import type { FeatureSet } from '../features/feature-set.js';
import type { FlowRecord } from '../flow/record.js';
import { buildRecord, protoName } from '../flow/record.js';
import { createNslKddModelInput, NSLKDD28_ID, type NslKddModelInput } from '../features/nslkdd/index.js';
import { assertFeatureSet, createEncoder, predictModel, type FeatureSetId, type Model } from '../model/model.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Alert } from './alert.js';
import { attackTypeOf, decisionPathFeatures, isBenignClass, severityOf } from './model-features.js';

/** Identifier columns a model may use besides the feature set's columns, in this order after them. */
export const ID_COLUMNS = ['Protocol', 'Source Port', 'Destination Port'] as const;

export interface ClassifierConfig {
  /**
   * An attack class needs at least this probability to become the verdict and an alert. Applied on
   * top of the model's own decision (decideClass): a binary model with a fitted threshold t below
   * minConfidence alerts only from P(attack) ≥ minConfidence; lower minConfidence to t to alert on
   * every flow the model decides is an attack.
   */
  minConfidence: number;
  /** Flows with fewer packets get no verdict (too little evidence for the forest). */
  minPackets: number;
  /** Rows per model call (upper bound; batches are also cut at every pipeline batch). */
  batchRows: number;
  provisional: { enabled: boolean; intervalMs: number; minPackets: number };
}

export const DEFAULT_CLASSIFIER: Readonly<ClassifierConfig> = Object.freeze({
  minConfidence: 0.8,
  minPackets: 1,
  batchRows: 1024,
  provisional: { enabled: true, intervalMs: 500, minPackets: 20 },
});

/** The sensor's decision about one flow. */
export interface Verdict {
  /** 'BENIGN' or the attack class (model spelling) when it passed minConfidence. */
  readonly label: string;
  /** The model's most probable class and its probability (even when below the alert threshold). */
  readonly modelClass: string;
  readonly confidence: number;
  readonly provisional: boolean;
}

export interface ClassifierHandlers {
  /** Every ended flow, in end order, with its verdict (null when below minPackets). */
  onFlow(rec: FlowRecord, verdict: Verdict | null): void;
  onAlert(a: Alert): void;
}

export interface ClassifierCounters {
  flowsClassified: number;
  provisionalScored: number;
  modelCalls: number;
  attackVerdicts: number;
}

export class FlowClassifier {
  private readonly nEnc: number;
  private readonly nFs: number;
  private readonly gather: Int32Array;
  private readonly raw: Float64Array;
  private readonly encode: ReturnType<typeof createEncoder>;
  /** NSL-KDD rows carry categorical codes that the model one-hot encodes by name (model-input.ts). */
  private readonly nslInput: NslKddModelInput | null;
  private readonly X: Float64Array;
  private readonly outClass: Int32Array;
  private readonly outProba: Float32Array;
  private readonly recs: (FlowRecord | null)[];
  private readonly prov: Uint8Array;
  private n = 0;
  private readonly benign: boolean[];
  private readonly classes: readonly string[];
  /** Per meter slot: flow sequence and packet count when last scored provisionally. */
  private seenSeq = new Float64Array(0);
  private seenPkts = new Float64Array(0);
  private nextProvisionalUs = -Infinity;
  readonly counters: ClassifierCounters = { flowsClassified: 0, provisionalScored: 0, modelCalls: 0, attackVerdicts: 0 };

  constructor(
    readonly model: Model,
    readonly featureSet: FeatureSet,
    private readonly cfg: ClassifierConfig,
    private readonly handlers: ClassifierHandlers,
  ) {
    const info = model.info;
    // the model names its feature set; featureSetFor() built the matching extractor
    // models may also use flow identifiers the feature set does not carry as features (CIC 'Protocol')
    const names = [...featureSet.columns.map((c) => c.name), ...ID_COLUMNS];
    this.nslInput = featureSet.id === NSLKDD28_ID ? createNslKddModelInput(model) : null;
    this.gather = this.nslInput ? new Int32Array(0) : assertFeatureSet(model, featureSet.id as FeatureSetId, names);
    this.nFs = featureSet.columns.length;
    this.encode = createEncoder(info);
    this.nEnc = info.encodedColumns.length;
    this.raw = new Float64Array(info.columns.length);
    const rows = Math.max(1, cfg.batchRows);
    this.X = new Float64Array(rows * this.nEnc);
    this.outClass = new Int32Array(rows);
    this.outProba = new Float32Array(rows * info.classes.length);
    this.recs = new Array<FlowRecord | null>(rows).fill(null);
    this.prov = new Uint8Array(rows);
    this.classes = info.classes;
    this.benign = info.classes.map(isBenignClass);
  }

  /** Queues one flow (the row is copied). Ended flows below minPackets pass straight through unscored. */
  add(rec: FlowRecord, row: Float64Array, provisional: boolean): void {
    if (!provisional && rec.pktsToServer + rec.pktsToClient < this.cfg.minPackets) {
      this.handlers.onFlow(rec, null);
      return;
    }
    const r = this.n;
    if (this.nslInput) {
      this.nslInput.encode(row, this.X, r * this.nEnc);
    } else {
      const raw = this.raw;
      const g = this.gather;
      const nFs = this.nFs;
      for (let j = 0; j < g.length; j++) {
        const k = g[j];
        raw[j] = k < nFs ? row[k] : k === nFs ? rec.proto : k === nFs + 1 ? rec.srcPort : rec.destPort;
      }
      this.encode(raw, this.X, r * this.nEnc);
    }
    this.recs[r] = rec;
    this.prov[r] = provisional ? 1 : 0;
    this.n = r + 1;
    if (this.n === this.recs.length) this.flush();
  }

  /** Classifies every queued row (one model call) and reports verdicts and alerts. */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    // outProba: class probabilities; outClass: predictModel's decideClass per row (the model's decision
    // rule — a fitted binary threshold — or argmax), the single place that maps probabilities to a class
    predictModel(this.model, this.X, n, this.outClass, this.outProba);
    this.counters.modelCalls++;
    const nC = this.classes.length;
    for (let r = 0; r < n; r++) {
      const rec = this.recs[r]!;
      this.recs[r] = null;
      const c = this.outClass[r];
      const p = this.outProba[r * nC + c];
      const attack = !this.benign[c] && p >= this.cfg.minConfidence;
      const provisional = this.prov[r] === 1;
      if (provisional) this.counters.provisionalScored++;
      else this.counters.flowsClassified++;
      if (attack) {
        this.counters.attackVerdicts++;
        this.handlers.onAlert(this.alertFor(rec, this.classes[c], p, r, provisional));
      }
      if (!provisional) {
        this.handlers.onFlow(rec, { label: attack ? this.classes[c] : 'BENIGN', modelClass: this.classes[c], confidence: round3(p), provisional });
      }
    }
  }

  /**
   * Scores open flows that are long enough and grew since last time, at most once per interval of
   * packet time `nowUs`. Call between batches (the meter is consistent there).
   */
  provisionalPass(p: Pipeline, nowUs: number): void {
    const pc = this.cfg.provisional;
    if (!pc.enabled || nowUs < this.nextProvisionalUs) return;
    this.nextProvisionalUs = nowUs + pc.intervalMs * 1000;
    const m = p.meter;
    const cap = m.table.capacity;
    if (this.seenSeq.length < cap) {
      this.seenSeq = new Float64Array(cap);
      this.seenPkts = new Float64Array(cap);
    }
    const seq = this.seenSeq;
    const pk = this.seenPkts;
    const min = pc.minPackets;
    p.forEachOpenFlow(
      (f) => {
        const s = f.slot;
        seq[s] = m.flowSeq(s);
        pk[s] = m.packetsTotal(s);
        this.add(buildRecord(m, s, 'open'), f.row, true);
      },
      (s) => {
        const n = m.packetsTotal(s);
        if (n < min) return false;
        // same flow (sequence) and no new packets since it was scored: nothing to learn
        return !(seq[s] === m.flowSeq(s) && pk[s] === n);
      },
    );
    this.flush();
  }

  private alertFor(rec: FlowRecord, cls: string, p: number, r: number, provisional: boolean): Alert {
    const type = attackTypeOf(cls);
    const tsUs = rec.endUs;
    const pk = rec.pktsToServer + rec.pktsToClient;
    return {
      tsUs, detector: 'forest', attackType: type, confidence: round3(p), severity: severityOf(type),
      srcIp: rec.srcIp, srcPort: rec.srcPort, destIp: rec.destIp, destPort: rec.destPort, proto: protoName(rec.proto), flowId: rec.flowId,
      evidence: {
        model_class: cls, provisional, flow_state: rec.reason, packets: pk, bytes: rec.bytesToServer + rec.bytesToClient,
        duration_ms: Math.round((rec.endUs - rec.startUs) / 1000), conn_state: rec.connState, history: rec.history,
      },
      topFeatures: decisionPathFeatures(this.model, this.X, r * this.nEnc),
      signature: `${cls} (${(100 * p).toFixed(0)}%) ${rec.srcIp}:${rec.srcPort} → ${rec.destIp}:${rec.destPort} ${protoName(rec.proto)}${provisional ? ' [open flow]' : ''}`,
      key: `${rec.srcIp}|${rec.destIp}|${type}`,
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
