import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureBytes, openCaptureFile } from '../../../src/capture/file-source.js';
import { PcapLogSink } from '../../../src/sinks/pcap-log.js';
import { buildFrame, writePcap } from '../../helpers/packet-builder.js';

function capture(n: number): Uint8Array {
  const frames = [];
  for (let i = 0; i < n; i++) frames.push({ tsUs: 1_600_000_000e6 + i * 10_000, frame: buildFrame({ udp: { sport: 1000 + i, dport: 53 }, payload: 200 }) });
  return writePcap(frames, 1);
}

const hasCapinfos = (() => {
  try {
    execFileSync('capinfos', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('rolling pcap log rotates on size and on age, keeps max_files, and every file is a valid pcap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-pcaplog-'));
  try {
    const log = new PcapLogSink({ dir, prefix: 'sensor', maxBytes: 20_000, maxAgeS: 0.5, maxFiles: 3 });
    log.open();
    // 300 packets × ~258 B = ~77 kB over 3 s: size rotation every ~77 packets, age rotation every 50
    for await (const b of openCaptureBytes(capture(300), { batchPackets: 37 })) log.writeBatch(b);
    log.close();
    assert.equal(log.packets, 300);
    assert.equal(log.filesOpened, 6, 'age (0.5 s = 50 packets) rotates before size');
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3, 'only max_files kept');
    assert.deepEqual(files, log.paths.map((p) => p.slice(dir.length + 1)));
    let total = 0;
    for (const f of files) {
      assert.match(f, /^sensor-\d{8}T\d{6}-\d+\.pcap$/);
      assert.ok(statSync(join(dir, f)).size <= 20_000 + 300);
      for await (const b of openCaptureFile(join(dir, f))) total += b.count;
    }
    assert.equal(total, 150, 'the last three files hold the last 150 packets');
    if (hasCapinfos) {
      const info = execFileSync('capinfos', ['-M', '-c', '-E', join(dir, files[0]!)], { encoding: 'utf8' });
      assert.match(info, /Number of packets:\s+50/);
      assert.match(info, /File encapsulation:\s+ether/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('size rotation alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-pcaplog-'));
  try {
    const log = new PcapLogSink({ dir, prefix: 'p', maxBytes: 10_000, maxAgeS: Infinity, maxFiles: 0 });
    log.open();
    for await (const b of openCaptureBytes(capture(200))) log.writeBatch(b);
    log.reopen(); // SIGHUP: the next packet would start a new file
    log.close();
    const files = readdirSync(dir);
    assert.ok(files.length >= 5, `${files.length} files`);
    for (const f of files) assert.ok(statSync(join(dir, f)).size < 10_000 + 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
