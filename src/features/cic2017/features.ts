/**
 * The CICIDS2017 / CICFlowMeter flow features, in two modes sharing one column table:
 *
 *  - `cic2017-compat` reproduces what CICFlowMeter-V3 wrote into the published CICIDS2017 CSVs,
 *    quirks included (see docs/features-cic2017.md and ../shared/reference/feature-semantics.md §1):
 *    payload counts Ethernet padding, the first packet is counted twice in the packet-length statistics,
 *    flag/PSH/URG columns come from the first packet only and the flag columns are permuted (Java 8
 *    HashMap iteration order), Down/Up is an integer division, Init_Win_bytes_backward is the *last*
 *    backward window, act_data_pkt_fwd skips the first packet, bulk columns are 0, subflows equal the
 *    totals, the last active period is never closed, non-TCP/UDP packets have protocol 0 and no lengths,
 *    zero-duration rates are Infinity/NaN. Lifecycle: first FIN ends the flow, 120 s active timeout
 *    tested on packet arrival, no idle timeout, single-packet flows dropped.
 *  - `cic2017` is the same columns with those bugs corrected (every difference is listed in the doc).
 *
 * State: one Float64Array with a fixed stride per flow slot. The columns are accessed together on every
 * packet, so keeping a flow's ~60–100 values adjacent touches a few cache lines per packet instead of
 * one line per column array.
 */
import { PacketView, TcpFlag, IpProto } from '../../decode/packet-view.js';
import { Dir, WARM_NEW, type FeatureColumn, type FeatureSet } from '../feature-set.js';
import type { MeterConfig } from '../../flow/meter-config.js';
import { STAT_BLOCK, statAdd, statMax, statMean, statMin, statN, statStd, statSum, statVariance } from '../stats.js';
import { CIC_FEATURE_COLUMNS } from './columns.js';

export type CicMode = 'compat' | 'corrected';
/**
 * How compat mode counts Ethernet padding:
 *  - 'wire': as a mirror port sees frames (every frame ≥ 60 bytes), so unpadded frames captured on the
 *    sending host, veth or loopback get their padding added back — what a CICIDS2017-trained model expects;
 *  - 'captured': the bytes present in the capture, as CICFlowMeter-V3 does on that same file;
 *  - 'none': payload from the IP header lengths only, as later CICFlowMeter-V4 builds compute it.
 */
export type PaddingMode = 'wire' | 'captured' | 'none';

export interface Cic2017Options {
  mode: CicMode;
  padding?: PaddingMode;
  /** Gap that separates active periods (CICFlowMeter: 5 s). */
  activityTimeoutUs?: number;
}

// ---- state layout (offsets inside one flow's stride) ----
// Grouped by what one packet touches, blocks on 64-byte (8-value) boundaries. With thousands of
// active flows the state does not stay in L2, and every line a packet touches is a likely miss
// (cachegrind with a 1 MiB L2: ~5.7 of ~11 misses per packet were here). A packet touches the
// common lines 0–2, its direction's statistics (2 lines), for TCP the flag counters (1 line), and
// its direction's bulk counters only when it carries payload: 6–7 lines (was 8 in every case; the
// bulk timestamps both directions compare are in the common block for that). Flags are counted for
// both directions together (the columns are sums) except PSH and URG, which have per-direction
// columns: 12 lines per flow instead of 13.
// common (both directions): lines 0–2
const ALL_LEN = 0;
const FLOW_IAT = ALL_LEN + STAT_BLOCK;
const FLOW_LAST = FLOW_IAT + STAT_BLOCK;
const START_ACTIVE = FLOW_LAST + 1;
const END_ACTIVE = START_ACTIVE + 1;
const SF_LAST = END_ACTIVE + 1;
const SF_COUNT = SF_LAST + 1;
const ACT_DATA = SF_COUNT + 1;
const MIN_SEG = ACT_DATA + 1;
/** Bulk timing per direction: [last payload time, start of the current bulk candidate]. */
const BULK_T_FWD = MIN_SEG + 1;
const BULK_T_BWD = BULK_T_FWD + 2;
const BT_LAST = 0;
const BT_START = 1;
/** compat overwrites it on every backward packet (the V3 bug), so it lives with the hot values */
const INIT_WIN_B = BULK_T_BWD + 2; // 23
// statistics per direction: lines 3–4 forward, 5–6 backward
const FWD = 24;
const BWD = 40;
const LEN = 0; // stat block
const IAT = LEN + STAT_BLOCK; // stat block
const LAST = IAT + STAT_BLOCK;
const HDR = LAST + 1;
const PSH = HDR + 1; // PSH and URG counters of this direction, corrected mode
const URG = PSH + 1;
const FWD_LEN = FWD + LEN;
const FWD_IAT = FWD + IAT;
const FWD_LAST = FWD + LAST;
const FWD_HDR = FWD + HDR;
const BWD_LEN = BWD + LEN;
const BWD_IAT = BWD + IAT;
const BWD_LAST = BWD + LAST;
const BWD_HDR = BWD + HDR;
/** FIN SYN RST PSH ACK URG ECE CWR counters of both directions (TCP bit order), corrected mode: line 7. */
const FLAGS = 56;
// bulk counters (BULK_* below), corrected mode, touched by payload packets only: lines 8, 9
const BULK_FWD = 64;
const BULK_BWD = 72;
// rarely touched: first-packet values (beside the bulk counters) and active/idle periods (only after
// > 5 s gaps): lines 8–11
const FLOW_START = BULK_FWD + 6; // 70
const FIRST_FLAGS = FLOW_START + 1;
const INIT_WIN_F = BULK_BWD + 6; // 78
const ACTIVE = 80;
const IDLE = ACTIVE + STAT_BLOCK;
const STRIDE = 96;

