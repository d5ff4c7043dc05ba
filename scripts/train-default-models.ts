/**
 * `npm run train:models`: rebuilds the bundled models from ../shared/data (or FLOWSENTRY_SHARED_DATA).
 *
 *   models/cicids2017-rf.fsm  cic2017, 16 classes, trained on the full improved CICIDS2017 sample
 *                             (identifiers dropped); metrics recorded = a stratified 70/30 run with
 *                             the same parameters (seed 1).
 *   models/nslkdd28-rf.fsm    nslkdd28, 5 classes, trained on KDDTrain+ only; metrics = KDDTest+
 *                             and KDDTest-21.
 *
 * Hyper-parameters come from scripts/cv-forest.ts (cross-validation on training data only; see
 * docs/models.md). createdAt is fixed from SOURCE_DATE_EPOCH when set, so output is byte-reproducible.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/model/datasets/index.js';
import { saveModel } from '../src/model/model-file.js';
import { evaluateModel, trainModel } from '../src/model/pipeline.js';
import { formatReport } from '../src/model/report.js';
import { stratifiedSplit } from '../src/model/split.js';
import { CIC_PARAMS as CIC, NSL_MULTICLASS_PARAMS } from '../src/model/presets.js';
import type { ForestParams } from '../src/model/train.js';
import type { EvaluationReport } from '../src/model/metrics.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = process.env.FLOWSENTRY_SHARED_DATA ?? path.resolve(repo, '../shared/data');
const outDir = path.join(repo, 'models');

// tree counts keep each file well under 3 MB
const CIC_PARAMS: ForestParams = { ...CIC, nTrees: 100, seed: 1 };
const NSL28_PARAMS: ForestParams = { ...NSL_MULTICLASS_PARAMS, nTrees: 100, seed: 1 };

const progress = (label: string) => (done: number, total: number) => {
  if (done === total || done % 25 === 0) process.stderr.write(`  ${label}: ${done}/${total} trees\n`);
};

async function cic(): Promise<void> {
  const dir = path.join(data, 'cicids2017-improved-sample');
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f));
  const ds = loadDataset('cicids2017', files, { task: 'multiclass' });
  const split = stratifiedSplit(ds.labels, 0.3, 1);
  const held = await trainModel({ train: ds, trainRows: split.train, params: CIC_PARAMS, task: 'multiclass', onProgress: progress('cic 70 %') });
  const r = evaluateModel(held.model, ds, split.test);
  console.log(formatReport(r, 'CICIDS2017 improved sample, stratified 30 % hold-out (seed 1)'));
  const full = await trainModel({
    train: ds,
    params: CIC_PARAMS,
    task: 'multiclass',
    onProgress: progress('cic full'),
    notes: ['bundled model: trained on all rows; metrics are from a 70/30 stratified run (seed 1) with the same parameters'],
  });
  const metrics: Record<string, EvaluationReport> = { 'stratified 70/30 hold-out (seed 1)': r };
  const out = path.join(outDir, 'cicids2017-rf.fsm');
  saveModel(out, { ...full.model, info: { ...full.model.info, metrics } });
  console.log(`wrote ${out} (${statSync(out).size} bytes, ${full.seconds.toFixed(1)} s training)\n`);
}

async function nsl(): Promise<void> {
  const d = path.join(data, 'nsl-kdd');
  const opts = { task: 'multiclass' as const, nslFeatures: 28 as const };
  const train = loadDataset('nsl-kdd', [path.join(d, 'KDDTrain+.txt')], opts);
  const { model, seconds } = await trainModel({ train, params: NSL28_PARAMS, task: 'multiclass', onProgress: progress('nslkdd28') });
  const metrics: Record<string, EvaluationReport> = {};
  for (const f of ['KDDTest+.txt', 'KDDTest-21.txt']) {
    const r = evaluateModel(model, loadDataset('nsl-kdd', [path.join(d, f)], opts), undefined);
    metrics[f] = r;
    console.log(formatReport(r, `nslkdd28 5-class on ${f}`));
  }
  const out = path.join(outDir, 'nslkdd28-rf.fsm');
  saveModel(out, { ...model, info: { ...model.info, metrics } });
  console.log(`wrote ${out} (${statSync(out).size} bytes, ${seconds.toFixed(1)} s training)\n`);
}

const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'cic') await cic();
if (which === 'all' || which === 'nsl') await nsl();
