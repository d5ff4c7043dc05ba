/**
 * Classic pcap reading: the four magics, built here byte by byte (not with our writer) so a bug
 * shared by writer and reader cannot hide.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openCaptureFile } from '../../../src/capture/file-source.js';
import { readAll, readBytes } from '../../helpers/fuzz.js';

interface Rec {
  sec: number;
  frac: number;
  data: number[];
  wire?: number;
}

/** A pcap file from its parts; `magic` is the 32-bit value written in the file's byte order. */
function pcap(magic: number, le: boolean, link: number, recs: Rec[]): Uint8Array {
  const size = 24 + recs.reduce((s, r) => s + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, magic, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 65535, le);
  dv.setUint32(20, link, le);
  let at = 24;
  for (const r of recs) {
    dv.setUint32(at, r.sec, le);
    dv.setUint32(at + 4, r.frac, le);
    dv.setUint32(at + 8, r.data.length, le);
    dv.setUint32(at + 12, r.wire ?? r.data.length, le);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

test('little-endian microsecond pcap, spelled out byte by byte', async () => {
  // prettier-ignore
  const bytes = Uint8Array.from([
    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    // ts_sec 1500000000 = 0x59682f00, ts_usec 250000 = 0x0003d090, caplen 3, orig 3
    0x00, 0x2f, 0x68, 0x59, 0x90, 0xd0, 0x03, 0x00, 3, 0, 0, 0, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc,
  ]);
  const r = await readBytes(bytes);
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, 1);
  const p = r.packets[0]!;
  assert.equal(p.tsUs, 1_500_000_000_250_000);
  assert.equal(p.capLen, 3);
  assert.equal(p.wireLen, 3);
  assert.equal(p.linkType, 1);
  assert.equal(p.ifIndex, 0);
  assert.deepEqual([...p.data], [0xaa, 0xbb, 0xcc]);
});

test('big-endian nanosecond pcap (magic a1 b2 3c 4d)', async () => {
  // prettier-ignore
  const bytes = Uint8Array.from([
    0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 101,
    // ts_sec 0x65000000 = 1694498816, ts_nsec 0x075bcd15 = 123456789, caplen 4, orig 60
    0x65, 0, 0, 0, 0x07, 0x5b, 0xcd, 0x15, 0, 0, 0, 4, 0, 0, 0, 60, 0xde, 0xad, 0xbe, 0xef,
  ]);
  const r = await readBytes(bytes);
  assert.equal(r.error, undefined);
  const p = r.packets[0]!;
  // 1694498816 s + 123456.789 µs; a double near 1.7e15 resolves 0.25 µs.
  assert.ok(Math.abs(p.tsUs - 1_694_498_816_123_456.789) <= 0.25, String(p.tsUs));
  assert.equal(p.capLen, 4);
  assert.equal(p.wireLen, 60);
  assert.equal(p.linkType, 101);
  assert.deepEqual([...p.data], [0xde, 0xad, 0xbe, 0xef]);
});

const recs: Rec[] = [
  { sec: 1_000_000_000, frac: 1, data: [1, 2, 3, 4, 5] },
  { sec: 1_000_000_001, frac: 999_999, data: [], wire: 1514 },
  { sec: 4_000_000_000, frac: 500, data: [9] },
];

for (const [name, magic, le, nano] of [
  ['µs little-endian (d4 c3 b2 a1)', 0xa1b2c3d4, true, false],
  ['µs big-endian (a1 b2 c3 d4)', 0xa1b2c3d4, false, false],
  ['ns little-endian (4d 3c b2 a1)', 0xa1b23c4d, true, true],
  ['ns big-endian (a1 b2 3c 4d)', 0xa1b23c4d, false, true],
] as const) {
  test(`pcap magic variant: ${name}`, async () => {
    const r = await readBytes(pcap(magic, le, 113, recs));
    assert.equal(r.error, undefined);
    assert.equal(r.packets.length, 3);
    // frac is µs or ns depending on the magic; sec 4e9 checks ts_sec is read unsigned.
    const unit = nano ? 1000 : 1;
    assert.deepEqual(
      r.packets.map((p) => p.tsUs),
      [1e15 + 1 / unit, 1_000_000_001e6 + 999_999 / unit, 4e15 + 500 / unit],
    );
    assert.deepEqual(r.packets.map((p) => p.capLen), [5, 0, 1]);
    assert.deepEqual(r.packets.map((p) => p.wireLen), [5, 1514, 1]);
    assert.deepEqual(r.packets.map((p) => p.linkType), [113, 113, 113]);
    assert.deepEqual([...r.packets[0]!.data], [1, 2, 3, 4, 5]);
    assert.deepEqual([...r.packets[2]!.data], [9]);
  });
}

test('link type keeps only the low 16 bits (upper bits carry FCS information)', async () => {
  const r = await readBytes(pcap(0xa1b2c3d4, true, 0x14000001, recs.slice(0, 1)));
  assert.equal(r.packets[0]!.linkType, 1);
});

test('a header-only pcap yields no packets and no error', async () => {
  const r = await readBytes(pcap(0xa1b2c3d4, true, 1, []));
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, 0);
  assert.equal(r.batches, 0);
});

test('openCaptureFile reads from disk, reports stats and reuses one batch object', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-cap-'));
  const file = path.join(dir, 'a.pcap');
  const many: Rec[] = [];
  for (let i = 0; i < 10; i++) many.push({ sec: 1_700_000_000 + i, frac: i, data: [i, i, i] });
  const bytes = pcap(0xa1b2c3d4, true, 1, many);
  writeFileSync(file, bytes);
  const src = openCaptureFile(file, { batchPackets: 4 });
  assert.match(src.description, /a\.pcap/);
  const seen = new Set<object>();
  const counts: number[] = [];
  for await (const b of src) {
    seen.add(b);
    counts.push(b.count);
    assert.equal(src.stats().packetsRead, counts.reduce((a, c) => a + c, 0));
  }
  assert.deepEqual(counts, [4, 4, 2]);
  assert.equal(seen.size, 1, 'the batch object is reused');
  const s = src.stats();
  assert.equal(s.packetsRead, 10);
  assert.equal(s.bytesRead, bytes.length);
  assert.equal(s.bytesTotal, bytes.length);
  // Re-iterating reads the file again from the start.
  const again = await readAll(src);
  assert.equal(again.packets.length, 10);
  assert.equal(again.packets[9]!.tsUs, 1_700_000_009e6 + 9);
});

test('close() during iteration ends it after the current batch', async () => {
  const many: Rec[] = [];
  for (let i = 0; i < 10; i++) many.push({ sec: i, frac: 0, data: [i] });
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-cap-'));
  const file = path.join(dir, 'b.pcap');
  writeFileSync(file, pcap(0xa1b2c3d4, true, 1, many));
  const src = openCaptureFile(file, { batchPackets: 3 });
  let n = 0;
  for await (const b of src) {
    n += b.count;
    src.close();
  }
  assert.equal(n, 3);
});
