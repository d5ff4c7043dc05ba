/**
 * icmp_rate and echo replies: the victim's answers to an ICMP echo flood are not a flood *to* the
 * attacker (issue 5: they used to raise a second icmp_rate alert naming the attacker as the victim),
 * but a flood of echo replies nobody asked for (smurf-style reflection) still is.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0 } from './traffic.js';

const ECHO_REQUEST = 8;
const ECHO_REPLY = 0;
const ECHO6_REQUEST = 128;
const ECHO6_REPLY = 129;

test('ICMP echo flood answered by the victim: one icmp_rate alert for the victim, none for the attacker', () => {
  const h = new Harness();
  // 2 s of hping3 --icmp --flood at 50 k pps; the victim answers every request 30 µs later
  for (let i = 0; i < 100_000; i++) {
    const t = T0 + i * 20;
    h.send({ t, src: '10.0.0.66', dst: '10.0.0.5', proto: 1, icmpType: ECHO_REQUEST, payload: 64 });
    h.send({ t: t + 30, src: '10.0.0.5', dst: '10.0.0.66', proto: 1, icmpType: ECHO_REPLY, payload: 64 });
  }
  const a = h.of('icmp_rate');
  assert.deepEqual(a.map((x) => `${x.srcIp} -> ${x.destIp}`), ['10.0.0.66 -> 10.0.0.5']);
  assert.ok(a[0]!.tsUs - T0 < 100e3, 'a 50 k pps flood crosses 1000/s within tens of ms');
  assert.equal(a[0]!.evidence.icmp_type, ECHO_REQUEST);
});

test('the replies stay solicited when the sensor misses part of the requests (kernel drops) or the victim rate-limits', () => {
  const h = new Harness();
  for (let i = 0; i < 100_000; i++) {
    const t = T0 + i * 20;
    // 30 % of the requests lost before the sensor saw them, yet every reply seen
    if (i % 10 >= 3) h.send({ t, src: '10.0.0.66', dst: '10.0.0.5', proto: 1, icmpType: ECHO_REQUEST, payload: 64 });
    h.send({ t: t + 30, src: '10.0.0.5', dst: '10.0.0.66', proto: 1, icmpType: ECHO_REPLY, payload: 64 });
  }
  // a victim that answers only one request in ten (icmp_ratelimit)
  for (let i = 0; i < 100_000; i++) {
    const t = T0 + 3e6 + i * 20;
    h.send({ t, src: '10.0.1.66', dst: '10.0.1.5', proto: 1, icmpType: ECHO_REQUEST, payload: 64 });
    if (i % 10 === 0) h.send({ t: t + 30, src: '10.0.1.5', dst: '10.0.1.66', proto: 1, icmpType: ECHO_REPLY, payload: 64 });
  }
  assert.deepEqual(h.of('icmp_rate').map((x) => x.destIp).sort(), ['10.0.0.5', '10.0.1.5']);
});

test('ICMPv6 echo flood (nping -6 --icmp): the victim alerts, the attacker does not', () => {
  const h = new Harness();
  for (let i = 0; i < 40_000; i++) {
    const t = T0 + i * 50;
    h.send({ t, src: 'fd0f:5e47:1ab::30', dst: 'fd0f:5e47:1ab::10', proto: 58, icmpType: ECHO6_REQUEST, payload: 64 });
    h.send({ t: t + 30, src: 'fd0f:5e47:1ab::10', dst: 'fd0f:5e47:1ab::30', proto: 58, icmpType: ECHO6_REPLY, payload: 64 });
  }
  assert.deepEqual(h.of('icmp_rate').map((x) => `${x.srcIp} -> ${x.destIp}`), ['fd0f:5e47:1ab::30 -> fd0f:5e47:1ab::10']);
});

test('unsolicited echo replies (smurf-style reflection) to a host that sent no requests alert on that host', () => {
  const h = new Harness();
  // 200 reflectors answer spoofed broadcast pings: 20 k replies/s to the victim for 1 s
  for (let i = 0; i < 20_000; i++) h.send({ t: T0 + i * 50, src: `10.50.${(i % 200) >> 8}.${i % 200}`, dst: '10.0.0.9', proto: 1, icmpType: ECHO_REPLY, payload: 64 });
  const a = h.of('icmp_rate');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.destIp, '10.0.0.9');
  assert.equal(a[0]!.evidence.icmp_type, ECHO_REPLY);
  assert.match(a[0]!.signature, /unsolicited echo replies/);
  assert.ok(a[0]!.tsUs - T0 < 200e3);
});

test('a host that pings now and then is still alerted when reflected replies flood it', () => {
  const h = new Harness();
  for (let i = 0; i < 10; i++) {
    h.send({ t: T0 + i * 1e6, src: '10.0.0.9', dst: '10.0.0.1', proto: 1, icmpType: ECHO_REQUEST });
    h.send({ t: T0 + i * 1e6 + 300, src: '10.0.0.1', dst: '10.0.0.9', proto: 1, icmpType: ECHO_REPLY });
  }
  assert.equal(h.alerts.length, 0, 'ping at 1/s with answers: nothing');
  const t1 = T0 + 10e6;
  for (let i = 0; i < 10_000; i++) {
    if (i % 1000 === 0) h.send({ t: t1 + i * 100, src: '10.0.0.9', dst: '10.0.0.1', proto: 1, icmpType: ECHO_REQUEST });
    h.send({ t: t1 + i * 100 + 10, src: `10.60.0.${i % 100}`, dst: '10.0.0.9', proto: 1, icmpType: ECHO_REPLY });
  }
  const a = h.of('icmp_rate');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.destIp, '10.0.0.9');
});
