/**
 * Per-packet helpers of the basic features (1–9) that need more than a counter: the IP fragment
 * checks behind wrong_fragment, and a 32-bit destination-host key for the windows.
 */
import type { PacketView } from '../../decode/packet-view.js';

/**
 * 32-bit key of an address: the IPv4 address itself, or a mix of the four IPv6 words (the windows
 * compare it together with the IP version; a 32-bit collision between two IPv6 hosts only merges
 * their window counts).
 */
export function hostKey(version: number, w0: number, w1: number, w2: number, w3: number): number {
  if (version !== 6) return w0 >>> 0;
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w3, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Largest IP datagram: a reassembled fragment train past this is the ping-of-death condition. */
const MAX_DATAGRAM = 65535;
/** Fragments of one datagram further apart than this start a new train (Linux ipfrag_time: 30 s). */
const FRAG_TRAIN_US = 30e6;

/**
 * Recent fragment trains keyed by (src, dst, proto, IP id) in a direct-mapped table (typed arrays,
 * fixed size; a collision simply replaces the older train). The first fragment of a UDP/TCP datagram
 * lands in the 5-tuple flow while the others (no ports) land in a port-0 flow, so overlap must be
 * tracked per datagram, not per flow.
 *
 * Each train keeps the hull [lo, hi) of the bytes seen; a fragment overlapping the hull is "wrong".
 * In-order and reversed trains never overlap their hull; only a train reordered in the middle
 * (3+ fragments) can false-positive — rare, and documented.
 */
export class FragmentTracker {
  private readonly mask: number;
  private readonly src: Uint32Array;
  private readonly dst: Uint32Array;
  private readonly id: Uint32Array;
  private readonly proto: Uint8Array;
  private readonly used: Uint8Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly ts: Float64Array;

  constructor(slotsLog2 = 12) {
    const n = 1 << slotsLog2;
    this.mask = n - 1;
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.id = new Uint32Array(n);
    this.proto = new Uint8Array(n);
    this.used = new Uint8Array(n);
    this.lo = new Float64Array(n);
    this.hi = new Float64Array(n);
    this.ts = new Float64Array(n);
  }

  /** Number of wrong-fragment conditions this packet (a fragment) shows: 0 or 1. */
  check(p: PacketView): number {
    const fragLen = p.ipTotalLen - p.ipHdrLen;
    const start = p.fragOffset;
    const end = start + fragLen;
    let wrong = 0;
    // oversize (ping of death) and a non-last fragment whose length breaks the 8-byte unit
    if (p.ipHdrLen + end > MAX_DATAGRAM) wrong = 1;
    else if (p.moreFragments === 1 && (fragLen & 7) !== 0) wrong = 1;
    const src = p.ipVersion === 6 ? hostKey(6, p.src0, p.src1, p.src2, p.src3) : p.src0 >>> 0;
    const dst = p.ipVersion === 6 ? hostKey(6, p.dst0, p.dst1, p.dst2, p.dst3) : p.dst0 >>> 0;
    const id = p.ipId >>> 0;
    let h = Math.imul(src ^ Math.imul(dst, 0x9e3779b1) ^ Math.imul(p.ipId | 0, 0x85ebca6b), 0xc2b2ae35);
    h = (h ^ (h >>> 15)) & this.mask;
    if (this.used[h] === 1 && this.id[h] === id && this.proto[h] === p.proto && this.src[h] === src && this.dst[h] === dst && p.tsUs - this.ts[h] <= FRAG_TRAIN_US) {
      if (start < this.hi[h] && end > this.lo[h]) wrong = 1;
      if (start < this.lo[h]) this.lo[h] = start;
      if (end > this.hi[h]) this.hi[h] = end;
    } else {
      this.used[h] = 1;
      this.id[h] = id;
      this.proto[h] = p.proto;
      this.src[h] = src;
      this.dst[h] = dst;
      this.lo[h] = start;
      this.hi[h] = end;
    }
    this.ts[h] = p.tsUs;
    return wrong;
  }
}
