/**
 * decodePacket: every link type, tag/label stacks, IPv4/IPv6 header variants, transports and every
 * reason code. Expected values are worked out by hand from the frame layout in the comments
 * (Ethernet 14, 802.1Q tag 4, MPLS label 4, SLL 16, SLL2 20, NULL/LOOP 4, IPv4 20+options,
 * IPv6 40+ext, TCP 20+options, UDP 8, ICMP 8).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, formatIp } from '../../../src/decode/decode.js';
import { PacketView, TcpFlag } from '../../../src/decode/packet-view.js';
import { Decode, REASONS, type DecodeStatus } from '../../../src/decode/reasons.js';
import { buildFrame, buildFragments, linkTypeOf, type FrameSpec } from '../../helpers/packet-builder.js';

interface Decoded {
  st: DecodeStatus;
  v: PacketView;
}

/** Decodes `frame` (optionally cut to capLen bytes, keeping the full length as wire length). */
function dec(frame: Uint8Array, linkType = 1, capLen = frame.length, wireLen = frame.length): Decoded {
  const v = new PacketView();
  const st = decodePacket(v, frame, 0, capLen, wireLen, linkType, 1234.5);
  return { st, v };
}

function decSpec(spec: FrameSpec): Decoded {
  return dec(buildFrame(spec), linkTypeOf(spec));
}

function ok(d: Decoded): PacketView {
  assert.equal(REASONS[d.st].name, 'ok');
  return d.v;
}

function status(d: Decoded): string {
  return REASONS[d.st].name;
}

// ---------------------------------------------------------------------------------------------
// Link layers

test('Ethernet/IPv4/TCP SYN: every field, 60-byte padding becomes trailer', () => {
  const f = buildFrame({
    ip: { src: '10.0.0.1', dst: '192.168.1.200', ttl: 63, id: 0xbeef },
    tcp: { sport: 40000, dport: 80, flags: 'S', seq: 100, window: 29200 },
  });
  // 14 + 20 + 20 = 54 → padded to 60
  assert.equal(f.length, 60);
  const v = ok(dec(f));
  assert.equal(v.tsUs, 1234.5);
  assert.equal(v.capLen, 60);
  assert.equal(v.wireLen, 60);
  assert.equal(v.linkType, 1);
  assert.equal(v.isEthernet, 1);
  assert.equal(v.l2Len, 14);
  assert.equal(v.vlanId, 0);
  assert.equal(v.ipVersion, 4);
  assert.equal(v.ipOffset, 14);
  assert.equal(v.ipHdrLen, 20);
  assert.equal(v.ipTotalLen, 40);
  assert.equal(v.ttl, 63);
  assert.equal(v.ipId, 0xbeef);
  assert.equal(v.src0, 0x0a000001);
  assert.equal(v.dst0, 0xc0a801c8); // > 2^31: must come out unsigned
  assert.deepEqual([v.src1, v.src2, v.src3, v.dst1, v.dst2, v.dst3], [0, 0, 0, 0, 0, 0]);
  assert.equal(v.proto, 6);
  assert.equal(v.isFragment, 0);
  assert.equal(v.hasL4, 1);
  assert.equal(v.l4Offset, 34);
  assert.equal(v.l4HdrLen, 20);
  assert.equal(v.srcPort, 40000);
  assert.equal(v.dstPort, 80);
  assert.equal(v.tcpFlags, TcpFlag.SYN);
  assert.equal(v.tcpSeq, 100);
  assert.equal(v.tcpAck, 0);
  assert.equal(v.tcpWindow, 29200);
  assert.equal(v.payloadLen, 0);
  assert.equal(v.trailerLen, 6); // 60 − 14 − 40
  assert.equal(formatIp(4, v.dst0, 0, 0, 0), '192.168.1.200');
});

test('Ethernet without padding and with a 4-byte FCS trailer', () => {
  const v = ok(decSpec({ pad: false, trailer: [1, 2, 3, 4], tcp: { flags: 'A' } }));
  assert.equal(v.ipTotalLen, 40);
  assert.equal(v.trailerLen, 4); // 58 − 14 − 40
});

