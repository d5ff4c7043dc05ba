/**
 * Packet decoder: link layer → IPv4/IPv6 (+ extension headers) → TCP/UDP/ICMP/ICMPv6, into the one
 * reused PacketView. Hot path: called once per captured packet, so it
 *   - never throws and never allocates (no subarray/DataView/objects — bytes are combined with
 *     shifts, and every helper takes and returns plain numbers),
 *   - bounds-checks every read against the captured length (`end`), so any byte string is safe,
 *   - takes lengths from the headers, not from the capture, so snaplen-cut packets keep their true
 *     sizes (ipTotalLen, payloadLen) as long as the headers themselves were captured.
 * Decisions that are not forced by the RFCs are listed in docs/decode.md.
 */
import { type PacketView } from './packet-view.js';
import { Decode, type DecodeStatus } from './reasons.js';

/** libpcap LINKTYPE_* values the decoder understands. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as numbered on most BSDs / Linux before LINKTYPE_RAW existed. */
  RAW_12: 12,
  /** DLT_RAW as numbered on OpenBSD. */
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Stacked 802.1Q/802.1ad tags accepted; one more is the too_many_vlan_tags weird. */
export const MAX_VLAN_TAGS = 4;
/** IPv6 extension headers accepted before the transport header; more is a weird. */
export const MAX_IPV6_EXT_HEADERS = 8;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ETH_MPLS_UC = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_PPPOE_SESSION = 0x8864;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * Decodes one captured frame into `v`. Returns Decode.OK, or the ignored/weird reason; on a non-OK
 * status the fields decoded so far stay filled (useful for debugging) but must not be used as a flow.
 *
 * @param data    buffer holding the frame (a batch buffer)
 * @param offset  offset of the frame's first byte in `data`
 * @param capLen  captured bytes
 * @param wireLen bytes on the wire (pcap orig_len)
 */
export function decodePacket(
  v: PacketView,
  data: Uint8Array,
  offset: number,
  capLen: number,
  wireLen: number,
  linkType: number,
  tsUs: number,
): DecodeStatus {
  v.tsUs = tsUs;
  return decodeFrame(v, data, offset, capLen, wireLen, linkType);
}

/**
 * decodePacket() for a caller that has already set `v.tsUs`. The packet loop uses this: a timestamp
 * (~1.7e15 µs, not a small integer) passed as an argument to a call V8 does not inline is boxed into a
 * new heap number, one allocation per packet.
 */
export function decodeFrame(v: PacketView, data: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number): DecodeStatus {
  if (linkType === LinkType.ETHERNET && decodeEthIpv4Fast(v, data, offset, capLen, wireLen)) return Decode.OK;
  return decodeGeneral(v, data, offset, capLen, wireLen, linkType);
}

/**
 * The common case in one straight function: Ethernet, untagged IPv4 without options, not a fragment,
 * a whole TCP or UDP header captured, total length set. Fills every field of `v` exactly as
 * decodePacketGeneral() would and returns true; returns false (having written nothing the general
 * path does not overwrite) for anything else.
 *
 * Why: the general path is four calls (link, EtherType, IPv4, transport) with a check at each step
 * and a clear of all 40 fields first, ~800 instructions per packet, the largest share of decoding;
 * this is about a quarter of that. test/unit/decode/fast-path.test.ts compares the two on every
 * field for valid, mutated and cut frames.
 */
