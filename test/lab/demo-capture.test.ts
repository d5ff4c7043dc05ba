/**
 * The bundled demo capture (demo/lab-mixed.pcap, recorded in our own lab; demo/README.md): what a
 * newcomer runs first. `analyze` with the default config and the default model must alert on every
 * episode of demo/lab-mixed.truth.json — floods, scan, slowloris, SSH brute force, IPv6 SYN flood —
 * with an alert inside the attack window, raise no alert outside the episodes and flag no benign flow;
 * the file stays ≤ 2 MB. No root needed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTruth } from '../../src/lab/truth.js';
import { flowsentry, labScore, ROOT } from '../helpers/lab-helpers.js';

const PCAP = path.join(ROOT, 'demo/lab-mixed.pcap');
const TRUTH = path.join(ROOT, 'demo/lab-mixed.truth.json');

test('demo capture: analyze alerts on every truth episode, nothing else', () => {
  assert.ok(statSync(PCAP).size <= 2_000_000, `demo capture is ${statSync(PCAP).size} bytes (> 2 MB)`);
  const truth = readTruth(TRUTH);
  assert.deepEqual(truth.episodes.map((e) => e.label), ['synflood', 'portscan', 'slowloris', 'bruteforce', 'udpflood', 'synflood']);
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-demo-'));
  try {
    const eve = path.join(dir, 'eve.json');
    const r = flowsentry(['analyze', '-r', PCAP, '--eve', eve, '--no-console']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /analyze: \d+ packets .* 0 weird\)/, r.stderr);
    const sc = labScore(eve, TRUTH);
    for (const ep of sc.episodes) {
      const e = truth.episodes[ep.index]!;
      const what = `episode ${ep.index} ${ep.label} (${e.tool})`;
      assert.ok(ep.detected, `${what} not alerted`);
      // the first alert comes while the attack runs, not from the grace period after it
      assert.ok(ep.first_alert_us !== null && ep.first_alert_us <= e.end_us, `${what}: first alert ${ep.latency_ms} ms after the start, the episode lasted ${(e.end_us - e.start_us) / 1000} ms`);
    }
    assert.equal(sc.summary.detected, truth.episodes.length);
    assert.equal(sc.alerts.outside_episodes, 0, 'alerts outside any episode');
    assert.equal(sc.flows.benign_flagged, 0, 'benign flows flagged');
    assert.ok(sc.flows.benign > 0 && sc.flows.attack > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