test('802.1Q tag: l2Len 18, vlanId from the TCI (PCP bits masked off)', () => {
  const v = ok(decSpec({ vlans: [{ id: 42, pcp: 5 }], udp: {} }));
  assert.equal(v.l2Len, 18);
  assert.equal(v.vlanId, 42);
  assert.equal(v.ipOffset, 18);
  assert.equal(v.l4Offset, 38);
});

test('QinQ (802.1ad 0x88a8 outer + 802.1Q inner): outermost id wins', () => {
  const v = ok(decSpec({ vlans: [{ id: 7, tpid: 0x88a8 }, 42], udp: {} }));
  assert.equal(v.l2Len, 22);
  assert.equal(v.vlanId, 7);
});

test('four stacked tags (0x9100, 0x88a8, 0x8100, 0x8100) are accepted, a fifth is too_many_vlan_tags', () => {
  const four = decSpec({ vlans: [{ id: 1, tpid: 0x9100 }, { id: 2, tpid: 0x88a8 }, 3, 4], udp: {} });
  assert.equal(ok(four).l2Len, 14 + 16);
  assert.equal(four.v.vlanId, 1);
  assert.equal(status(decSpec({ vlans: [1, 2, 3, 4, 5], udp: {} })), 'too_many_vlan_tags');
});

test('MPLS unicast label stack to bottom-of-stack, then IPv4 / IPv6 by version nibble', () => {
  const v4 = ok(decSpec({ mpls: [100, 200, 300], tcp: {} }));
  assert.equal(v4.l2Len, 14 + 12);
  assert.equal(v4.ipVersion, 4);
  assert.equal(v4.vlanId, 0);
  const v6 = ok(decSpec({ vlans: [9], mpls: [16], ip: { version: 6 }, udp: {} }));
  assert.equal(v6.l2Len, 14 + 4 + 4);
  assert.equal(v6.vlanId, 9);
  assert.equal(v6.ipVersion, 6);
});

test('MPLS multicast (0x8848) is decoded like unicast', () => {
  const f = buildFrame({ mpls: [5], udp: {} });
  f[12] = 0x88;
  f[13] = 0x48;
  assert.equal(ok(dec(f)).l2Len, 18);
});

test('Ethernet-over-MPLS pseudowire: labels, control word, inner Ethernet + 802.1Q, IPv4', () => {
  // Inner frame: Ethernet with VLAN 1 carrying IPv4/UDP, no padding: 14 + 4 + 28 = 46 bytes.
  const inner = buildFrame({ vlans: [1], udp: { sport: 11, dport: 22 }, pad: false });
  const l3 = new Uint8Array(4 + inner.length); // 4-byte control word 0x00000000
  l3.set(inner, 4);
  const v = ok(decSpec({ mpls: [19, 16], l3 }));
  // 14 outer + 8 labels + 4 control word + 14 inner Ethernet + 4 tag = 44
  assert.deepEqual([v.l2Len, v.vlanId, v.ipVersion, v.srcPort, v.dstPort, v.isEthernet], [44, 1, 4, 11, 22, 1]);
  // An outer VLAN tag wins over the inner one.
  assert.equal(ok(decSpec({ vlans: [300], mpls: [19], l3 })).vlanId, 300);
  // Only one pseudowire level: a control word inside the pseudowire is not followed.
  const nested = new Uint8Array(4 + 14 + 4 + 4 + inner.length);
  nested.set([0x88, 0x47], 4 + 12);
  nested.set([0, 1, 0x01, 64], 4 + 14); // label 16, bottom of stack
  nested.set(inner, 4 + 14 + 4 + 4);
  assert.equal(status(decSpec({ mpls: [1], l3: nested })), 'non_ip_ethertype');
});