function decodeEthIpv4Fast(v: PacketView, d: Uint8Array, offset: number, capLen: number, wireLen: number): boolean {
  const p = offset + 14;
  if (offset + capLen > d.length || capLen < 42) return false;
  // EtherType 0x0800, version 4 with a 20-byte header
  if (d[offset + 12] !== 0x08 || d[offset + 13] !== 0x00 || d[p] !== 0x45) return false;
  const total = (d[p + 2] << 8) | d[p + 3];
  // no fragment bits (MF, offset; DF may be set), a total length that holds the header
  if (((d[p + 6] & 0x3f) | d[p + 7]) !== 0 || total < 20) return false;
  const proto = d[p + 9];
  const q = p + 20;
  const ipPayload = total - 20;
  let hl: number;
  if (proto === 6) {
    if (ipPayload < 20 || capLen < 54) return false;
    hl = (d[q + 12] >> 4) << 2;
    if (hl < 20 || hl > ipPayload) return false;
  } else if (proto === 17) {
    if (ipPayload < 8) return false;
    hl = 8;
  } else {
    return false;
  }
  v.capLen = capLen;
  v.wireLen = wireLen;
  v.linkType = LinkType.ETHERNET;
  v.frameOffset = offset;
  v.l2Len = 14;
  v.vlanId = 0;
  v.isEthernet = 1;
  v.ipVersion = 4;
  v.ipOffset = p;
  v.ipHdrLen = 20;
  v.ipTotalLen = total;
  v.ttl = d[p + 8];
  v.ipId = (d[p + 4] << 8) | d[p + 5];
  v.src0 = ((d[p + 12] << 24) | (d[p + 13] << 16) | (d[p + 14] << 8) | d[p + 15]) >>> 0;
  v.src1 = 0;
  v.src2 = 0;
  v.src3 = 0;
  v.dst0 = ((d[p + 16] << 24) | (d[p + 17] << 16) | (d[p + 18] << 8) | d[p + 19]) >>> 0;
  v.dst1 = 0;
  v.dst2 = 0;
  v.dst3 = 0;
  v.proto = proto;
  v.isFragment = 0;
  v.fragOffset = 0;
  v.moreFragments = 0;
  v.l4Offset = q;
  v.hasL4 = 1;
  v.l4HdrLen = hl;
  v.srcPort = (d[q] << 8) | d[q + 1];
  v.dstPort = (d[q + 2] << 8) | d[q + 3];
  if (proto === 6) {
    v.tcpFlags = d[q + 13] | ((d[q + 12] & 1) << 8);
    v.tcpWindow = (d[q + 14] << 8) | d[q + 15];
    v.tcpSeq = ((d[q + 4] << 24) | (d[q + 5] << 16) | (d[q + 6] << 8) | d[q + 7]) >>> 0;
    v.tcpAck = ((d[q + 8] << 24) | (d[q + 9] << 16) | (d[q + 10] << 8) | d[q + 11]) >>> 0;
  } else {
    v.tcpFlags = 0;
    v.tcpWindow = 0;
    v.tcpSeq = 0;
    v.tcpAck = 0;
  }
  v.icmpType = 0;
  v.icmpCode = 0;
  v.payloadLen = ipPayload - hl;
  v.trailerLen = trailer(wireLen, 14, total);
  return true;
}

/** decodePacket() without its fast path: every link type and header (tests compare the two). */
export function decodePacketGeneral(v: PacketView, data: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number, tsUs: number): DecodeStatus {
  v.tsUs = tsUs;
  return decodeGeneral(v, data, offset, capLen, wireLen, linkType);
}

