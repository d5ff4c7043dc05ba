/** The pcap writer and encoder: exact header bytes, round trips, and what tshark makes of them. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowsentryError } from '../../../src/errors.js';
import { PcapWriter, encodePcap } from '../../../src/capture/pcap-writer.js';
import { openCaptureFile } from '../../../src/capture/file-source.js';
import { readAll } from '../../helpers/fuzz.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fs-pcapw-'));
const hasTshark = spawnSync('tshark', ['--version']).status === 0;

test('global and record headers are the libpcap layout', () => {
  const b = encodePcap([{ tsUs: 1_500_000_000_250_000, data: Uint8Array.of(0xaa, 0xbb), wireLen: 60 }], { linkType: 101, snaplen: 1000 });
  // prettier-ignore
  assert.deepEqual([...b], [
    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe8, 0x03, 0, 0, 101, 0, 0, 0,
    0x00, 0x2f, 0x68, 0x59, 0x90, 0xd0, 0x03, 0x00, 2, 0, 0, 0, 60, 0, 0, 0, 0xaa, 0xbb,
  ]);
  const be = encodePcap([], { bigEndian: true, nanosecond: true });
  assert.deepEqual([...be.subarray(0, 4)], [0xa1, 0xb2, 0x3c, 0x4d]);
});

test('µs rounding that reaches a whole second carries into ts_sec', () => {
  const b = encodePcap([{ tsUs: 1_999_999.6, data: new Uint8Array(0) }]);
  const dv = new DataView(b.buffer);
  assert.equal(dv.getUint32(24, true), 2);
  assert.equal(dv.getUint32(28, true), 0);
});

test('PcapWriter writes the same bytes as encodePcap, through a tiny buffer and a huge packet', async () => {
  const pkts = [
    { tsUs: 1e15, data: new Uint8Array(10).fill(1) },
    { tsUs: 1e15 + 1, data: new Uint8Array(300).fill(2), wireLen: 1500 },
    { tsUs: 1e15 + 2, data: new Uint8Array(3).fill(3) },
  ];
  const f = path.join(dir, 'same.pcap');
  const w = new PcapWriter(f, { bufferBytes: 64 });
  for (const p of pkts) w.writePacket(p.tsUs, p.data, p.wireLen);
  assert.equal(w.packets, 3);
  w.close();
  w.close(); // idempotent
  assert.deepEqual(new Uint8Array(readFileSync(f)), encodePcap(pkts));
  assert.equal(w.bytes, 24 + 3 * 16 + 313);
  assert.throws(() => w.writePacket(0, new Uint8Array(1)), (e: unknown) => FlowsentryError.is(e));
});

test('snaplen cuts packets but keeps the wire length; writeSlice copies from inside a buffer', async () => {
  const f = path.join(dir, 'snap.pcap');
  const w = new PcapWriter(f, { snaplen: 4, nanosecond: true, linkType: 113 });
  w.writePacket(1_000_000.5, Uint8Array.of(1, 2, 3, 4, 5, 6));
  const buf = Uint8Array.of(9, 9, 7, 8, 9);
  w.writeSlice(2_000_000, buf, 2, 2, 64);
  w.close();
  const r = await readAll(openCaptureFile(f));
  assert.equal(r.error, undefined);
  assert.deepEqual(
    r.packets.map((p) => [p.tsUs, p.capLen, p.wireLen, p.linkType, [...p.data]]),
    [
      [1_000_000.5, 4, 6, 113, [1, 2, 3, 4]],
      [2_000_000, 2, 64, 113, [7, 8]],
    ],
  );
});

test('a bad output path → FS_ERR_FILE_OPEN', () => {
  assert.throws(() => new PcapWriter(path.join(dir, 'no/such/dir/x.pcap')), (e: unknown) => FlowsentryError.is(e) && e.code === 'FS_ERR_FILE_OPEN');
});

test('capinfos and tshark read PcapWriter output (µs and ns) with our times and lengths', { skip: hasTshark ? false : 'tshark not installed' }, () => {
  for (const nanosecond of [false, true]) {
    const f = path.join(dir, `tshark-${nanosecond}.pcap`);
    const w = new PcapWriter(f, { nanosecond });
    for (let i = 0; i < 50; i++) w.writePacket(1_700_000_000_000_000 + i * 1_000_250, new Uint8Array(40 + i), 100 + i);
    w.close();
    const c = spawnSync('capinfos', ['-T', '-r', '-c', '-d', f], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    // 50 packets; capinfos "data size" sums original lengths: 100..149
    assert.deepEqual(c.stdout.trim().split('\t').slice(1).map(Number), [50, 50 * 100 + (49 * 50) / 2]);
    const t = spawnSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const rows = t.stdout.trim().split('\n');
    assert.equal(rows.length, 50);
    // packet 7: 1700000000 s + 7 × 1.00025 s = 1700000007.00175 s
    assert.deepEqual(rows[7]!.split('\t'), ['1700000007.001750000', '47', '107']);
  }
});
