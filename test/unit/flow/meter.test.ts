/** Flow meter lifecycle: timeouts, eviction, TCP close and port reuse, on packets built as PacketViews. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { PacketView, TcpFlag } from '../../../src/decode/packet-view.js';
import { FlowMeter } from '../../../src/flow/meter.js';
import { END_REASON_NAMES, type MeterConfig } from '../../../src/flow/meter-config.js';
import type { FeatureSet } from '../../../src/features/feature-set.js';

/** A feature set that only counts packets per slot (the meter is what is under test). */
class CountingSet implements FeatureSet {
  readonly id = 'count';
  readonly columns = [];
  readonly meter = {};
  counts = new Float64Array(0);
  init(cap: number) { this.counts = new Float64Array(cap); }
  onFlowStart(slot: number) { this.counts[slot] = 1; }
  onPacket(slot: number) { this.counts[slot]++; }
  finish() {}
}

function view(tsUs: number, src: number, sport: number, dst: number, dport: number, proto = 17, flags = 0): PacketView {
  const v = new PacketView();
  v.tsUs = tsUs; v.ipVersion = 4; v.proto = proto; v.hasL4 = 1;
  v.src0 = src; v.dst0 = dst; v.srcPort = sport; v.dstPort = dport;
  v.tcpFlags = flags; v.ipTotalLen = 40; v.l4HdrLen = proto === 6 ? 20 : 8;
  return v;
}

function meter(cfg: Partial<MeterConfig>) {
  const set = new CountingSet();
  const m = new FlowMeter([set], cfg);
  const ended: { reason: string; packets: number; first: number }[] = [];
  m.onFlowEnd = (slot, reason) => ended.push({ reason: END_REASON_NAMES[reason], packets: set.counts[slot], first: m.firstTs(slot) });
  return { m, ended };
}

const A = 0x0a000001;
const B = 0x0a000002;

test('both directions of a conversation land in one flow', () => {
  const { m, ended } = meter({});
  m.addPacket(view(0, A, 1000, B, 53));
  m.addPacket(view(10, B, 53, A, 1000));
  m.addPacket(view(20, A, 1000, B, 53));
  m.flushAll();
  assert.deepEqual(ended, [{ reason: 'shutdown', packets: 3, first: 0 }]);
  assert.equal(m.counters.flowsCreated, 1);
});

test('idle timeout splits a flow, whether or not tick() ran in between', () => {
  for (const tickBetween of [false, true]) {
    const { m, ended } = meter({ idleTimeoutUs: 1e6 });
    m.addPacket(view(0, A, 1000, B, 53));
    m.addPacket(view(0.5e6, A, 1000, B, 53));
    if (tickBetween) m.tick(1.6e6);
    m.addPacket(view(1.6e6, A, 1000, B, 53)); // 1.1 s after the last packet
    m.flushAll();
    assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['idle', 2], ['shutdown', 1]], `tick=${tickBetween}`);
  }
});

test('active timeout ends long flows even when packets keep coming', () => {
  const { m, ended } = meter({ activeTimeoutUs: 2e6, idleTimeoutUs: 10e6 });
  for (let t = 0; t <= 5e6; t += 0.5e6) m.addPacket(view(t, A, 1000, B, 53));
  m.flushAll();
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['active', 4], ['active', 4], ['shutdown', 3]]);
});

test('a full table evicts the least recently seen flow and counts it', () => {
  const { m, ended } = meter({ capacity: 2 });
  m.addPacket(view(0, A, 1, B, 53));
  m.addPacket(view(1, A, 2, B, 53));
  m.addPacket(view(2, A, 1, B, 53)); // flow 1 is now the most recent
  m.addPacket(view(3, A, 3, B, 53)); // evicts flow 2
  assert.equal(m.counters.flowsEvicted, 1);
  assert.deepEqual(ended, [{ reason: 'evicted', packets: 1, first: 1 }]);
  assert.equal(m.table.size, 2);
});

test('tcp-state: a RST ends the flow after the close delay; a new SYN on the same ports opens a new flow', () => {
  const { m, ended } = meter({ closeDelayUs: 1e6 });
  const tcp = (t: number, fromA: boolean, flags: number) => view(t, fromA ? A : B, fromA ? 4000 : 80, fromA ? B : A, fromA ? 80 : 4000, 6, flags);
  m.addPacket(tcp(0, true, TcpFlag.SYN));
  m.addPacket(tcp(10, false, TcpFlag.RST | TcpFlag.ACK));
  m.addPacket(tcp(20, true, TcpFlag.SYN)); // retry within the close delay: new connection
  m.tick(2e6);
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['rst', 2]]);
  m.flushAll();
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['rst', 2], ['shutdown', 1]]);
});

test('first-fin (CICFlowMeter-V3): FIN ends at once, single-packet flows are dropped', () => {
  const { m, ended } = meter({ termination: 'first-fin', idleTimeoutUs: Infinity, minPackets: 2 });
  const tcp = (t: number, fromA: boolean, flags: number) => view(t, fromA ? A : B, fromA ? 4000 : 80, fromA ? B : A, fromA ? 80 : 4000, 6, flags);
  m.addPacket(tcp(0, true, TcpFlag.SYN));
  m.addPacket(tcp(1, false, TcpFlag.SYN | TcpFlag.ACK));
  m.addPacket(tcp(2, true, TcpFlag.FIN | TcpFlag.ACK));
  m.addPacket(tcp(3, false, TcpFlag.FIN | TcpFlag.ACK)); // appendix flow, alone
  m.flushAll();
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['fin', 3]]);
  assert.equal(m.counters.flowsBelowMinPackets, 1);
});

test('time going backwards is counted and does not move the clock back', () => {
  const { m } = meter({});
  m.addPacket(view(100, A, 1, B, 2));
  m.addPacket(view(50, A, 1, B, 2));
  assert.equal(m.clock, 100);
  assert.equal(m.counters.timeRegressions, 1);
});

test('tcp-state: an unanswered SYN ends after the SYN timeout; an answered one does not', () => {
  const { m, ended } = meter({ synTimeoutUs: 5e6, idleTimeoutUs: 120e6 });
  const syn = (t: number, sport: number) => view(t, A, sport, B, 80, 6, TcpFlag.SYN);
  m.addPacket(syn(0, 1000)); // never answered
  m.addPacket(syn(0, 2000)); // answered below
  m.addPacket(view(100, B, 80, A, 2000, 6, TcpFlag.SYN | TcpFlag.ACK));
  m.tick(4.9e6);
  assert.equal(ended.length, 0);
  m.tick(5e6);
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['syn_timeout', 1]]);
  m.addPacket(syn(5.5e6, 1000)); // the same ports again: a new attempt, a new flow
  m.flushAll();
  assert.deepEqual(ended.map((e) => [e.reason, e.packets]), [['syn_timeout', 1], ['shutdown', 2], ['shutdown', 1]]);
});
