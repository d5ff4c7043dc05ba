/**
 * Measures the quality floors of the issue at full size (100 trees unless --trees):
 *   NSL-KDD, KDDTrain+ only → KDDTest+ and KDDTest-21: binary and 5-class, nslkdd41 and nslkdd28
 *   CICIDS2017 improved sample, stratified 70/30 (seed 1): macro-F1 and per-class F1
 * plus single-thread inference rows/s of each model. Parameters are the CV-chosen presets. NSL-KDD
 * binary models are reported twice: argmax (P ≥ 0.5) and with the decision threshold fitted by
 * attack-name-grouped CV on KDDTrain+ only (src/model/threshold.ts, THRESHOLD_CV); the test files
 * play no part in fitting it (--no-threshold skips the CV).
 *   node dist/bench/forest-floors.js [nsl|cic|all] [--trees N] [--task binary|multiclass] [--no-threshold] [--verbose] [--json out.json]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataset, type Dataset } from '../src/model/datasets/index.js';
import { encodeDataset } from '../src/model/datasets/table.js';
import { predictBatch, forestStats } from '../src/model/forest.js';
import { evaluateModel, trainModel } from '../src/model/pipeline.js';
import { CIC_PARAMS, THRESHOLD_CV, nslPreset } from '../src/model/presets.js';
import { crossValidateThreshold, decisionFromCv } from '../src/model/threshold.js';
import { formatReport } from '../src/model/report.js';
import { stratifiedSplit } from '../src/model/split.js';
import { withDecision, type Model } from '../src/model/model.js';
import { benchChoice, benchFlag, benchSwitch, sharedData } from './args.js';

const data = sharedData;
const flag = benchFlag;
const which = benchChoice();
const tasks = (flag('--task') ?? 'binary,multiclass').split(',') as ('binary' | 'multiclass')[];
const nTrees = Number(flag('--trees') ?? 100);
const verbose = benchSwitch('--verbose');
const results: Record<string, unknown> = {};

function rowsPerSecond(model: Model, ds: Dataset, rows?: Int32Array): number {
  const { X, nRows } = encodeDataset(ds, model.info.preprocessing, rows);
  const cls = new Int32Array(nRows);
  const proba = new Float32Array(nRows * model.forest.nClasses);
  predictBatch(model.forest, X, nRows, cls, proba);
  const t0 = performance.now();
  for (let k = 0; k < 3; k++) predictBatch(model.forest, X, nRows, cls, proba);
  return (3 * nRows) / ((performance.now() - t0) / 1000);
}

if (which === 'nsl' || which === 'all') {
  const d = path.join(data, 'nsl-kdd');
  for (const task of tasks) {
    for (const features of [41, 28] as const) {
      const opts = { task, nslFeatures: features };
      const params = { ...nslPreset(task, features), nTrees };
      const train = loadDataset('nsl-kdd', [path.join(d, 'KDDTrain+.txt')], opts);
      const { model, seconds } = await trainModel({ train, params, task });
      const variants: { key: string; model: Model; extra: Record<string, unknown> }[] = [{ key: `nsl-kdd nslkdd${features} ${task}`, model, extra: {} }];
      if (task === 'binary' && !benchSwitch('--no-threshold')) {
        // fitted on KDDTrain+ only, before any test file is loaded
        const cv = await crossValidateThreshold({ ds: train, params: { ...params, nTrees: THRESHOLD_CV.nTrees }, positive: 'attack', repeats: THRESHOLD_CV.repeats, k: THRESHOLD_CV.k, workers: 2 });
        const rule = decisionFromCv(cv, 'attack', 'KDDTrain+.txt');
        variants.push({ key: `nsl-kdd nslkdd${features} ${task} t=${rule.threshold}`, model: withDecision(model, rule), extra: { decision: rule, cv_plateau: cv.plateau, cv_accuracy: cv.accuracy, cv_accuracy_at_half: cv.accuracyAtHalf } });
      }
      for (const v of variants) {
        const line: Record<string, unknown> = { train_seconds: seconds, nodes: forestStats(v.model.forest).nodes, ...v.extra };
        for (const f of ['KDDTest+.txt', 'KDDTest-21.txt']) {
          const ds = loadDataset('nsl-kdd', [path.join(d, f)], opts);
          const r = evaluateModel(v.model, ds);
          line[f] = { accuracy: r.accuracy, macro_f1: r.macro_f1, auc: r.auc, confusion: r.confusion };
          if (f === 'KDDTest+.txt') line.rows_per_s = rowsPerSecond(v.model, ds);
          if (verbose) console.log(formatReport(r, `${v.key} ${f}`));
        }
        results[v.key] = line;
        const t = line['KDDTest+.txt'] as { accuracy: number; auc: number | null };
        const t21 = line['KDDTest-21.txt'] as { accuracy: number };
        console.log(`${v.key.padEnd(40)} KDDTest+ acc ${t.accuracy.toFixed(4)}${t.auc !== null ? ` AUC ${t.auc.toFixed(4)}` : ''}  KDDTest-21 acc ${t21.accuracy.toFixed(4)}  train ${seconds.toFixed(1)} s  infer ${Math.round(line.rows_per_s as number)} rows/s`);
      }
    }
  }
}

if (which === 'cic' || which === 'all') {
  const dir = path.join(data, 'cicids2017-improved-sample');
  const ds = loadDataset('cicids2017', readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f)), { task: 'multiclass' });
  const split = stratifiedSplit(ds.labels, 0.3, 1);
  const { model, seconds } = await trainModel({ train: ds, trainRows: split.train, params: { ...CIC_PARAMS, nTrees }, task: 'multiclass' });
  const r = evaluateModel(model, ds, split.test);
  const rps = rowsPerSecond(model, ds, split.test);
  results['cicids2017 improved 70/30'] = { macro_f1: r.macro_f1, accuracy: r.accuracy, per_class: r.per_class, confusion: r.confusion, train_seconds: seconds, rows_per_s: rps };
  console.log(formatReport(r, `CICIDS2017 improved sample, stratified 70/30 (seed 1), ${nTrees} trees, train ${seconds.toFixed(1)} s, infer ${Math.round(rps)} rows/s`));
}

const out = flag('--json');
if (out) writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
