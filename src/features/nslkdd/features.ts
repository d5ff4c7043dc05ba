/**
 * NSL-KDD's 28 header-computable features (`nslkdd28`) as a flow-meter plugin: one row per KDD
 * connection record, columns in NSL-KDD order with the names and units the model was trained on.
 *
 * Lifecycle (docs/features-nslkdd.md): Zeek-like connection records — TCP ends on FIN/FIN-ACK or RST
 * (+ close delay) or 60 s idle; UDP ends 60 s idle (Zeek's udp_inactivity_timeout); every ICMP packet is
 * its own record (KDD's ICMP rows all have duration 0 and dst_bytes 0, so echo request and reply are
 * separate eco_i / ecr_i records). No active timeout: KDD connections can last hours.
 *
 * Windows: computed once, when the meter ends the connection (MeterHooks.onFlowEnding), over the
 * connections ended before it, then the connection is committed to a typed-array ring. finish() for a
 * still-open flow (provisional row) computes the windows as if it ended now, without committing.
 *
 * State: typed arrays per slot (≈ 60 bytes/slot), one ring of finished connections, one fragment
 * table. Nothing is allocated per packet or per connection.
 */
import { IpProto, TcpFlag, type PacketView } from '../../decode/packet-view.js';
import type { FlowMeter, MeterHooks } from '../../flow/meter.js';
import type { EndReason, MeterConfig } from '../../flow/meter-config.js';
import { Dir, type FeatureColumn, type FeatureSet } from '../feature-set.js';
import { FragmentTracker, hostKey } from './basic.js';
import {
  C_DST_BYTES, C_DURATION, C_FLAG, C_HOST_WINDOW, C_LAND, C_PROTOCOL, C_SERVICE, C_SRC_BYTES, C_TIME_WINDOW,
  C_URGENT, C_WRONG_FRAGMENT, NSLKDD28_FEATURE_COLUMNS, PROTO_ICMP, PROTO_OTHER, PROTO_TCP, PROTO_UDP,
} from './columns.js';
import { FLAG_OTH, FLAG_SF, isRerror, isSerror, kddFlagCode } from './flags.js';
import { hostWindowFeatures, HW_WIDTH, type HostWindowParams } from './host-window.js';
import { ConnRing, ERR_R, ERR_S } from './ring.js';
import { icmpService, SVC_OTHER, tcpService, udpService } from './services.js';
import { timeWindowFeatures, TW_WIDTH, type TimeWindowParams } from './time-window.js';

/**
 * 'spec': host window of 100 connections (the KDD task description, AI-IDS).
 * 'kdd-compat': 256 connections with dst_host_count / dst_host_srv_count capped at 255, as the
 * published data saturates (which a 100-connection window cannot produce).
 */
export type NslKddWindowPreset = 'spec' | 'kdd-compat';

export interface NslKddOptions {
  preset?: NslKddWindowPreset;
  /** Host window size in connections, the current one included (overrides the preset). */
  hostWindow?: number;
  /** Cap of dst_host_count / dst_host_srv_count (overrides the preset). */
  hostCountCap?: number;
  /** Time window (µs), default 2 s. */
  timeWindowUs?: number;
  /** Cap of count / srv_count, default 511 (the data's maximum). */
  countCap?: number;
  /**
   * Finished connections kept for the time window (default 1024; must exceed countCap for count to
   * reach the cap). Bounds the per-record scan.
   */
  ringSize?: number;
  /** One record per ICMP packet (default true, as in KDD). */
  icmpPerPacket?: boolean;
  /** Idle timeout for every protocol (µs), default 60 s. */
  idleTimeoutUs?: number;
}

export const NSLKDD28_ID = 'nslkdd28';

export class NslKddFeatures implements FeatureSet, MeterHooks {
  readonly id = NSLKDD28_ID;
  readonly columns: readonly FeatureColumn[] = NSLKDD28_FEATURE_COLUMNS;
  readonly meter: Partial<MeterConfig>;
  readonly preset: NslKddWindowPreset;
  readonly timeParams: TimeWindowParams;
  readonly hostParams: HostWindowParams;
  readonly icmpPerPacket: boolean;
  readonly ring: ConnRing;
  private readonly frags = new FragmentTracker();
  private m: FlowMeter | null = null;