test('MPLS with an unknown payload is non_ip_ethertype; cut labels are truncated_link_header', () => {
  assert.equal(status(decSpec({ mpls: [1], l3: new Uint8Array(10) })), 'non_ip_ethertype'); // too short for CW + Ethernet
  assert.equal(status(decSpec({ mpls: [1], l3: new Uint8Array(40).fill(0x11) })), 'non_ip_ethertype'); // nibble 1
  const f = buildFrame({ mpls: [1, 2], udp: {}, pad: false });
  assert.equal(status(dec(f, 1, 14 + 6, f.length)), 'truncated_link_header'); // inside 2nd label
  assert.equal(status(dec(f, 1, 14 + 8, f.length)), 'truncated_ip_header'); // labels end, nothing after
});

test('PPPoE session carrying IPv4 and IPv6; PPP LCP is non-IP', () => {
  assert.equal(ok(decSpec({ pppoe: true, tcp: {} })).l2Len, 22);
  assert.equal(ok(decSpec({ pppoe: true, ip: { version: 6 }, tcp: {} })).ipVersion, 6);
  const lcp = buildFrame({ pppoe: true, udp: {} });
  lcp[14 + 6] = 0xc0;
  lcp[14 + 7] = 0x21;
  assert.equal(status(dec(lcp)), 'non_ip_ethertype');
});

test('ARP and LLDP are non_ip_ethertype (ignored)', () => {
  assert.equal(status(decSpec({ etherType: 0x0806, l3: new Uint8Array(28) })), 'non_ip_ethertype');
  assert.equal(status(decSpec({ etherType: 0x88cc, l3: new Uint8Array(30) })), 'non_ip_ethertype');
  assert.equal(REASONS[Decode.NON_IP_ETHERTYPE].kind, 'ignored');
});

test('Linux SLL (113): 16-byte header, isEthernet 0', () => {
  const v = ok(decSpec({ link: 'sll', tcp: {} }));
  assert.equal(v.linkType, 113);
  assert.equal(v.l2Len, 16);
  assert.equal(v.isEthernet, 0);
  assert.equal(v.ipTotalLen, 40);
  assert.equal(v.trailerLen, 0); // no padding on cooked captures
  assert.equal(ok(decSpec({ link: 'sll', vlans: [12], tcp: {} })).vlanId, 12);
});

test('Linux SLL2 (276): 20-byte header, protocol first', () => {
  const v = ok(decSpec({ link: 'sll2', ip: { version: 6 }, udp: {} }));
  assert.equal(v.l2Len, 20);
  assert.equal(v.ipVersion, 6);
  assert.equal(status(decSpec({ link: 'sll2', etherType: 0x0806, l3: new Uint8Array(28) })), 'non_ip_ethertype');
});

test('raw IP link types 101, 12, 14 dispatch on the version nibble; 228/229 are fixed', () => {
  const f4 = buildFrame({ link: 'raw', tcp: {} });
  const f6 = buildFrame({ link: 'raw', ip: { version: 6 }, tcp: {} });
  for (const lt of [101, 12, 14]) {
    assert.equal(ok(dec(f4, lt)).ipVersion, 4);
    assert.equal(ok(dec(f6, lt)).ipVersion, 6);
    assert.equal(dec(f6, lt).v.l2Len, 0);
  }
  assert.equal(ok(dec(f4, 228)).ipVersion, 4);
  assert.equal(ok(dec(f6, 229)).ipVersion, 6);
  assert.equal(status(dec(f6, 228)), 'bad_ip_version');
  assert.equal(status(dec(f4, 229)), 'bad_ip_version');
  const junk = Uint8Array.from([0x50, 0, 0, 0]);
  assert.equal(status(dec(junk, 101)), 'bad_ip_version');
});

test('BSD NULL (0): family in either byte order; 24/28/30 are IPv6', () => {
  const le = ok(decSpec({ link: 'null', tcp: {} }));
  assert.equal(le.l2Len, 4);
  assert.equal(le.ipVersion, 4);
  assert.equal(ok(decSpec({ link: 'null', nullBigEndian: true, tcp: {} })).ipVersion, 4);
  for (const fam of [24, 28, 30]) {
    for (const be of [false, true]) {
      assert.equal(ok(decSpec({ link: 'null', family: fam, nullBigEndian: be, ip: { version: 6 }, udp: {} })).ipVersion, 6);
    }
  }
  assert.equal(status(decSpec({ link: 'null', family: 7, udp: {} })), 'non_ip_link_protocol');
});