function decodeGeneral(v: PacketView, data: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number): DecodeStatus {
  v.capLen = capLen;
  v.wireLen = wireLen;
  v.linkType = linkType;
  v.frameOffset = offset;
  clearView(v);

  if (capLen <= 0) return Decode.EMPTY_FRAME;
  // Never trust capLen beyond the buffer: a lying record must not make us read out of bounds.
  let end = offset + capLen;
  if (end > data.length) end = data.length;
  if (offset >= end) return Decode.EMPTY_FRAME;
  const avail = end - offset;

  switch (linkType) {
    case LinkType.ETHERNET: {
      v.isEthernet = 1;
      if (avail < 14) return Decode.TRUNCATED_LINK_HEADER;
      const etype = (data[offset + 12] << 8) | data[offset + 13];
      return decodeEtherType(v, data, offset, offset + 14, end, etype, wireLen, false);
    }
    case LinkType.LINUX_SLL: {
      // pkttype(2) arphrd(2) addrlen(2) addr(8) protocol(2)
      if (avail < 16) return Decode.TRUNCATED_LINK_HEADER;
      const etype = (data[offset + 14] << 8) | data[offset + 15];
      return decodeEtherType(v, data, offset, offset + 16, end, etype, wireLen, false);
    }
    case LinkType.LINUX_SLL2: {
      // protocol(2) reserved(2) ifindex(4) arphrd(2) pkttype(1) addrlen(1) addr(8)
      if (avail < 20) return Decode.TRUNCATED_LINK_HEADER;
      const etype = (data[offset] << 8) | data[offset + 1];
      return decodeEtherType(v, data, offset, offset + 20, end, etype, wireLen, false);
    }
    case LinkType.RAW:
    case LinkType.RAW_12:
    case LinkType.RAW_14: {
      // No link header: the version nibble is the only protocol indicator, so a bad nibble is a
      // malformed IP header (weird), not a non-IP protocol.
      const ver = data[offset] >> 4;
      if (ver === 4) return decodeIpv4(v, data, offset, offset, end, wireLen);
      if (ver === 6) return decodeIpv6(v, data, offset, offset, end, wireLen);
      return Decode.BAD_IP_VERSION;
    }
    case LinkType.IPV4:
      return decodeIpv4(v, data, offset, offset, end, wireLen);
    case LinkType.IPV6:
      return decodeIpv6(v, data, offset, offset, end, wireLen);
    case LinkType.NULL: {
      // 4-byte address family in the *capturing host's* byte order, which the file does not record:
      // accept both orders (the values 2/24/28/30 cannot be confused across orders).
      if (avail < 4) return Decode.TRUNCATED_LINK_HEADER;
      const b0 = data[offset];
      const b1 = data[offset + 1];
      const b2 = data[offset + 2];
      const b3 = data[offset + 3];
      let fam = -1;
      if (b1 === 0 && b2 === 0 && b3 === 0) fam = b0; // little-endian
      else if (b0 === 0 && b1 === 0 && b2 === 0) fam = b3; // big-endian
      return decodeFamily(v, data, offset, end, fam, wireLen);
    }
    case LinkType.LOOP: {
      // OpenBSD loopback: the family is always in network byte order.
      if (avail < 4) return Decode.TRUNCATED_LINK_HEADER;
      const fam =
        data[offset] === 0 && data[offset + 1] === 0 && data[offset + 2] === 0 ? data[offset + 3] : -1;
      return decodeFamily(v, data, offset, end, fam, wireLen);
    }
    default:
      return Decode.UNSUPPORTED_LINK_TYPE;
  }
}

/** Resets every decoded field, so nothing from the previous packet leaks into this one. */
function clearView(v: PacketView): void {
  v.l2Len = 0;
  v.vlanId = 0;
  v.isEthernet = 0;
  v.ipVersion = 0;
  v.ipOffset = 0;
  v.ipHdrLen = 0;
  v.ipTotalLen = 0;
  v.ttl = 0;
  v.ipId = 0;
  v.src0 = 0;
  v.src1 = 0;
  v.src2 = 0;
  v.src3 = 0;
  v.dst0 = 0;
  v.dst1 = 0;
  v.dst2 = 0;
  v.dst3 = 0;
  v.proto = 0;
  v.isFragment = 0;
  v.fragOffset = 0;
  v.moreFragments = 0;
  v.l4Offset = 0;
  v.hasL4 = 0;
  v.l4HdrLen = 0;
  v.srcPort = 0;
  v.dstPort = 0;
  v.tcpFlags = 0;
  v.tcpWindow = 0;
  v.tcpSeq = 0;
  v.tcpAck = 0;
  v.icmpType = 0;
  v.icmpCode = 0;
  v.payloadLen = 0;
  v.trailerLen = 0;
}

/** BSD NULL / LOOP address family → IP decoder. */
function decodeFamily(
  v: PacketView,
  d: Uint8Array,
  frame: number,
  end: number,
  fam: number,
  wireLen: number,
): DecodeStatus {
  // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
  if (fam === 2) return decodeIpv4(v, d, frame, frame + 4, end, wireLen);
  if (fam === 24 || fam === 28 || fam === 30) return decodeIpv6(v, d, frame, frame + 4, end, wireLen);
  return Decode.NON_IP_LINK_PROTOCOL;
}

/**
 * Ethernet-style payload dispatch, shared by Ethernet, SLL and SLL2 (their protocol field is an
 * EtherType): VLAN tag stack, then MPLS label stack or PPPoE session, then IPv4/IPv6. MPLS may
 * carry one Ethernet-over-MPLS pseudowire level (`inPseudowire` stops further nesting).
 * `p` points just after the EtherType that has already been read into `etype`.
 */