const BULK_DURATION = 0;
const BULK_PACKETS = 1;
const BULK_BYTES = 2;
const BULK_COUNT = 3;
const BULK_HELPER_PACKETS = 4;
const BULK_HELPER_BYTES = 5;

const FLAG_BITS = [TcpFlag.FIN, TcpFlag.SYN, TcpFlag.RST, TcpFlag.PSH, TcpFlag.ACK, TcpFlag.URG, TcpFlag.ECE, TcpFlag.CWR];
// countFlags finds a flag's counter from its bit position
if (FLAG_BITS.some((bit, i) => bit !== 1 << i)) throw new Error('TcpFlag bits are not in counter order');
/**
 * Column order FIN SYN RST PSH ACK URG CWE ECE, but CICFlowMeter-V3 printed its HashMap in the order
 * RST PSH ECE SYN ACK FIN URG CWR (feature-semantics.md §1.5, verified on the published rows).
 */
const COMPAT_FLAG_ORDER = [TcpFlag.RST, TcpFlag.PSH, TcpFlag.ECE, TcpFlag.SYN, TcpFlag.ACK, TcpFlag.FIN, TcpFlag.URG, TcpFlag.CWR];
/** Corrected: counts in the order the headers name them (CWE = CWR). Indexes into FLAG_BITS. */
const CORRECTED_FLAG_INDEX = [0, 1, 2, 3, 4, 5, 7, 6];

/** Ethernet minimum frame without FCS. */
const ETH_MIN_FRAME = 60;

export class Cic2017Features implements FeatureSet {
  readonly id: string;
  readonly columns: readonly FeatureColumn[] = CIC_FEATURE_COLUMNS;
  readonly meter: Partial<MeterConfig>;
  readonly mode: CicMode;
  readonly padding: PaddingMode;
  private readonly activityUs: number;
  private readonly stride: number;
  private s = new Float64Array(0);
  private readonly compat: boolean;

  constructor(opts: Cic2017Options) {
    this.mode = opts.mode;
    this.compat = opts.mode === 'compat';
    this.padding = opts.padding ?? 'wire';
    this.activityUs = opts.activityTimeoutUs ?? 5e6;
    this.id = this.compat ? 'cic2017-compat' : 'cic2017';
    this.stride = STRIDE;
    this.meter = this.compat
      ? { termination: 'first-fin', idleTimeoutUs: Infinity, activeTimeoutUs: 120e6, activeTimeoutOnArrival: true, activeGraceUs: 120e6, minPackets: 2 }
      : { termination: 'tcp-state', idleTimeoutUs: 120e6, activeTimeoutUs: 120e6, minPackets: 1 };
    if (this.compat) {
      this.onFlowStart = this.startCompat;
      this.onPacket = this.packetCompat;
    } else {
      this.onFlowStart = this.startCorrected;
      this.onPacket = this.packetCorrected;
    }
  }

  /** Bytes of feature state per flow slot. */
  get bytesPerFlow(): number {
    return this.stride * 8;
  }

  init(capacity: number): void {
    this.s = new Float64Array(capacity * this.stride);
  }

  onFlowStart: (slot: number, p: PacketView) => void;
  onPacket: (slot: number, p: PacketView, dir: Dir) => void;

