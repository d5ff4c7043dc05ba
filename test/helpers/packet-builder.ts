/**
 * Test-only frame builder: complete, checksummed frames from an options object.
 *
 * Every field has a default, so the smallest call gives a valid Ethernet/IPv4/TCP SYN:
 *
 *   import { buildFrame, buildFragments, writePcap, linkTypeOf } from '../helpers/packet-builder.js';
 *
 *   // Ethernet / IPv4 / TCP SYN 10.0.0.1:40000 → 10.0.0.2:80 (padded to 60 bytes)
 *   const syn = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, tcp: { sport: 40000, dport: 80, flags: 'S', seq: 100 } });
 *
 *   // Reply with MSS option and 5 payload bytes, in a 802.1Q VLAN 42 inside an 802.1ad tag 7:
 *   const synAck = buildFrame({
 *     vlans: [{ id: 7, tpid: 0x88a8 }, 42],
 *     ip: { src: '10.0.0.2', dst: '10.0.0.1', ttl: 128 },
 *     tcp: { sport: 80, dport: 40000, flags: 'SA', seq: 900, ack: 101, window: 29200, options: [2, 4, 0x05, 0xb4] },
 *     payload: 'hello',
 *   });
 *
 *   // IPv6 / hop-by-hop / UDP over Linux cooked capture v2:
 *   const dns6 = buildFrame({ link: 'sll2', ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::53', ext: [{ type: 0 }] },
 *                             udp: { sport: 5353, dport: 53 }, payload: new Uint8Array(30) });
 *
 *   // ICMP echo request (ICMPv6 is chosen automatically when ip.version is 6):
 *   const ping = buildFrame({ link: 'raw', icmp: { type: 8, code: 0, rest: [0, 1, 0, 1] }, payload: 56 });
 *
 *   // A 3000-byte UDP datagram cut into IPv4 fragments of ≤ 1480 payload bytes:
 *   const frags = buildFragments({ udp: { sport: 1, dport: 2 }, payload: 3000 - 8 }, 1480);
 *
 *   // A pcap fixture (all frames must share the link type):
 *   writeFileSync(file, writePcap([{ frame: syn, tsUs: 1e15 }, { frame: synAck, tsUs: 1e15 + 250 }], linkTypeOf({})));
 *
 * Malformed frames for decoder tests: override any derived field (ip.totalLength, ip.ihl,
 * tcp.dataOffset, ip.proto, ...) and/or cut the result with `frame.subarray(0, n)` (and pass the
 * original length as wireLen). Checksums are always computed over what was built (with the
 * overrides), so "bad checksum" frames need a manual byte flip.
 */
import { parseIp } from '../../src/decode/decode.js';

export type LinkName = 'ethernet' | 'sll' | 'sll2' | 'raw' | 'ipv4' | 'ipv6' | 'null' | 'loop';

/** LINKTYPE_* for each link name (for pcap headers and decodePacket's linkType argument). */
export const LINKTYPE: Readonly<Record<LinkName, number>> = {
  ethernet: 1,
  sll: 113,
  sll2: 276,
  raw: 101,
  ipv4: 228,
  ipv6: 229,
  null: 0,
  loop: 108,
};

export interface VlanTag {
  id: number;
  /** 0x8100 (802.1Q, default), 0x88a8 (802.1ad) or 0x9100. */
  tpid?: number;
  /** Priority code point 0..7. */
  pcp?: number;
}

export interface Ipv4Spec {
  version?: 4;
  src?: string;
  dst?: string;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  /** More-fragments flag. */
  mf?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  /** Option bytes; padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array | number[];
  /** Overrides: header length in bytes written as IHL (÷4), total length, protocol. */
  ihl?: number;
  totalLength?: number;
  proto?: number;
}

export type Ipv6Ext =
  | { type: 0 | 43 | 60 | 135; /** bytes, multiple of 8, ≥ 8 (default 8) */ len?: number }
  | { type: 51; /** bytes, multiple of 4, ≥ 12 (default 12) */ len?: number }
  | { type: 44; /** bytes, multiple of 8 */ offset?: number; more?: boolean; id?: number };

export interface Ipv6Spec {
  version: 6;
  src?: string;
  dst?: string;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Extension headers in order; next-header fields are chained automatically. */
  ext?: Ipv6Ext[];
  /** Overrides: payload length field, next header after the last extension header. */
  payloadLength?: number;
  proto?: number;
}