function decodeEtherType(
  v: PacketView,
  d: Uint8Array,
  frame: number,
  p: number,
  end: number,
  etype: number,
  wireLen: number,
  inPseudowire: boolean,
): DecodeStatus {
  let tags = 0;
  while (etype === ETH_VLAN || etype === ETH_QINQ || etype === ETH_QINQ_OLD) {
    if (tags === MAX_VLAN_TAGS) return Decode.TOO_MANY_VLAN_TAGS;
    if (end - p < 4) return Decode.TRUNCATED_LINK_HEADER;
    // Outermost tag only: for QinQ that is the service tag, which is what identifies the segment.
    // (Inside a pseudowire, a tag counts only if the outer frame had none.)
    if (tags === 0 && v.vlanId === 0) v.vlanId = ((d[p] & 0x0f) << 8) | d[p + 1];
    etype = (d[p + 2] << 8) | d[p + 3];
    p += 4;
    tags++;
  }
  if (etype === ETH_IPV4) return decodeIpv4(v, d, frame, p, end, wireLen);
  if (etype === ETH_IPV6) return decodeIpv6(v, d, frame, p, end, wireLen);
  if (etype === ETH_MPLS_UC || etype === ETH_MPLS_MC) {
    // Labels are 4 bytes; bit 0 of the third byte marks the bottom of the stack. The loop is
    // bounded by the captured bytes, so no separate label cap is needed for safety.
    for (;;) {
      if (end - p < 4) return Decode.TRUNCATED_LINK_HEADER;
      const bos = d[p + 2] & 1;
      p += 4;
      if (bos !== 0) break;
    }
    // MPLS does not say what it carries: IP is recognised by its version nibble. Nibble 0 is a
    // pseudowire control word (RFC 4385); we take it to be followed by an Ethernet frame
    // (Ethernet-over-MPLS, as in tcpreplay's test.pcap) and decode one such level. Anything else
    // is well-formed non-IP → ignored.
    if (p >= end) return Decode.TRUNCATED_IP_HEADER;
    const ver = d[p] >> 4;
    if (ver === 4) return decodeIpv4(v, d, frame, p, end, wireLen);
    if (ver === 6) return decodeIpv6(v, d, frame, p, end, wireLen);
    if (ver === 0 && !inPseudowire && end - p >= 4 + 14) {
      const innerType = (d[p + 16] << 8) | d[p + 17];
      return decodeEtherType(v, d, frame, p + 18, end, innerType, wireLen, true);
    }
    return Decode.NON_IP_ETHERTYPE;
  }
  if (etype === ETH_PPPOE_SESSION) {
    // ver/type(1) code(1) session(2) length(2) PPP protocol(2)
    if (end - p < 8) return Decode.TRUNCATED_LINK_HEADER;
    const ppp = (d[p + 6] << 8) | d[p + 7];
    if (ppp === PPP_IPV4) return decodeIpv4(v, d, frame, p + 8, end, wireLen);
    if (ppp === PPP_IPV6) return decodeIpv6(v, d, frame, p + 8, end, wireLen);
    return Decode.NON_IP_ETHERTYPE;
  }
  return Decode.NON_IP_ETHERTYPE;
}

/** Trailer after the IP datagram; negative (datagram claims more than the wire) clamps to 0. */
function trailer(wireLen: number, l2Len: number, total: number): number {
  const t = wireLen - l2Len - total;
  return t > 0 ? t : 0;
}

