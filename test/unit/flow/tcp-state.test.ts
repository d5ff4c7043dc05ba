/**
 * TcpStateTable against Zeek's rules, worked by hand.
 *
 * Zeek keeps a state per endpoint (INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED,
 * RESET) and derives conn_state from the pair; history letters are added the first time a kind of
 * packet is seen per direction (upper case = originator): S SYN, H SYN+ACK, A pure ACK, D data,
 * F FIN, R RST, Q SYN+FIN-style multi-flag, I FIN+RST. S/H/F/R repeat only when the sequence
 * number moved. The comments give (orig state, resp state) after each packet.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { TcpStateTable, TERM_FIN, TERM_RST, TcpEndpointState as E, type TcpSegment } from '../../../src/flow/tcp-state.js';
import { tcpFlags } from '../../helpers/packet-builder.js';

/** A TCP segment with flags given as letters. */
function seg(flags: string, payloadLen: number, tcpSeq: number, tcpAck: number): TcpSegment {
  return { tcpFlags: tcpFlags(flags), payloadLen, tcpSeq, tcpAck };
}

/** A tiny script runner: o('SA', len, seq, ack) from the originator, r(...) from the responder. */
function conn(slot = 1) {
  const t = new TcpStateTable(4);
  t.reset(slot);
  const o = (f: string, len = 0, seq = 0, ack = 0): void => t.update(slot, true, seg(f, len, seq, ack));
  const r = (f: string, len = 0, seq = 0, ack = 0): void => t.update(slot, false, seg(f, len, seq, ack));
  const st = (): [string, string, number] => [t.connState(slot), t.history(slot), t.closedBy(slot)];
  return { t, o, r, st, slot };
}

/** SYN 100 → SYN-ACK 300/101 → ACK 101/301: both ESTABLISHED. */
function handshake(c: ReturnType<typeof conn>): void {
  c.o('S', 0, 100, 0); // (SYN_SENT, INACTIVE)
  c.r('SA', 0, 300, 101); // resp SYN-ACK while orig SYN_SENT → (ESTABLISHED, ESTABLISHED)
  c.o('A', 0, 101, 301); // no change
}

test('normal connection: handshake, data both ways, FIN/FIN/ACK → SF, "ShADadFf", closed by FIN', () => {
  const c = conn();
  c.o('S', 0, 100);
  assert.deepEqual(c.st(), ['S0', 'S', 0]);
  c.r('SA', 0, 300, 101);
  assert.deepEqual(c.t.endpointStates(c.slot), [E.ESTABLISHED, E.ESTABLISHED]);
  c.o('A', 0, 101, 301);
  assert.deepEqual(c.st(), ['S1', 'ShA', 0]);
  c.o('PA', 10, 101, 301); // D
  c.r('A', 0, 301, 111); // a
  c.r('PA', 20, 301, 111); // d
  c.o('FA', 0, 111, 321); // F: orig CLOSED → (CLOSED, ESTABLISHED) = S2
  assert.deepEqual(c.st(), ['S2', 'ShADadF', 0]);
  c.r('FA', 0, 321, 112); // f, acks orig FIN (111 + 1); resp CLOSED → SF, but resp FIN not yet acked
  assert.deepEqual(c.st(), ['SF', 'ShADadFf', 0]);
  c.o('A', 0, 112, 322); // acks resp FIN (321 + 1) → closed; 'A' was already seen → no letter
  assert.deepEqual(c.st(), ['SF', 'ShADadFf', TERM_FIN]);
});

test('FIN carrying data: the FIN sits at seq + payload, so the ack must cover the data', () => {
  const c = conn();
  handshake(c);
  c.r('FA', 0, 301, 101); // resp FIN first (at 301)
  c.o('FPA', 50, 101, 302); // orig FIN last: occupies 151 → acknowledged by ack ≥ 152
  c.r('A', 0, 302, 151); // covers the data but not the FIN
  assert.equal(c.t.closedBy(c.slot), 0);
  c.r('A', 0, 302, 152);
  assert.equal(c.t.closedBy(c.slot), TERM_FIN);
  assert.equal(c.t.history(c.slot), 'ShAfFa'); // FIN with data is 'F', not 'D' (bits_set = 1)
});

test('only the last FIN needs its ACK (the first ACK may be missing from the capture)', () => {
  const c = conn();
  handshake(c);
  c.o('FA', 0, 101, 301); // first FIN, at 101
  c.r('FA', 0, 301, 101); // last FIN; its ack (101) does not cover orig's FIN (needs 102)
  c.o('A', 0, 102, 302); // acks the last FIN → closed
  assert.equal(c.t.closedBy(c.slot), TERM_FIN);
});

test('FIN acknowledgement across the 2^32 sequence wrap', () => {
  const c = conn();
  handshake(c);
  c.o('FA', 0, 0xffffffff, 301); // FIN at 0xffffffff → ack 0
  c.r('FA', 0, 301, 0);
  c.o('A', 0, 0, 302);
  assert.equal(c.t.closedBy(c.slot), TERM_FIN);
});

