import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/shared-data.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'fs-cli-'));

// separable toy NSL-KDD: attacks have large src_bytes and S0 flag
function kdd(n: number, seed: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const attack = (i * 7 + seed) % 3 === 0;
    const bytes = attack ? 5000 + ((i * 13) % 500) : (i * 17) % 400;
    const label = attack ? (i % 2 ? 'neptune' : 'satan') : 'normal';
    rows.push(`0,tcp,${attack ? 'private' : 'http'},${attack ? 'S0' : 'SF'},${bytes},0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,${i % 50},1,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,1,0.00,0.60,0.88,0.00,0.00,0.00,0.00,0.00,${label},15`);
  }
  return rows.join('\n') + '\n';
}

test('train → evaluate round trip through the CLI (nsl-kdd, binary and multiclass)', () => {
  const train = path.join(dir, 'train.txt');
  const testF = path.join(dir, 'test.txt');
  writeFileSync(train, kdd(300, 1));
  writeFileSync(testF, kdd(90, 2));
  const model = path.join(dir, 'm.fsm');
  const report = path.join(dir, 'r.json');
  const r = spawnSync(process.execPath, [cli, 'train', '--dataset', 'nsl-kdd', '--task', 'binary', '--features', '28', '--train', train, '--test', testF, '--trees', '5', '--workers', '0', '--report-json', report, '-o', model], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /5\/5 trees/);
  assert.match(r.stdout, /accuracy 1\.000/);
  assert.match(r.stdout, /confusion matrix/);
  const rep = JSON.parse(readFileSync(report, 'utf8')) as { reports: Record<string, { accuracy: number }> };
  assert.equal(rep.reports['test.txt']?.accuracy, 1);

  const e = spawnSync(process.execPath, [cli, 'evaluate', '--model', model, '--dataset', 'nsl-kdd', testF, '--json'], { encoding: 'utf8' });
  assert.equal(e.status, 0, e.stderr);
  const j = JSON.parse(e.stdout) as { accuracy: number; macro_f1: number; auc: number; per_class: unknown[]; confusion: { matrix: number[][] } };
  assert.equal(j.accuracy, 1);
  assert.equal(j.auc, 1);
  assert.equal(j.per_class.length, 2);
  assert.equal(j.confusion.matrix.flat().reduce((a, b) => a + b, 0), 90);

  // hold-out mode + multiclass
  const m2 = path.join(dir, 'm2.fsm');
  const r2 = spawnSync(process.execPath, [cli, 'train', '--dataset', 'nsl-kdd', '--train', train, '--trees', '3', '--workers', '0', '-o', m2], { encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /stratified 30 % hold-out/);
  assert.match(r2.stdout, /classes: normal, DoS, Probe/);
});

test('CLI errors: missing options, tampered model, wrong feature set', () => {
  const r = spawnSync(process.execPath, [cli, 'train', '--dataset', 'nsl-kdd', '-o', path.join(dir, 'x.fsm')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /FS_ERR_USAGE: .*--train/);
  const bad = path.join(dir, 'bad.fsm');
  writeFileSync(bad, Buffer.from('\x89FSM\r\n\x1a\n\x01\x00\x00\x00\x05\x00\x00\x00{}', 'latin1'));
  const e = spawnSync(process.execPath, [cli, 'evaluate', '--model', bad, '--dataset', 'nsl-kdd', path.join(dir, 'test.txt')], { encoding: 'utf8' });
  assert.equal(e.status, 1);
  assert.match(e.stderr, /FS_ERR_MODEL_FORMAT: .*truncated/);
});
