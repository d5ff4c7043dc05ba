/**
 * Quality floors on the real NSL-KDD files, at reduced tree counts (the full numbers are in
 * docs/models.md, measured by bench/forest-floors.ts). Trains on KDDTrain+ only, evaluates KDDTest+.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { dataPath, skipWithoutData } from '../helpers/shared-data.js';
import { loadDataset } from '../../src/model/datasets/index.js';
import { evaluateModel, trainModel } from '../../src/model/pipeline.js';
import { NSL28_BINARY_PARAMS, NSL_MULTICLASS_PARAMS, THRESHOLD_CV } from '../../src/model/presets.js';
import { withDecision } from '../../src/model/model.js';
import { crossValidateThreshold, decisionFromCv } from '../../src/model/threshold.js';

const nsl = (f: string) => dataPath('nsl-kdd', f);
const TREES = 30;

test('NSL-KDD loaders: row and class counts match PROVENANCE §1 / feature-semantics §2.3', { skip: skipWithoutData }, () => {
  const train = loadDataset('nsl-kdd', [nsl('KDDTrain+.txt')], { task: 'multiclass', nslFeatures: 41 });
  const count = (ds: { labels: readonly string[] }, l: string) => ds.labels.filter((x) => x === l).length;
  assert.equal(train.nRows, 125973);
  assert.deepEqual(['normal', 'DoS', 'Probe', 'R2L', 'U2R'].map((l) => count(train, l)), [67343, 45927, 11656, 995, 52]);
  const test41 = loadDataset('nsl-kdd', [nsl('KDDTest+.txt')], { task: 'multiclass', nslFeatures: 28 });
  assert.deepEqual(['normal', 'DoS', 'Probe', 'R2L', 'U2R'].map((l) => count(test41, l)), [9711, 7458, 2421, 2754, 200]);
  const arff = loadDataset('nsl-kdd', [nsl('KDDTest+.arff')], { task: 'binary', nslFeatures: 41 });
  const txt = loadDataset('nsl-kdd', [nsl('KDDTest+.txt')], { task: 'binary', nslFeatures: 41 });
  assert.equal(arff.nRows, 22544);
  assert.deepEqual(arff.labels, txt.labels);
});

// The binary floor is 0.80. At the 0.5 (argmax) decision point the CV-chosen model reaches
// 0.784 at 100 trees (scikit-learn: 0.779); with the decision threshold fitted by attack-name-grouped
// CV on KDDTrain+ only (t ≈ 0.12) it reaches 0.860 (docs/models.md). KDDTest+ is read only after the
// threshold is fixed.
test(`NSL-KDD binary, nslkdd28, ${TREES} trees: argmax ≥ 0.77; CV-fitted threshold ≥ 0.80 and never below argmax`, { skip: skipWithoutData }, async () => {
  const opts = { task: 'binary' as const, nslFeatures: 28 as const };
  const train = loadDataset('nsl-kdd', [nsl('KDDTrain+.txt')], opts);
  const params = { ...NSL28_BINARY_PARAMS, nTrees: TREES };
  const { model } = await trainModel({ train, params, task: 'binary' });
  const cv = await crossValidateThreshold({ ds: train, params: { ...params, nTrees: THRESHOLD_CV.nTrees }, positive: 'attack', repeats: THRESHOLD_CV.repeats, k: THRESHOLD_CV.k });
  assert.ok(cv.threshold >= 0.05 && cv.threshold <= 0.3, `CV threshold ${cv.threshold}`);
  assert.ok(cv.accuracy > cv.accuracyAtHalf, `CV accuracy ${cv.accuracy} vs ${cv.accuracyAtHalf} at 0.5`);
  const thresholded = withDecision(model, decisionFromCv(cv, 'attack', 'KDDTrain+.txt'));
  const kddTest = loadDataset('nsl-kdd', [nsl('KDDTest+.txt')], opts);
  const r = evaluateModel(model, kddTest);
  assert.ok(r.accuracy >= 0.77, `accuracy ${r.accuracy}`);
  assert.ok(r.auc !== null && r.auc > 0.85, `auc ${r.auc}`);
  const rt = evaluateModel(thresholded, kddTest);
  assert.equal(rt.auc, r.auc, 'AUC does not depend on the threshold');
  assert.ok(rt.accuracy >= r.accuracy, `thresholded ${rt.accuracy} < argmax ${r.accuracy}`);
  assert.ok(rt.accuracy >= 0.8, `thresholded accuracy ${rt.accuracy}`);
});

test(`NSL-KDD 5-class, nslkdd28, ${TREES} trees: KDDTest+ accuracy ≥ 0.76`, { skip: skipWithoutData }, async () => {
  const opts = { task: 'multiclass' as const, nslFeatures: 28 as const };
  const train = loadDataset('nsl-kdd', [nsl('KDDTrain+.txt')], opts);
  const { model } = await trainModel({ train, params: { ...NSL_MULTICLASS_PARAMS, nTrees: TREES }, task: 'multiclass' });
  const r = evaluateModel(model, loadDataset('nsl-kdd', [nsl('KDDTest+.txt')], opts));
  assert.ok(r.accuracy >= 0.76, `accuracy ${r.accuracy}`);
});