test('OpenBSD LOOP (108): network byte order only', () => {
  assert.equal(ok(decSpec({ link: 'loop', tcp: {} })).l2Len, 4);
  assert.equal(ok(decSpec({ link: 'loop', ip: { version: 6 }, tcp: {} })).ipVersion, 6);
  // Host-order (little-endian) family is not valid on LOOP.
  const f = buildFrame({ link: 'null', tcp: {} });
  assert.equal(status(dec(f, 108)), 'non_ip_link_protocol');
});

test('unknown link types are unsupported_link_type (ignored)', () => {
  const f = buildFrame({ tcp: {} });
  for (const lt of [105, 127, 147, 9999]) assert.equal(status(dec(f, lt)), 'unsupported_link_type');
});

test('truncated link headers for every link type; zero bytes is empty_frame', () => {
  const cases: Array<[FrameSpec, number]> = [
    [{ link: 'ethernet' }, 13],
    [{ link: 'ethernet', vlans: [1] }, 16],
    [{ link: 'sll' }, 15],
    [{ link: 'sll2' }, 19],
    [{ link: 'null' }, 3],
    [{ link: 'loop' }, 3],
    [{ link: 'ethernet', pppoe: true }, 20],
  ];
  for (const [spec, cut] of cases) {
    const f = buildFrame({ ...spec, tcp: {} });
    assert.equal(status(dec(f, linkTypeOf(spec), cut, f.length)), 'truncated_link_header', JSON.stringify(spec));
  }
  const f = buildFrame({ tcp: {} });
  assert.equal(status(dec(f, 1, 0, 60)), 'empty_frame');
  assert.equal(status(dec(new Uint8Array(0), 1, 0, 0)), 'empty_frame');
});

// ---------------------------------------------------------------------------------------------
// IPv4

test('IPv4 options: IHL 7 → ipHdrLen 28, transport after the options', () => {
  // Router alert (4 bytes) + 3 NOPs, padded with one EOL to 8 bytes.
  const v = ok(decSpec({ ip: { options: [0x94, 0x04, 0, 0, 1, 1, 1] }, udp: { sport: 7, dport: 9 }, payload: 4 }));
  assert.equal(v.ipHdrLen, 28);
  assert.equal(v.ipTotalLen, 28 + 8 + 4);
  assert.equal(v.l4Offset, 14 + 28);
  assert.equal(v.srcPort, 7);
  assert.equal(v.payloadLen, 4);
});

test('IPv4 fragments: first has L4, later ones have only payload', () => {
  // UDP datagram of 8 + 2992 = 3000 bytes cut at 1480: offsets 0, 1480, 2960 carrying 1480, 1480, 40.
  const frags = buildFragments({ ip: { id: 77 }, udp: { sport: 5000, dport: 6000 }, payload: 2992 }, 1480, 77);
  assert.equal(frags.length, 3);
  const a = ok(dec(frags[0]));
  assert.deepEqual(
    [a.isFragment, a.fragOffset, a.moreFragments, a.hasL4, a.srcPort, a.dstPort, a.l4HdrLen, a.ipTotalLen, a.payloadLen, a.ipId],
    [1, 0, 1, 1, 5000, 6000, 8, 1500, 1472, 77],
  );
  const b = ok(dec(frags[1]));
  assert.deepEqual(
    [b.isFragment, b.fragOffset, b.moreFragments, b.hasL4, b.srcPort, b.dstPort, b.l4HdrLen, b.l4Offset, b.proto, b.payloadLen],
    [1, 1480, 1, 0, 0, 0, 0, 0, 17, 1480],
  );
  const c = ok(dec(frags[2]));
  assert.deepEqual([c.fragOffset, c.moreFragments, c.hasL4, c.ipTotalLen, c.payloadLen], [2960, 0, 0, 60, 40]);
  // 14 + 60 = 74 bytes: no padding, no trailer
  assert.equal(c.trailerLen, 0);
});

