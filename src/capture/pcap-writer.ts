/**
 * Classic pcap output: a streaming file writer (also the basis of a rolling pcap log) and an
 * in-memory encoder for test fixtures. Both write the same bytes through encodeRecordHeader().
 *
 * The writer copies records into one internal buffer and flushes it with fs.writeSync when full,
 * so writing a packet allocates nothing.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';

export const LINKTYPE_ETHERNET = 1;
export const DEFAULT_SNAPLEN = 262144;

export interface PcapFormatOptions {
  /** LINKTYPE_* in the global header (default 1, Ethernet). */
  linkType?: number;
  /** Snapshot length in the global header; longer packets are cut to it (default 262144). */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds (a1b2c3d4). */
  nanosecond?: boolean;
}

export interface PcapWriterOptions extends PcapFormatOptions {
  /** Size of the internal buffer flushed with one writeSync (default 1 MiB). */
  bufferBytes?: number;
}

export interface EncodePcapOptions extends PcapFormatOptions {
  /** Write big-endian (as SPARC/PowerPC captures are) instead of little-endian. */
  bigEndian?: boolean;
}

/** One packet for encodePcap(). */
export interface PcapPacket {
  /** µs since the Unix epoch (a fraction is kept to the ns in nanosecond files). */
  tsUs: number;
  data: Uint8Array;
  /** Original length (default data.length). */
  wireLen?: number;
}

/** Writes the 24-byte global header at `at`. */
function encodeGlobalHeader(dv: DataView, at: number, le: boolean, o: PcapFormatOptions): void {
  dv.setUint32(at, o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(at + 4, 2, le);
  dv.setUint16(at + 6, 4, le);
  dv.setInt32(at + 8, 0, le); // thiszone: always UTC
  dv.setUint32(at + 12, 0, le); // sigfigs
  dv.setUint32(at + 16, o.snaplen ?? DEFAULT_SNAPLEN, le);
  dv.setUint32(at + 20, o.linkType ?? LINKTYPE_ETHERNET, le);
}

/** Writes a 16-byte record header at `at`: tsUs split into whole seconds and µs or ns. */
function encodeRecordHeader(dv: DataView, at: number, le: boolean, nano: boolean, tsUs: number, capLen: number, wireLen: number): void {
  let sec = Math.floor(tsUs / 1e6);
  const unit = nano ? 1e9 : 1e6;
  let frac = Math.round((tsUs - sec * 1e6) * (nano ? 1000 : 1));
  // Rounding can carry into the next second (e.g. 0.9999996 s at µs resolution).
  if (frac >= unit) {
    sec += 1;
    frac -= unit;
  }
  dv.setUint32(at, sec >>> 0, le);
  dv.setUint32(at + 4, frac, le);
  dv.setUint32(at + 8, capLen, le);
  dv.setUint32(at + 12, wireLen, le);
}

/** Streaming pcap file writer (little-endian, host order on every platform we target). */
export class PcapWriter {
  private fd: number;
  private readonly buf: Uint8Array;
  private readonly dv: DataView;
  private used = 0;
  private readonly nano: boolean;
  private readonly snaplen: number;
  /** Packets written so far. */
  packets = 0;
  /** Bytes written so far, including headers (what the file will hold after flush). */
  bytes = 0;

  constructor(
    readonly path: string,
    opts: PcapWriterOptions = {},
  ) {
    this.nano = opts.nanosecond === true;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.buf = new Uint8Array(Math.max(64, opts.bufferBytes ?? 1 << 20));
    this.dv = new DataView(this.buf.buffer);
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new FlowsentryError('FS_ERR_FILE_OPEN', `${path}: ${(e as Error).message}`, { cause: e });
    }
    encodeGlobalHeader(this.dv, 0, true, opts);
    this.used = 24;
    this.bytes = 24;
  }

  /** Appends one packet; `bytes` longer than snaplen is cut (wireLen keeps the full length). */
  writePacket(tsUs: number, bytes: Uint8Array, wireLen: number = bytes.length): void {
    this.writeSlice(tsUs, bytes, 0, bytes.length, wireLen);
  }

  /**
   * Appends `data[offset .. offset+length)` as one packet without creating a subarray: the form a
   * rolling log uses to copy packets straight out of a PacketBatch.
   */
  writeSlice(tsUs: number, data: Uint8Array, offset: number, length: number, wireLen: number = length): void {
    if (this.fd < 0) throw new FlowsentryError('FS_ERR_INTERNAL', `${this.path}: write after close`);
    const capLen = length > this.snaplen ? this.snaplen : length;
    const rec = 16 + capLen;
    if (this.used + rec > this.buf.length) this.flush();
    encodeRecordHeader(this.dv, this.used, true, this.nano, tsUs, capLen, wireLen);
    this.used += 16;
    if (capLen <= this.buf.length - this.used) {
      const buf = this.buf;
      if (capLen <= 128) {
        // A byte loop beats creating a subarray view per small packet (no allocation at all).
        let at = this.used;
        for (let i = offset, e = offset + capLen; i < e; i++) buf[at++] = data[i]!;
      } else {
        buf.set(data.subarray(offset, offset + capLen), this.used);
      }
      this.used += capLen;
    } else {
      // Bigger than the buffer: write header and payload straight through.
      this.flush();
      this.writeAll(data, offset, capLen);
    }
    this.packets++;
    this.bytes += rec;
  }

  /** Writes buffered records to the file. */
  flush(): void {
    if (this.used > 0 && this.fd >= 0) {
      this.writeAll(this.buf, 0, this.used);
      this.used = 0;
    }
  }

  /** Flushes and closes; further writes throw. Safe to call twice. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  private writeAll(data: Uint8Array, offset: number, length: number): void {
    try {
      while (length > 0) {
        const n = writeSync(this.fd, data, offset, length);
        offset += n;
        length -= n;
      }
    } catch (e) {
      throw new FlowsentryError('FS_ERR_FILE_OPEN', `${this.path}: write failed: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Encodes whole pcap files in memory (test fixtures); supports both byte orders and both resolutions. */
export function encodePcap(packets: Iterable<PcapPacket>, opts: EncodePcapOptions = {}): Uint8Array {
  const list = Array.from(packets);
  const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
  let size = 24;
  for (const p of list) size += 16 + Math.min(p.data.length, snaplen);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const le = opts.bigEndian !== true;
  encodeGlobalHeader(dv, 0, le, opts);
  let at = 24;
  for (const p of list) {
    const capLen = Math.min(p.data.length, snaplen);
    encodeRecordHeader(dv, at, le, opts.nanosecond === true, p.tsUs, capLen, p.wireLen ?? p.data.length);
    out.set(p.data.subarray(0, capLen), at + 16);
    at += 16 + capLen;
  }
  return out;
}
