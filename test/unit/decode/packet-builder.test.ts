/** The test frame builder itself: layouts and checksums others rely on for fixtures. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildFrame, buildFragments, inetChecksum, writePcap, tcpFlags } from '../../helpers/packet-builder.js';

test('IPv4 header checksum matches the textbook example (…b861)', () => {
  // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: total 115 = 20 + 8 + 87
  const f = buildFrame({ link: 'raw', ip: { src: '192.168.0.1', dst: '192.168.0.199', id: 0, df: true, ttl: 64 }, udp: {}, payload: 87 });
  assert.equal(f.length, 115);
  assert.deepEqual(Array.from(f.subarray(0, 12)), [0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0xb8, 0x61]);
});

test('TCP/UDP/ICMP/ICMPv6 checksums verify (sum over pseudo header + segment is 0)', () => {
  const pseudo4 = (f: Uint8Array, proto: number, len: number): number => {
    let s = 0;
    for (let i = 12; i < 20; i += 2) s += (f[i] << 8) | f[i + 1];
    return s + proto + len;
  };
  const tcp = buildFrame({ link: 'raw', tcp: { flags: 'PA', options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] }, payload: 'GET / HTTP/1.1\r\n' });
  assert.equal(inetChecksum(tcp.subarray(20), pseudo4(tcp, 6, tcp.length - 20)), 0);
  const udp = buildFrame({ link: 'raw', udp: {}, payload: 33 });
  assert.equal(inetChecksum(udp.subarray(20), pseudo4(udp, 17, udp.length - 20)), 0);
  const icmp = buildFrame({ link: 'raw', icmp: {}, payload: 56 });
  assert.equal(inetChecksum(icmp.subarray(20)), 0);
  assert.equal(inetChecksum(icmp.subarray(0, 20)), 0);

  const v6 = buildFrame({ link: 'raw', ip: { version: 6, src: 'fe80::1', dst: 'ff02::1' }, icmp: { type: 128 }, payload: 8 });
  let s = 0;
  for (let i = 8; i < 40; i += 2) s += (v6[i] << 8) | v6[i + 1];
  s += 58 + (v6.length - 40);
  assert.equal(inetChecksum(v6.subarray(40), s), 0);
});

test('Ethernet layout: MACs, EtherType, VLAN TPIDs in order, padding', () => {
  const f = buildFrame({ srcMac: 'aa:bb:cc:dd:ee:ff', vlans: [{ id: 100, tpid: 0x88a8, pcp: 3 }, 200], udp: {} });
  assert.deepEqual(Array.from(f.subarray(6, 12)), [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  assert.deepEqual(Array.from(f.subarray(12, 22)), [0x88, 0xa8, 0x60, 100, 0x81, 0x00, 0x00, 200, 0x08, 0x00]);
  assert.equal(f.length, 60);
  assert.equal(buildFrame({ udp: {}, pad: false }).length, 14 + 28);
});

test('fragments reassemble to the original transport bytes', () => {
  const whole = buildFrame({ link: 'raw', udp: { sport: 1, dport: 2 }, payload: 300 });
  const frags = buildFragments({ link: 'raw', udp: { sport: 1, dport: 2 }, payload: 300 }, 100);
  assert.equal(frags.length, 4); // 308 bytes → 96 + 96 + 96 + 20
  const parts = frags.map((f) => f.subarray(20));
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    joined.set(p, o);
    o += p.length;
  }
  assert.deepEqual(joined, whole.subarray(20));
});

test('tcpFlags letters and pcap writer header', () => {
  assert.equal(tcpFlags('SA'), 0x12);
  assert.equal(tcpFlags('fa'), 0x11);
  assert.throws(() => tcpFlags('X'));
  const f = buildFrame({ tcp: {} });
  const pcap = writePcap([{ frame: f, tsUs: 1_000_000.5e0 * 1 + 250 }], 1);
  const dv = new DataView(pcap.buffer);
  assert.equal(dv.getUint32(0, true), 0xa1b2c3d4);
  assert.equal(dv.getUint32(20, true), 1);
  assert.equal(dv.getUint32(24, true), 1); // seconds
  assert.equal(dv.getUint32(36, true), 60);
  assert.equal(pcap.length, 24 + 16 + 60);
});