function decodeIpv4(
  v: PacketView,
  d: Uint8Array,
  frame: number,
  p: number,
  end: number,
  wireLen: number,
): DecodeStatus {
  const l2Len = p - frame;
  v.l2Len = l2Len;
  v.ipOffset = p;
  const avail = end - p;
  if (avail < 1) return Decode.TRUNCATED_IP_HEADER;
  const b0 = d[p];
  if (b0 >> 4 !== 4) return Decode.BAD_IP_VERSION;
  if (avail < 20) return Decode.TRUNCATED_IP_HEADER;
  const hl = (b0 & 0x0f) << 2;
  if (hl < 20 || hl > avail) return Decode.BAD_IPV4_HEADER_LENGTH;
  let total = (d[p + 2] << 8) | d[p + 3];
  // Total length 0: captured on the sending host before TCP segmentation offload filled it in.
  // The wire length is the only size left.
  if (total === 0) total = wireLen - l2Len;
  if (total < hl) return Decode.BAD_IP_TOTAL_LENGTH;

  v.ipVersion = 4;
  v.ipHdrLen = hl;
  v.ipTotalLen = total;
  v.ipId = (d[p + 4] << 8) | d[p + 5];
  v.ttl = d[p + 8];
  const proto = d[p + 9];
  v.proto = proto;
  v.src0 = ((d[p + 12] << 24) | (d[p + 13] << 16) | (d[p + 14] << 8) | d[p + 15]) >>> 0;
  v.dst0 = ((d[p + 16] << 24) | (d[p + 17] << 16) | (d[p + 18] << 8) | d[p + 19]) >>> 0;
  v.trailerLen = trailer(wireLen, l2Len, total);

  const ff = (d[p + 6] << 8) | d[p + 7];
  const fragOff = (ff & 0x1fff) << 3;
  const mf = (ff >> 13) & 1;
  if (fragOff !== 0 || mf !== 0) {
    v.isFragment = 1;
    v.fragOffset = fragOff;
    v.moreFragments = mf;
    // Non-first fragments carry no transport header: everything after the IP header is payload.
    if (fragOff !== 0) {
      v.payloadLen = total - hl;
      return Decode.OK;
    }
  }
  return decodeL4(v, d, p + hl, end, proto, total - hl);
}

function decodeIpv6(
  v: PacketView,
  d: Uint8Array,
  frame: number,
  p: number,
  end: number,
  wireLen: number,
): DecodeStatus {
  const l2Len = p - frame;
  v.l2Len = l2Len;
  v.ipOffset = p;
  const avail = end - p;
  if (avail < 1) return Decode.TRUNCATED_IP_HEADER;
  if (d[p] >> 4 !== 6) return Decode.BAD_IP_VERSION;
  if (avail < 40) return Decode.TRUNCATED_IP_HEADER;
  const plen = (d[p + 4] << 8) | d[p + 5];
  // Payload length 0: a jumbogram (RFC 2675) or a TSO/BIG-TCP capture, where the wire length is
  // the truth — unless the next header is No Next Header (59): then the packet really is empty and
  // anything after it on the wire is link padding.
  const total = plen === 0 && d[p + 6] !== 59 ? wireLen - l2Len : 40 + plen;
  if (total < 40) return Decode.BAD_IP_TOTAL_LENGTH;

  v.ipVersion = 6;
  v.ipTotalLen = total;
  v.ttl = d[p + 7];
  v.src0 = ((d[p + 8] << 24) | (d[p + 9] << 16) | (d[p + 10] << 8) | d[p + 11]) >>> 0;
  v.src1 = ((d[p + 12] << 24) | (d[p + 13] << 16) | (d[p + 14] << 8) | d[p + 15]) >>> 0;
  v.src2 = ((d[p + 16] << 24) | (d[p + 17] << 16) | (d[p + 18] << 8) | d[p + 19]) >>> 0;
  v.src3 = ((d[p + 20] << 24) | (d[p + 21] << 16) | (d[p + 22] << 8) | d[p + 23]) >>> 0;
  v.dst0 = ((d[p + 24] << 24) | (d[p + 25] << 16) | (d[p + 26] << 8) | d[p + 27]) >>> 0;
  v.dst1 = ((d[p + 28] << 24) | (d[p + 29] << 16) | (d[p + 30] << 8) | d[p + 31]) >>> 0;
  v.dst2 = ((d[p + 32] << 24) | (d[p + 33] << 16) | (d[p + 34] << 8) | d[p + 35]) >>> 0;
  v.dst3 = ((d[p + 36] << 24) | (d[p + 37] << 16) | (d[p + 38] << 8) | d[p + 39]) >>> 0;
  v.trailerLen = trailer(wireLen, l2Len, total);

  let nh = d[p + 6];
  let q = p + 40;
  let count = 0;
  let nonFirstFragment = false;
  // Walk the extension header chain. ESP (50) and No Next Header (59) are not walked: nothing
  // after them is readable, so they end up as the "protocol" with no L4.
  while (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 51 || nh === 44) {
    if (count === MAX_IPV6_EXT_HEADERS) {
      v.ipHdrLen = q - p;
      v.proto = nh;
      return Decode.IPV6_EXT_HEADER_CHAIN_TOO_LONG;
    }
    count++;
    // Every extension header is at least 8 bytes; we need all of it to find the next one.
    if (end - q < 8) {
      v.ipHdrLen = q - p;
      v.proto = nh;
      return Decode.IPV6_EXT_HEADER_TRUNCATED;
    }
    const next = d[q];
    let len: number;
    if (nh === 44) {
      len = 8;
      const fo = ((d[q + 2] << 8) | d[q + 3]) & 0xfff8; // 13-bit offset in 8-byte units = bytes
      const m = d[q + 3] & 1;
      v.ipId = ((d[q + 4] << 24) | (d[q + 5] << 16) | (d[q + 6] << 8) | d[q + 7]) >>> 0;
      // An "atomic fragment" (offset 0, M 0; RFC 6946) is a whole datagram: not a fragment.
      if (fo !== 0 || m !== 0) {
        v.isFragment = 1;
        v.fragOffset = fo;
        v.moreFragments = m;
      }
      nonFirstFragment = fo !== 0;
    } else if (nh === 51) {
      len = (d[q + 1] + 2) << 2; // AH: payload length in 4-byte units, minus 2
    } else {
      len = (d[q + 1] + 1) << 3; // hop-by-hop, routing, destination options, mobility
    }
    if (end - q < len) {
      v.ipHdrLen = q - p;
      v.proto = nh;
      return Decode.IPV6_EXT_HEADER_TRUNCATED;
    }
    q += len;
    nh = next;
    // After a non-first fragment header comes fragment data, not headers: the next-header value
    // names the original datagram's transport protocol.
    if (nonFirstFragment) break;
  }
  const hdrLen = q - p;
  v.ipHdrLen = hdrLen;
  v.proto = nh;
  if (hdrLen > total) return Decode.BAD_IP_TOTAL_LENGTH;
  if (nonFirstFragment) {
    v.payloadLen = total - hdrLen;
    return Decode.OK;
  }
  return decodeL4(v, d, q, end, nh, total - hdrLen);
}

