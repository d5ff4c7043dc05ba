/**
 * bruteforce: many connections from one client to one login service (patator / hydra), and the
 * benign patterns that must stay quiet: an interactive session, a web client opening many HTTP
 * connections, a script logging in every few seconds.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { TcpFlag } from '../../../src/decode/packet-view.js';
import { Harness, T0 } from './traffic.js';

const { SYN, ACK, RST, PSH } = TcpFlag;

/**
 * One short login attempt: handshake, banner, a few exchanges, then the client resets the connection
 * (the harness carries no sequence numbers, so a FIN close would never count as acknowledged).
 */
function login(h: Harness, t: number, client: string, server: string, sport: number, dport: number): void {
  h.send({ t, src: client, dst: server, sport, dport, flags: SYN });
  h.send({ t: t + 100, src: server, dst: client, sport: dport, dport: sport, flags: SYN | ACK });
  h.send({ t: t + 200, src: client, dst: server, sport, dport, flags: ACK });
  for (let k = 0; k < 4; k++) {
    h.send({ t: t + 1000 + k * 2000, src: server, dst: client, sport: dport, dport: sport, flags: PSH | ACK, payload: 120 });
    h.send({ t: t + 2000 + k * 2000, src: client, dst: server, sport, dport, flags: PSH | ACK, payload: 80 });
  }
  h.send({ t: t + 20_000, src: client, dst: server, sport, dport, flags: RST | ACK });
}

test('SSH brute force at 15 logins/s alerts within 2 s, naming client and service', () => {
  const h = new Harness();
  for (let i = 0; i < 60; i++) login(h, T0 + i * 66_000, '10.203.0.30', '10.203.0.10', 40000 + i, 22);
  const a = h.of('bruteforce');
  assert.equal(a.length, 1, 'one alert per cooldown');
  assert.equal(a[0]!.srcIp, '10.203.0.30');
  assert.equal(a[0]!.destIp, '10.203.0.10');
  assert.equal(a[0]!.destPort, 22);
  assert.equal(a[0]!.attackType, 'bruteforce');
  assert.ok(a[0]!.tsUs - T0 < 2e6, `fired after ${(a[0]!.tsUs - T0) / 1000} ms`);
  assert.ok(Number(a[0]!.evidence.connections) >= 20);
});

test('FTP brute force over IPv6 alerts too', () => {
  const h = new Harness();
  for (let i = 0; i < 40; i++) login(h, T0 + i * 100_000, 'fd0f:5e47:1ab::30', 'fd0f:5e47:1ab::10', 41000 + i, 21);
  assert.deepEqual(h.of('bruteforce').map((a) => `${a.srcIp} -> ${a.destIp}:${a.destPort}`), ['fd0f:5e47:1ab::30 -> fd0f:5e47:1ab::10:21']);
});

test('benign: an SSH session, 300 HTTP connections from one client, a script logging in every 3 s raise nothing', () => {
  const h = new Harness();
  login(h, T0, '10.0.0.3', '10.0.0.10', 50000, 22);
  // a web client without keep-alive: 300 connections to port 80 at 30/s (not a login service)
  for (let i = 0; i < 300; i++) login(h, T0 + 1e6 + i * 33_000, '10.0.0.4', '10.0.0.80', 30000 + i, 80);
  // a monitoring script: one SSH login every 3 s for 5 minutes (steady decayed count ≈ 4.8)
  for (let i = 0; i < 100; i++) login(h, T0 + 20e6 + i * 3e6, '10.0.0.5', '10.0.0.10', 20000 + i, 22);
  assert.deepEqual(h.alerts.map((a) => a.signature), []);
});

test('brute force spread over many servers (one login each) is not this detector', () => {
  const h = new Harness();
  for (let i = 0; i < 100; i++) login(h, T0 + i * 20_000, '10.0.0.7', `10.1.0.${i + 1}`, 45000 + i, 22);
  assert.equal(h.of('bruteforce').length, 0);
});

test('bruteforce can be switched off and tuned', () => {
  const off = new Harness({ bruteForce: { enabled: false, connections: 20, halfLifeMs: 10_000, ports: [22] } });
  for (let i = 0; i < 60; i++) login(off, T0 + i * 66_000, '10.203.0.30', '10.203.0.10', 40000 + i, 22);
  assert.equal(off.of('bruteforce').length, 0);
  const low = new Harness({ bruteForce: { enabled: true, connections: 5, halfLifeMs: 60_000, ports: [2222] } });
  for (let i = 0; i < 6; i++) login(low, T0 + i * 5e6, '10.0.0.30', '10.0.0.10', 40000 + i, 2222);
  assert.equal(low.of('bruteforce').length, 1);
});