export interface TcpSpec {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  /** TcpFlag bits (incl. NS 0x100), or letters: F S R P A U E C N (e.g. 'SA', 'FA', 'PA'). Default 'S'. */
  flags?: number | string;
  window?: number;
  urgent?: number;
  /** Option bytes; padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array | number[];
  /** Override: header length in bytes written as data offset (÷4). */
  dataOffset?: number;
}

export interface UdpSpec {
  sport?: number;
  dport?: number;
  /** Override of the UDP length field. */
  length?: number;
}

export interface IcmpSpec {
  type?: number;
  code?: number;
  /** The 4 type-specific bytes (echo id/seq, unused, MTU...). Default zeros. */
  rest?: Uint8Array | number[];
  /** Force ICMPv6 (58) or ICMP (1); default follows the IP version. */
  v6?: boolean;
}

export interface FrameSpec {
  /** Default 'ethernet'. */
  link?: LinkName;
  /** Ethernet MACs ('aa:bb:cc:dd:ee:ff'); SLL/SLL2 use src as the link address. */
  srcMac?: string;
  dstMac?: string;
  /** VLAN tags, outermost first (Ethernet/SLL/SLL2). A number means an 802.1Q tag with that id. */
  vlans?: Array<number | VlanTag>;
  /** MPLS labels, outermost first; the last one gets bottom-of-stack. */
  mpls?: number[];
  /** Carry the IP datagram in a PPPoE session (Ethernet/SLL/SLL2). */
  pppoe?: boolean;
  /** Override the EtherType / SLL protocol (e.g. 0x0806 ARP — then `l3` bytes follow instead of IP). */
  etherType?: number;
  /** BSD NULL: write the family big-endian (default little-endian, as x86 hosts do). */
  nullBigEndian?: boolean;
  /** NULL/LOOP family override (default 2 for IPv4, 30 for IPv6 on NULL, 24 on LOOP). */
  family?: number;
  /** Ethernet: pad to 60 bytes (default true, as a NIC would). */
  pad?: boolean;
  /** Bytes appended after the (padded) frame, e.g. an FCS. */
  trailer?: Uint8Array | number[];
  /** Raw bytes instead of an IP datagram (non-IP EtherTypes, garbage). */
  l3?: Uint8Array | number[];
  /** Default IPv4 10.0.0.1 → 10.0.0.2. */
  ip?: Ipv4Spec | Ipv6Spec;
  /** At most one transport; with none, `payload` follows the IP header(s) directly. */
  tcp?: TcpSpec;
  udp?: UdpSpec;
  icmp?: IcmpSpec;
  /** Bytes, a string (UTF-8) or a count of bytes (filled 0x00, 0x01, ... mod 256). */
  payload?: Uint8Array | number[] | string | number;
}

// ---------------------------------------------------------------------------------------------

/** Builds one complete frame. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  if (spec.l3 !== undefined) return wrapLink(spec, bytes(spec.l3), null);
  const ip = spec.ip ?? {};
  const isV6 = ip.version === 6;
  const { proto, l4 } = buildTransport(spec, isV6);
  const datagram = isV6 ? buildIpv6(ip as Ipv6Spec, proto, l4) : buildIpv4(ip as Ipv4Spec, proto, l4);
  return wrapLink(spec, datagram, isV6 ? 6 : 4);
}

/**
 * Builds the datagram described by `spec` (transport header + payload, checksummed as a whole) and
 * cuts it into fragments carrying at most `maxFragPayload` bytes each (rounded down to a multiple
 * of 8). IPv4 uses the flags/offset fields; IPv6 appends a fragment header to `ip.ext`.
 */
export function buildFragments(spec: FrameSpec, maxFragPayload: number, id = 0x1234): Uint8Array[] {
  const ip = spec.ip ?? {};
  const isV6 = ip.version === 6;
  const { proto, l4 } = buildTransport(spec, isV6);
  const step = maxFragPayload & ~7;
  if (step <= 0) throw new Error('maxFragPayload must be ≥ 8');
  const out: Uint8Array[] = [];
  for (let off = 0; off < l4.length; off += step) {
    const chunk = l4.subarray(off, Math.min(off + step, l4.length));
    const more = off + step < l4.length;
    if (isV6) {
      const v6 = ip as Ipv6Spec;
      const ext: Ipv6Ext[] = [...(v6.ext ?? []), { type: 44, offset: off, more, id }];
      out.push(wrapLink(spec, buildIpv6({ ...v6, ext }, proto, chunk), 6));
    } else {
      const v4 = ip as Ipv4Spec;
      out.push(wrapLink(spec, buildIpv4({ ...v4, id, fragOffset: off, mf: more }, proto, chunk), 4));
    }
  }
  return out;
}

