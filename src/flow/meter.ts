/**
 * The flow meter: assigns each decoded packet to a bidirectional flow, runs the lifecycle (idle and
 * active timeouts, TCP termination, eviction when full) and the feature-set hooks, and hands every
 * finished flow to `onFlowEnd` while its slot still holds the state.
 *
 * Expiry is exact regardless of how often tick() runs: a packet whose flow has already passed a
 * deadline first ends that flow, then starts a new one. tick() only flushes flows that see no more
 * packets, so it may run once per batch (offline) or on a wall-clock timer (live).
 */
import { PacketView, TcpFlag, IpProto } from '../decode/packet-view.js';
import type { FeatureSet } from '../features/feature-set.js';
import { Dir, WARM_NEW } from '../features/feature-set.js';
import { FlowKey, FlowList, FlowTable, makeKey, SLOT_AUX, SLOT_WORDS } from './table.js';
import { DEFAULT_METER_CONFIG, EndReason, type MeterConfig } from './meter-config.js';
import { TcpStateTable, TERM_RST } from './tcp-state.js';

export interface MeterCounters {
  packetsFlowed: number;
  flowsCreated: number;
  flowsEmitted: number;
  /** Flows discarded at emission because they had fewer than `minPackets` packets. */
  flowsBelowMinPackets: number;
  /** Flows ended early because the table was full. */
  flowsEvicted: number;
  /** Packets whose timestamp went backwards (the meter clock does not). */
  timeRegressions: number;
}

/** Meter clock record: doubles per slot and their offsets. */
const CW = 8;
const FIRST_TS = 0;
const LAST_TS = 1;
/** Meter clock at creation / last packet / TCP close (drives the expiry lists). */
const START_CLOCK = 2;
const LAST_CLOCK = 3;
const CLOSE_CLOCK = 4;
/** IP bytes per direction: BYTES + dir. */
const BYTES = 5;
const SEQ = 7;
/** Words of the table's slot record owned by the meter: packets per direction, then flags. */
const PKTS = SLOT_AUX;
const FLAGS = SLOT_AUX + 2;
const F_INIT_A = 1;
const F_CLOSED = 2;
/** On the table's SYN list (mirrored here so a packet reads one word, not a table call per test). */
const F_SYN = 4;

/** Most packets warm() takes at once. */
export const WARM_GROUP = 64;

export type FlowEndHandler = (slot: number, reason: EndReason) => void;

/**
 * Optional hooks a feature set may implement on top of FeatureSet. They are detected once in the
 * constructor, so sets without them (and the FeatureSet interface) are unaffected. Used by the
 * NSL-KDD set: its window features must see the *end* of each connection (finish() also serves
 * provisional rows, so it cannot commit), it reads conn_state from `meter.tcp`, and KDD's ICMP
 * records are one packet each.
 */
export interface MeterHooks {
  /** Called once from the FlowMeter constructor, after init(). */
  attachMeter?(meter: FlowMeter): void;
  /** A flow ends and will be emitted: called before onFlowEnd (so before the set's finish()). */
  onFlowEnding?(slot: number, reason: EndReason): void;
  /** After a packet was added to `slot`: true ends the flow at once (reported as EndReason.ACTIVE). */
  endAfterPacket?(slot: number, p: PacketView): boolean;
  /**
   * Loads the cache lines the next packets will touch in this set's state, changing nothing: for
   * j < n, slot slots[j] gets a packet in direction dirs[j], or (dirs[j] = WARM_NEW) is about to hold a
   * new flow, whose onFlowStart writes all of its state. Returns a value derived from the loads (see
   * FlowMeter.warm). One call per group, so the set's loop stays short and its misses overlap.
   */
  warm?(slots: Int32Array, dirs: Uint8Array, n: number): number;
}

export class FlowMeter {
  readonly config: Readonly<MeterConfig>;
  readonly table: FlowTable;
  readonly tcp: TcpStateTable;
  readonly sets: readonly FeatureSet[];
  readonly counters: MeterCounters = {
    packetsFlowed: 0,
    flowsCreated: 0,
    flowsEmitted: 0,
    flowsBelowMinPackets: 0,
    flowsEvicted: 0,
    timeRegressions: 0,
  };
  /** Monotonic packet clock (µs). */
  clock = -Infinity;
  /** Slot, direction and newness of the packet added last (read by packet observers). */
  lastSlot = -1;
  lastDir: Dir = Dir.FWD;
  lastNew = false;

  // ---- per-flow base state ----
  /**
   * Clocks, byte counts and sequence number: CW (8) doubles per slot, one cache line. Packet
   * counts and flags live in the table's slot record (SLOT_AUX words), which the packet touches anyway.
   */
  private readonly clk: Float64Array;
  /** The table's slot records (for the SLOT_AUX words). */
  private readonly rec: Uint32Array;