  // ---------------------------------------------------------------- compat

  /** Payload as CICFlowMeter-V3 saw it: transport payload plus link trailer (padding). */
  private compatPayload(p: PacketView): number {
    if (p.hasL4 === 0 || (p.proto !== IpProto.TCP && p.proto !== IpProto.UDP)) return 0;
    if (this.padding === 'none') return p.payloadLen;
    let trailer = p.trailerLen;
    if (this.padding === 'wire') {
      const l2 = p.isEthernet === 1 ? p.l2Len : 14;
      const pad = ETH_MIN_FRAME - l2 - p.ipTotalLen;
      if (pad > trailer) trailer = pad;
    }
    return p.payloadLen + trailer;
  }

  private startCompat = (slot: number, p: PacketView): void => {
    const s = this.s;
    const o = slot * this.stride;
    const ts = Math.floor(p.tsUs); // jnetpcap timestampInMicros
    const isTcpUdp = p.hasL4 === 1 && (p.proto === IpProto.TCP || p.proto === IpProto.UDP);
    const P = this.compatPayload(p);
    const H = isTcpUdp ? p.l4HdrLen : 0;
    this.startCommon(o, p, ts, P, H);
    statAdd(s, o + ALL_LEN, P); // BasicFlow.firstPacket adds the first packet's length twice
  };

  /** First-packet state shared by both modes (the packet is forward by definition). */
  private startCommon(o: number, p: PacketView, ts: number, P: number, H: number): void {
    const s = this.s;
    // a plain loop: TypedArray.prototype.fill on a 104-value range cost ~1.5 µs per flow (builtin call)
    for (let i = o, end = o + this.stride; i < end; i++) s[i] = 0;
    statAdd(s, o + ALL_LEN, P);
    statAdd(s, o + FWD_LEN, P);
    s[o + FLOW_START] = ts;
    s[o + FLOW_LAST] = ts;
    s[o + FWD_LAST] = ts;
    s[o + START_ACTIVE] = ts;
    s[o + END_ACTIVE] = ts;
    s[o + FWD_HDR] = H;
    s[o + MIN_SEG] = H;
    const isTcp = p.proto === IpProto.TCP && p.hasL4 === 1;
    s[o + INIT_WIN_F] = isTcp ? p.tcpWindow : -1;
    s[o + INIT_WIN_B] = -1;
    s[o + FIRST_FLAGS] = isTcp ? p.tcpFlags : 0;
  }

  private packetCompat = (slot: number, p: PacketView, dir: Dir): void => {
    const s = this.s;
    const o = slot * this.stride;
    const ts = Math.floor(p.tsUs);
    const isTcp = p.proto === IpProto.TCP && p.hasL4 === 1;
    const isTcpUdp = isTcp || (p.proto === IpProto.UDP && p.hasL4 === 1);
    // FlowGenerator: a FIN packet is added without updating active/idle time (it ends the flow)
    if (!(isTcp && (p.tcpFlags & TcpFlag.FIN) !== 0)) this.updateActiveIdle(o, ts);
    const P = this.compatPayload(p);
    const H = isTcpUdp ? p.l4HdrLen : 0;
    statAdd(s, o + ALL_LEN, P);
    if (dir === Dir.FWD) {
      if (P >= 1) s[o + ACT_DATA]++;
      statAdd(s, o + FWD_LEN, P);
      s[o + FWD_HDR] += H;
      if (statN(s, o + FWD_LEN) > 1) statAdd(s, o + FWD_IAT, ts - s[o + FWD_LAST]);
      s[o + FWD_LAST] = ts;
      if (H < s[o + MIN_SEG]) s[o + MIN_SEG] = H;
    } else {
      statAdd(s, o + BWD_LEN, P);
      s[o + INIT_WIN_B] = isTcp ? p.tcpWindow : -1; // overwritten by every backward packet (V3 bug)
      s[o + BWD_HDR] += H;
      if (statN(s, o + BWD_LEN) > 1) statAdd(s, o + BWD_IAT, ts - s[o + BWD_LAST]);
      s[o + BWD_LAST] = ts;
    }
    statAdd(s, o + FLOW_IAT, ts - s[o + FLOW_LAST]);
    s[o + FLOW_LAST] = ts;
  };