export interface PcapRecord {
  frame: Uint8Array;
  /** µs since the epoch (default: 1 s steps from 2017-07-07). */
  tsUs?: number;
  /** orig_len (default frame.length); larger than frame.length means "cut by snaplen". */
  wireLen?: number;
}

/** Serialises frames as a little-endian µs pcap file. */
export function writePcap(records: PcapRecord[], linkType: number, snaplen = 262144): Uint8Array {
  let size = 24;
  for (const r of records) size += 16 + r.frame.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, snaplen, true);
  dv.setUint32(20, linkType, true);
  let p = 24;
  records.forEach((r, i) => {
    const ts = r.tsUs ?? 1499385600e6 + i * 1e6;
    const sec = Math.floor(ts / 1e6);
    dv.setUint32(p, sec, true);
    dv.setUint32(p + 4, Math.round(ts - sec * 1e6), true);
    dv.setUint32(p + 8, r.frame.length, true);
    dv.setUint32(p + 12, r.wireLen ?? r.frame.length, true);
    out.set(r.frame, p + 16);
    p += 16 + r.frame.length;
  });
  return out;
}

/** LINKTYPE_* a spec is built with. */
export function linkTypeOf(spec: FrameSpec): number {
  return LINKTYPE[spec.link ?? 'ethernet'];
}

/** Parses 'SA'-style flag letters (or passes a number through). */
export function tcpFlags(flags: number | string): number {
  if (typeof flags === 'number') return flags;
  const bits: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128, N: 256 };
  let f = 0;
  for (const ch of flags.toUpperCase()) {
    const b = bits[ch];
    if (b === undefined) throw new Error(`unknown TCP flag letter '${ch}'`);
    f |= b;
  }
  return f;
}