test('IPv4 DF alone is not a fragment', () => {
  const v = ok(decSpec({ ip: { df: true }, tcp: {} }));
  assert.equal(v.isFragment, 0);
  assert.equal(v.moreFragments, 0);
});

test('IPv4 total length 0 (TSO) is taken from the wire length', () => {
  // 14 + 20 + 20 + 100 = 154 bytes on the wire → IP total 140, payload 100
  const v = ok(decSpec({ ip: { totalLength: 0 }, tcp: { flags: 'PA' }, payload: 100 }));
  assert.equal(v.ipTotalLen, 140);
  assert.equal(v.payloadLen, 100);
  assert.equal(v.trailerLen, 0);
});

test('snaplen-cut packet: lengths come from the headers', () => {
  const f = buildFrame({ tcp: { flags: 'PA' }, payload: 1000 }); // 1054 bytes on the wire
  const v = ok(dec(f, 1, 64, f.length));
  assert.equal(v.capLen, 64);
  assert.equal(v.wireLen, 1054);
  assert.equal(v.ipTotalLen, 1040);
  assert.equal(v.payloadLen, 1000);
  assert.equal(v.trailerLen, 0);
});

test('IPv4 weirds: truncated header, bad version, bad IHL, bad total length', () => {
  const f = buildFrame({ tcp: {}, pad: false }); // 54 bytes
  assert.equal(status(dec(f, 1, 14, 54)), 'truncated_ip_header'); // no IP byte at all
  assert.equal(status(dec(f, 1, 14 + 19, 54)), 'truncated_ip_header');
  assert.equal(REASONS[Decode.TRUNCATED_IP_HEADER].kind, 'weird');
  const v6in4 = buildFrame({ ip: { version: 6 }, tcp: {} });
  v6in4[12] = 0x08;
  v6in4[13] = 0x00; // EtherType says IPv4, nibble says 6
  assert.equal(status(dec(v6in4)), 'bad_ip_version');
  assert.equal(status(decSpec({ ip: { ihl: 16 }, tcp: {} })), 'bad_ipv4_header_length'); // IHL 4
  // IHL 15 (60 bytes) but only 40 bytes of IP captured
  const longIhl = buildFrame({ ip: { ihl: 60 }, tcp: {}, pad: false });
  assert.equal(status(dec(longIhl)), 'bad_ipv4_header_length');
  assert.equal(status(decSpec({ ip: { totalLength: 19 }, tcp: {} })), 'bad_ip_total_length');
});

test('other IP protocols (GRE) count as IP traffic without L4', () => {
  const v = ok(decSpec({ ip: { proto: 47 }, payload: 24 }));
  assert.deepEqual([v.proto, v.hasL4, v.srcPort, v.dstPort, v.l4HdrLen, v.l4Offset, v.payloadLen], [47, 0, 0, 0, 0, 0, 24]);
});

// ---------------------------------------------------------------------------------------------
// IPv6

test('IPv6/TCP: four-word addresses, hop limit, ipHdrLen 40', () => {
  const f = buildFrame({
    ip: { version: 6, src: '2001:db8::1', dst: 'fe80::1:2:3:4', hopLimit: 255 },
    tcp: { sport: 443, dport: 51000, flags: 'SA', seq: 1, ack: 2 },
  });
  assert.equal(f.length, 14 + 40 + 20);
  const v = ok(dec(f));
  assert.equal(v.ipVersion, 6);
  assert.equal(v.ipHdrLen, 40);
  assert.equal(v.ipTotalLen, 60);
  assert.equal(v.ttl, 255);
  assert.deepEqual([v.src0, v.src1, v.src2, v.src3], [0x20010db8, 0, 0, 1]);
  assert.deepEqual([v.dst0, v.dst1, v.dst2, v.dst3], [0xfe800000, 0, 0x00010002, 0x00030004]);
  assert.equal(v.l4Offset, 54);
  assert.equal(v.tcpFlags, TcpFlag.SYN | TcpFlag.ACK);
  assert.equal(v.ipId, 0);
  assert.equal(formatIp(6, v.dst0, v.dst1, v.dst2, v.dst3), 'fe80::1:2:3:4');
});