  onFlowEnd: FlowEndHandler = () => {};

  /** Raw timestamp of the first packet (µs; raw so features see real capture order). */
  firstTs(s: number): number {
    return this.clk[s * CW + FIRST_TS];
  }
  /** Raw timestamp of the last packet (µs). */
  lastTs(s: number): number {
    return this.clk[s * CW + LAST_TS];
  }
  /** 1 when the first packet's source is table endpoint A, else 0. */
  initiatorIsA(s: number): number {
    return this.rec[s * SLOT_WORDS + FLAGS] & F_INIT_A;
  }
  /** Packets in direction `dir` (Dir.FWD = from the initiator). */
  packets(s: number, dir: Dir): number {
    return this.rec[s * SLOT_WORDS + PKTS + dir];
  }
  /** Packets in both directions. */
  packetsTotal(s: number): number {
    const o = s * SLOT_WORDS + PKTS;
    return this.rec[o] + this.rec[o + 1];
  }
  /** IP bytes (sum of IP total lengths) in direction `dir`. */
  ipBytes(s: number, dir: Dir): number {
    return this.clk[s * CW + BYTES + dir];
  }
  /** Sequence number of the flow (unique per meter run; the basis of flow_id). */
  flowSeq(s: number): number {
    return this.clk[s * CW + SEQ];
  }
  private isClosed(s: number): boolean {
    return (this.rec[s * SLOT_WORDS + FLAGS] & F_CLOSED) !== 0;
  }
  private markClosed(s: number, now: number): void {
    this.rec[s * SLOT_WORDS + FLAGS] |= F_CLOSED;
    this.clk[s * CW + CLOSE_CLOCK] = now;
    this.table.touch(FlowList.CLOSED, s);
  }

  private readonly key = new FlowKey();
  private nextSeq = 1;
  private readonly onEnding: ((slot: number, reason: EndReason) => void)[];
  private readonly endAfter: ((slot: number, pkt: PacketView) => boolean)[];
  private readonly warmSets: (FeatureSet & MeterHooks)[];
  /** The slots warm() loads and, per slot, the packet's direction or WARM_NEW. */
  private readonly warmSlots = new Int32Array(WARM_GROUP);
  private readonly warmDirs = new Uint8Array(WARM_GROUP);

  constructor(sets: readonly FeatureSet[], config: Partial<MeterConfig> = {}) {
    const merged: MeterConfig = { ...DEFAULT_METER_CONFIG };
    for (const s of sets) Object.assign(merged, s.meter);
    Object.assign(merged, stripUndefined(config));
    this.config = merged;
    const cap = merged.capacity;
    this.table = new FlowTable(cap);
    this.tcp = new TcpStateTable(cap);
    this.sets = sets;
    this.clk = new Float64Array(cap * CW);
    this.rec = this.table.rec;
    for (const s of sets) s.init(cap);
    this.onEnding = [];
    this.endAfter = [];
    this.warmSets = [];
    for (const s of sets as readonly (FeatureSet & MeterHooks)[]) {
      if (typeof s.onFlowEnding === 'function') this.onEnding.push(s.onFlowEnding.bind(s));
      if (typeof s.endAfterPacket === 'function') this.endAfter.push(s.endAfterPacket.bind(s));
      if (typeof s.attachMeter === 'function') s.attachMeter(this);
      if (typeof s.warm === 'function') this.warmSets.push(s);
    }
  }

  /** Adds one decoded IP packet. */
  addPacket(p: PacketView): void {
    const k = this.key;
    makeKey(k, p);
    this.addKeyed(p, k);
  }