/** Internet checksum (RFC 1071) of `data`, continuing from a partial 32-bit `sum`. */
export function inetChecksum(data: Uint8Array, sum = 0): number {
  let s = sum;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i] << 8) | data[i + 1];
  if (data.length & 1) s += data[data.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

// ---------------------------------------------------------------------------------------------

function bytes(x: Uint8Array | number[] | string | number | undefined): Uint8Array {
  if (x === undefined) return new Uint8Array(0);
  if (typeof x === 'string') return new TextEncoder().encode(x);
  if (typeof x === 'number') {
    const b = new Uint8Array(x);
    for (let i = 0; i < x; i++) b[i] = i & 255;
    return b;
  }
  return x instanceof Uint8Array ? x : Uint8Array.from(x);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  return concat(b, new Uint8Array(4 - (b.length % 4)));
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 255;
  b[o + 1] = v & 255;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 255;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

function addrBytes(text: string, version: 4 | 6): Uint8Array {
  const p = parseIp(text);
  if (p === null || p.version !== version) throw new Error(`not an IPv${version} address: ${text}`);
  const out = new Uint8Array(version === 4 ? 4 : 16);
  for (let i = 0; i < out.length / 4; i++) put32(out, i * 4, p.words[i]);
  return out;
}

function macBytes(text: string): Uint8Array {
  const parts = text.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad MAC ${text}`);
  return Uint8Array.from(parts);
}

function srcAddr(ip: Ipv4Spec | Ipv6Spec, v6: boolean): Uint8Array {
  return v6 ? addrBytes(ip.src ?? '2001:db8::1', 6) : addrBytes(ip.src ?? '10.0.0.1', 4);
}

function dstAddr(ip: Ipv4Spec | Ipv6Spec, v6: boolean): Uint8Array {
  return v6 ? addrBytes(ip.dst ?? '2001:db8::2', 6) : addrBytes(ip.dst ?? '10.0.0.2', 4);
}

/** Pseudo-header sum for TCP/UDP/ICMPv6 checksums (RFC 793 / RFC 8200 §8.1). */
function pseudoSum(src: Uint8Array, dst: Uint8Array, proto: number, len: number): number {
  let s = 0;
  for (const a of [src, dst]) for (let i = 0; i < a.length; i += 2) s += (a[i] << 8) | a[i + 1];
  s += proto;
  s += Math.floor(len / 0x10000) + (len & 0xffff);
  return s;
}

/** Transport header + payload with its checksum, and the protocol number to put in IP. */
function buildTransport(spec: FrameSpec, isV6: boolean): { proto: number; l4: Uint8Array } {
  const ip = spec.ip ?? {};
  const payload = bytes(spec.payload);
  const src = srcAddr(ip, isV6);
  // The checksum uses the final destination; routing headers are not taken into account.
  const dst = dstAddr(ip, isV6);
  let proto: number;
  let l4: Uint8Array;
  let ckOff = -1;
  if (spec.tcp !== undefined) {
    const t = spec.tcp;
    const opts = pad4(bytes(t.options));
    const hl = 20 + opts.length;
    l4 = new Uint8Array(hl + payload.length);
    put16(l4, 0, t.sport ?? 40000);
    put16(l4, 2, t.dport ?? 80);
    put32(l4, 4, t.seq ?? 1000);
    put32(l4, 8, t.ack ?? 0);
    const f = tcpFlags(t.flags ?? 'S');
    l4[12] = (((t.dataOffset ?? hl) >> 2) << 4) | ((f >> 8) & 1);
    l4[13] = f & 255;
    put16(l4, 14, t.window ?? 65535);
    put16(l4, 18, t.urgent ?? 0);
    l4.set(opts, 20);
    l4.set(payload, hl);
    proto = 6;
    ckOff = 16;
  } else if (spec.udp !== undefined) {
    const u = spec.udp;
    l4 = new Uint8Array(8 + payload.length);
    put16(l4, 0, u.sport ?? 40000);
    put16(l4, 2, u.dport ?? 53);
    put16(l4, 4, u.length ?? l4.length);
    l4.set(payload, 8);
    proto = 17;
    ckOff = 6;
  } else if (spec.icmp !== undefined) {
    const c = spec.icmp;
    const v6 = c.v6 ?? isV6;
    l4 = new Uint8Array(8 + payload.length);
    l4[0] = c.type ?? (v6 ? 128 : 8);
    l4[1] = c.code ?? 0;
    l4.set(bytes(c.rest ?? [0, 0, 0, 0]).subarray(0, 4), 4);
    l4.set(payload, 8);
    proto = v6 ? 58 : 1;
    ckOff = 2;
  } else {
    l4 = payload;
    proto = ip.proto ?? 253; // RFC 3692 experimental: "some protocol without ports"
  }
  if (ckOff >= 0) {
    // ICMPv4 has no pseudo header; TCP, UDP and ICMPv6 do.
    const pseudo = proto === 1 ? 0 : pseudoSum(src, dst, proto, l4.length);
    let ck = inetChecksum(l4, pseudo);
    if (proto === 17 && ck === 0) ck = 0xffff; // 0 means "no checksum" for UDP
    put16(l4, ckOff, ck);
  }
  return { proto: ip.proto ?? proto, l4 };
}

function buildIpv4(ip: Ipv4Spec, proto: number, l4: Uint8Array): Uint8Array {
  const opts = pad4(bytes(ip.options));
  const hl = 20 + opts.length;
  const b = new Uint8Array(hl + l4.length);
  b[0] = 0x40 | (((ip.ihl ?? hl) >> 2) & 15);
  b[1] = ip.tos ?? 0;
  put16(b, 2, ip.totalLength ?? b.length);
  put16(b, 4, ip.id ?? 1);
  const fo = ip.fragOffset ?? 0;
  put16(b, 6, (ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | ((fo >> 3) & 0x1fff));
  b[8] = ip.ttl ?? 64;
  b[9] = proto;
  b.set(srcAddr(ip, false), 12);
  b.set(dstAddr(ip, false), 16);
  b.set(opts, 20);
  put16(b, 10, inetChecksum(b.subarray(0, hl)));
  b.set(l4, hl);
  return b;
}

function buildIpv6(ip: Ipv6Spec, proto: number, l4: Uint8Array): Uint8Array {
  const ext = ip.ext ?? [];
  const extBytes: Uint8Array[] = [];
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i];
    const next = i + 1 < ext.length ? ext[i + 1].type : proto;
    let h: Uint8Array;
    if (e.type === 44) {
      h = new Uint8Array(8);
      put16(h, 2, ((e.offset ?? 0) & 0xfff8) | (e.more ? 1 : 0));
      put32(h, 4, e.id ?? 0x1234);
    } else if (e.type === 51) {
      const len = e.len ?? 12;
      h = new Uint8Array(len);
      h[1] = len / 4 - 2;
    } else {
      const len = e.len ?? 8;
      h = new Uint8Array(len);
      h[1] = len / 8 - 1;
      if (len >= 8) {
        // PadN option filling the rest, so the header is well-formed for real parsers.
        h[2] = 1;
        h[3] = len - 4;
      }
    }
    h[0] = next;
    extBytes.push(h);
  }
  const exts = concat(...extBytes);
  const b = new Uint8Array(40 + exts.length + l4.length);
  const tc = ip.trafficClass ?? 0;
  const fl = ip.flowLabel ?? 0;
  put32(b, 0, ((6 << 28) | ((tc & 255) << 20) | (fl & 0xfffff)) >>> 0);
  put16(b, 4, ip.payloadLength ?? exts.length + l4.length);
  b[6] = ext.length > 0 ? ext[0].type : proto;
  b[7] = ip.hopLimit ?? 64;
  b.set(srcAddr(ip, true), 8);
  b.set(dstAddr(ip, true), 24);
  b.set(exts, 40);
  b.set(l4, 40 + exts.length);
  return b;
}

/** Wraps an L3 datagram in the requested link layer (VLAN/MPLS/PPPoE, padding, trailer). */
function wrapLink(spec: FrameSpec, l3: Uint8Array, ipVersion: 4 | 6 | null): Uint8Array {
  const link = spec.link ?? 'ethernet';
  const ipType = ipVersion === 6 ? 0x86dd : 0x0800;
  let inner = l3;
  let etype = spec.etherType ?? ipType;
  if (spec.pppoe) {
    const h = new Uint8Array(8);
    h[0] = 0x11;
    put16(h, 2, 1);
    put16(h, 4, l3.length + 2);
    put16(h, 6, ipVersion === 6 ? 0x0057 : 0x0021);
    inner = concat(h, inner);
    etype = 0x8864;
  }
  if (spec.mpls && spec.mpls.length > 0) {
    const labels = new Uint8Array(4 * spec.mpls.length);
    spec.mpls.forEach((label, i) => {
      const bos = i === spec.mpls!.length - 1 ? 1 : 0;
      put32(labels, i * 4, ((label << 12) | (bos << 8) | 64) >>> 0); // TTL 64
    });
    inner = concat(labels, inner);
    etype = 0x8847;
  }
  const tags = (spec.vlans ?? []).map((t) => (typeof t === 'number' ? { id: t } : t));
  const tagBytes = new Uint8Array(4 * tags.length);
  // Each tag is TPID(2) TCI(2); the EtherType after the last tag is the payload's.
  let outerType = etype;
  for (let i = tags.length - 1; i >= 0; i--) {
    const t = tags[i];
    put16(tagBytes, i * 4, ((t.pcp ?? 0) << 13) | (t.id & 0x0fff));
    put16(tagBytes, i * 4 + 2, outerType);
    outerType = t.tpid ?? 0x8100;
  }
  const src = macBytes(spec.srcMac ?? '02:00:00:00:00:01');
  const dst = macBytes(spec.dstMac ?? '02:00:00:00:00:02');
  let frame: Uint8Array;
  switch (link) {
    case 'ethernet': {
      const h = new Uint8Array(14);
      h.set(dst, 0);
      h.set(src, 6);
      put16(h, 12, outerType);
      frame = concat(h, tagBytes, inner);
      if ((spec.pad ?? true) && frame.length < 60) frame = concat(frame, new Uint8Array(60 - frame.length));
      break;
    }
    case 'sll': {
      const h = new Uint8Array(16);
      put16(h, 0, 0); // LINUX_SLL_HOST
      put16(h, 2, 1); // ARPHRD_ETHER
      put16(h, 4, 6);
      h.set(src, 6);
      put16(h, 14, outerType);
      frame = concat(h, tagBytes, inner);
      break;
    }
    case 'sll2': {
      const h = new Uint8Array(20);
      put16(h, 0, outerType);
      put32(h, 4, 2); // ifindex
      put16(h, 8, 1); // ARPHRD_ETHER
      h[10] = 0;
      h[11] = 6;
      h.set(src, 12);
      frame = concat(h, tagBytes, inner);
      break;
    }
    case 'null':
    case 'loop': {
      const fam = spec.family ?? (ipVersion === 6 ? (link === 'null' ? 30 : 24) : 2);
      const h = new Uint8Array(4);
      if (link === 'loop' || spec.nullBigEndian) put32(h, 0, fam);
      else h[0] = fam;
      frame = concat(h, inner);
      break;
    }
    case 'raw':
    case 'ipv4':
    case 'ipv6':
      frame = inner;
      break;
  }
  if (spec.trailer !== undefined) frame = concat(frame, bytes(spec.trailer));
  return frame;
}
