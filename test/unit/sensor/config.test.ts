import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySetArg, configToYaml, parseConfigText } from '../../../src/config/load.js';
import { DEFAULT_CONFIG, SPEC } from '../../../src/config/schema.js';
import { repoRoot } from '../../helpers/shared-data.js';

const err = (text: string) => {
  try {
    parseConfigText(text, 'test.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

test('config validation names the bad key', () => {
  assert.match(err('detectors:\n  syn_rate:\n    rate_pps: fast\n'), /test\.yaml: 'detectors\.syn_rate\.rate_pps' must be a number, got 'fast'/);
  assert.match(err('detectors:\n  syn_rate:\n    rate_ppz: 5\n'), /'detectors\.syn_rate\.rate_ppz' is not a known key of 'detectors\.syn_rate' \(known: enabled, rate_pps, max_completion, scan_exempt_pps\)/);
  assert.match(err('intreface: eth0\n'), /'intreface' is not a known key \(known: interface, /);
  assert.match(err('outputs:\n  eve: yes please\n'), /'outputs\.eve' is a section/);
  assert.match(err('classifier:\n  min_confidence: 1.5\n'), /'classifier\.min_confidence' must be ≤ 1, got 1\.5/);
  assert.match(err('flow:\n  capacity: 10.5\n'), /'flow\.capacity' must be an integer/);
  assert.match(err('outputs:\n  eve:\n    types: [flow, alerts]\n'), /'outputs\.eve\.types' entries must be among flow, alert, stats, got 'alerts'/);
  assert.match(err('a: [\n'), /test\.yaml: YAML syntax/);
  assert.match(err('model: x\nmodel: y\n'), /YAML syntax/);
});

test('a valid file merges over the defaults; --set overrides it; the printed config reparses to the same', () => {
  const c = parseConfigText('interface: eth1\ndetectors:\n  scan:\n    targets: 50\n', 't');
  assert.equal(c.interface, 'eth1');
  assert.equal(c.detectors.scan.targets, 50);
  assert.equal(c.detectors.scan.max_answered, DEFAULT_CONFIG.detectors.scan.max_answered);
  const d = applySetArg(c, 'detectors.syn_rate.rate_pps=1000');
  assert.equal(d.detectors.syn_rate.rate_pps, 1000);
  assert.equal(c.detectors.syn_rate.rate_pps, 300, 'inputs are not mutated');
  assert.throws(() => applySetArg(c, 'detectors.syn.rate=1'), /'detectors\.syn\.rate' is not a known key \(known under 'detectors\.syn': \)|is not a known key/);
  assert.throws(() => applySetArg(c, 'alerts.cooldown_s=-1'), /'alerts\.cooldown_s' must be ≥ 0/);
  assert.deepEqual(parseConfigText(configToYaml(d), 'printed'), d);
});

test('every key of the example config is valid and every schema key is in it', () => {
  const text = readFileSync(join(repoRoot, 'flowsentry.example.yaml'), 'utf8');
  const c = parseConfigText(text, 'flowsentry.example.yaml');
  assert.ok(c);
  for (const k of Object.keys(SPEC)) assert.ok(text.includes(k.split('.').pop()! + ':'), `example documents ${k}`);
});

test('flowsentry config --print shows the effective config; bad keys exit non-zero naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-cfg-'));
  try {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'model: none\noutputs:\n  eve:\n    enabled: true\n');
    const main = join(repoRoot, 'dist/src/cli/main.js');
    const out = execFileSync(process.execPath, [main, 'config', '--print', '-c', file, '--set', 'detectors.icmp_rate.rate_pps=42', '--quiet'], { encoding: 'utf8' });
    const printed = parseConfigText(out, 'stdout');
    assert.equal(printed.model, 'none');
    assert.equal(printed.outputs.eve.enabled, true);
    assert.equal(printed.detectors.icmp_rate.rate_pps, 42);
    assert.equal(printed.outputs.console.quiet, true);
    let msg = '';
    try {
      execFileSync(process.execPath, [main, 'config', '--check', '--set', 'detectors.icmp_rate.rate=1'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      msg = String((e as { stderr: string }).stderr);
    }
    assert.match(msg, /FS_ERR_CONFIG: .*'detectors\.icmp_rate\.rate' is not a known key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