  // ---- per-slot state ----
  private proto = new Uint8Array(0);
  private service = new Uint8Array(0);
  private land = new Uint8Array(0);
  private hostV = new Uint8Array(0);
  private host = new Uint32Array(0);
  private srcPort = new Uint16Array(0);
  private wrongFrag = new Uint32Array(0);
  private urgent = new Uint32Array(0);
  /** [slot*2 + dir] data bytes */
  private bytes = new Float64Array(0);
  private first = new Float64Array(0);
  private last = new Float64Array(0);

  // ---- the connection being ended: its window values, computed once in onFlowEnding ----
  private pendingSlot = -1;
  private readonly pending = new Float64Array(TW_WIDTH + HW_WIDTH);
  private readonly scratch = new Float64Array(TW_WIDTH + HW_WIDTH);

  constructor(opts: NslKddOptions = {}) {
    this.preset = opts.preset ?? 'spec';
    const compat = this.preset === 'kdd-compat';
    const hostSize = opts.hostWindow ?? (compat ? 256 : 100);
    const countCap = opts.countCap ?? 511;
    const ringSize = Math.max(opts.ringSize ?? 1024, hostSize);
    if (!Number.isInteger(hostSize) || hostSize < 1) throw new RangeError(`hostWindow must be a positive integer, got ${hostSize}`);
    const idle = opts.idleTimeoutUs ?? 60e6;
    const closeDelay = 1e6;
    const windowUs = opts.timeWindowUs ?? 2e6;
    this.hostParams = { size: hostSize, countCap: opts.hostCountCap ?? (compat ? 255 : hostSize) };
    // The emission lag of a record behind its last packet is at most the idle timeout (or the close
    // delay); entries emitted earlier than that before the window start cannot end inside it.
    this.timeParams = { windowUs, countCap, horizonUs: windowUs + Math.max(idle, closeDelay) + 1e6 };
    this.icmpPerPacket = opts.icmpPerPacket ?? true;
    this.ring = new ConnRing(ringSize);
    this.meter = {
      termination: 'tcp-state',
      idleTimeoutUs: idle,
      activeTimeoutUs: Infinity,
      activeTimeoutOnArrival: false,
      closeDelayUs: closeDelay,
      minPackets: 1,
    };
  }

  /** Bytes of feature state per flow slot. */
  static readonly BYTES_PER_FLOW = 1 + 1 + 1 + 1 + 4 + 2 + 4 + 4 + 16 + 8 + 8;

  init(capacity: number): void {
    this.proto = new Uint8Array(capacity);
    this.service = new Uint8Array(capacity);
    this.land = new Uint8Array(capacity);
    this.hostV = new Uint8Array(capacity);
    this.host = new Uint32Array(capacity);
    this.srcPort = new Uint16Array(capacity);
    this.wrongFrag = new Uint32Array(capacity);
    this.urgent = new Uint32Array(capacity);
    this.bytes = new Float64Array(capacity * 2);
    this.first = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
  }

  /** MeterHooks: flag needs the meter's TCP state; the window clock is the meter's. */
  attachMeter(meter: FlowMeter): void {
    this.m = meter;
  }

  onFlowStart(slot: number, p: PacketView): void {
    if (slot === this.pendingSlot) this.pendingSlot = -1;
    const pr = p.proto;
    let code: number;
    let svc: number;
    if (pr === IpProto.TCP) {
      code = PROTO_TCP;
      svc = tcpService(p.srcPort, p.dstPort);
    } else if (pr === IpProto.UDP) {
      code = PROTO_UDP;
      svc = udpService(p.dstPort);
    } else if (pr === IpProto.ICMP || pr === IpProto.ICMPV6) {
      code = PROTO_ICMP;
      svc = icmpService(p.icmpType, p.icmpCode, pr === IpProto.ICMPV6);
    } else {
      code = PROTO_OTHER;
      svc = SVC_OTHER;
    }
    this.proto[slot] = code;
    this.service[slot] = svc;
    const v = p.ipVersion;
    this.land[slot] =
      p.src0 === p.dst0 && p.src1 === p.dst1 && p.src2 === p.dst2 && p.src3 === p.dst3 && p.srcPort === p.dstPort ? 1 : 0;
    this.hostV[slot] = v;
    this.host[slot] = hostKey(v, p.dst0, p.dst1, p.dst2, p.dst3);
    this.srcPort[slot] = p.srcPort;
    this.wrongFrag[slot] = 0;
    this.urgent[slot] = 0;
    this.bytes[slot * 2] = 0;
    this.bytes[slot * 2 + 1] = 0;
    this.first[slot] = p.tsUs;
    this.last[slot] = p.tsUs;
    this.account(slot, p, Dir.FWD);
  }

