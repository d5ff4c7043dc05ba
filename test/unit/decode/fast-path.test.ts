/**
 * decodePacket()'s fast path (Ethernet / IPv4 without options / whole TCP or UDP header) against
 * the general decoder: for every frame the status and every PacketView field must be identical.
 * Views start filled with garbage, so a field the fast path forgets to write shows up.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, decodePacketGeneral, LinkType } from '../../../src/decode/decode.js';
import { PacketView } from '../../../src/decode/packet-view.js';
import { Decode } from '../../../src/decode/reasons.js';
import { buildFrame, type FrameSpec } from '../../helpers/packet-builder.js';

const FIELDS = Object.keys(new PacketView()) as (keyof PacketView)[];

function garbage(v: PacketView): void {
  for (const f of FIELDS) (v as unknown as Record<string, number>)[f] = 777777;
}

let eligible = 0;

function compare(what: string, data: Uint8Array, offset: number, capLen: number, wireLen: number, linkType: number): void {
  const a = new PacketView();
  const b = new PacketView();
  garbage(a);
  garbage(b);
  const sa = decodePacket(a, data, offset, capLen, wireLen, linkType, 1.5e15);
  const sb = decodePacketGeneral(b, data, offset, capLen, wireLen, linkType, 1.5e15);
  assert.equal(sa, sb, `${what}: status`);
  for (const f of FIELDS) assert.equal(a[f], b[f], `${what}: field ${f}`);
  if (sb === Decode.OK && linkType === LinkType.ETHERNET && b.ipVersion === 4 && b.ipHdrLen === 20 && b.l2Len === 14 &&
    b.isFragment === 0 && (b.proto === 6 || b.proto === 17) && b.hasL4 === 1) eligible++;
}

const BASES: [string, FrameSpec][] = [
  ['tcp syn', { tcp: { flags: 'S', seq: 0xfffffff0 } }],
  ['tcp data', { ip: { src: '192.168.1.200', dst: '10.1.2.3', df: true }, tcp: { flags: 'PA', seq: 1, ack: 0x80000001, window: 65535 }, payload: 300 }],
  ['tcp ns+ece+cwr', { tcp: { flags: 0x1c1 }, payload: 5 }],
  ['tcp options', { tcp: { flags: 'SA', options: [2, 4, 5, 0xb4, 1, 1, 4, 2] } }],
  ['tcp data offset beyond payload', { tcp: { flags: 'A', dataOffset: 60 } }],
  ['tcp data offset 16', { tcp: { flags: 'A', dataOffset: 16 }, payload: 10 }],
  ['udp', { udp: { sport: 53, dport: 40000 }, payload: 40 }],
  ['udp, no padding', { udp: {}, payload: 1, pad: false }],
  ['udp with trailer', { udp: {}, payload: 100, trailer: [1, 2, 3, 4] }],
  ['icmp', { icmp: { type: 8 }, payload: 56 }],
  ['gre', { ip: { proto: 47 }, payload: 24 }],
  ['ipv4 options', { ip: { options: [1, 1, 1, 0] }, tcp: { flags: 'A' } }],
  ['first fragment', { ip: { mf: true }, udp: {}, payload: 64 }],
  ['later fragment', { ip: { fragOffset: 64 }, udp: {}, payload: 64 }],
  ['total length 0 (TSO)', { ip: { totalLength: 0 }, tcp: { flags: 'PA' }, payload: 200 }],
  ['total length too small', { ip: { totalLength: 30 }, tcp: { flags: 'A' } }],
  ['total length 20', { ip: { totalLength: 20 }, udp: {} }],
  ['total length beyond the frame', { ip: { totalLength: 1400 }, tcp: { flags: 'A' } }],
  ['vlan', { vlans: [7], tcp: { flags: 'A' } }],
  ['ipv6 tcp', { ip: { version: 6 }, tcp: { flags: 'S' } }],
  ['arp', { etherType: 0x0806, l3: new Uint8Array(28) }],
];

test('fast path = general decoder on valid frames, every cut of them, and at an offset in a larger buffer', () => {
  for (const [name, spec] of BASES) {
    const f = buildFrame(spec);
    compare(name, f, 0, f.length, f.length, LinkType.ETHERNET);
    compare(`${name} as SLL`, f, 0, f.length, f.length, LinkType.LINUX_SLL);
    // snaplen cuts (the wire length stays), and a record claiming more than the buffer holds
    for (let cap = 0; cap < f.length; cap++) compare(`${name} cut at ${cap}`, f, 0, cap, f.length, LinkType.ETHERNET);
    compare(`${name} lying capLen`, f, 0, f.length + 40, f.length + 40, LinkType.ETHERNET);
    const big = new Uint8Array(f.length + 100);
    big.set(f, 37);
    compare(`${name} at offset 37`, big, 37, f.length, f.length + 4, LinkType.ETHERNET);
  }
});

test('fast path = general decoder on randomly mutated headers (fixed seed)', () => {
  let x = 99;
  const rnd = (n: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  const frames = BASES.map(([, spec]) => buildFrame(spec));
  for (let c = 0; c < 20000; c++) {
    const f = frames[rnd(frames.length)]!.slice();
    // flip 1–3 bytes in the headers (link, IP, transport), where the fast path makes its decisions
    const flips = 1 + rnd(3);
    for (let k = 0; k < flips; k++) f[rnd(Math.min(f.length, 70))] = rnd(256);
    const cap = rnd(4) === 0 ? rnd(f.length + 1) : f.length;
    compare(`mutation ${c}`, f, 0, cap, f.length + rnd(3), LinkType.ETHERNET);
  }
  // the comparison must have covered many frames the fast path takes
  assert.ok(eligible > 5000, `only ${eligible} frames were fast-path candidates`);
});
