/**
 * Bidirectional flow table: fixed capacity, typed arrays, numeric direction-agnostic keys.
 *
 * A flow's key is the unordered pair of endpoints {(ip, port), (ip, port)} plus the IP protocol. The
 * endpoints are stored in canonical order (A = the lexicographically smaller of (address words, port),
 * unsigned), so both directions of a conversation hash to the same slot without any string key. The
 * hash index is open addressing with linear probing and backward-shift deletion (no tombstones), sized
 * at ≥ 2× capacity so probes stay short.
 *
 * Three intrusive doubly-linked lists thread through the slots so that every expiry decision is O(1)
 * at the list head (no scans over the table):
 *   - AGE (by creation time)         → active timeout
 *   - CLOSED (by TCP close time)     → close delay after FIN/FIN/ACK or RST
 *   - SYN (by creation time)         → SYN timeout of unanswered connection attempts
 * Time only moves forward inside the table (callers pass a monotonic clock), so appending at the tail
 * keeps every list sorted.
 *
 * Least recently used order (idle timeout, eviction when full) is kept lazily: use(s) only writes a
 * use stamp (a counter) into the slot's record, which the packet touches anyway, and a min-heap holds
 * every slot under the stamp it had when it was last *filed*. leastRecent() looks at the heap's top:
 * if that slot was used since it was filed, it is re-filed under its current stamp and the next one
 * is looked at; the first slot found unused since filing has the smallest stamp of all (every other
 * slot's stamp is ≥ its filed stamp ≥ this one), so it is exactly the least recently used flow. A
 * linked LRU list gave the same order but moved the flow to the tail on every packet, which rewrote
 * its two neighbours' links: three more cold cache lines and ~300 instructions per packet (this
 * change: 0.94× wall time of the whole `features` process). Slots reach the heap's top again only after every older
 * one, so a busy flow is re-filed about once per idle timeout, not once per packet.
 *
 * Memory layout: what every packet touches — hash, key and three words for the meter's per-packet
 * counters — lives in one 64-byte record per slot (`rec`, one cache line), not in a dozen parallel
 * arrays: with tens of thousands of live flows each of those arrays missed the cache on its own, and
 * a packet paid ~10 misses before any feature work (bench/run.ts; `npm run bench`). List links are
 * [prev, next] pairs in one dense array per list (8 bytes per slot), not in the records: moving a
 * flow to the LRU tail on every packet rewrites its two neighbours' links, and in the records that
 * cost two more cold 64-byte lines per packet, while the dense LRU links of every live flow fit in L2.
 */

import type { PacketView } from '../decode/packet-view.js';

const NIL = -1;

export const enum FlowList {
  AGE = 0,
  CLOSED = 1,
  SYN = 2,
}

const LISTS = 3;

/** Uint32 words per slot record: 16 × 4 B = one 64-byte cache line. */
const W = 16;
const HASH = 0;
/** version (bits 0–7), proto (8–15), live (16), list membership (24–27, bit = 1 << FlowList). */
const META = 1;
/** portA << 16 | portB */
const PORTS = 2;
const ADDR_A = 3;
const ADDR_B = 7;
/** Use stamp (low and high word of a 64-bit counter; see leastRecent). */
const USE_LO = 11;
const USE_HI = 12;
/** First of the record's 3 words left to the table's owner (the meter keeps its per-packet counters there). */
export const SLOT_AUX = 13;
export const SLOT_WORDS = W;
/**
 * Largest flow table: 16 M flows (~17 GB of flow state when full). Beyond it the per-slot feature
 * state (104 doubles per slot for the CIC set) would exceed a typed array's maximum length.
 */
export const MAX_FLOW_CAPACITY = 1 << 24;
const MAX_CAPACITY = MAX_FLOW_CAPACITY;
const LIVE = 1 << 16;
const LIST_SHIFT = 24;

