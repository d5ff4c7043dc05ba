/**
 * Whole-input errors: the right FS_ERR_* code, a message naming the file, the byte offset and the
 * packet count, and every complete packet before the problem delivered first.
 * Offsets are worked out from the format sizes: pcap header 24, record 16 + data; pcapng SHB 28,
 * IDB 20, EPB 32 + data padded to 4.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowsentryError, type ErrorCode } from '../../../src/errors.js';
import { openCaptureFile } from '../../../src/capture/file-source.js';
import { encodePcap } from '../../../src/capture/pcap-writer.js';
import { encodePcapng } from '../../../src/capture/pcapng-writer.js';
import { readAll, readBytes, type ReadResult } from '../../helpers/fuzz.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fs-caperr-'));
let seq = 0;
function fileWith(bytes: Uint8Array): string {
  const f = path.join(dir, `case${seq++}.pcap`);
  writeFileSync(f, bytes);
  return f;
}

function expectError(r: ReadResult, code: ErrorCode, ...patterns: RegExp[]): void {
  assert.ok(FlowsentryError.is(r.error), `expected ${code}, got ${String(r.error)}`);
  assert.equal(r.error.code, code, r.error.message);
  for (const p of patterns) assert.match(r.error.message, p);
}

const ten = (i: number): Uint8Array => new Uint8Array(10).fill(i);
// 3 records of 26 bytes at offsets 24, 50, 76; file length 102
const pcap3 = encodePcap([0, 1, 2].map((i) => ({ tsUs: i * 1e6, data: ten(i) })));
// SHB 0–27, IDB 28–47, EPBs of 44 bytes at 48, 92, 136; file length 180
const ng3 = encodePcapng([{ interfaces: [{ linkType: 1 }], blocks: [0, 1, 2].map((i) => ({ kind: 'epb' as const, ifIndex: 0, ticks: BigInt(i), data: ten(i) })) }]);

test('fixture layout is what the offsets below assume', () => {
  assert.equal(pcap3.length, 102);
  assert.equal(ng3.length, 180);
});

test('zero-length file → FS_ERR_CAPTURE_EMPTY', async () => {
  const f = fileWith(new Uint8Array(0));
  expectError(await readAll(openCaptureFile(f)), 'FS_ERR_CAPTURE_EMPTY', new RegExp(path.basename(f)));
});

test('missing file and directory → FS_ERR_FILE_OPEN from the iterator', async () => {
  expectError(await readAll(openCaptureFile(path.join(dir, 'nope.pcap'))), 'FS_ERR_FILE_OPEN', /nope\.pcap/);
  const sub = path.join(dir, 'adir');
  mkdirSync(sub);
  expectError(await readAll(openCaptureFile(sub)), 'FS_ERR_FILE_OPEN', /adir/);
});

test('wrong magic → FS_ERR_CAPTURE_MAGIC naming the file and the 4 bytes seen', async () => {
  const f = fileWith(new TextEncoder().encode('GET / HTTP/1.1\r\n'));
  expectError(await readAll(openCaptureFile(f)), 'FS_ERR_CAPTURE_MAGIC', new RegExp(path.basename(f)), /47 45 54 20/);
});

test('files shorter than a magic: a prefix of one is truncated, anything else is not a capture', async () => {
  expectError(await readBytes(Uint8Array.of(0xd4, 0xc3)), 'FS_ERR_CAPTURE_TRUNCATED', /offset 0/);
  expectError(await readBytes(Uint8Array.of(0x68, 0x69)), 'FS_ERR_CAPTURE_MAGIC', /68 69 -- --/);
});

test('pcap cut inside its 24-byte file header → truncated at offset 0', async () => {
  const r = await readBytes(pcap3.slice(0, 10));
  expectError(r, 'FS_ERR_CAPTURE_TRUNCATED', /file header/, /offset 0\b/, /after 0 packets/);
});

test('pcap cut inside record data: the 2 complete packets first, then truncated at 76', async () => {
  const f = fileWith(pcap3.slice(0, 97));
  const src = openCaptureFile(f);
  const r = await readAll(src);
  assert.deepEqual(r.packets.map((p) => p.data[0]), [0, 1]);
  expectError(r, 'FS_ERR_CAPTURE_TRUNCATED', /record data/, /offset 76\b/, /after 2 packets/, new RegExp(path.basename(f)));
  assert.equal(src.stats().packetsRead, 2);
});

test('pcap cut inside a record header → truncated at the record start', async () => {
  for (const chunkBytes of [undefined, 20]) {
    const r = await readBytes(pcap3.slice(0, 81), { chunkBytes });
    assert.equal(r.packets.length, 2);
    expectError(r, 'FS_ERR_CAPTURE_TRUNCATED', /record header/, /offset 76\b/, /after 2 packets/);
  }
});

test('pcap caplen above 16 MiB → corrupt after the packets before it', async () => {
  const bad = pcap3.slice();
  new DataView(bad.buffer).setUint32(76 + 8, 16 * 1024 * 1024 + 1, true);
  const r = await readBytes(bad);
  assert.equal(r.packets.length, 2);
  expectError(r, 'FS_ERR_CAPTURE_CORRUPT', /offset 76\b/, /16777217/, /after 2 packets/);
});

test('pcap caplen of exactly 16 MiB is allowed; the file just ends → truncated', async () => {
  const bad = pcap3.slice();
  new DataView(bad.buffer).setUint32(76 + 8, 16 * 1024 * 1024, true);
  const r = await readBytes(bad);
  assert.equal(r.packets.length, 2);
  expectError(r, 'FS_ERR_CAPTURE_TRUNCATED', /offset 76\b/);
});

test('pcapng cut inside a block → the 2 complete packets, then truncated at 136', async () => {
  const r = await readBytes(ng3.slice(0, 170), { chunkBytes: 32 });
  assert.deepEqual(r.packets.map((p) => p.data[0]), [0, 1]);
  expectError(r, 'FS_ERR_CAPTURE_TRUNCATED', /offset 136\b/, /after 2 packets/);
});

function ngWith(edit: (dv: DataView) => void): Uint8Array {
  const b = ng3.slice();
  edit(new DataView(b.buffer));
  return b;
}

for (const [what, edit, offset, packets, msg] of [
  ['block length not a multiple of 4', (dv: DataView) => dv.setUint32(136 + 4, 46, true), 136, 2, /block length 46/],
  ['block length below 12', (dv: DataView) => dv.setUint32(136 + 4, 8, true), 136, 2, /block length 8\b/],
  ['block length absurdly large', (dv: DataView) => dv.setUint32(92 + 4, 0xfffffff0, true), 92, 1, /block length 4294967280/],
  ['trailing length mismatch', (dv: DataView) => dv.setUint32(92 + 40, 48, true), 92, 1, /trailing length 48/],
  ['packet on an undefined interface', (dv: DataView) => dv.setUint32(92 + 8, 5, true), 92, 1, /interface 5/],
  ['captured length beyond the block', (dv: DataView) => dv.setUint32(48 + 20, 13, true), 48, 0, /captured length 13/],
  ['section header with a bad byte-order magic', (dv: DataView) => dv.setUint32(8, 0x12345678, true), 0, 0, /byte-order/],
] as const) {
  test(`pcapng ${what} → FS_ERR_CAPTURE_CORRUPT at ${offset} after ${packets} packets`, async () => {
    const r = await readBytes(ngWith(edit));
    assert.equal(r.packets.length, packets);
    expectError(r, 'FS_ERR_CAPTURE_CORRUPT', new RegExp(`offset ${offset}\\b`), new RegExp(`after ${packets} packets`), msg);
  });
}

test('a packet block before any interface description is corrupt', async () => {
  const r = await readBytes(encodePcapng([{ blocks: [{ kind: 'spb', data: ten(1) }] }]));
  expectError(r, 'FS_ERR_CAPTURE_CORRUPT', /offset 28\b/, /before any interface/);
});