  /** BasicFlow.updateActiveIdleTime. */
  private updateActiveIdle(o: number, ts: number): void {
    const s = this.s;
    if (ts - s[o + END_ACTIVE] > this.activityUs) {
      if (s[o + END_ACTIVE] - s[o + START_ACTIVE] > 0) statAdd(s, o + ACTIVE, s[o + END_ACTIVE] - s[o + START_ACTIVE]);
      statAdd(s, o + IDLE, ts - s[o + END_ACTIVE]);
      s[o + START_ACTIVE] = ts;
      s[o + END_ACTIVE] = ts;
    } else {
      s[o + END_ACTIVE] = ts;
    }
  }

  // ---------------------------------------------------------------- corrected

  private startCorrected = (slot: number, p: PacketView): void => {
    const s = this.s;
    const o = slot * this.stride;
    const ts = p.tsUs;
    const P = p.hasL4 === 1 ? p.payloadLen : 0;
    this.startCommon(o, p, ts, P, p.l4HdrLen);
    if (P >= 1) s[o + ACT_DATA] = 1;
    if (p.proto === IpProto.TCP && p.hasL4 === 1) this.countFlags(o, o + FWD, p.tcpFlags);
    this.bulk(o + BULK_FWD, o + BULK_T_FWD, o + BULK_T_BWD, p, P);
    s[o + SF_LAST] = ts;
    s[o + SF_COUNT] = 1;
  };

  private packetCorrected = (slot: number, p: PacketView, dir: Dir): void => {
    const s = this.s;
    const o = slot * this.stride;
    const ts = p.tsUs;
    const P = p.hasL4 === 1 ? p.payloadLen : 0;
    const H = p.l4HdrLen;
    const isTcp = p.proto === IpProto.TCP && p.hasL4 === 1;
    this.updateActiveIdle(o, ts);
    if (ts - s[o + SF_LAST] > 1e6) s[o + SF_COUNT]++;
    s[o + SF_LAST] = ts;
    statAdd(s, o + ALL_LEN, P);
    if (dir === Dir.FWD) {
      if (P >= 1) s[o + ACT_DATA]++;
      statAdd(s, o + FWD_LEN, P);
      s[o + FWD_HDR] += H;
      statAdd(s, o + FWD_IAT, ts - s[o + FWD_LAST]);
      s[o + FWD_LAST] = ts;
      if (H < s[o + MIN_SEG]) s[o + MIN_SEG] = H;
      if (isTcp) this.countFlags(o, o + FWD, p.tcpFlags);
      this.bulk(o + BULK_FWD, o + BULK_T_FWD, o + BULK_T_BWD, p, P);
    } else {
      const first = statN(s, o + BWD_LEN) === 0;
      statAdd(s, o + BWD_LEN, P);
      if (first) s[o + INIT_WIN_B] = isTcp ? p.tcpWindow : -1;
      else statAdd(s, o + BWD_IAT, ts - s[o + BWD_LAST]);
      s[o + BWD_HDR] += H;
      s[o + BWD_LAST] = ts;
      if (isTcp) this.countFlags(o, o + BWD, p.tcpFlags);
      this.bulk(o + BULK_BWD, o + BULK_T_BWD, o + BULK_T_FWD, p, P);
    }
    statAdd(s, o + FLOW_IAT, ts - s[o + FLOW_LAST]);
    s[o + FLOW_LAST] = ts;
  };

  /** Counts the packet's flags: all eight for the flow, PSH and URG also for its direction `d`. */
  private countFlags(o: number, d: number, flags: number): void {
    if (flags === 0) return;
    const s = this.s;
    // FLAG_BITS[i] is 1 << i: visit only the set bits (usually one or two) of the low eight
    for (let f = flags & 0xff; f !== 0; f &= f - 1) s[o + FLAGS + 31 - Math.clz32(f & -f)]++;
    if ((flags & TcpFlag.PSH) !== 0) s[d + PSH]++;
    if ((flags & TcpFlag.URG) !== 0) s[d + URG]++;
  }

