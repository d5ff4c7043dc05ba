/**
 * Bidirectional flow table: fixed capacity, struct-of-arrays, numeric direction-agnostic keys.
 *
 * A flow's key is the unordered pair of endpoints {(ip, port), (ip, port)} plus the IP protocol. The
 * endpoints are stored in canonical order (A = the lexicographically smaller of (address words, port),
 * unsigned), so both directions of a conversation hash to the same slot without any string key. The
 * hash index is open addressing with linear probing and backward-shift deletion (no tombstones), sized
 * at ≥ 2× capacity so probes stay short.
 *
 * Four intrusive doubly-linked lists thread through the slots so that every expiry decision is O(1)
 * at the list head (no scans over the table):
 *   - LRU (by last packet time)      → idle timeout and eviction when full
 *   - AGE (by creation time)         → active timeout
 *   - CLOSED (by TCP close time)     → close delay after FIN/FIN/ACK or RST
 *   - SYN (by creation time)         → SYN timeout of unanswered connection attempts
 * Time only moves forward inside the table (callers pass a monotonic clock), so appending at the tail
 * keeps every list sorted.
 */

const NIL = -1;

export const enum FlowList {
  LRU = 0,
  AGE = 1,
  CLOSED = 2,
  SYN = 3,
}

const LISTS = 4;

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

/**
 * Fills `k` from packet endpoints, ordering them canonically. Words are compared as unsigned.
 */
