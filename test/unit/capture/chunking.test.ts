/**
 * Streaming: whatever the chunk size, the reader must deliver exactly the packets a whole-file read
 * does, including records that straddle chunk ends and records bigger than the chunk.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { encodePcap } from '../../../src/capture/pcap-writer.js';
import { encodePcapng } from '../../../src/capture/pcapng-writer.js';
import { DEFAULT_CHUNK_BYTES, openCaptureBytes } from '../../../src/capture/file-source.js';
import { readAll, readBytes } from '../../helpers/fuzz.js';

/** Packet i has length sizes[i] and bytes (i + k) & 0xff, so any mix-up changes the content. */
const sizes = [0, 1, 2, 3, 5, 13, 60, 64, 100, 257, 1514, 7, 4000, 31, 32, 33];
const data = sizes.map((n, i) => Uint8Array.from({ length: n }, (_, k) => (i + k) & 0xff));
const tsUs = (i: number): number => 1_650_000_000_000_000 + i * 1001;

const pcapFile = encodePcap(data.map((d, i) => ({ tsUs: tsUs(i), data: d, wireLen: d.length + 1 })));
const pcapngFile = encodePcapng([
  {
    bigEndian: true,
    interfaces: [{ linkType: 1 }, { linkType: 101 }],
    blocks: data.map((d, i) => ({ kind: 'epb' as const, ifIndex: i % 2, tsUs: tsUs(i), data: d, wireLen: d.length + 1 })),
  },
]);

for (const [name, file] of [
  ['pcap', pcapFile],
  ['pcapng', pcapngFile],
] as const) {
  test(`${name}: every chunk size from 16 bytes up gives the same packets`, async () => {
    for (const chunkBytes of [16, 17, 19, 24, 31, 40, 63, 64, 100, 333, 1000, 4097, 65536]) {
      for (const batchPackets of [1, 3, 1000]) {
        const r = await readAll(openCaptureBytes(file, { chunkBytes, batchPackets }));
        const where = `chunkBytes ${chunkBytes}, batchPackets ${batchPackets}`;
        assert.equal(r.error, undefined, where);
        assert.equal(r.packets.length, sizes.length, where);
        r.packets.forEach((p, i) => {
          assert.equal(p.tsUs, tsUs(i), where);
          assert.equal(p.capLen, sizes[i], where);
          assert.equal(p.wireLen, sizes[i]! + 1, where);
          assert.deepEqual(p.data, data[i], `${where}, packet ${i}`);
          if (name === 'pcapng') assert.equal(p.linkType, i % 2 === 0 ? 1 : 101, where);
        });
        if (batchPackets === 1) assert.equal(r.batches, sizes.length);
      }
    }
  });
}

test('a record bigger than the chunk grows the buffer just enough and the stream carries on', async () => {
  const big = new Uint8Array(100_000).map((_, i) => i % 251);
  const file = encodePcap([
    { tsUs: 1, data: Uint8Array.of(1) },
    { tsUs: 2, data: big },
    { tsUs: 3, data: Uint8Array.of(3) },
  ]);
  const src = openCaptureBytes(file, { chunkBytes: 64 });
  const lens: number[] = [];
  let maxData = 0;
  for await (const b of src) {
    maxData = Math.max(maxData, b.data.length);
    for (let i = 0; i < b.count; i++) {
      lens.push(b.capLen[i]!);
      if (b.capLen[i] === big.length) assert.deepEqual(b.data.subarray(b.offset[i]!, b.offset[i]! + big.length), big);
    }
  }
  assert.deepEqual(lens, [1, 100_000, 1]);
  // 16-byte header + payload, nothing like the whole file per packet
  assert.ok(maxData >= 100_016 && maxData < 200_100, `chunk grew to ${maxData}`);
  assert.equal(src.stats().bytesRead, file.length);
});

test('the default chunk stays DEFAULT_CHUNK_BYTES (256 KiB) for a file of many small packets', async () => {
  const pkts = Array.from({ length: 200_000 }, (_, i) => ({ tsUs: i, data: new Uint8Array(30) }));
  const file = encodePcap(pkts); // ~9.2 MB: many chunks
  let max = 0;
  let n = 0;
  for await (const b of openCaptureBytes(file)) {
    max = Math.max(max, b.data.length);
    n += b.count;
  }
  assert.equal(n, 200_000);
  assert.equal(max, DEFAULT_CHUNK_BYTES);
  assert.equal(DEFAULT_CHUNK_BYTES, 256 * 1024);
  const r = await readBytes(file, { chunkBytes: 1000 });
  assert.equal(r.packets.length, 200_000);
});