test('IPv6 extension chain: hop-by-hop, destination options, routing, AH, mobility', () => {
  // 8 + 16 + 8 + 12 + 8 = 52 bytes of extension headers
  const v = ok(
    decSpec({
      ip: { version: 6, ext: [{ type: 0 }, { type: 60, len: 16 }, { type: 43 }, { type: 51 }, { type: 135 }] },
      udp: { sport: 1, dport: 2 },
      payload: 10,
    }),
  );
  assert.equal(v.ipHdrLen, 92);
  assert.equal(v.ipTotalLen, 92 + 8 + 10);
  assert.equal(v.proto, 17);
  assert.equal(v.l4Offset, 14 + 92);
  assert.equal(v.dstPort, 2);
  assert.equal(v.payloadLen, 10);
});

test('IPv6 AH length is (len + 2) × 4', () => {
  const v = ok(decSpec({ ip: { version: 6, ext: [{ type: 51, len: 24 }] }, tcp: {} }));
  assert.equal(v.ipHdrLen, 64);
});

test('IPv6 fragments: first fragment keeps L4, the rest is payload with the original protocol', () => {
  // UDP 8 + 100 = 108 bytes, fragments of 64 + 44; each frame has a fragment header (8 bytes).
  const frags = buildFragments({ ip: { version: 6 }, udp: { sport: 9, dport: 10 }, payload: 100 }, 64, 0xdeadbeef);
  assert.equal(frags.length, 2);
  const a = ok(dec(frags[0]));
  assert.deepEqual(
    [a.ipHdrLen, a.ipTotalLen, a.isFragment, a.fragOffset, a.moreFragments, a.hasL4, a.srcPort, a.payloadLen, a.ipId],
    [48, 112, 1, 0, 1, 1, 9, 56, 0xdeadbeef],
  );
  const b = ok(dec(frags[1]));
  assert.deepEqual(
    [b.ipHdrLen, b.ipTotalLen, b.isFragment, b.fragOffset, b.moreFragments, b.hasL4, b.proto, b.srcPort, b.l4HdrLen, b.payloadLen],
    [48, 92, 1, 64, 0, 0, 17, 0, 0, 44],
  );
});

test('IPv6 atomic fragment (offset 0, M 0) is a whole datagram', () => {
  const v = ok(decSpec({ ip: { version: 6, ext: [{ type: 44, offset: 0, more: false, id: 5 }] }, tcp: {} }));
  assert.deepEqual([v.isFragment, v.ipId, v.hasL4, v.ipHdrLen], [0, 5, 1, 48]);
});

test('IPv6 ESP and No-Next-Header end the chain with no L4', () => {
  const esp = ok(decSpec({ ip: { version: 6, ext: [{ type: 0 }], proto: 50 }, payload: 32 }));
  assert.deepEqual([esp.proto, esp.hasL4, esp.ipHdrLen, esp.payloadLen], [50, 0, 48, 32]);
  const none = ok(decSpec({ ip: { version: 6, proto: 59 } }));
  assert.deepEqual([none.proto, none.hasL4, none.payloadLen], [59, 0, 0]);
});

test('IPv6 chain of 8 extension headers is fine, 9 is ipv6_ext_header_chain_too_long', () => {
  const ext = (n: number): FrameSpec => ({ ip: { version: 6, ext: Array.from({ length: n }, () => ({ type: 60 as const })) }, udp: {} });
  assert.equal(ok(decSpec(ext(8))).ipHdrLen, 40 + 64);
  assert.equal(status(decSpec(ext(9))), 'ipv6_ext_header_chain_too_long');
});