test('REJ: SYN answered by RST-ACK → "Sr", closed by RST', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.r('RA', 0, 0, 101); // resp INACTIVE → RESET while orig SYN_SENT
  assert.deepEqual(c.st(), ['REJ', 'Sr', TERM_RST]);
});

test('S0: SYN only (retransmissions with the same seq add no letters)', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.o('S', 0, 100);
  c.o('S', 0, 100);
  assert.deepEqual(c.st(), ['S0', 'S', 0]);
});

test('repeated SYNs with new sequence numbers repeat the letter', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.o('S', 0, 200);
  c.o('S', 0, 200);
  c.o('S', 0, 300);
  assert.deepEqual(c.st(), ['S0', 'SSS', 0]);
});

test('RSTOS0: SYN then originator RST, no SYN-ACK → "SR"', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.o('R', 0, 101);
  assert.deepEqual(c.st(), ['RSTOS0', 'SR', TERM_RST]);
});

test('RSTOS0 history test: lower-case letters between S and R are allowed, upper-case A is not', () => {
  const a = conn();
  a.o('S', 0, 100);
  a.r('A', 0, 0, 101); // bare ACK before any SYN-ACK: resp stays INACTIVE (Zeek's "eccentric TCP" rule)
  a.o('R', 0, 101);
  assert.deepEqual(a.st(), ['RSTOS0', 'SaR', TERM_RST]);
  const b = conn();
  b.o('S', 0, 100);
  b.o('A', 0, 101, 5); // orig stays SYN_SENT, letter A
  b.o('R', 0, 101);
  assert.deepEqual(b.st(), ['OTH', 'SAR', TERM_RST]); // /^S[^HAFGIQ]*R/ fails on 'A'
});

test('S1: established, nothing closed', () => {
  const c = conn();
  handshake(c);
  assert.deepEqual(c.st(), ['S1', 'ShA', 0]);
});

test('S2: established, originator FIN only', () => {
  const c = conn();
  handshake(c);
  c.o('FA', 0, 101, 301);
  c.r('A', 0, 301, 102); // acked, but only one direction closed
  assert.deepEqual(c.st(), ['S2', 'ShAFa', 0]);
});

test('S3: established, responder FIN only', () => {
  const c = conn();
  handshake(c);
  c.r('FA', 0, 301, 101);
  assert.deepEqual(c.st(), ['S3', 'ShAf', 0]);
});

test('OTH: midstream traffic, no SYN seen (both endpoints PARTIAL)', () => {
  const c = conn();
  c.o('PA', 100, 5000, 9000); // (PARTIAL, INACTIVE)
  c.r('A', 0, 9000, 5100); // (PARTIAL, PARTIAL)
  c.r('PA', 10, 9000, 5100);
  assert.deepEqual(c.t.endpointStates(c.slot), [E.PARTIAL, E.PARTIAL]);
  assert.deepEqual(c.st(), ['OTH', 'Dad', 0]);
});

test('SH: SYN then FIN from the originator, no answer', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.o('F', 0, 101); // SYN_SENT → CLOSED
  assert.deepEqual(c.st(), ['SH', 'SF', 0]);
});

test('SH from a single SYN+FIN packet: history letter Q', () => {
  const c = conn();
  c.o('SF', 0, 100); // INACTIVE: SYN → SYN_SENT, FIN → CLOSED in the same packet
  assert.deepEqual(c.st(), ['SH', 'Q', 0]);
});

test('RSTO: established, originator aborts', () => {
  const c = conn();
  handshake(c);
  c.o('PA', 5, 101, 301);
  c.o('RA', 0, 106, 301);
  assert.deepEqual(c.st(), ['RSTO', 'ShADR', TERM_RST]);
});

test('RSTR: established, responder aborts', () => {
  const c = conn();
  handshake(c);
  c.r('R', 0, 301);
  assert.deepEqual(c.st(), ['RSTR', 'ShAr', TERM_RST]);
});

test('RSTRH: responder SYN-ACK (originator SYN missed), then responder RST', () => {
  const c = conn();
  c.r('SA', 0, 300, 101); // (INACTIVE, ESTABLISHED)
  c.r('R', 0, 301);
  assert.deepEqual(c.st(), ['RSTRH', 'hr', TERM_RST]);
});

test('SHR: responder SYN-ACK then FIN, originator never seen', () => {
  const c = conn();
  c.r('SA', 0, 300, 101);
  c.r('FA', 0, 301, 101);
  assert.deepEqual(c.st(), ['SHR', 'hf', 0]);
});

test('missed SYN: SYN-ACK then originator ACK is established (S1), not partial', () => {
  const c = conn();
  c.r('SA', 0, 300, 101);
  c.o('A', 0, 101, 301);
  assert.deepEqual(c.t.endpointStates(c.slot), [E.ESTABLISHED, E.ESTABLISHED]);
  assert.deepEqual(c.st(), ['S1', 'hA', 0]);
});

