/**
 * The finished-connection ring both window feature groups read: one fixed-size struct-of-arrays ring
 * in emission order (the order the meter ends connections). No per-connection objects; memory is
 * `capacity × 26` bytes whatever the traffic.
 */

/** err bits */
export const ERR_S = 1;
export const ERR_R = 2;

export class ConnRing {
  readonly capacity: number;
  /** Connection end time: last packet timestamp (µs) — the time the 2 s window compares. */
  readonly t: Float64Array;
  /** Meter clock when the record was emitted (µs) — monotonic, bounds the backwards scan. */
  readonly emit: Float64Array;
  /** Destination host: IPv4 address, or a 32-bit hash of the IPv6 address (with `hostV` = 6). */
  readonly host: Uint32Array;
  readonly hostV: Uint8Array;
  readonly service: Uint8Array;
  /** ERR_S (SYN error) / ERR_R (REJ) bits. */
  readonly err: Uint8Array;
  readonly srcPort: Uint16Array;
  /** Index of the next write; entries are at head-1, head-2, ... (mod capacity). */
  private head = 0;
  size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.t = new Float64Array(capacity);
    this.emit = new Float64Array(capacity);
    this.host = new Uint32Array(capacity);
    this.hostV = new Uint8Array(capacity);
    this.service = new Uint8Array(capacity);
    this.err = new Uint8Array(capacity);
    this.srcPort = new Uint16Array(capacity);
  }

  push(t: number, emit: number, hostV: number, host: number, service: number, err: number, srcPort: number): void {
    const i = this.head;
    this.t[i] = t;
    this.emit[i] = emit;
    this.hostV[i] = hostV;
    this.host[i] = host;
    this.service[i] = service;
    this.err[i] = err;
    this.srcPort[i] = srcPort;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** Physical index of the k-th newest entry (k = 0 is the newest); k < size. */
  at(k: number): number {
    let i = this.head - 1 - k;
    if (i < 0) i += this.capacity;
    return i;
  }
}

/** Rates are printed with 2 decimals in the data; the model was trained on those values. */
export function rate2(num: number, den: number): number {
  return den === 0 ? 0 : Math.round((num / den) * 100) / 100;
}
