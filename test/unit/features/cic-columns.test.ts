import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/shared-data.js';
import { CIC_FEATURE_COLUMNS, machineLearningHeader, trafficLabellingHeader } from '../../../src/features/cic2017/columns.js';
import { renderFeatureDocs } from '../../../scripts/gen-feature-docs.js';
import { javaDouble, cicTimestamp } from '../../../src/features/cic2017/output.js';

test('headers have the published shape: 85 and 79 columns, duplicated Fwd Header Length, leading spaces', () => {
  const tl = trafficLabellingHeader();
  const ml = machineLearningHeader();
  assert.equal(tl.length, 85);
  assert.equal(ml.length, 79);
  assert.equal(tl.filter((h) => h === ' Fwd Header Length').length, 2);
  assert.equal(tl[0], 'Flow ID');
  assert.equal(tl[84], ' Label');
  assert.equal(ml[0], ' Destination Port');
  assert.equal(ml.filter((h) => h.startsWith(' ')).length, 65, '65 of 79 MachineLearningCVE names start with a space');
  assert.equal(new Set(CIC_FEATURE_COLUMNS.map((c) => c.name)).size, 77, 'JSON keys are unique');
});

test('docs/features-cic2017.md is generated from the column table (npm run docs:features)', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs/features-cic2017.md'), 'utf8');
  assert.equal(doc, renderFeatureDocs());
});

test('doubles print as Java Double.toString does', () => {
  assert.equal(javaDouble(714), '714.0');
  assert.equal(javaDouble(3.7187499999999996), '3.7187499999999996');
  assert.equal(javaDouble(15019773), '1.5019773E7');
  assert.equal(javaDouble(1e7), '1.0E7');
  assert.equal(javaDouble(0.0001), '1.0E-4');
  assert.equal(javaDouble(Infinity), 'Infinity');
  assert.equal(javaDouble(NaN), 'NaN');
});

test('compat timestamps use a 12-hour clock without AM/PM, in local time', () => {
  const prev = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    assert.equal(cicTimestamp(Date.UTC(2017, 6, 7, 15, 30, 5) * 1000), '07/07/2017 03:30:05');
    assert.equal(cicTimestamp(Date.UTC(2017, 6, 7, 0, 0, 0) * 1000), '07/07/2017 12:00:00');
  } finally {
    if (prev === undefined) delete process.env.TZ;
    else process.env.TZ = prev;
  }
});

test('isoMicros (cached minute prefix) equals the Date-based formatting, across minute and day boundaries', async () => {
  const { isoMicros, isoMicrosSlow } = await import('../../../src/features/cic2017/output.js');
  const base = Date.UTC(2017, 6, 7, 23, 59, 58) * 1000;
  for (const d of [0, 1, 999_999, 1_000_000, 1_999_999, 2_000_000, 2_000_001, 61_123_456, 86_400_000_000, 3 * 86_400_000_000 + 7]) {
    assert.equal(isoMicros(base + d), isoMicrosSlow(base + d), String(d));
  }
  assert.equal(isoMicros(1427801542297551), '2015-03-31T11:32:22.297551Z');
});