/**
 * Transport header at `p`. `ipPayload` is what the IP header says follows the IP header(s); it,
 * not the capture, decides lengths. Following Zeek, a datagram too short to hold the fixed header
 * and a capture cut inside it are both "truncated"; a TCP data offset outside 20..ipPayload is "bad".
 */
function decodeL4(
  v: PacketView,
  d: Uint8Array,
  p: number,
  end: number,
  proto: number,
  ipPayload: number,
): DecodeStatus {
  const avail = end - p;
  switch (proto) {
    case 6: {
      // The 20 fixed bytes must be captured; options may be cut (their length is in the header).
      if (ipPayload < 20 || avail < 20) return Decode.TRUNCATED_TCP_HEADER;
      const hl = (d[p + 12] >> 4) << 2;
      if (hl < 20 || hl > ipPayload) return Decode.BAD_TCP_HEADER_LENGTH;
      v.l4Offset = p;
      v.hasL4 = 1;
      v.l4HdrLen = hl;
      v.srcPort = (d[p] << 8) | d[p + 1];
      v.dstPort = (d[p + 2] << 8) | d[p + 3];
      v.tcpSeq = ((d[p + 4] << 24) | (d[p + 5] << 16) | (d[p + 6] << 8) | d[p + 7]) >>> 0;
      v.tcpAck = ((d[p + 8] << 24) | (d[p + 9] << 16) | (d[p + 10] << 8) | d[p + 11]) >>> 0;
      v.tcpFlags = d[p + 13] | ((d[p + 12] & 1) << 8); // NS is the low bit of the data-offset byte
      v.tcpWindow = (d[p + 14] << 8) | d[p + 15];
      v.payloadLen = ipPayload - hl;
      return Decode.OK;
    }
    case 17: {
      if (ipPayload < 8 || avail < 8) return Decode.TRUNCATED_UDP_HEADER;
      v.l4Offset = p;
      v.hasL4 = 1;
      v.l4HdrLen = 8;
      v.srcPort = (d[p] << 8) | d[p + 1];
      v.dstPort = (d[p + 2] << 8) | d[p + 3];
      // The UDP length field is ignored: the IP header is the single source of lengths.
      v.payloadLen = ipPayload - 8;
      return Decode.OK;
    }
    case 1:
    case 58: {
      // Type, code and checksum (4 bytes) are required; the 4 type-specific bytes may be cut by
      // the snaplen. l4HdrLen is always 8 (every ICMP message type has an 8-byte header).
      if (ipPayload < 4 || avail < 4) return Decode.TRUNCATED_ICMP_HEADER;
      v.l4Offset = p;
      v.hasL4 = 1;
      v.l4HdrLen = 8;
      v.icmpType = d[p];
      v.icmpCode = d[p + 1];
      v.payloadLen = ipPayload > 8 ? ipPayload - 8 : 0;
      return Decode.OK;
    }
    default:
      // GRE, ESP, SCTP, IGMP, ...: counted as IP traffic of that protocol, no ports.
      v.payloadLen = ipPayload;
      return Decode.OK;
  }
}

