/**
 * Robustness: random and mutated frames never throw, always return a known code, and never read
 * outside the captured bytes. The out-of-bounds check: decode the same captured bytes embedded in
 * two buffers with different surrounding garbage — any read outside [offset, offset + capLen)
 * would (almost surely) make the two results differ.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../../src/decode/decode.js';
import { PacketView } from '../../../src/decode/packet-view.js';
import { Decode, REASONS } from '../../../src/decode/reasons.js';
import { buildFrame, buildFragments, linkTypeOf, type FrameSpec } from '../../helpers/packet-builder.js';

/** Deterministic xorshift32 so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const FIELDS = Object.keys(new PacketView()) as Array<keyof PacketView>;

function snapshot(v: PacketView, base: number): number[] {
  return FIELDS.map((k) => {
    const x = v[k];
    // Offsets are absolute in the buffer: compare them relative to the frame start.
    if ((k === 'frameOffset' || k === 'ipOffset' || k === 'l4Offset') && x !== 0) return x - base;
    return x;
  });
}

const SPECS: FrameSpec[] = [
  { tcp: { options: [2, 4, 5, 0xb4] }, payload: 10 },
  { vlans: [{ id: 3, tpid: 0x88a8 }, 4], udp: {}, payload: 20 },
  { mpls: [1, 2], ip: { version: 6, ext: [{ type: 0 }, { type: 44, offset: 0, more: true }] }, tcp: {} },
  { link: 'sll', ip: { version: 6, ext: [{ type: 60 }, { type: 51 }] }, icmp: {} },
  { link: 'sll2', ip: { options: [1, 1, 1, 1] }, icmp: {}, payload: 12 },
  { link: 'null', ip: { version: 6 }, udp: {} },
  { link: 'loop', tcp: {} },
  { link: 'raw', pppoe: false, tcp: { flags: 0x1ff } },
  { pppoe: true, udp: {} },
];

test('mutated and random frames: no throw, known status, no reads outside the captured bytes', () => {
  const r = rng(12345);
  const linkTypes = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];
  const v = new PacketView();
  const bufA = new Uint8Array(4096);
  const bufB = new Uint8Array(4096);
  const seeds: Uint8Array[] = SPECS.map((s) => buildFrame(s));
  seeds.push(...buildFragments({ ip: { version: 6 }, udp: {}, payload: 100 }, 48));
  const seedLinks = SPECS.map((s) => linkTypeOf(s)).concat([1, 1, 1]);
  const counts = new Array<number>(REASONS.length).fill(0);
  for (let iter = 0; iter < 30000; iter++) {
    let frame: Uint8Array;
    let lt: number;
    if (iter % 4 === 0) {
      frame = new Uint8Array(Math.floor(r() * 120));
      for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(r() * 256);
      lt = linkTypes[Math.floor(r() * linkTypes.length)];
    } else {
      const k = Math.floor(r() * seeds.length);
      frame = seeds[k].slice();
      lt = seedLinks[k];
      const flips = 1 + Math.floor(r() * 4);
      for (let j = 0; j < flips; j++) frame[Math.floor(r() * frame.length)] = Math.floor(r() * 256);
      if (r() < 0.5) frame = frame.subarray(0, Math.floor(r() * frame.length));
    }
    const offA = 100 + Math.floor(r() * 100);
    const offB = 2000 + Math.floor(r() * 100);
    for (let i = 0; i < bufA.length; i++) {
      bufA[i] = 0xaa;
      bufB[i] = 0x55;
    }
    bufA.set(frame, offA);
    bufB.set(frame, offB);
    const wire = frame.length + Math.floor(r() * 3) * 20;
    const sa = decodePacket(v, bufA, offA, frame.length, wire, lt, iter);
    const a = snapshot(v, offA);
    const sb = decodePacket(v, bufB, offB, frame.length, wire, lt, iter);
    const b = snapshot(v, offB);
    assert.ok(sa >= 0 && sa < REASONS.length, `status ${sa}`);
    assert.equal(sa, sb, `iteration ${iter}`);
    assert.deepEqual(a, b, `iteration ${iter}`);
    counts[sa]++;
    if (sa === Decode.OK) {
      assert.ok(v.payloadLen >= 0 && v.trailerLen >= 0);
      assert.ok(v.ipHdrLen + v.l4HdrLen + v.payloadLen === v.ipTotalLen || v.isFragment === 1 || v.hasL4 === 1);
      assert.ok(Number.isInteger(v.src0) && v.src0 >= 0 && v.src0 <= 0xffffffff);
    }
  }
  // The corpus must exercise both success and several weirds, or the test proves little.
  assert.ok(counts[Decode.OK] > 1000);
  assert.ok(counts.filter((c) => c > 0).length >= 10, JSON.stringify(counts));
});

test('a frame at the very end of the buffer with a lying capLen is safe', () => {
  const v = new PacketView();
  const f = buildFrame({ ip: { version: 6, ext: [{ type: 0 }] }, tcp: {} });
  for (let cut = 0; cut <= f.length; cut++) {
    const st = decodePacket(v, f.subarray(0, cut), 0, f.length, f.length, 1, 0);
    assert.ok(st >= 0 && st < REASONS.length);
    if (cut < f.length) assert.notEqual(st, Decode.OK, `cut ${cut}`);
  }
});
