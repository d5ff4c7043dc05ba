/**
 * pcapng reading: sections, byte order, interfaces with their own link type and clock, EPB/SPB/OPB,
 * skipped blocks. Expected timestamps are worked out by hand from the tick counts in the comments.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePcapng, PCAPNG_BT, type PcapngSection } from '../../../src/capture/pcapng-writer.js';
import { readBytes } from '../../helpers/fuzz.js';

const bytesOf = (...v: number[]): Uint8Array => Uint8Array.from(v);

test('big-endian pcapng spelled out byte by byte (SHB, IDB, EPB)', async () => {
  // prettier-ignore
  const file = bytesOf(
    0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28,
    // IDB: link 1, snaplen 65535, no options
    0, 0, 0, 1, 0, 0, 0, 20, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 20,
    // EPB: if 0, ts 1500000000250000 µs = 0x0005543d:f72d9090, caplen 3, orig 3, data + 1 pad byte
    0, 0, 0, 6, 0, 0, 0, 36, 0, 0, 0, 0, 0x00, 0x05, 0x54, 0x3d, 0xf7, 0x2d, 0x90, 0x90,
    0, 0, 0, 3, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc, 0, 0, 0, 0, 36,
  );
  const r = await readBytes(file);
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, 1);
  const p = r.packets[0]!;
  assert.equal(p.tsUs, 1_500_000_000_250_000);
  assert.equal(p.capLen, 3);
  assert.equal(p.linkType, 1);
  assert.deepEqual([...p.data], [0xaa, 0xbb, 0xcc]);
});

const d = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

/** One file exercising every block kind and clock; expectations listed in `expected`. */
const multiSections: PcapngSection[] = [
  {
    interfaces: [
      { linkType: 1 }, // no if_tsresol: µs
      { linkType: 101, tsresol: 9, snaplen: 64, name: 'ns0' }, // ns
      { linkType: 113, tsresol: 0x8a, tsoffset: 1000 }, // 2^-10 s, +1000 s
    ],
    blocks: [
      { kind: 'raw', blockType: PCAPNG_BT.NRB, body: d(4, 0) }, // only nrb_record_end
      { kind: 'epb', ifIndex: 0, ticks: 1_600_000_000_000_001n, data: d(60, 0x11), comment: 'hello' },
      { kind: 'epb', ifIndex: 1, ticks: 1_600_000_000_123_456_789n, data: d(40, 0x22), wireLen: 1500 },
      // 5376 ticks of 1/1024 s = 5.25 s, + 1000 s offset
      { kind: 'opb', ifIndex: 2, ticks: 5376n, data: d(33, 0x33), drops: 7 },
      { kind: 'raw', blockType: PCAPNG_BT.ISB, body: d(12, 0) }, // interface 0, time 0, no options
      // No timestamp: takes the previous packet's; interface 0; 21 bytes (block padded to 24)
      { kind: 'spb', data: d(21, 0x44) },
      { kind: 'raw', blockType: 0x80000001, body: d(4, 3) }, // local-use block type
      { kind: 'idb', linkType: 105, tsresol: 3, tsoffset: -10 }, // interface 3, ms clock
      { kind: 'epb', ifIndex: 3, ticks: 1_600_000_000_123n, data: d(1, 0x55) },
      { kind: 'idb', linkType: 0, tsresol: 0 }, // interface 4, whole seconds
      { kind: 'epb', ifIndex: 4, ticks: 42n, data: d(0, 0) },
      { kind: 'idb', linkType: 147, tsresol: 0x80 | 20 }, // interface 5, 2^-20 s
      { kind: 'epb', ifIndex: 5, ticks: 3n * 2n ** 20n + 2n ** 19n, data: d(2, 0x66) },
    ],
  },
  {
    bigEndian: true,
    interfaces: [{ linkType: 228, snaplen: 8 }],
    blocks: [
      { kind: 'epb', ifIndex: 0, ticks: 1n, data: d(8, 0x77), wireLen: 9000 },
      { kind: 'raw', blockType: PCAPNG_BT.CUSTOM, body: d(9, 4) },
      // SPB caplen = min(original 100, snaplen 8)
      { kind: 'spb', data: d(8, 0x88), wireLen: 100 },
    ],
  },
  {
    // A new little-endian section: interface numbering restarts, link type 1 again
    interfaces: [{ linkType: 1, tsresol: 6 }],
    blocks: [{ kind: 'epb', ifIndex: 0, ticks: 2_000_000n, data: d(14, 0x99) }],
  },
];

/** [tsUs, capLen, wireLen, linkType, ifIndex, fill byte] */
const expected: [number, number, number, number, number, number][] = [
  [1_600_000_000_000_001, 60, 60, 1, 0, 0x11],
  [1_600_000_000_123_456.789, 40, 1500, 101, 1, 0x22],
  [1_005_250_000, 33, 33, 113, 2, 0x33],
  [1_005_250_000, 21, 21, 1, 0, 0x44],
  [1_599_999_990_123_000, 1, 1, 105, 3, 0x55],
  [42_000_000, 0, 0, 0, 4, 0],
  [3_500_000, 2, 2, 147, 5, 0x66],
  [1, 8, 9000, 228, 0, 0x77],
  [1, 8, 100, 228, 0, 0x88],
  [2_000_000, 14, 14, 1, 0, 0x99],
];

test('pcapng: several sections and interfaces, every clock, EPB/OPB/SPB, unknown blocks skipped', async () => {
  const r = await readBytes(encodePcapng(multiSections));
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, expected.length);
  r.packets.forEach((p, i) => {
    const [ts, cap, wire, link, ifx, fill] = expected[i]!;
    assert.ok(Math.abs(p.tsUs - ts) <= 0.25, `packet ${i}: tsUs ${p.tsUs} != ${ts}`);
    assert.deepEqual([p.capLen, p.wireLen, p.linkType, p.ifIndex], [cap, wire, link, ifx], `packet ${i}`);
    assert.ok(p.data.every((b) => b === fill), `packet ${i} bytes`);
  });
});

test('pcapng nanosecond clock keeps sub-microsecond digits exactly where a double allows', async () => {
  // 1 s after the epoch + 1 ns: small enough that the fraction is exactly representable
  const r = await readBytes(
    encodePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: [{ kind: 'epb', ifIndex: 0, ticks: 1_000_000_001n, data: d(1, 0) }] }]),
  );
  assert.equal(r.packets[0]!.tsUs, 1_000_000.001);
});

test('a pcapng with only a section header yields nothing and no error', async () => {
  const r = await readBytes(encodePcapng([{ blocks: [] }]));
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, 0);
});

const hasTshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

test('tshark reads encodePcapng output with the same packets', { skip: hasTshark ? false : 'tshark not installed' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-ng-'));
  const file = path.join(dir, 'multi.pcapng');
  writeFileSync(file, encodePcapng(multiSections));
  const r = spawnSync(
    'tshark',
    ['-r', file, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  // tshark also lists the custom block as a record without an interface: not a packet.
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((x) => x[0] !== '');
  assert.deepEqual(
    rows.map((x) => [Number(x[2]), Number(x[3])]),
    expected.map((e) => [e[1], e[2]]),
  );
  // tshark prints no time for SPBs (we repeat the previous one); every other time must agree.
  rows.forEach((x, i) => {
    if (x[1] !== '') assert.ok(Math.abs(Number(x[1]) * 1e6 - expected[i]![0]) < 1, `packet ${i}: tshark ${x[1]}`);
  });
});