  onPacket(slot: number, p: PacketView, dir: Dir): void {
    this.last[slot] = p.tsUs;
    this.account(slot, p, dir);
  }

  private account(slot: number, p: PacketView, dir: Dir): void {
    // ICMP: the whole ICMP message (header + data) — KDD's smurf rows are 520/1032 = 512/1024 + 8.
    // TCP/UDP: transport payload (Bro counted TCP data by sequence numbers; retransmissions count
    // twice here, see the doc).
    const n = this.proto[slot] === PROTO_ICMP ? p.ipTotalLen - p.ipHdrLen : p.payloadLen;
    if (n > 0) this.bytes[slot * 2 + dir] += n;
    if ((p.tcpFlags & TcpFlag.URG) !== 0) this.urgent[slot]++;
    if (p.isFragment === 1) this.wrongFrag[slot] += this.frags.check(p);
  }

  /** MeterHooks: KDD's ICMP records are single packets. */
  endAfterPacket(slot: number): boolean {
    return this.icmpPerPacket && this.proto[slot] === PROTO_ICMP;
  }

  /** The KDD flag code of the flow in `slot` (TCP: from the meter's Zeek conn_state). */
  flagCode(slot: number): number {
    if (this.proto[slot] !== PROTO_TCP) return FLAG_SF; // KDD's UDP/ICMP rows are all SF (§2.2)
    const m = this.m;
    return m === null ? FLAG_OTH : kddFlagCode(m.tcp.connState(slot));
  }

  /** MeterHooks: the connection ends — compute its windows once, then commit it to the ring. */
  onFlowEnding(slot: number, _reason: EndReason): void {
    const emit = this.m !== null ? this.m.clock : this.last[slot];
    const flag = this.flagCode(slot);
    const err = (isSerror(flag) ? ERR_S : 0) | (isRerror(flag) ? ERR_R : 0);
    this.windows(slot, emit, err, this.pending);
    this.pendingSlot = slot;
    // Only KDD protocols are connections in the KDD sense; others don't enter the windows.
    if (this.proto[slot] !== PROTO_OTHER) {
      this.ring.push(this.last[slot], emit, this.hostV[slot], this.host[slot], this.service[slot], err, this.srcPort[slot]);
    }
  }

  private windows(slot: number, emit: number, err: number, out: Float64Array): void {
    const hv = this.hostV[slot];
    const h = this.host[slot];
    const s = this.service[slot];
    timeWindowFeatures(this.ring, this.timeParams, this.last[slot], emit, hv, h, s, err, out, 0);
    hostWindowFeatures(this.ring, this.hostParams, hv, h, s, err, this.srcPort[slot], out, TW_WIDTH);
  }

  finish(slot: number, out: Float64Array, offset: number): void {
    const flag = this.flagCode(slot);
    out[offset + C_DURATION] = Math.max(0, Math.floor((this.last[slot] - this.first[slot]) / 1e6));
    out[offset + C_PROTOCOL] = this.proto[slot];
    out[offset + C_SERVICE] = this.service[slot];
    out[offset + C_FLAG] = flag;
    out[offset + C_SRC_BYTES] = this.bytes[slot * 2];
    out[offset + C_DST_BYTES] = this.bytes[slot * 2 + 1];
    out[offset + C_LAND] = this.land[slot];
    out[offset + C_WRONG_FRAGMENT] = this.wrongFrag[slot];
    out[offset + C_URGENT] = this.urgent[slot];
    let w: Float64Array;
    if (slot === this.pendingSlot) {
      w = this.pending; // the record being emitted: the values computed when it ended
    } else {
      // provisional row of an open flow: windows as if it ended now, nothing committed
      w = this.scratch;
      const emit = this.m !== null ? this.m.clock : this.last[slot];
      this.windows(slot, emit, (isSerror(flag) ? ERR_S : 0) | (isRerror(flag) ? ERR_R : 0), w);
    }
    for (let i = 0; i < TW_WIDTH; i++) out[offset + C_TIME_WINDOW + i] = w[i];
    for (let i = 0; i < HW_WIDTH; i++) out[offset + C_HOST_WINDOW + i] = w[TW_WIDTH + i];
  }
}