export function makeKey(
  k: FlowKey, version: number, proto: number,
  s0: number, s1: number, s2: number, s3: number, sport: number,
  d0: number, d1: number, d2: number, d3: number, dport: number,
): void {
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
  // ---- key columns ----
  readonly version: Uint8Array;
  readonly proto: Uint8Array;
  /** Endpoint A address words, 4 per slot. */
  readonly addrA: Uint32Array;
  /** Endpoint B address words, 4 per slot. */
  readonly addrB: Uint32Array;
  readonly portA: Uint16Array;
  readonly portB: Uint16Array;
  readonly hash: Uint32Array;
  /** 1 when live. */
  readonly used: Uint8Array;
  /** Number of live flows. */
  size = 0;

  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly freeList: Int32Array;
  private freeTop: number;
  // list links: [list * capacity + slot]
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly head = new Int32Array(LISTS).fill(NIL);
  private readonly tail = new Int32Array(LISTS).fill(NIL);
  readonly inList: Uint8Array; // bit per list

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 26) {
      throw new RangeError(`flow table capacity must be an integer in [1, 67108864], got ${capacity}`);
    }
    this.capacity = capacity;
    this.version = new Uint8Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.addrA = new Uint32Array(capacity * 4);
    this.addrB = new Uint32Array(capacity * 4);
    this.portA = new Uint16Array(capacity);
    this.portB = new Uint16Array(capacity);
    this.hash = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    let idx = 16;
    while (idx < capacity * 2) idx *= 2;
    this.index = new Int32Array(idx);
    this.mask = idx - 1;
    this.freeList = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeList[i] = capacity - 1 - i; // pop gives 0,1,2...
    this.freeTop = capacity;
    this.prev = new Int32Array(capacity * LISTS).fill(NIL);
    this.next = new Int32Array(capacity * LISTS).fill(NIL);
    this.inList = new Uint8Array(capacity);
  }

  /** Bytes of table state per slot (for the memory budget in the README/bench). */
  static bytesPerSlot(): number {
    // version+proto+used+inList (4) + addrs (32) + ports (4) + hash (4) + free (4) + links (32) + index (≥ 8)
    return 4 + 32 + 4 + 4 + 4 + 8 * LISTS + 8;
  }

  get full(): boolean {
    return this.freeTop === 0;
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
      if (this.hash[s] === k.hash && this.matches(s, k)) return s;
      i = (i + 1) & mask;
    }
  }

  private matches(s: number, k: FlowKey): boolean {
    const o = s * 4;
    const a = this.addrA;
    const b = this.addrB;
    return (
      this.portA[s] === k.portA && this.portB[s] === k.portB && this.proto[s] === k.proto &&
      this.version[s] === k.version &&
      a[o] === k.a0 >>> 0 && b[o] === k.b0 >>> 0 &&
      a[o + 1] === k.a1 >>> 0 && a[o + 2] === k.a2 >>> 0 && a[o + 3] === k.a3 >>> 0 &&
      b[o + 1] === k.b1 >>> 0 && b[o + 2] === k.b2 >>> 0 && b[o + 3] === k.b3 >>> 0
    );
  }

  /** Inserts key k (caller checked it is absent and the table is not full); returns its slot. */
  insert(k: FlowKey): number {
    if (this.freeTop === 0) throw new Error('flow table full: evict before insert');
    const s = this.freeList[--this.freeTop];
    const o = s * 4;
    this.version[s] = k.version;
    this.proto[s] = k.proto;
    this.addrA[o] = k.a0; this.addrA[o + 1] = k.a1; this.addrA[o + 2] = k.a2; this.addrA[o + 3] = k.a3;
    this.addrB[o] = k.b0; this.addrB[o + 1] = k.b1; this.addrB[o + 2] = k.b2; this.addrB[o + 3] = k.b3;
    this.portA[s] = k.portA;
    this.portB[s] = k.portB;
    this.hash[s] = k.hash;
    this.used[s] = 1;
    const mask = this.mask;
    let i = k.hash & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = s + 1;
    this.size++;
    return s;
  }

  /** Removes slot s from the index and every list, and returns it to the free list. */
  remove(s: number): void {
    if (this.used[s] === 0) return;
    const mask = this.mask;
    const index = this.index;
    let i = this.hash[s] & mask;
    while (index[i] !== s + 1) i = (i + 1) & mask;
    // backward-shift deletion keeps probe chains intact without tombstones
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = index[j];
      if (e === 0) break;
      const home = this.hash[e - 1] & mask;
      // entry at j may move to i if its home is not in the cyclic range (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        index[i] = e;
        i = j;
      }
    }
    index[i] = 0;
    for (let l = 0; l < LISTS; l++) if (this.inList[s] & (1 << l)) this.unlink(l, s);
    this.used[s] = 0;
    this.freeList[this.freeTop++] = s;
    this.size--;
  }

  // ---- intrusive lists ----

  /** Appends s at the tail of list l (moving it if already there). */
  touch(l: FlowList, s: number): void {
    if (this.inList[s] & (1 << l)) {
      if (this.tail[l] === s) return;
      this.unlink(l, s);
    }
    const base = l * this.capacity;
    const t = this.tail[l];
    this.prev[base + s] = t;
    this.next[base + s] = NIL;
    if (t === NIL) this.head[l] = s;
    else this.next[base + t] = s;
    this.tail[l] = s;
    this.inList[s] |= 1 << l;
  }

  unlink(l: FlowList, s: number): void {
    if ((this.inList[s] & (1 << l)) === 0) return;
    const base = l * this.capacity;
    const p = this.prev[base + s];
    const n = this.next[base + s];
    if (p === NIL) this.head[l] = n;
    else this.next[base + p] = n;
    if (n === NIL) this.tail[l] = p;
    else this.prev[base + n] = p;
    this.inList[s] &= ~(1 << l);
  }

  /** First slot of list l (oldest), or -1. */
  first(l: FlowList): number {
    return this.head[l];
  }

  /** Visits every live slot (used at shutdown). */
  forEachLive(fn: (slot: number) => void): void {
    // iterate by creation order so output order is deterministic
    const base = FlowList.AGE * this.capacity;
    let s = this.head[FlowList.AGE];
    while (s !== NIL) {
      const n = this.next[base + s];
      fn(s);
      s = n;
    }
  }
}
