/** The bundled NSL-KDD model runs live through the same sensor: the nslkdd28 extractor feeds it. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataPath, repoRoot, skipWithoutData } from '../helpers/shared-data.js';

const model = path.join(repoRoot, 'models/nslkdd28-rf.fsm');
const skip = skipWithoutData || (existsSync(model) ? false : 'models/nslkdd28-rf.fsm not built (npm run train:models)');

test('analyze with the NSL-KDD model: the LUCID SYN flood is classified DoS by the forest', { skip }, () => {
  const eve = path.join(mkdtempSync(path.join(os.tmpdir(), 'fs-nsl-')), 'eve.json');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'analyze', '-r', dataPath('pcaps/lucid-custom/dataset-chunk-syn.pcap'),
    '--model', model, '--quiet', '--eve', eve], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const events = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event_type: string; src_ip?: string; alert?: { detector: string; attack_type: string; top_features: unknown[] } });
  const forest = events.filter((e) => e.event_type === 'alert' && e.alert?.detector === 'forest');
  assert.ok(forest.length >= 1, 'a forest alert');
  assert.equal(forest[0].src_ip, '11.0.0.210');
  assert.equal(forest[0].alert!.attack_type, 'dos');
  assert.ok(forest[0].alert!.top_features.length > 0);
});