  /**
   * Bulk transfer detection (CICFlowMeter's updateForwardBulk with the direction bug fixed): a bulk is
   * ≥ 4 consecutive payload packets in one direction with gaps ≤ 1 s and no payload packet from the
   * other direction in between. Takes the packet, not its timestamp: V8 does not inline this call,
   * and a timestamp argument would be boxed into a new heap number on every packet.
   */
  private bulk(b: number, own: number, other: number, p: PacketView, size: number): void {
    // b: this direction's bulk counters; own / other: the two directions' bulk timing pairs
    const s = this.s;
    const ts = p.tsUs;
    if (s[other + BT_LAST] > s[own + BT_START]) s[own + BT_START] = 0;
    if (size <= 0) return;
    if (s[own + BT_START] === 0 || ts - s[own + BT_LAST] > 1e6) {
      s[own + BT_START] = ts;
      s[own + BT_LAST] = ts;
      s[b + BULK_HELPER_PACKETS] = 1;
      s[b + BULK_HELPER_BYTES] = size;
      return;
    }
    const n = ++s[b + BULK_HELPER_PACKETS];
    s[b + BULK_HELPER_BYTES] += size;
    if (n === 4) {
      s[b + BULK_COUNT]++;
      s[b + BULK_PACKETS] += n;
      s[b + BULK_BYTES] += s[b + BULK_HELPER_BYTES];
      s[b + BULK_DURATION] += ts - s[own + BT_START];
    } else if (n > 4) {
      s[b + BULK_PACKETS]++;
      s[b + BULK_BYTES] += size;
      s[b + BULK_DURATION] += ts - s[own + BT_LAST];
    }
    s[own + BT_LAST] = ts;
  }

  /**
   * MeterHooks.warm: loads the lines packetCorrected / packetCompat will touch (common lines 0–2, the
   * direction's statistics, flags, the direction's bulk counters), or every line of a slot about to
   * hold a new flow (startCommon zeroes them all).
   */
  warm(slots: Int32Array, dirs: Uint8Array, n: number): number {
    const s = this.s;
    const stride = this.stride;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      const o = slots[j] * stride;
      const dir = dirs[j];
      if (dir === WARM_NEW) {
        for (let i = o, end = o + stride; i < end; i += 8) acc += s[i];
        continue;
      }
      const d = dir === Dir.FWD ? o + FWD : o + BWD;
      acc += s[o] + s[o + 8] + s[o + 16] + s[d] + s[d + 8] + s[o + FLAGS] + s[dir === Dir.FWD ? o + BULK_FWD : o + BULK_BWD];
    }
    return acc;
  }

  // ---------------------------------------------------------------- output

  finish(slot: number, out: Float64Array, off: number): void {
    const s = this.s;
    const o = slot * this.stride;
    const compat = this.compat;
    const fN = statN(s, o + FWD_LEN);
    const bN = statN(s, o + BWD_LEN);
    const n = fN + bN;
    const dur = s[o + FLOW_LAST] - s[o + FLOW_START];
    const durS = dur / 1e6;
    const fBytes = statSum(s, o + FWD_LEN);
    const bBytes = statSum(s, o + BWD_LEN);
    let i = off;
    out[i++] = dur;
    out[i++] = fN;
    out[i++] = bN;
    out[i++] = fBytes;
    out[i++] = bBytes;
    i = writeLenStats(out, i, s, o + FWD_LEN);
    i = writeLenStats(out, i, s, o + BWD_LEN);
    if (compat || dur > 0) {
      out[i++] = (fBytes + bBytes) / durS; // compat: x/0 = Infinity, 0/0 = NaN as published
      out[i++] = n / durS;
    } else {
      out[i++] = 0;
      out[i++] = 0;
    }
    const fi = o + FLOW_IAT;
    if (statN(s, fi) > 0) {
      out[i++] = statMean(s, fi);
      out[i++] = statStd(s, fi);
      out[i++] = statMax(s, fi);
      out[i++] = statMin(s, fi);
    } else {
      out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 0;
    }
    i = writeIatStats(out, i, s, o + FWD_IAT);
    i = writeIatStats(out, i, s, o + BWD_IAT);
    const ff = s[o + FIRST_FLAGS];
    if (compat) {
      out[i++] = (ff & TcpFlag.PSH) !== 0 ? 1 : 0;
      out[i++] = 0;
      out[i++] = (ff & TcpFlag.URG) !== 0 ? 1 : 0;
      out[i++] = 0;
    } else {
      out[i++] = s[o + FWD + PSH];
      out[i++] = s[o + BWD + PSH];
      out[i++] = s[o + FWD + URG];
      out[i++] = s[o + BWD + URG];
    }
    out[i++] = s[o + FWD_HDR];
    out[i++] = s[o + BWD_HDR];
    out[i++] = dur > 0 ? fN / durS : 0;
    out[i++] = dur > 0 ? bN / durS : 0;
    const al = o + ALL_LEN;
    out[i++] = statMin(s, al);
    out[i++] = statMax(s, al);
    out[i++] = statMean(s, al);
    out[i++] = statStd(s, al);
    out[i++] = statVariance(s, al);
    if (compat) {
      for (let k = 0; k < 8; k++) out[i++] = (ff & COMPAT_FLAG_ORDER[k]) !== 0 ? 1 : 0;
      out[i++] = fN > 0 ? Math.floor(bN / fN) : 0;
      out[i++] = n > 0 ? statSum(s, al) / n : 0;
    } else {
      for (let k = 0; k < 8; k++) {
        const f = CORRECTED_FLAG_INDEX[k];
        out[i++] = s[o + FLAGS + f];
      }
      out[i++] = fN > 0 ? bN / fN : 0;
      out[i++] = n > 0 ? statSum(s, al) / n : 0;
    }
    out[i++] = fN > 0 ? fBytes / fN : 0;
    out[i++] = bN > 0 ? bBytes / bN : 0;
    out[i++] = s[o + FWD_HDR];
    if (compat) {
      for (let k = 0; k < 6; k++) out[i++] = 0;
      out[i++] = fN;
      out[i++] = fBytes;
      out[i++] = bN;
      out[i++] = bBytes;
    } else {
      i = writeBulk(out, i, s, o + BULK_FWD);
      i = writeBulk(out, i, s, o + BULK_BWD);
      const sf = s[o + SF_COUNT];
      out[i++] = Math.floor(fN / sf);
      out[i++] = Math.floor(fBytes / sf);
      out[i++] = Math.floor(bN / sf);
      out[i++] = Math.floor(bBytes / sf);
    }
    out[i++] = s[o + INIT_WIN_F];
    out[i++] = s[o + INIT_WIN_B];
    out[i++] = s[o + ACT_DATA];
    out[i++] = s[o + MIN_SEG];
    if (compat) {
      i = writePeriods(out, i, s, o + ACTIVE, 0);
    } else {
      // corrected: the last active period is closed at flow end
      const last = s[o + END_ACTIVE] - s[o + START_ACTIVE];
      i = writePeriods(out, i, s, o + ACTIVE, last > 0 ? last : 0);
    }
    writePeriods(out, i, s, o + IDLE, 0);
  }

  /** First packet's TCP flags (for records). */
  firstFlags(slot: number): number {
    return this.s[slot * this.stride + FIRST_FLAGS];
  }
}

