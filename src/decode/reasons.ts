/**
 * Why a packet did not reach the flow table. Every packet read is exactly one of: decoded (counted into a
 * flow), ignored (well-formed but not flow material: ARP, LLDP, unsupported link type...), or weird
 * (malformed/truncated; named as Zeek names its weirds). Packet conservation is checked against these
 * counters: flowed + Σ ignored + Σ weird == packets read.
 */

export interface ReasonInfo {
  readonly name: string;
  readonly kind: 'ignored' | 'weird';
  readonly doc: string;
}

/** Decode status codes. 0 is success; every other value indexes REASONS. */
export const Decode = {
  OK: 0,
  // ignored: well-formed, not IP
  NON_IP_ETHERTYPE: 1,
  UNSUPPORTED_LINK_TYPE: 2,
  NON_IP_LINK_PROTOCOL: 3,
  // weird: malformed or cut
  TRUNCATED_LINK_HEADER: 4,
  TOO_MANY_VLAN_TAGS: 5,
  TRUNCATED_IP_HEADER: 6,
  BAD_IP_VERSION: 7,
  BAD_IPV4_HEADER_LENGTH: 8,
  BAD_IP_TOTAL_LENGTH: 9,
  IPV6_EXT_HEADER_TRUNCATED: 10,
  IPV6_EXT_HEADER_CHAIN_TOO_LONG: 11,
  TRUNCATED_TCP_HEADER: 12,
  BAD_TCP_HEADER_LENGTH: 13,
  TRUNCATED_UDP_HEADER: 14,
  TRUNCATED_ICMP_HEADER: 15,
  EMPTY_FRAME: 16,
} as const;

export type DecodeStatus = (typeof Decode)[keyof typeof Decode];

export const REASONS: readonly ReasonInfo[] = [
  { name: 'ok', kind: 'ignored', doc: 'not a reason: the packet was decoded' },
  { name: 'non_ip_ethertype', kind: 'ignored', doc: 'Ethernet/SLL frame carrying ARP, LLDP, MPLS with a non-IP payload (pseudowire), PPPoE control or other non-IP payload' },
  { name: 'unsupported_link_type', kind: 'ignored', doc: 'the capture link type is not one flowsentry decodes' },
  { name: 'non_ip_link_protocol', kind: 'ignored', doc: 'NULL/loopback or raw link frame whose protocol field is not IPv4/IPv6' },
  { name: 'truncated_link_header', kind: 'weird', doc: 'frame shorter than its link-layer header' },
  { name: 'too_many_vlan_tags', kind: 'weird', doc: 'more stacked 802.1Q/802.1ad tags than the decoder accepts' },
  { name: 'truncated_ip_header', kind: 'weird', doc: 'captured bytes end inside the IP header' },
  { name: 'bad_ip_version', kind: 'weird', doc: 'IP version nibble is neither 4 nor 6' },
  { name: 'bad_ipv4_header_length', kind: 'weird', doc: 'IPv4 IHL < 5 or longer than the captured bytes' },
  { name: 'bad_ip_total_length', kind: 'weird', doc: 'IP total length smaller than the IP header (IPv6: than the header plus its extension headers)' },
  { name: 'ipv6_ext_header_truncated', kind: 'weird', doc: 'an IPv6 extension header runs past the captured bytes' },
  { name: 'ipv6_ext_header_chain_too_long', kind: 'weird', doc: 'more IPv6 extension headers than the decoder accepts' },
  { name: 'truncated_tcp_header', kind: 'weird', doc: 'the captured bytes or the IP payload end inside the 20 fixed TCP header bytes' },
  { name: 'bad_tcp_header_length', kind: 'weird', doc: 'TCP data offset < 5, or a TCP header longer than the IP payload' },
  { name: 'truncated_udp_header', kind: 'weird', doc: 'the captured bytes or the IP payload end inside the 8-byte UDP header' },
  { name: 'truncated_icmp_header', kind: 'weird', doc: 'the captured bytes or the IP payload end before the ICMP/ICMPv6 type, code and checksum (4 bytes)' },
  { name: 'empty_frame', kind: 'weird', doc: 'a record with zero captured bytes' },
];

/** Per-reason packet counters (index = DecodeStatus). */
export function newReasonCounters(): Float64Array {
  return new Float64Array(REASONS.length);
}