test('IPv6 weirds: truncated fixed header, truncated extension header, chain beyond payload length', () => {
  const f = buildFrame({ ip: { version: 6, ext: [{ type: 0, len: 16 }] }, udp: {} }); // 14+40+16+8
  assert.equal(status(dec(f, 1, 14 + 39, f.length)), 'truncated_ip_header');
  assert.equal(status(dec(f, 1, 14 + 40 + 4, f.length)), 'ipv6_ext_header_truncated'); // < 8 bytes
  assert.equal(status(dec(f, 1, 14 + 40 + 12, f.length)), 'ipv6_ext_header_truncated'); // header is 16
  assert.equal(status(decSpec({ ip: { version: 6, ext: [{ type: 0, len: 16 }], payloadLength: 8 }, udp: {} })), 'bad_ip_total_length');
});

test('IPv6 payload length 0 (jumbogram/TSO) is taken from the wire length', () => {
  const v = ok(decSpec({ ip: { version: 6, payloadLength: 0 }, tcp: {}, payload: 30 }));
  assert.equal(v.ipTotalLen, 40 + 20 + 30);
  assert.equal(v.payloadLen, 30);
});

// ---------------------------------------------------------------------------------------------
// Transports

test('TCP: all nine flags including NS, unsigned seq/ack, 40 bytes of options', () => {
  const opts = new Uint8Array(40).fill(1); // NOPs → data offset 15
  const v = ok(decSpec({ tcp: { flags: 0x1ff, seq: 0xfffffffe, ack: 0x80000000, window: 65535, options: opts }, payload: 3 }));
  assert.equal(v.tcpFlags, 0x1ff);
  assert.equal(v.tcpSeq, 0xfffffffe);
  assert.equal(v.tcpAck, 0x80000000);
  assert.equal(v.l4HdrLen, 60);
  assert.equal(v.payloadLen, 3);
  const ns = ok(decSpec({ tcp: { flags: 'N' } }));
  assert.equal(ns.tcpFlags, TcpFlag.NS);
  const letters = ok(decSpec({ tcp: { flags: 'FSRPAUEC' } }));
  assert.equal(letters.tcpFlags, 0xff);
});

test('TCP options cut by the snaplen are fine: the 20 fixed bytes are enough', () => {
  const f = buildFrame({ tcp: { options: new Uint8Array(20).fill(1) }, payload: 500 });
  const v = ok(dec(f, 1, 14 + 20 + 24, f.length));
  assert.equal(v.l4HdrLen, 40);
  assert.equal(v.payloadLen, 500);
});

test('TCP weirds: fixed header cut, data offset < 5, header longer than the IP payload, tiny datagram', () => {
  const f = buildFrame({ tcp: {}, payload: 20 });
  assert.equal(status(dec(f, 1, 14 + 20 + 19, f.length)), 'truncated_tcp_header');
  assert.equal(status(decSpec({ tcp: { dataOffset: 16 } })), 'bad_tcp_header_length');
  assert.equal(status(decSpec({ tcp: { dataOffset: 60 }, payload: 8 })), 'bad_tcp_header_length'); // 60 > 28
  // IP total 30 → only 10 bytes for TCP; the 60-byte padded frame still holds 20 bytes.
  assert.equal(status(decSpec({ ip: { totalLength: 30 }, tcp: {} })), 'truncated_tcp_header');
});

test('UDP: ports, 8-byte header, payload from the IP header (padding is trailer)', () => {
  // 14 + 20 + 8 + 5 = 47 → padded to 60: trailer 13
  const v = ok(decSpec({ udp: { sport: 53, dport: 33000 }, payload: 'hello' }));
  assert.deepEqual([v.proto, v.srcPort, v.dstPort, v.l4HdrLen, v.payloadLen, v.trailerLen], [17, 53, 33000, 8, 5, 13]);
  assert.equal(v.tcpFlags, 0);
});

