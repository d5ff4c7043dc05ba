import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-data.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');

test('flowsentry --help lists commands and exits 0', () => {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: flowsentry <command>/);
});

test('an unknown command exits non-zero naming it', () => {
  const r = spawnSync(process.execPath, [cli, 'no-such-command'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'no-such-command'/);
});
