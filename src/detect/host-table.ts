/**
 * Bounded table of IP hosts for the host-level detectors: open addressing over typed arrays, keyed by
 * (IP version, four address words). It never deletes and never grows: when a key is absent and the
 * probe window (maxProbe slots) holds no free slot, the least recently seen host in the window is
 * replaced. So memory is fixed, a lookup is O(maxProbe) worst case, and a flood of spoofed sources can
 * only push out hosts that have been quiet the longest (counted in `replacements`).
 */

import { fmix, mix } from '../flow/table.js';

export { fmix };

export function hashAddr(version: number, w0: number, w1: number, w2: number, w3: number, seed: number): number {
  let h = mix(seed ^ version, w0);
  if (version === 6) {
    h = mix(h, w1);
    h = mix(h, w2);
    h = mix(h, w3);
  }
  return fmix(h);
}

export class HostTable {
  readonly capacity: number;
  private readonly mask: number;
  readonly used: Uint8Array;
  readonly version: Uint8Array;
  /** Address words, 4 per slot (unsigned: decoders may hand over signed or unsigned words). */
  readonly addr: Uint32Array;
  readonly lastSeen: Float64Array;
  /** Hosts pushed out to make room. */
  replacements = 0;
  size = 0;
  /** Called when a slot gets a new host (fresh or replaced): the owner clears its per-host state. */
  onReset: (slot: number) => void = () => {};

  constructor(capacity: number, private readonly maxProbe = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.capacity = cap;
    this.mask = cap - 1;
    this.used = new Uint8Array(cap);
    this.version = new Uint8Array(cap);
    this.addr = new Uint32Array(cap * 4);
    this.lastSeen = new Float64Array(cap);
  }

  /**
   * Slot of the host, inserting it if absent. `protect` is a slot that must not be replaced (the other
   * endpoint of the same packet, looked up just before).
   */
  lookup(version: number, w0: number, w1: number, w2: number, w3: number, now: number, protect: number): number {
    const a = this.addr;
    w0 >>>= 0;
    w1 >>>= 0;
    w2 >>>= 0;
    w3 >>>= 0;
    let i = hashAddr(version, w0, w1, w2, w3, 0x2545f491) & this.mask;
    let victim = -1;
    let victimSeen = Infinity;
    for (let p = 0; p < this.maxProbe; p++, i = (i + 1) & this.mask) {
      if (this.used[i] === 0) {
        this.used[i] = 1;
        this.size++;
        return this.claim(i, version, w0, w1, w2, w3, now);
      }
      const o = i * 4;
      if (this.version[i] === version && a[o] === w0 && a[o + 1] === w1 && a[o + 2] === w2 && a[o + 3] === w3) {
        this.lastSeen[i] = now;
        return i;
      }
      if (i !== protect && this.lastSeen[i] < victimSeen) {
        victimSeen = this.lastSeen[i];
        victim = i;
      }
    }
    this.replacements++;
    return this.claim(victim, version, w0, w1, w2, w3, now);
  }

  private claim(i: number, version: number, w0: number, w1: number, w2: number, w3: number, now: number): number {
    const o = i * 4;
    this.version[i] = version;
    this.addr[o] = w0;
    this.addr[o + 1] = w1;
    this.addr[o + 2] = w2;
    this.addr[o + 3] = w3;
    this.lastSeen[i] = now;
    this.onReset(i);
    return i;
  }
}