test('UDP weirds: cut header, IP payload shorter than 8', () => {
  const f = buildFrame({ udp: {}, payload: 30 });
  assert.equal(status(dec(f, 1, 14 + 20 + 7, f.length)), 'truncated_udp_header');
  assert.equal(status(decSpec({ ip: { totalLength: 27 }, udp: {} })), 'truncated_udp_header');
});

test('ICMP echo and ICMPv6 echo: type, code, l4HdrLen 8', () => {
  const v = ok(decSpec({ icmp: { type: 8, code: 0, rest: [0, 1, 0, 7] }, payload: 56 }));
  assert.deepEqual([v.proto, v.icmpType, v.icmpCode, v.l4HdrLen, v.payloadLen, v.srcPort, v.hasL4], [1, 8, 0, 8, 56, 0, 1]);
  const u = ok(decSpec({ icmp: { type: 3, code: 3 }, payload: 28 }));
  assert.deepEqual([u.icmpType, u.icmpCode], [3, 3]);
  const w = ok(decSpec({ ip: { version: 6 }, icmp: { type: 135, code: 0 }, payload: 16 }));
  assert.deepEqual([w.proto, w.icmpType, w.l4HdrLen, w.payloadLen], [58, 135, 8, 16]);
});

test('ICMP needs type, code and checksum (4 bytes); the rest may be missing', () => {
  const f = buildFrame({ icmp: { type: 0 }, pad: false });
  assert.equal(ok(dec(f, 1, 14 + 20 + 4, f.length)).icmpType, 0);
  assert.equal(status(dec(f, 1, 14 + 20 + 3, f.length)), 'truncated_icmp_header');
  // IP payload of 4 bytes: accepted, payload 0; of 3: weird
  assert.equal(ok(decSpec({ ip: { totalLength: 24 }, icmp: {} })).payloadLen, 0);
  assert.equal(status(decSpec({ ip: { totalLength: 23 }, icmp: {} })), 'truncated_icmp_header');
});

// ---------------------------------------------------------------------------------------------
// View reuse and robustness

test('one view reused: nothing leaks from the previous packet', () => {
  const v = new PacketView();
  const a = buildFrame({ vlans: [5], ip: { version: 6 }, tcp: { flags: 'SA', seq: 9, ack: 9 }, payload: 9 });
  const b = buildFrame({ link: 'raw', udp: {} });
  assert.equal(decodePacket(v, a, 0, a.length, a.length, 1, 1), Decode.OK);
  assert.equal(decodePacket(v, b, 0, b.length, b.length, 101, 2), Decode.OK);
  assert.deepEqual(
    [v.vlanId, v.isEthernet, v.tcpFlags, v.tcpSeq, v.tcpAck, v.src1, v.src3, v.dst3, v.ipVersion, v.l2Len],
    [0, 0, 0, 0, 0, 0, 0, 0, 4, 0],
  );
  // A failed decode also leaves no transport fields behind.
  assert.equal(decodePacket(v, a, 0, 14 + 30, a.length, 1, 3), Decode.TRUNCATED_IP_HEADER);
  assert.equal(v.hasL4, 0);
  assert.equal(v.srcPort, 0);
});

test('frames inside a larger batch buffer: offsets are absolute', () => {
  const f = buildFrame({ tcp: {} });
  const buf = new Uint8Array(1000).fill(0xee);
  buf.set(f, 300);
  const v = new PacketView();
  assert.equal(decodePacket(v, buf, 300, f.length, f.length, 1, 0), Decode.OK);
  assert.deepEqual([v.frameOffset, v.ipOffset, v.l4Offset, v.l2Len], [300, 314, 334, 14]);
});

test('a capLen beyond the buffer end never reads past it', () => {
  const f = buildFrame({ tcp: {}, pad: false }); // 54 bytes
  const v = new PacketView();
  assert.equal(decodePacket(v, f.subarray(0, 40), 0, 54, 54, 1, 0), Decode.TRUNCATED_TCP_HEADER);
  assert.equal(decodePacket(v, f, 60, 10, 10, 1, 0), Decode.EMPTY_FRAME);
});
