/** `flowsentry features` as a user runs it: output formats, and bad input handled with one clear line. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-data.js';
import { buildFrame, writePcap } from '../helpers/packet-builder.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-cli-'));
const T0 = 1_600_000_000_000_000;

/** 30 UDP conversations, 2 packets each, 1 ms apart. */
function capture(): Uint8Array {
  const recs = [];
  for (let i = 0; i < 30; i++) {
    recs.push({ frame: buildFrame({ udp: { sport: 10000 + i, dport: 53 }, payload: 20 }), tsUs: T0 + i * 1000 });
    recs.push({ frame: buildFrame({ ip: { src: '10.0.0.2', dst: '10.0.0.1' }, udp: { sport: 53, dport: 10000 + i }, payload: 80 }), tsUs: T0 + i * 1000 + 300 });
  }
  return writePcap(recs, 1);
}

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, 'features', ...args], { encoding: 'utf8' });
}

test('features writes the 85-column CSV by default and 79 columns with --header ml', () => {
  const f = path.join(dir, 'ok.pcap');
  writeFileSync(f, capture());
  const tl = run(['-r', f, '-q']);
  assert.equal(tl.status, 0, tl.stderr);
  const lines = tl.stdout.trim().split('\n');
  assert.equal(lines.length, 31);
  assert.equal(lines[0].split(',').length, 85);
  assert.equal(lines[1].split(',').length, 85);
  const ml = run(['-r', f, '-q', '--header', 'ml']);
  assert.equal(ml.stdout.trim().split('\n')[0].split(',').length, 79);
  const jsonOut = path.join(dir, 'out.jsonl');
  assert.equal(run(['-r', f, '-q', '-o', jsonOut]).status, 0);
  const rows = readFileSync(jsonOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, 30);
  assert.equal(rows[0]['Total Length of Bwd Packets'], 80);
  assert.equal(rows[0].dest_port, 53);
});

test('a truncated capture keeps every flow before the cut, then exits 1 naming the problem', () => {
  const whole = capture();
  const f = path.join(dir, 'cut.pcap');
  writeFileSync(f, whole.subarray(0, whole.length - 30)); // cut inside the last record
  const out = path.join(dir, 'cut.csv');
  const r = run(['-r', f, '-o', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /FS_ERR_CAPTURE_TRUNCATED/);
  assert.match(r.stderr, /59 packets/); // the summary before the error line counts what was read
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows.length, 1 + 30, 'all 30 flows written (the last one with its first packet only)');
});

test('wrong magic, empty file, missing file and bad options each give one clear line and exit ≠ 0', () => {
  const junk = path.join(dir, 'junk.pcap');
  writeFileSync(junk, 'GET / HTTP/1.1\r\n\r\n');
  const empty = path.join(dir, 'empty.pcap');
  writeFileSync(empty, '');
  const cases: [string[], RegExp][] = [
    [['-r', junk], /FS_ERR_CAPTURE_MAGIC/],
    [['-r', empty], /FS_ERR_CAPTURE_EMPTY/],
    [['-r', path.join(dir, 'nope.pcap')], /FS_ERR_FILE_OPEN/],
    [['-r', junk, '--feature-set', 'nope'], /--feature-set must be one of/],
    [['-r', junk, '--bogus'], /FS_ERR_USAGE.*bogus/],
    [[], /-r CAPTURE is required/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