/** Scratch key the meter fills from a decoded packet (reused, never allocated per packet). */
export class FlowKey {
  version = 0;
  proto = 0;
  a0 = 0; a1 = 0; a2 = 0; a3 = 0;
  b0 = 0; b1 = 0; b2 = 0; b3 = 0;
  portA = 0;
  portB = 0;
  /** 1 when the packet's source is endpoint A after canonical ordering. */
  srcIsA = 0;
  hash = 0;
}

/** murmur3 word mix (shared with the host table of the detectors). */
export function mix(h: number, v: number): number {
  // murmur3-style word mix: cheap, good avalanche for addresses that differ in a few bits
  v = Math.imul(v, 0xcc9e2d51);
  v = (v << 15) | (v >>> 17);
  v = Math.imul(v, 0x1b873593);
  h ^= v;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The packet fields a flow key is made of (PacketView has them). */
export type PacketEndpoints = Pick<
  PacketView,
  'ipVersion' | 'proto' | 'src0' | 'src1' | 'src2' | 'src3' | 'srcPort' | 'dst0' | 'dst1' | 'dst2' | 'dst3' | 'dstPort'
>;

/**
 * Fills `k` from a packet's endpoints, ordering them canonically. Words are compared as unsigned.
 * Takes the packet rather than its 12 fields as arguments: with 13 arguments V8 did not inline it.
 */
export function makeKey(k: FlowKey, p: PacketEndpoints): void {
  const version = p.ipVersion;
  const proto = p.proto;
  const s0 = p.src0, s1 = p.src1, s2 = p.src2, s3 = p.src3, sport = p.srcPort;
  const d0 = p.dst0, d1 = p.dst1, d2 = p.dst2, d3 = p.dst3, dport = p.dstPort;
  let srcFirst: boolean;
  if (s0 !== d0) srcFirst = s0 >>> 0 < d0 >>> 0;
  else if (s1 !== d1) srcFirst = s1 >>> 0 < d1 >>> 0;
  else if (s2 !== d2) srcFirst = s2 >>> 0 < d2 >>> 0;
  else if (s3 !== d3) srcFirst = s3 >>> 0 < d3 >>> 0;
  else srcFirst = sport <= dport;
  k.version = version;
  k.proto = proto;
  if (srcFirst) {
    k.a0 = s0; k.a1 = s1; k.a2 = s2; k.a3 = s3; k.portA = sport;
    k.b0 = d0; k.b1 = d1; k.b2 = d2; k.b3 = d3; k.portB = dport;
    k.srcIsA = 1;
  } else {
    k.a0 = d0; k.a1 = d1; k.a2 = d2; k.a3 = d3; k.portA = dport;
    k.b0 = s0; k.b1 = s1; k.b2 = s2; k.b3 = s3; k.portB = sport;
    k.srcIsA = 0;
  }
  let h = mix(0x9747b28c ^ version, k.a0);
  h = mix(h, k.b0);
  if (version === 6) {
    h = mix(h, k.a1); h = mix(h, k.a2); h = mix(h, k.a3);
    h = mix(h, k.b1); h = mix(h, k.b2); h = mix(h, k.b3);
  }
  h = mix(h, (k.portA << 16) | k.portB);
  k.hash = fmix(mix(h, proto));
}

/** murmur3 final avalanche (fmix32): low bits become usable for indexing. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FlowTable {
  readonly capacity: number;
  /** Slot records, SLOT_WORDS words each (layout above). */
  readonly rec: Uint32Array;
  /** Number of live flows. */
  size = 0;

  private readonly index: Int32Array;
  private readonly mask: number;
  /** Released slots (reused last-released first), then never-used slots from `unused` up. */
  private readonly freeList: Int32Array;
  private freeTop = 0;
  private unused = 0;
  /** List links: [prev, next] of slot s on list l at 2 · (l · capacity + s). */
  private readonly link: Int32Array;
  private readonly head = new Int32Array(LISTS).fill(NIL);
  private readonly tail = new Int32Array(LISTS).fill(NIL);
  /** Next use stamp, low and high 32 bits. */
  private useLo = 0;
  private useHi = 0;
  /** Recency heap (min-heap by filed stamp): slot and filed stamp per position, position per slot. */
  private readonly heapSlot: Int32Array;
  private readonly heapKey: Float64Array;
  private readonly heapPos: Int32Array;
  private heapSize = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new RangeError(`flow table capacity must be an integer in [1, ${MAX_CAPACITY}], got ${capacity}`);
    }
    this.capacity = capacity;
    this.rec = new Uint32Array(capacity * W);
    let idx = 16;
    while (idx < capacity * 2) idx *= 2;
    this.index = new Int32Array(idx);
    this.mask = idx - 1;
    // not pre-filled with every slot: a 262 144-iteration loop at startup (~4 ms) for nothing
    this.freeList = new Int32Array(capacity);
    this.link = new Int32Array(capacity * LISTS * 2).fill(NIL);
    this.heapSlot = new Int32Array(capacity);
    this.heapKey = new Float64Array(capacity);
    this.heapPos = new Int32Array(capacity);
  }

  /** Bytes of table state per slot (for the memory budget in the README/bench). */
  static bytesPerSlot(): number {
    // record (64) + list links (3 lists × 8) + recency heap (16) + free list (4) + index (≥ 8)
    return W * 4 + 8 * LISTS + 16 + 4 + 8;
  }

  get full(): boolean {
    return this.freeTop === 0 && this.unused === this.capacity;
  }

  // ---- key accessors ----

  /** IP version (4 or 6) of the flow in slot s. */
  version(s: number): number {
    return this.rec[s * W + META] & 0xff;
  }
  proto(s: number): number {
    return (this.rec[s * W + META] >>> 8) & 0xff;
  }
  portA(s: number): number {
    return this.rec[s * W + PORTS] >>> 16;
  }
  portB(s: number): number {
    return this.rec[s * W + PORTS] & 0xffff;
  }
  /** Address word i (0–3, big-endian words; IPv4 uses word 0) of endpoint A. */
  addrA(s: number, i: number): number {
    return this.rec[s * W + ADDR_A + i];
  }
  addrB(s: number, i: number): number {
    return this.rec[s * W + ADDR_B + i];
  }
  /** The four address words of endpoint A / B as a view (allocates: for cold paths only). */
  addrAView(s: number): Uint32Array {
    return this.rec.subarray(s * W + ADDR_A, s * W + ADDR_A + 4);
  }
  addrBView(s: number): Uint32Array {
    return this.rec.subarray(s * W + ADDR_B, s * W + ADDR_B + 4);
  }
  isLive(s: number): boolean {
    return (this.rec[s * W + META] & LIVE) !== 0;
  }
  /** Whether slot s is on list l. */
  inList(l: FlowList, s: number): boolean {
    return (this.rec[s * W + META] & (1 << (LIST_SHIFT + l))) !== 0;
  }

  /** The slot the i-th next insert() takes if nothing is removed before (-1 if none; for FlowMeter.warm). */
  nextFree(i: number): number {
    if (i < this.freeTop) return this.freeList[this.freeTop - 1 - i];
    const s = this.unused + i - this.freeTop;
    return s < this.capacity ? s : NIL;
  }

  /** The hash index entry at hash h's home position (for FlowMeter.warm). */
  indexEntry(h: number): number {
    return this.index[h & this.mask];
  }

  /**
   * For FlowMeter.warm: the slot at hash h's home index entry if its record carries hash h (almost
   * always h's flow; the key is not compared), -1 if that entry is empty (a new flow), else -2.
   */
  homeSlot(h: number): number {
    const e = this.index[h & this.mask];
    if (e === 0) return NIL;
    const s = e - 1;
    return this.rec[s * W + HASH] === h ? s : -2;
  }

  /** Returns the slot holding key k, or -1. */
  find(k: FlowKey): number {
    const index = this.index;
    const mask = this.mask;
    let i = k.hash & mask;
    for (;;) {
      const e = index[i];
      if (e === 0) return NIL;
      const s = e - 1;
      if (this.rec[s * W + HASH] === k.hash && this.matches(s, k)) return s;
      i = (i + 1) & mask;
    }
  }

  private matches(s: number, k: FlowKey): boolean {
    const r = this.rec;
    const o = s * W;
    return (
      r[o + PORTS] === (((k.portA << 16) | k.portB) >>> 0) &&
      (r[o + META] & 0xffff) === (k.version | (k.proto << 8)) &&
      r[o + ADDR_A] === k.a0 >>> 0 && r[o + ADDR_B] === k.b0 >>> 0 &&
      r[o + ADDR_A + 1] === k.a1 >>> 0 && r[o + ADDR_A + 2] === k.a2 >>> 0 && r[o + ADDR_A + 3] === k.a3 >>> 0 &&
      r[o + ADDR_B + 1] === k.b1 >>> 0 && r[o + ADDR_B + 2] === k.b2 >>> 0 && r[o + ADDR_B + 3] === k.b3 >>> 0
    );
  }

  /** Inserts key k (caller checked it is absent and the table is not full); returns its slot. */
  insert(k: FlowKey): number {
    let s: number;
    if (this.freeTop > 0) s = this.freeList[--this.freeTop];
    else if (this.unused < this.capacity) s = this.unused++;
    else throw new Error('flow table full: evict before insert');
    const r = this.rec;
    const o = s * W;
    r[o + HASH] = k.hash;
    r[o + META] = k.version | (k.proto << 8) | LIVE;
    r[o + PORTS] = (k.portA << 16) | k.portB;
    r[o + ADDR_A] = k.a0; r[o + ADDR_A + 1] = k.a1; r[o + ADDR_A + 2] = k.a2; r[o + ADDR_A + 3] = k.a3;
    r[o + ADDR_B] = k.b0; r[o + ADDR_B + 1] = k.b1; r[o + ADDR_B + 2] = k.b2; r[o + ADDR_B + 3] = k.b3;
    r[o + SLOT_AUX] = 0;
    r[o + SLOT_AUX + 1] = 0;
    r[o + SLOT_AUX + 2] = 0;
    // a new flow is the most recently used one: its stamp is the largest, so it stays at the bottom
    this.use(s);
    const key = this.useStamp(s);
    const hp = this.heapSize++;
    this.heapSlot[hp] = s;
    this.heapKey[hp] = key;
    this.heapPos[s] = hp;
    this.siftUp(hp);
    const mask = this.mask;
    let i = k.hash & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = s + 1;
    this.size++;
    return s;
  }

  /** Removes slot s from the index and every list, and returns it to the free list. */
  remove(s: number): void {
    const r = this.rec;
    if ((r[s * W + META] & LIVE) === 0) return;
    const mask = this.mask;
    const index = this.index;
    let i = r[s * W + HASH] & mask;
    while (index[i] !== s + 1) i = (i + 1) & mask;
    // backward-shift deletion keeps probe chains intact without tombstones
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = index[j];
      if (e === 0) break;
      const home = r[(e - 1) * W + HASH] & mask;
      // entry at j may move to i if its home is not in the cyclic range (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        index[i] = e;
        i = j;
      }
    }
    index[i] = 0;
    for (let l = 0; l < LISTS; l++) this.unlink(l, s);
    this.heapRemove(s);
    r[s * W + META] = 0;
    this.freeList[this.freeTop++] = s;
    this.size--;
  }

  // ---- intrusive lists ----

  private getPrev(l: FlowList, s: number): number {
    return this.link[2 * (l * this.capacity + s)];
  }
  private getNext(l: FlowList, s: number): number {
    return this.link[2 * (l * this.capacity + s) + 1];
  }
  private setPrev(l: FlowList, s: number, v: number): void {
    this.link[2 * (l * this.capacity + s)] = v;
  }
  private setNext(l: FlowList, s: number, v: number): void {
    this.link[2 * (l * this.capacity + s) + 1] = v;
  }

  /** Appends s at the tail of list l (moving it if already there). */
  touch(l: FlowList, s: number): void {
    const bit = 1 << (LIST_SHIFT + l);
    const mo = s * W + META;
    if ((this.rec[mo] & bit) !== 0) {
      if (this.tail[l] === s) return;
      this.unlink(l, s);
    }
    const t = this.tail[l];
    this.setPrev(l, s, t);
    this.setNext(l, s, NIL);
    if (t === NIL) this.head[l] = s;
    else this.setNext(l, t, s);
    this.tail[l] = s;
    this.rec[mo] |= bit;
  }

  unlink(l: FlowList, s: number): void {
    const bit = 1 << (LIST_SHIFT + l);
    const mo = s * W + META;
    if ((this.rec[mo] & bit) === 0) return;
    const p = this.getPrev(l, s);
    const n = this.getNext(l, s);
    if (p === NIL) this.head[l] = n;
    else this.setNext(l, p, n);
    if (n === NIL) this.tail[l] = p;
    else this.setPrev(l, n, p);
    this.rec[mo] &= ~bit;
  }

  // ---- least recently used order (lazy; see the comment at the top) ----

  /** Marks slot s as used now (the meter calls this for every packet of the flow). */
  use(s: number): void {
    const o = s * W;
    this.rec[o + USE_LO] = this.useLo;
    this.rec[o + USE_HI] = this.useHi;
    if (this.useLo === 0xffffffff) {
      this.useLo = 0;
      this.useHi++;
    } else {
      this.useLo++;
    }
  }

  private useStamp(s: number): number {
    const o = s * W;
    return this.rec[o + USE_HI] * 4294967296 + this.rec[o + USE_LO];
  }

  /** The least recently used (inserted or use()d) live slot, or -1 when the table is empty. */
  leastRecent(): number {
    const slot = this.heapSlot;
    const key = this.heapKey;
    while (this.heapSize > 0) {
      const s = slot[0];
      const stamp = this.useStamp(s);
      if (stamp === key[0]) return s;
      // used since it was filed: file it again under its current stamp
      key[0] = stamp;
      this.siftDown(0);
    }
    return NIL;
  }

  private heapRemove(s: number): void {
    const i = this.heapPos[s];
    const last = --this.heapSize;
    if (i !== last) {
      const ls = this.heapSlot[last];
      this.heapSlot[i] = ls;
      this.heapKey[i] = this.heapKey[last];
      this.heapPos[ls] = i;
      if (i > 0 && this.heapKey[i] < this.heapKey[(i - 1) >> 1]) this.siftUp(i);
      else this.siftDown(i);
    }
    this.heapPos[s] = NIL;
  }

  /** Moves the entry at heap position i up while its key is below its parent's. */
  private siftUp(i: number): void {
    const slot = this.heapSlot;
    const key = this.heapKey;
    const pos = this.heapPos;
    const s = slot[i];
    const k = key[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key[parent] <= k) break;
      slot[i] = slot[parent];
      key[i] = key[parent];
      pos[slot[i]] = i;
      i = parent;
    }
    slot[i] = s;
    key[i] = k;
    pos[s] = i;
  }

  /** Moves the entry at heap position i down while a child's key is below its own. */
  private siftDown(i: number): void {
    const slot = this.heapSlot;
    const key = this.heapKey;
    const pos = this.heapPos;
    const n = this.heapSize;
    const s = slot[i];
    const k = key[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && key[c + 1] < key[c]) c++;
      if (key[c] >= k) break;
      slot[i] = slot[c];
      key[i] = key[c];
      pos[slot[i]] = i;
      i = c;
    }
    slot[i] = s;
    key[i] = k;
    pos[s] = i;
  }

  /** First slot of list l (oldest), or -1. */
  first(l: FlowList): number {
    return this.head[l];
  }

  /** Visits every live slot (used at shutdown). */
  forEachLive(fn: (slot: number) => void): void {
    // iterate by creation order so output order is deterministic
    let s = this.head[FlowList.AGE];
    while (s !== NIL) {
      const n = this.getNext(FlowList.AGE, s);
      fn(s);
      s = n;
    }
  }
}