function writeLenStats(out: Float64Array, i: number, s: Float64Array, b: number): number {
  if (statN(s, b) > 0) {
    out[i++] = statMax(s, b);
    out[i++] = statMin(s, b);
    out[i++] = statMean(s, b);
    out[i++] = statStd(s, b);
  } else {
    out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 0;
  }
  return i;
}

function writeIatStats(out: Float64Array, i: number, s: Float64Array, b: number): number {
  if (statN(s, b) > 0) {
    out[i++] = statSum(s, b);
    out[i++] = statMean(s, b);
    out[i++] = statStd(s, b);
    out[i++] = statMax(s, b);
    out[i++] = statMin(s, b);
  } else {
    out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 0;
  }
  return i;
}

function writeBulk(out: Float64Array, i: number, s: Float64Array, b: number): number {
  const count = s[b + BULK_COUNT];
  const dur = s[b + BULK_DURATION];
  out[i++] = count > 0 ? Math.floor(s[b + BULK_BYTES] / count) : 0;
  out[i++] = count > 0 ? Math.floor(s[b + BULK_PACKETS] / count) : 0;
  out[i++] = dur > 0 ? Math.floor(s[b + BULK_BYTES] / (dur / 1e6)) : 0;
  return i;
}

/** Mean/std/max/min of a period block, optionally with one extra closing period. */
function writePeriods(out: Float64Array, i: number, s: Float64Array, b: number, extra: number): number {
  if (statN(s, b) === 0 && extra === 0) {
    out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 0;
    return i;
  }
  if (extra === 0) {
    out[i++] = statMean(s, b);
    out[i++] = statStd(s, b);
    out[i++] = statMax(s, b);
    out[i++] = statMin(s, b);
    return i;
  }
  // fold `extra` into a copy of the block without touching flow state
  const tmp = SCRATCH;
  for (let k = 0; k < STAT_BLOCK; k++) tmp[k] = s[b + k];
  statAdd(tmp, 0, extra);
  out[i++] = statMean(tmp, 0);
  out[i++] = statStd(tmp, 0);
  out[i++] = statMax(tmp, 0);
  out[i++] = statMin(tmp, 0);
  return i;
}

const SCRATCH = new Float64Array(STAT_BLOCK);