// ---------------------------------------------------------------------------------------------
// Record-output helpers (allocate freely; never call these per packet on the hot path).

/**
 * Formats an address held as big-endian 32-bit words. IPv4 uses w0 only. IPv6 follows RFC 5952:
 * lower-case hex, no leading zeros, the longest run (leftmost on ties) of ≥ 2 zero groups as "::",
 * and IPv4-mapped addresses as ::ffff:a.b.c.d.
 */
export function formatIp(version: number, w0: number, w1: number, w2: number, w3: number): string {
  if (version === 4) return formatV4(w0);
  if (w0 === 0 && w1 === 0 && w2 >>> 0 === 0xffff) return '::ffff:' + formatV4(w3);
  const g = [
    (w0 >>> 16) & 0xffff, w0 & 0xffff, (w1 >>> 16) & 0xffff, w1 & 0xffff,
    (w2 >>> 16) & 0xffff, w2 & 0xffff, (w3 >>> 16) & 0xffff, w3 & 0xffff,
  ];
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return head + '::' + tail;
}

function formatV4(w: number): string {
  return `${(w >>> 24) & 255}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

export interface ParsedIp {
  version: 4 | 6;
  /** Big-endian 32-bit words; IPv4 in words[0], the rest 0. */
  words: [number, number, number, number];
}

/**
 * Parses dotted-quad IPv4 or textual IPv6 (with "::" and an optional dotted IPv4 tail); returns
 * null on anything else (zone ids "%eth0", prefixes "/64", brackets are rejected).
 */
export function parseIp(text: string): ParsedIp | null {
  const v4 = parseV4(text);
  if (v4 !== null) return { version: 4, words: [v4, 0, 0, 0] };
  if (text.indexOf(':') < 0) return null;
  const groups = parseV6Groups(text);
  if (groups === null) return null;
  const w = (i: number): number => ((groups[i] << 16) | groups[i + 1]) >>> 0;
  return { version: 6, words: [w(0), w(2), w(4), w(6)] };
}

function parseV4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let w = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    w = w * 256 + n;
  }
  return w;
}

function parseV6Groups(text: string): number[] | null {
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return null;
  const parseSide = (s: string, allowV4Tail: boolean): number[] | null => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (allowV4Tail && i === parts.length - 1 && part.indexOf('.') >= 0) {
        const v4 = parseV4(part);
        if (v4 === null) return null;
        out.push((v4 >>> 16) & 0xffff, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  if (dbl < 0) {
    const g = parseSide(text, true);
    return g !== null && g.length === 8 ? g : null;
  }
  const left = parseSide(text.slice(0, dbl), false);
  const right = parseSide(text.slice(dbl + 2), true);
  if (left === null || right === null) return null;
  const missing = 8 - left.length - right.length;
  if (missing < 1) return null;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}
