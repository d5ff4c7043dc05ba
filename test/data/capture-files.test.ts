/**
 * Every shared capture (../shared/data/pcaps and the CICFlowMeter reference pcap) read in place:
 * packet count, total original length and first/last packet times must equal what capinfos says.
 * Skipped when the data directory or capinfos is absent.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { openCaptureFile } from '../../src/capture/file-source.js';
import { dataPath, hasSharedData, skipWithoutData } from '../helpers/shared-data.js';

function captures(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.(pcap|pcapng|cap)$/.test(name)) out.push(p);
  }
  return out;
}

const files = hasSharedData ? [...captures(dataPath('pcaps')), dataPath('cicflowmeter-reference', 'test.pcap')] : [];
const hasCapinfos = spawnSync('capinfos', ['-h']).status === 0;
const skip = skipWithoutData || (hasCapinfos ? false : 'capinfos (Wireshark) not installed');

interface Expect {
  packets: number;
  wireBytes: number;
  firstS: number;
  lastS: number;
}

/** One capinfos run for all files: table output, raw numbers, epoch seconds. */
function capinfos(paths: string[]): Map<string, Expect> {
  const r = spawnSync('capinfos', ['-T', '-r', '-c', '-d', '-a', '-e', '-S', '-M', ...paths], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = new Map<string, Expect>();
  for (const line of r.stdout.trim().split('\n')) {
    const [file, c, d, a, e] = line.split('\t');
    m.set(file!, { packets: Number(c), wireBytes: Number(d), firstS: Number(a), lastS: Number(e) });
  }
  return m;
}

test('shared captures read with capinfos counts, sizes and times', { skip }, async (t) => {
  assert.ok(files.length >= 40, `found only ${files.length} captures`);
  const expected = capinfos(files);
  for (const file of files) {
    await t.test(path.relative(dataPath(), file), async () => {
      const want = expected.get(file);
      assert.ok(want, 'capinfos listed the file');
      // A small chunk on top of the default one: real files must stream across chunk ends too.
      for (const chunkBytes of [undefined, 4096]) {
        const src = openCaptureFile(file, { chunkBytes });
        let n = 0;
        let wire = 0;
        let first = Infinity;
        let last = -Infinity;
        for await (const b of src) {
          for (let i = 0; i < b.count; i++) {
            wire += b.wireLen[i]!;
            const ts = b.tsUs[i]!;
            if (ts < first) first = ts;
            if (ts > last) last = ts;
          }
          n += b.count;
        }
        assert.equal(n, want.packets);
        assert.equal(wire, want.wireBytes);
        assert.ok(Math.abs(first - want.firstS * 1e6) < 1.5, `first ${first} vs ${want.firstS}`);
        assert.ok(Math.abs(last - want.lastS * 1e6) < 1.5, `last ${last} vs ${want.lastS}`);
        const s = src.stats();
        assert.equal(s.packetsRead, want.packets);
        assert.equal(s.bytesRead, statSync(file).size);
      }
    });
  }
});

test('README counts: test.pcap has 3,292 packets and the slowloris capture 3,754', { skip: skipWithoutData }, async () => {
  for (const [file, count] of [
    [dataPath('cicflowmeter-reference', 'test.pcap'), 3292],
    [dataPath('pcaps', 'slowdos', 'kihy-slowloris.pcap'), 3754],
  ] as const) {
    let n = 0;
    for await (const b of openCaptureFile(file)) n += b.count;
    assert.equal(n, count, file);
  }
});
