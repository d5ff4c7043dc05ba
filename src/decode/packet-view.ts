/**
 * The decoded form of one packet: numbers only, one instance reused for every packet (no per-packet
 * allocation; every field is assigned in the constructor so the object shape stays monomorphic).
 * Filled by decodePacket() (decode/decode.ts). Field values are valid only until the next decode.
 */

/** TCP flag bits as in the TCP header's flags byte, plus NS (bit 8). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;

export const IpProto = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPV6: 58,
} as const;

export class PacketView {
  // ---- capture level ----
  /** Timestamp, µs since the Unix epoch (may carry a sub-µs fraction for ns captures). */
  tsUs = 0;
  /** Bytes captured. */
  capLen = 0;
  /** Bytes on the wire (pcap orig_len). */
  wireLen = 0;
  /** LINKTYPE_* the frame was decoded with. */
  linkType = 0;
  /** Offset of the frame's first byte in the batch buffer. */
  frameOffset = 0;

  // ---- link layer ----
  /** Bytes from the frame start to the IP header (Ethernet + VLAN tags, SLL, NULL, ...). */
  l2Len = 0;
  /** Outermost 802.1Q VLAN id, 0 when untagged. */
  vlanId = 0;
  /** 1 when the link layer is Ethernet (DLT_EN10MB), else 0 — CIC compat padding depends on it. */
  isEthernet = 0;

  // ---- network layer ----
  /** 4 or 6 when an IP header was decoded, else 0. */
  ipVersion = 0;
  /** Offset of the IP header in the batch buffer. */
  ipOffset = 0;
  /** IPv4: IHL*4. IPv6: 40 + all extension headers before the transport header. */
  ipHdrLen = 0;
  /** IPv4 total length; IPv6 40 + payload length (what the IP header claims). */
  ipTotalLen = 0;
  ttl = 0;
  /** IPv4 identification, or the IPv6 fragment header identification (0 if none). */
  ipId = 0;
  /** Source address as four big-endian 32-bit words. IPv4 uses src0 only (src1..3 = 0). */
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  /** Destination address, same layout as src. */
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** Transport protocol number (after the IPv6 extension header chain). */
  proto = 0;
  /** 1 when this packet is an IP fragment (offset > 0 or more-fragments set). */
  isFragment = 0;
  /** Fragment offset in bytes (0 for the first fragment and unfragmented packets). */
  fragOffset = 0;
  /** 1 when the more-fragments flag is set. */
  moreFragments = 0;

  // ---- transport layer ----
  /** Offset of the transport header in the batch buffer (0 when there is none). */
  l4Offset = 0;
  /** 1 when a transport header was decoded (TCP/UDP/ICMP/ICMPv6 of a first/unfragmented packet). */
  hasL4 = 0;
  /** TCP: data offset*4 (20..60). UDP: 8. ICMP/ICMPv6: 8. Others / non-first fragments: 0. */
  l4HdrLen = 0;
  /** TCP/UDP ports; 0 for other protocols. */
  srcPort = 0;
  dstPort = 0;
  /** TCP flags (TcpFlag bits incl. NS); 0 for non-TCP. */
  tcpFlags = 0;
  /** Raw 16-bit TCP window (no scaling). */
  tcpWindow = 0;
  tcpSeq = 0;
  tcpAck = 0;
  /** ICMP / ICMPv6 type and code; 0 otherwise. */
  icmpType = 0;
  icmpCode = 0;
  /**
   * Transport payload bytes according to the IP header: ipTotalLen − ipHdrLen − l4HdrLen, ≥ 0.
   * Excludes link-layer padding. For non-first fragments: ipTotalLen − ipHdrLen.
   */
  payloadLen = 0;
  /**
   * Bytes on the wire after the IP datagram (Ethernet padding, FCS): wireLen − l2Len − ipTotalLen, ≥ 0.
   * CICIDS2017 compat counts these as payload.
   */
  trailerLen = 0;
}
