/**
 * In-memory pcapng encoder for fixtures: several sections, either byte order, any number of
 * interfaces with their own link type / snaplen / if_tsresol / if_tsoffset, and EPB, SPB and the
 * obsolete Packet Block (OPB), plus arbitrary raw blocks (NRB, ISB, custom) for skip tests.
 * Not a hot path: clarity over speed (BigInt timestamps).
 */

export interface PcapngInterface {
  linkType: number;
  /** 0 = unlimited (default). */
  snaplen?: number;
  /** Raw if_tsresol byte: 0–127 = 10^-n s, 0x80|n = 2^-n s. Omitted = no option (10^-6). */
  tsresol?: number;
  /** if_tsoffset in seconds (signed 64-bit), added to every timestamp. */
  tsoffset?: number;
  /** if_name option (exercises option skipping). */
  name?: string;
}

/** Timestamp as raw ticks of the interface clock, or µs converted with the interface's tsresol. */
export type PcapngTimestamp = { ticks: bigint } | { tsUs: number };

export type PcapngBlock =
  | ({ kind: 'epb'; ifIndex: number; data: Uint8Array; wireLen?: number; comment?: string } & PcapngTimestamp)
  | ({ kind: 'opb'; ifIndex: number; data: Uint8Array; wireLen?: number; drops?: number } & PcapngTimestamp)
  | { kind: 'spb'; data: Uint8Array; wireLen?: number }
  | ({ kind: 'idb' } & PcapngInterface)
  | { kind: 'raw'; blockType: number; body: Uint8Array };

export interface PcapngSection {
  bigEndian?: boolean;
  /** IDBs written right after the SHB, in order (index = interface id). */
  interfaces?: PcapngInterface[];
  /** Blocks after those IDBs; an 'idb' block here adds the next interface id mid-section. */
  blocks: PcapngBlock[];
}

export const PCAPNG_BT = { SHB: 0x0a0d0d0a, IDB: 1, OPB: 2, SPB: 3, NRB: 4, ISB: 5, EPB: 6, DSB: 0x0a, CUSTOM: 0x00000bad } as const;

const enc = new TextEncoder();

/** Growable little byte builder with per-section endianness. */
class Out {
  buf = new Uint8Array(1024);
  dv = new DataView(this.buf.buffer);
  len = 0;
  le = true;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.dv.setUint16(this.len, v, this.le);
    this.len += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.dv.setUint32(this.len, v >>> 0, this.le);
    this.len += 4;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.dv.setBigInt64(this.len, v, this.le);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  pad4(): void {
    while (this.len & 3) this.u8(0);
  }
  /** Option: code, length, value, padding to 32 bits. */
  option(code: number, value: Uint8Array): void {
    this.u16(code);
    this.u16(value.length);
    this.bytes(value);
    this.pad4();
  }
  /** Starts a block; returns its offset for end(). */
  begin(type: number): number {
    const at = this.len;
    this.u32(type);
    this.u32(0); // patched by end()
    return at;
  }
  end(at: number): void {
    const total = this.len - at + 4;
    this.dv.setUint32(at + 4, total, this.le);
    this.u32(total);
  }
}

function unitsPerSecond(tsresol: number | undefined): bigint {
  const r = tsresol ?? 6;
  return r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
}

function ticksOf(ts: PcapngTimestamp, iface: PcapngInterface | undefined): bigint {
  if ('ticks' in ts) return ts.ticks;
  // µs → ticks, less the interface offset; BigInt so ns clocks keep every digit of an integer tsUs.
  const ups = unitsPerSecond(iface?.tsresol);
  const us = BigInt(Math.round(ts.tsUs)) - BigInt(iface?.tsoffset ?? 0) * 1000000n;
  return (us * ups) / 1000000n;
}

function writeIdb(o: Out, i: PcapngInterface): void {
  const at = o.begin(PCAPNG_BT.IDB);
  o.u16(i.linkType);
  o.u16(0);
  o.u32(i.snaplen ?? 0);
  if (i.name !== undefined) o.option(2, enc.encode(i.name));
  if (i.tsresol !== undefined) o.option(9, Uint8Array.of(i.tsresol));
  if (i.tsoffset !== undefined) {
    o.u16(14);
    o.u16(8);
    o.i64(BigInt(i.tsoffset));
  }
  if (i.name !== undefined || i.tsresol !== undefined || i.tsoffset !== undefined) o.u32(0); // opt_endofopt
  o.end(at);
}

function writePacketHeader(o: Out, ticks: bigint): void {
  o.u32(Number(ticks >> 32n));
  o.u32(Number(ticks & 0xffffffffn));
}

export function encodePcapng(sections: PcapngSection[]): Uint8Array {
  const o = new Out();
  for (const s of sections) {
    o.le = s.bigEndian !== true;
    const shb = o.begin(PCAPNG_BT.SHB);
    o.u32(0x1a2b3c4d);
    o.u16(1);
    o.u16(0);
    o.i64(-1n); // section length not specified
    o.end(shb);
    const ifaces: PcapngInterface[] = [];
    for (const i of s.interfaces ?? []) {
      writeIdb(o, i);
      ifaces.push(i);
    }
    for (const b of s.blocks) {
      switch (b.kind) {
        case 'idb':
          writeIdb(o, b);
          ifaces.push(b);
          break;
        case 'epb': {
          const at = o.begin(PCAPNG_BT.EPB);
          o.u32(b.ifIndex);
          writePacketHeader(o, ticksOf(b, ifaces[b.ifIndex]));
          o.u32(b.data.length);
          o.u32(b.wireLen ?? b.data.length);
          o.bytes(b.data);
          o.pad4();
          if (b.comment !== undefined) {
            o.option(1, enc.encode(b.comment));
            o.u32(0);
          }
          o.end(at);
          break;
        }
        case 'opb': {
          const at = o.begin(PCAPNG_BT.OPB);
          o.u16(b.ifIndex);
          o.u16(b.drops ?? 0);
          writePacketHeader(o, ticksOf(b, ifaces[b.ifIndex]));
          o.u32(b.data.length);
          o.u32(b.wireLen ?? b.data.length);
          o.bytes(b.data);
          o.pad4();
          o.end(at);
          break;
        }
        case 'spb': {
          const at = o.begin(PCAPNG_BT.SPB);
          o.u32(b.wireLen ?? b.data.length);
          o.bytes(b.data);
          o.pad4();
          o.end(at);
          break;
        }
        case 'raw': {
          const at = o.begin(b.blockType);
          o.bytes(b.body);
          o.pad4();
          o.end(at);
          break;
        }
      }
    }
  }
  return o.buf.slice(0, o.len);
}
