/**
 * Flow-state memory: large buffers come from the huge-page addon when it is built (npm ci builds it),
 * are zero-filled and usable like any ArrayBuffer, and FLOWSENTRY_HUGE_PAGES=0 falls back to plain
 * ArrayBuffers with the same contents.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HUGE_PAGE_MIN_BYTES, memAddonPath, stateBuffer, stateFloat64, stateMemoryInfo } from '../../src/util/state-memory.js';

const moduleUrl = new URL('../../src/util/state-memory.js', import.meta.url).href;

/** The mappings in /proc/self/smaps of `kb` kB that carry MADV_HUGEPAGE (VmFlags "hg"). */
function advisedMappingsOfSize(kb: number): string[] {
  const smaps = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  return smaps.filter((m) => new RegExp(`^Size:\\s+${kb} kB$`, 'm').test(m) && /^VmFlags:.*\bhg\b/m.test(m));
}

test('a large state buffer is zero-filled, writable and of the requested size', () => {
  const bytes = HUGE_PAGE_MIN_BYTES * 3 + 8;
  const a = new Float64Array(stateBuffer(bytes));
  assert.equal(a.byteLength, bytes);
  let nonZero = 0;
  for (let i = 0; i < a.length; i += 97) if (a[i] !== 0) nonZero++;
  assert.equal(nonZero, 0);
  a[0] = 1.5;
  a[a.length - 1] = -2;
  assert.equal(a[0], 1.5);
  assert.equal(a[a.length - 1], -2);
  const f = stateFloat64(10);
  assert.equal(f.length, 10);
  assert.throws(() => stateBuffer(-1), RangeError);
});

test('with the addon built, large buffers are advised for huge pages; small ones stay ordinary', { skip: !existsSync(memAddonPath()) && 'flowsentry_mem addon not built (npm run prepare)' }, () => {
  const before = stateMemoryInfo();
  assert.equal(before.addon, true);
  assert.match(before.thp, /^(always|madvise|never|unavailable)$/);
  // the advised range is exactly the buffer (the spare alignment page around it is not): 14336 kB
  const bytes = 7 * HUGE_PAGE_MIN_BYTES;
  const buf = stateBuffer(bytes);
  new Uint8Array(buf).fill(1, 0, 4096);
  const after = stateMemoryInfo();
  assert.equal(after.hugeBytes - before.hugeBytes, bytes);
  assert.ok(advisedMappingsOfSize(bytes / 1024).length >= 1, 'an MADV_HUGEPAGE mapping (VmFlags hg) of 14 MiB in /proc/self/smaps');
  stateBuffer(1024);
  assert.equal(stateMemoryInfo().plainBytes - after.plainBytes, 1024);
});

test('FLOWSENTRY_HUGE_PAGES=0 gives ordinary ArrayBuffers', () => {
  const script = `
    const m = await import(${JSON.stringify(moduleUrl)});
    const a = m.stateFloat64(1 << 20);
    a[3] = 7;
    process.stdout.write(JSON.stringify({ ...m.stateMemoryInfo(), v: a[3], z: a[4] }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, FLOWSENTRY_HUGE_PAGES: '0' },
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { addon: boolean; hugeBytes: number; plainBytes: number; v: number; z: number };
  assert.equal(info.addon, false);
  assert.equal(info.hugeBytes, 0);
  assert.equal(info.plainBytes, 8 << 20);
  assert.equal(info.v, 7);
  assert.equal(info.z, 0);
});