test('REJ also when both sides reset with no payload either way', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.o('R', 0, 101); // (RESET, INACTIVE)
  c.r('R', 0, 0); // (RESET, RESET), no bytes → REJ
  assert.equal(c.t.connState(c.slot), 'REJ');
  const d = conn();
  d.o('PA', 10, 100, 1); // PARTIAL, bytes sent
  d.o('R', 0, 110);
  d.r('R', 0, 1);
  // Bytes were sent, so not REJ; orig RESET is not "inactive" (only INACTIVE/PARTIAL are) → RSTR.
  assert.equal(d.t.connState(d.slot), 'RSTR');
});

test('FIN then RST from one side, then the peer FIN: Zeek turns the RST back into CLOSED → SF', () => {
  const c = conn();
  handshake(c);
  c.o('FA', 0, 101, 301); // orig CLOSED
  c.o('RA', 0, 102, 301); // peer not CLOSED → orig RESET (prev CLOSED)
  assert.equal(c.t.connState(c.slot), 'RSTO');
  c.r('FA', 0, 301, 102); // resp CLOSED; peer RESET with prev CLOSED → orig back to CLOSED
  assert.deepEqual(c.t.endpointStates(c.slot), [E.CLOSED, E.CLOSED]);
  assert.equal(c.t.connState(c.slot), 'SF');
  assert.equal(c.t.closedBy(c.slot), TERM_RST); // the RST ended it first as far as the flow meter is concerned
  assert.equal(c.t.history(c.slot), 'ShAFRf');
});

test('a RST after a completed FIN exchange changes nothing', () => {
  const c = conn();
  handshake(c);
  c.o('FA', 0, 101, 301);
  c.r('FA', 0, 301, 102);
  c.o('A', 0, 102, 302);
  c.o('R', 0, 102);
  assert.deepEqual(c.st(), ['SF', 'ShAFfR', TERM_FIN]);
});

test('FIN+RST in one packet is history letter I', () => {
  const c = conn();
  handshake(c);
  c.o('FRA', 0, 101, 301);
  assert.deepEqual(c.st(), ['RSTO', 'ShAI', TERM_RST]);
});

test('RST carrying data does not count as bytes (REJ stays REJ)', () => {
  const c = conn();
  c.o('S', 0, 100);
  c.r('RA', 30, 0, 101);
  assert.equal(c.t.connState(c.slot), 'REJ');
});

test('history keeps at most 16 letters; slots are independent and reset clears them', () => {
  const t = new TcpStateTable(3);
  for (let i = 0; i < 40; i++) t.update(0, true, seg('S', 0, 1000 + i, 0));
  assert.equal(t.history(0), 'S'.repeat(16));
  t.update(1, false, seg('SA', 0, 5, 6));
  assert.equal(t.history(1), 'h');
  assert.equal(t.connState(2), 'OTH'); // untouched slot: (INACTIVE, INACTIVE)
  t.reset(0);
  assert.deepEqual([t.connState(0), t.history(0), t.closedBy(0)], ['OTH', '', 0]);
  assert.ok(TcpStateTable.BYTES_PER_SLOT <= 24);
});

test('unchangedBy(): whenever it says so, update() changes no bit of the record (random packet sequences)', () => {
  // xorshift32, fixed seed: the same cases every run
  let x = 12345;
  const rnd = (n: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  // mostly what a connection's bulk looks like (ACK, PSH+ACK, the odd flagless or URG packet), one
  // control packet in eight
  const bulk = ['A', 'A', 'PA', 'PA', '', 'U'];
  const control = ['S', 'SA', 'F', 'FA', 'R', 'RA', 'FR', 'SF'];
  const t = new TcpStateTable(2);
  let unchanged = 0;
  let claimed = 0;
  for (let c = 0; c < 3000; c++) {
    t.reset(1);
    const seqs = [rnd(1000), rnd(1000)];
    const n = 2 + rnd(40);
    for (let i = 0; i < n; i++) {
      const fromOrig = rnd(2) === 0;
      const flags = tcpFlags(rnd(8) === 0 ? control[rnd(control.length)]! : bulk[rnd(bulk.length)]!);
      const len = rnd(3) === 0 ? 0 : 1 + rnd(100);
      const me = fromOrig ? 0 : 1;
      // sequence numbers mostly move forward, sometimes repeat (retransmissions); acks cover the
      // peer's bytes so far, or lag behind or run ahead by one
      if (rnd(4) !== 0) seqs[me] = (seqs[me]! + len + 1) >>> 0;
      const ack = (seqs[1 - me]! + rnd(3) - 1) >>> 0;
      const claim = t.unchangedBy(1, fromOrig, flags, len);
      const before = t.rawRecord(1);
      t.update(1, fromOrig, { tcpFlags: flags, payloadLen: len, tcpSeq: seqs[me]!, tcpAck: ack });
      const same = Buffer.compare(before, t.rawRecord(1)) === 0;
      if (claim) {
        claimed++;
        assert.ok(same, `case ${c}, packet ${i}: unchangedBy() said true but update() changed the record`);
      }
      if (same) unchanged++;
    }
  }
  // the shortcut must cover most of the packets that really change nothing
  assert.ok(claimed > 10000 && claimed > unchanged * 0.5, `claimed ${claimed} of ${unchanged} unchanged packets`);
});
