/** Host-level detectors on synthetic packet sequences: floods and scans fire fast, heavy benign traffic does not. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { TcpFlag } from '../../../src/decode/packet-view.js';
import { Harness, T0, tcpTransfer } from './traffic.js';

const { SYN, ACK, RST } = TcpFlag;

test('SYN flood at 20 k pps alerts within 1 s of packet time, attributed to the attacker and victim', () => {
  const h = new Harness();
  // 2 s of flood from one address with changing source ports (hping3 -S --flood)
  for (let i = 0; i < 40_000; i++) h.send({ t: T0 + i * 50, src: '10.0.0.66', dst: '10.0.0.10', sport: 1024 + (i % 60000), dport: 80, flags: SYN });
  const syn = h.of('syn_rate');
  assert.equal(syn.length, 1, 'one alert per cooldown');
  const a = syn[0]!;
  assert.ok(a.tsUs - T0 < 1e6, `fired ${(a.tsUs - T0) / 1000} ms after the flood started`);
  assert.ok(a.tsUs - T0 < 50e3, 'a 20 k pps flood crosses 300 SYN/s within tens of ms');
  assert.equal(a.attackType, 'synflood');
  assert.equal(a.srcIp, '10.0.0.66');
  assert.equal(a.destIp, '10.0.0.10');
  assert.equal(a.evidence.half_open_ratio, 1);
  assert.ok(Number(a.evidence.syn_rate_pps) >= 300);
  assert.equal(h.of('scan').length, 0, 'one destination port: not a scan');
});

test('spoofed SYN flood (random sources) alerts on the victim and as fan-in', () => {
  const h = new Harness();
  for (let i = 0; i < 20_000; i++) {
    const src = `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    h.send({ t: T0 + i * 50, src, dst: '10.0.0.10', sport: 4000 + (i % 1000), dport: 443, flags: SYN });
    // the victim answers with SYN-ACKs that nobody completes
    h.send({ t: T0 + i * 50 + 10, src: '10.0.0.10', dst: src, sport: 443, dport: 4000 + (i % 1000), flags: SYN | ACK });
  }
  assert.equal(h.of('syn_rate').length, 1);
  assert.ok(h.of('syn_rate')[0]!.tsUs - T0 < 1e6);
  const f = h.of('fanin');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.destIp, '10.0.0.10');
  assert.ok(Number(f[0]!.evidence.distinct_sources) >= 200);
});

test('a 10 MB TCP bulk transfer with handshake and FIN (iperf3-like) raises nothing', () => {
  const h = new Harness();
  // ~7240 data packets at 50 k pps plus ACKs, then a few parallel streams as iperf3 -P 4 would
  let t = tcpTransfer(h, T0, '10.0.0.1', '10.0.0.2', 50000, 5201, 10 * 1024 * 1024, 50_000);
  for (let k = 0; k < 4; k++) t = tcpTransfer(h, t + 1000, '10.0.0.1', '10.0.0.2', 50001 + k, 5201, 2 * 1024 * 1024, 80_000);
  assert.deepEqual(h.alerts.map((a) => a.signature), []);
});

test('busy benign web server: 2000 complete connections per second from many clients raise nothing', () => {
  const h = new Harness();
  let t = T0;
  for (let i = 0; i < 4000; i++) {
    const c = `172.16.${(i >> 8) & 3}.${i & 255}`;
    tcpTransfer(h, t, c, '10.0.0.80', 30000 + (i % 1000), 80, 3000, 10_000);
    t += 500;
  }
  assert.deepEqual(h.alerts.map((a) => a.signature), []);
});

test('port scan of 500 ports alerts as portscan (and not as a SYN flood)', () => {
  const h = new Harness();
  for (let p = 1; p <= 500; p++) {
    const t = T0 + p * 1000; // ~1000 probes/s, nmap -sS speed
    h.send({ t, src: '192.168.1.10', dst: '192.168.1.25', sport: 40000, dport: p, flags: SYN });
    // closed ports answer RST, a few are open
    if (p % 50 === 0) h.send({ t: t + 50, src: '192.168.1.25', dst: '192.168.1.10', sport: p, dport: 40000, flags: SYN | ACK });
    else h.send({ t: t + 50, src: '192.168.1.25', dst: '192.168.1.10', sport: p, dport: 40000, flags: RST | ACK });
  }
  const s = h.of('scan');
  assert.equal(s.length, 1);
  assert.equal(s[0]!.attackType, 'portscan');
  assert.equal(s[0]!.srcIp, '192.168.1.10');
  assert.ok(s[0]!.tsUs - T0 < 1e6, 'fires after ~100 distinct ports');
  assert.equal(h.of('syn_rate').length, 0, 'a source flagged as scanner does not also raise syn_rate below the flood rate');
});

test('ICMP ping sweep of 300 hosts alerts as hostsweep', () => {
  const h = new Harness();
  for (let i = 0; i < 300; i++) h.send({ t: T0 + i * 2000, src: '10.0.0.128', dst: `10.1.${i >> 8}.${i & 255}`, proto: 1, icmpType: 8 });
  const s = h.of('scan');
  assert.equal(s.length, 1);
  assert.equal(s[0]!.attackType, 'hostsweep');
});

test('ICMP flood alerts; a traceroute-like trickle does not', () => {
  const h = new Harness();
  for (let i = 0; i < 30; i++) h.send({ t: T0 + i * 20_000, src: `10.9.${i}.1`, dst: '10.0.0.5', proto: 1, icmpType: 11 });
  assert.equal(h.alerts.length, 0);
  for (let i = 0; i < 20_000; i++) h.send({ t: T0 + 1e6 + i * 20, src: '10.0.0.66', dst: '10.0.0.5', proto: 1, icmpType: 8 });
  const a = h.of('icmp_rate');
  assert.equal(a.length, 1);
  assert.ok(a[0]!.tsUs - (T0 + 1e6) < 1e6);
  assert.equal(a[0]!.srcIp, '10.0.0.66');
});

test('UDP flood alerts; answered high-rate UDP (DNS-like) does not', () => {
  const h = new Harness();
  for (let i = 0; i < 10_000; i++) {
    const t = T0 + i * 100; // 10 k queries/s, each answered
    h.send({ t, src: '10.0.0.1', dst: '10.0.0.53', sport: 10000 + (i % 50000), dport: 53, proto: 17, payload: 40 });
    h.send({ t: t + 30, src: '10.0.0.53', dst: '10.0.0.1', sport: 53, dport: 10000 + (i % 50000), proto: 17, payload: 120 });
  }
  assert.equal(h.alerts.length, 0);
  for (let i = 0; i < 10_000; i++) h.send({ t: T0 + 2e6 + i * 20, src: '10.0.0.66', dst: '10.0.0.7', sport: 2000 + i, dport: 9, proto: 17, payload: 14 });
  const a = h.of('udp_rate');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.destIp, '10.0.0.7');
  assert.ok(a[0]!.tsUs - (T0 + 2e6) < 1e6);
});

test('slow_conn: one client holding 60 open connections to a web server alerts; 6 browser connections do not', () => {
  const h = new Harness();
  const open = (client: string, n: number, t0: number): void => {
    for (let i = 0; i < n; i++) {
      const t = t0 + i * 10_000;
      h.send({ t, src: client, dst: '10.0.0.80', sport: 40000 + i, dport: 80, flags: SYN });
      h.send({ t: t + 100, src: '10.0.0.80', dst: client, sport: 80, dport: 40000 + i, flags: SYN | ACK });
      h.send({ t: t + 200, src: client, dst: '10.0.0.80', sport: 40000 + i, dport: 80, flags: ACK });
    }
  };
  open('10.0.0.3', 6, T0);
  assert.equal(h.alerts.length, 0);
  open('10.0.0.66', 60, T0 + 1e6);
  const a = h.of('slow_conn');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.srcIp, '10.0.0.66');
  assert.equal(a[0]!.evidence.concurrent_connections, 50);
});

test('host table stays bounded under a flood of spoofed sources', () => {
  const h = new Harness({ capacity: 1024 });
  for (let i = 0; i < 50_000; i++) h.send({ t: T0 + i * 10, src: `12.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dst: '10.0.0.10', sport: 1000, dport: 80, flags: SYN });
  const c = h.hd.counters();
  assert.ok(c.hostsTracked <= 1024);
  assert.ok(c.hostReplacements > 40_000);
  assert.equal(h.of('syn_rate').length, 1, 'the victim is recent, so it survives replacement');
});
