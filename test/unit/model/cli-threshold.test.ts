import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/shared-data.js';
import { loadModel } from '../../../src/model/model-file.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'fs-cli-thr-'));

// toy NSL-KDD with three attack names (so the grouped CV has groups to hold out)
function kdd(n: number, seed: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const attack = (i * 7 + seed) % 3 === 0;
    const bytes = attack ? 5000 + ((i * 13) % 500) : (i * 17) % 400;
    const label = attack ? ['neptune', 'satan', 'smurf'][Math.floor(i / 3) % 3] : 'normal';
    rows.push(`0,tcp,${attack ? 'private' : 'http'},${attack ? 'S0' : 'SF'},${bytes},0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,${i % 50},1,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,1,0.00,0.60,0.88,0.00,0.00,0.00,0.00,0.00,${label},15`);
  }
  return rows.join('\n') + '\n';
}

const train = path.join(dir, 'train.txt');
const testF = path.join(dir, 'test.txt');
writeFileSync(train, kdd(300, 1));
writeFileSync(testF, kdd(90, 2));
const run = (...a: string[]) => spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8' });
const base = ['train', '--dataset', 'nsl-kdd', '--task', 'binary', '--features', '28', '--train', train, '--test', testF, '--trees', '5', '--workers', '0'];

test('train --threshold auto: grouped CV on the training rows, rule stored in the model and used by evaluate', () => {
  const model = path.join(dir, 'auto.fsm');
  const report = path.join(dir, 'auto.json');
  const r = run(...base, '--threshold', 'auto', '--report-json', report, '-o', model);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /out-of-fold accuracy by threshold/);
  assert.match(r.stdout, /decision rule: attack iff P\(attack\) ≥ 0\.\d+ \(attack-name-grouped 3-fold CV on train\.txt only/);
  const m = loadModel(model);
  assert.equal(m.info.decision?.positive, 'attack');
  assert.ok(m.info.decision!.threshold > 0 && m.info.decision!.threshold < 1);
  const rep = JSON.parse(readFileSync(report, 'utf8')) as { decision: { threshold: number } };
  assert.equal(rep.decision.threshold, m.info.decision!.threshold);
  const e = run('evaluate', '--model', model, '--dataset', 'nsl-kdd', testF, '--json');
  assert.equal(e.status, 0, e.stderr);
  assert.equal((JSON.parse(e.stdout) as { accuracy: number }).accuracy, 1);
});

test('train --threshold T / none / invalid', () => {
  const fixed = path.join(dir, 'fixed.fsm');
  assert.equal(run(...base, '--threshold', '0.42', '-o', fixed).status, 0);
  assert.deepEqual(loadModel(fixed).info.decision, { positive: 'attack', threshold: 0.42, chosenBy: 'fixed by --threshold' });
  const none = path.join(dir, 'none.fsm');
  assert.equal(run(...base, '-o', none).status, 0);
  assert.equal(loadModel(none).info.decision, undefined, 'default: no rule (argmax)');
  for (const bad of ['0', '1', 'x', '1.5']) {
    const r = run(...base, '--threshold', bad, '-o', path.join(dir, 'bad.fsm'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /FS_ERR_USAGE: .*--threshold must be auto, none or a number in \(0,1\)/);
  }
  const mc = run('train', '--dataset', 'nsl-kdd', '--train', train, '--trees', '3', '--workers', '0', '--threshold', 'auto', '-o', path.join(dir, 'mc.fsm'));
  assert.equal(mc.status, 1);
  assert.match(mc.stderr, /FS_ERR_USAGE: .*--threshold applies to --task binary only/);
});