  /**
   * Computes the flow keys of decoded packets views[0..n) into keys[0..n) and loads the cache lines
   * their flows' state occupies (index entry, table record, clocks, TCP state, the feature
   * sets' lines for each packet's direction) without changing anything; then addKeyed(views[j],
   * keys[j]) meters them in order. With thousands of active flows that state is not in L2, and
   * addPacket alone waits for each miss in turn; here each pass is a short loop with independent
   * iterations, so the CPU has the misses of many packets in flight at once. Returns a value computed
   * from the loads so that the compiler keeps them.
   */
  warm(views: readonly PacketView[], keys: readonly FlowKey[], n: number): number {
    // pass 1: keys and hashes (from the packets, which were just decoded), and each key's home entry
    // in the hash index
    const t = this.table;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      const k = keys[j];
      makeKey(k, views[j]);
      acc += t.indexEntry(k.hash);
    }
    // pass 2: the records; the slots and directions to warm, new flows last
    const slots = this.warmSlots;
    const dirs = this.warmDirs;
    let m = 0;
    let fresh = 0;
    for (let j = 0; j < n; j++) {
      // the home entry's flow, without comparing keys: a wrong guess only warms the wrong lines
      const slot = t.homeSlot(keys[j].hash);
      if (slot >= 0) {
        slots[m] = slot;
        dirs[m++] = keys[j].srcIsA === this.initiatorIsA(slot) ? Dir.FWD : Dir.BWD;
      } else if (slot === -1) fresh++;
    }
    // new flows take the free list's next slots (if nothing ends first); starting writes all their state
    for (let f = 0; f < fresh; f++) {
      const slot = t.nextFree(f);
      if (slot < 0) break;
      slots[m] = slot;
      dirs[m++] = WARM_NEW;
    }
    // pass 3: the meter's lines, then each feature set's in one call (tight loops: many misses in flight)
    const clk = this.clk;
    const tcp = this.tcp;
    for (let j = 0; j < m; j++) acc += clk[slots[j] * CW] + tcp.warm(slots[j]);
    const sets = this.warmSets;
    for (let i = 0; i < sets.length; i++) acc += sets[i].warm!(slots, dirs, m);
    return acc;
  }

  /** addPacket with the key already computed (by warm()). */
  addKeyed(p: PacketView, k: FlowKey): void {
    const ts = p.tsUs;
    if (ts > this.clock) this.clock = ts;
    else if (ts < this.clock) this.counters.timeRegressions++;
    const now = this.clock;
    const cfg = this.config;
    this.counters.packetsFlowed++;
    let slot = this.table.find(k);
    if (slot >= 0) {
      const c = slot * CW;
      const clk = this.clk;
      const fl = this.rec[slot * SLOT_WORDS + FLAGS];
      const dir = k.srcIsA === (fl & F_INIT_A) ? Dir.FWD : Dir.BWD;
      if (cfg.termination === 'first-fin') {
        if (ts - clk[c + FIRST_TS] > cfg.activeTimeoutUs) {
          this.end(slot, EndReason.ACTIVE);
          slot = -1;
        } else {
          this.update(slot, p, dir);
          if ((p.tcpFlags & TcpFlag.FIN) !== 0 && p.proto === IpProto.TCP) this.end(slot, EndReason.FIN);
          else if (this.endAfter.length !== 0) this.checkEndAfter(slot, p);
          return;
        }
      } else {
        const closed = (fl & F_CLOSED) !== 0;
        if (closed && now - clk[c + CLOSE_CLOCK] >= cfg.closeDelayUs) {
          this.end(slot, this.closeReason(slot));
          slot = -1;
        } else if (now - clk[c + LAST_CLOCK] >= cfg.idleTimeoutUs) {
          this.end(slot, EndReason.IDLE);
          slot = -1;
        } else if ((fl & F_SYN) !== 0 && now - clk[c + START_CLOCK] >= cfg.synTimeoutUs) {
          this.end(slot, EndReason.SYN_TIMEOUT);
          slot = -1;
        } else if (now - clk[c + START_CLOCK] >= cfg.activeTimeoutUs) {
          this.end(slot, EndReason.ACTIVE);
          slot = -1;
        } else if (closed && p.proto === IpProto.TCP && (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
          // a fresh SYN on a closed connection's 5-tuple: a new connection (port reuse)
          this.end(slot, this.closeReason(slot));
          slot = -1;
        } else {
          this.update(slot, p, dir);
          // any packet back answers the connection attempt
          if (dir === Dir.BWD && (fl & F_SYN) !== 0) {
            this.table.unlink(FlowList.SYN, slot);
            this.rec[slot * SLOT_WORDS + FLAGS] &= ~F_SYN;
          }
          // most TCP packets change no connection state: a cheap test skips the full rules
          if (p.proto === IpProto.TCP && !this.tcp.unchangedBy(slot, dir === Dir.FWD, p.tcpFlags, p.payloadLen)) {
            this.tcp.update(slot, dir === Dir.FWD, p);
            if (!closed && this.tcp.closedBy(slot) !== 0) this.markClosed(slot, now);
          }
          if (this.endAfter.length !== 0) this.checkEndAfter(slot, p);
          return;
        }
      }
    }
    // new flow
    if (this.table.full) {
      const victim = this.table.leastRecent();
      this.counters.flowsEvicted++;
      this.end(victim, EndReason.EVICTED);
    }
    slot = this.table.insert(k); // zeroes the meter's SLOT_AUX words
    this.counters.flowsCreated++;
    this.lastSlot = slot;
    this.lastDir = Dir.FWD;
    this.lastNew = true;
    const r = slot * SLOT_WORDS;
    this.rec[r + FLAGS] = k.srcIsA === 1 ? F_INIT_A : 0;
    this.rec[r + PKTS] = 1;
    const c = slot * CW;
    const clk = this.clk;
    clk[c + FIRST_TS] = ts;
    clk[c + LAST_TS] = ts;
    clk[c + START_CLOCK] = now;
    clk[c + LAST_CLOCK] = now;
    clk[c + CLOSE_CLOCK] = 0;
    clk[c + BYTES] = p.ipTotalLen;
    clk[c + BYTES + 1] = 0;
    clk[c + SEQ] = this.nextSeq++;
    this.table.touch(FlowList.AGE, slot); // insert() made it the most recently used
    // called on the sets themselves, not bound copies: a monomorphic call V8 can inline
    const sets = this.sets;
    for (let i = 0; i < sets.length; i++) sets[i].onFlowStart(slot, p);
    if (p.proto === IpProto.TCP) {
      this.tcp.reset(slot);
      this.tcp.update(slot, true, p);
      if (cfg.termination === 'tcp-state' && cfg.synTimeoutUs !== Infinity && (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
        this.table.touch(FlowList.SYN, slot);
        this.rec[r + FLAGS] |= F_SYN;
      }
      if (cfg.termination === 'tcp-state' && this.tcp.closedBy(slot) !== 0) this.markClosed(slot, now);
    }
    if (this.endAfter.length !== 0) this.checkEndAfter(slot, p);
  }

  /** MeterHooks.endAfterPacket: a set asked to end the flow after this packet. */
  private checkEndAfter(slot: number, p: PacketView): void {
    const hooks = this.endAfter;
    for (let i = 0; i < hooks.length; i++) {
      if (hooks[i](slot, p)) {
        this.end(slot, EndReason.ACTIVE);
        return;
      }
    }
  }

  private update(slot: number, p: PacketView, dir: Dir): void {
    this.lastSlot = slot;
    this.lastDir = dir;
    this.lastNew = false;
    this.rec[slot * SLOT_WORDS + PKTS + dir]++;
    const c = slot * CW;
    const clk = this.clk;
    clk[c + BYTES + dir] += p.ipTotalLen;
    clk[c + LAST_TS] = p.tsUs;
    clk[c + LAST_CLOCK] = this.clock; // the meter clock, not an argument: a double argument is boxed per call
    this.table.use(slot);
    const sets = this.sets;
    for (let i = 0; i < sets.length; i++) sets[i].onPacket(slot, p, dir);
  }

  /** Why a closed TCP flow ended: RST if one was seen, else the FIN exchange. */
  private closeReason(slot: number): EndReason {
    return this.tcp.closedBy(slot) === TERM_RST ? EndReason.RST : EndReason.FIN;
  }

  /** Ends flows whose deadlines passed at meter time `now` (defaults to the packet clock). */
  tick(now: number = this.clock): void {
    if (now > this.clock) this.clock = now;
    const cfg = this.config;
    const t = this.table;
    let s: number;
    if (cfg.termination === 'tcp-state') {
      while ((s = t.first(FlowList.CLOSED)) >= 0 && now - this.clk[s * CW + CLOSE_CLOCK] >= cfg.closeDelayUs) {
        this.end(s, this.closeReason(s));
      }
    }
    if (cfg.termination === 'tcp-state' && cfg.synTimeoutUs !== Infinity) {
      while ((s = t.first(FlowList.SYN)) >= 0 && now - this.clk[s * CW + START_CLOCK] >= cfg.synTimeoutUs) this.end(s, EndReason.SYN_TIMEOUT);
    }
    if (cfg.idleTimeoutUs !== Infinity) {
      while ((s = t.leastRecent()) >= 0 && now - this.clk[s * CW + LAST_CLOCK] >= cfg.idleTimeoutUs) this.end(s, EndReason.IDLE);
    }
    const activeLimit = cfg.activeTimeoutUs + (cfg.activeTimeoutOnArrival ? cfg.activeGraceUs : 0);
    if (activeLimit !== Infinity) {
      while ((s = t.first(FlowList.AGE)) >= 0 && now - this.clk[s * CW + START_CLOCK] >= activeLimit) this.end(s, EndReason.ACTIVE);
    }
  }

  /** Ends every open flow (end of capture, Ctrl+C). */
  flushAll(reason: EndReason = EndReason.SHUTDOWN): void {
    this.table.forEachLive((s) => {
      // a connection that already closed keeps its real reason
      const r = this.isClosed(s) ? this.closeReason(s) : reason;
      this.end(s, r);
    });
  }

  private end(slot: number, reason: EndReason): void {
    const n = this.packetsTotal(slot);
    if (n >= this.config.minPackets) {
      this.counters.flowsEmitted++;
      const ending = this.onEnding;
      for (let i = 0; i < ending.length; i++) ending[i](slot, reason);
      this.onFlowEnd(slot, reason);
    } else {
      this.counters.flowsBelowMinPackets++;
    }
    this.table.remove(slot);
  }

  /** Packets currently held in open flows (for packet conservation checks). */
  openFlowCount(): number {
    return this.table.size;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
