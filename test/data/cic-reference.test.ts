/**
 * Exactness against CIC's own CICFlowMeter output (the same check as `npm run verify:cic`), and packet
 * conservation over every shared capture: packets in flows + ignored + weird = packets in the file.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dataPath, skipWithoutData } from '../helpers/shared-data.js';
import { verifyPair } from '../../scripts/verify-cic.js';
import { openCaptureFile } from '../../src/capture/file-source.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Cic2017Features } from '../../src/features/cic2017/features.js';

test('compat mode reproduces CIC test.pcap_CIC.csv: ≥ 99 % of flows matched, every column ≥ 99 %', { skip: skipWithoutData }, async () => {
  const r = await verifyPair(dataPath('cicflowmeter-reference/test.pcap'), dataPath('cicflowmeter-reference/test.pcap_CIC.csv'), 'cic2017-compat', 'captured', 0.99, {});
  assert.ok(r.matchedShare >= 0.99, `matched ${r.matched}/${r.referenceFlows}`);
  const low = r.columns.filter((c) => c.share < 0.99).map((c) => `${c.column} ${c.share} (${c.example})`);
  assert.deepEqual(low, []);
});

test('compat mode matches the CICFlowMeter-V4 slowloris CSV except documented version differences', { skip: skipWithoutData }, async () => {
  const known = Object.fromEntries(['SYN Flag Count', 'PSH Flag Count', 'ACK Flag Count', 'Subflow Fwd Packets', 'Subflow Fwd Bytes', 'Subflow Bwd Packets',
    'Active Mean', 'Active Std', 'Active Max', 'Active Min', 'Idle Mean', 'Idle Std', 'Idle Max', 'Idle Min'].map((c) => [c, 'V4 build']));
  const r = await verifyPair(dataPath('pcaps/slowdos/kihy-slowloris.pcap'), dataPath('pcaps/slowdos/kihy-slowloris.pcap_Flow.csv'), 'cic2017-compat', 'none', 0.99, known);
  assert.equal(r.matched, r.referenceFlows);
  assert.deepEqual(r.failing, []);
  assert.ok(r.columns.filter((c) => c.share >= 0.99).length >= 63);
});

function capinfosCount(file: string): number | null {
  const r = spawnSync('capinfos', ['-c', '-M', '-T', file], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const n = Number(line.split('\t')[1]);
  return Number.isFinite(n) ? n : null;
}

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

test('packet conservation over every shared capture (flowed + ignored + weird = capinfos count)', { skip: skipWithoutData }, async () => {
  const files = captures(dataPath('pcaps'));
  assert.ok(files.length > 20);
  const haveCapinfos = capinfosCount(files[0]) !== null;
  for (const file of files) {
    for (const mode of ['compat', 'corrected'] as const) {
      const p = new Pipeline({ featureSet: new Cic2017Features({ mode }), onFlow: () => {} });
      const s = await p.run(openCaptureFile(file));
      assert.equal(s.packetsFlowed + s.packetsIgnored + s.packetsWeird, s.packetsRead, `${file} ${mode}`);
      if (haveCapinfos && mode === 'compat') assert.equal(s.packetsRead, capinfosCount(file), `${file}: packets read vs capinfos`);
    }
  }
});
