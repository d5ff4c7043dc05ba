/**
 * Small hyper-parameter search by cross-validation on TRAINING data only (never the test files).
 *
 *   node dist/scripts/cv-forest.js nsl  --task binary|multiclass --features 41|28 [--trees 25]
 *   node dist/scripts/cv-forest.js cic  [--trees 25]
 *   node dist/scripts/cv-forest.js nsl  --task binary --features 41|28 --threshold [--trees 25] [--repeats 2]
 *
 * NSL-KDD: a random split of KDDTrain+ scores ~99.9 % for every setting (it cannot tell settings
 * apart), while KDDTest+ is dominated by attack types absent from training. So the folds here are
 * grouped by attack name: every attack name is held out whole in exactly one fold (names dealt
 * round-robin by size), together with 1/k of the normal rows; the score is accuracy on the held-out
 * fold, i.e. "how well does this setting handle attacks it has not seen". CICIDS2017: stratified
 * 3-fold on the 70 % training part of the same seed-1 split the reported evaluation uses.
 *
 * --threshold (binary NSL-KDD): for the chosen preset (src/model/presets.ts), collects the
 * out-of-fold P(attack) of every KDDTrain+ row over the same attack-name-grouped folds (scores
 * averaged over --repeats tree seeds), scans the decision threshold t over 0.05..0.95 (step 0.01)
 * and picks the centre of the plateau within 0.2 pt of the best out-of-fold accuracy. Only KDDTrain+
 * is read: KDDTest+ and KDDTest-21 are never looked at when choosing t. The result goes into
 * src/model/presets.ts (NSL41/NSL28_BINARY_THRESHOLD) by hand, with the printed curve in docs/models.md.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, type Dataset } from '../src/model/datasets/index.js';
import { evaluateModel, trainModel } from '../src/model/pipeline.js';
import { complement, groupedKFold, stratifiedKFold, stratifiedSplit } from '../src/model/split.js';
import { defaultForestParams, type ForestParams } from '../src/model/train.js';
import { NSL_LOG1P_COLUMNS, nslPreset } from '../src/model/presets.js';
import { crossValidateThreshold, decisionFromCv, formatThresholdCurve } from '../src/model/threshold.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = process.env.FLOWSENTRY_SHARED_DATA ?? path.resolve(repo, '../shared/data');
const args = process.argv.slice(2);
const flag = (n: string, d: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1]! : d;
};
const which = args[0] ?? 'nsl';
const nTrees = Number(flag('--trees', '25'));
const K = 3;

/** Attack-name-grouped folds over all KDDTrain+ rows (normal rows: seed-7 shuffle, dealt round-robin). */
function nslFolds(ds: Dataset): Int32Array[] {
  if (!ds.groups) throw new Error('NSL-KDD dataset without attack names');
  return groupedKFold(ds.groups, K, 7, 'normal');
}

/** --threshold: out-of-fold P(attack) for the preset, decision threshold by grouped CV (KDDTrain+ only). */
async function thresholdCv(): Promise<void> {
  const features = Number(flag('--features', '41')) as 41 | 28;
  const file = path.join(data, 'nsl-kdd/KDDTrain+.txt');
  const ds = loadDataset('nsl-kdd', [file], { task: 'binary', nslFeatures: features });
  const repeats = Number(flag('--repeats', '2'));
  const params: ForestParams = { ...nslPreset('binary', features), nTrees };
  console.log(`nsl binary nslkdd${features}: decision threshold by grouped ${K}-fold CV on KDDTrain+ only, ${repeats} seed(s), ${nTrees} trees per fit`);
  const t0 = performance.now();
  const r = await crossValidateThreshold({ ds, params, positive: 'attack', repeats, k: K, workers: 2, onFit: (d, n) => process.stderr.write(`  fit ${d}/${n}\n`) });
  console.log(formatThresholdCurve(r));
  console.log(`decision: ${JSON.stringify(decisionFromCv(r, 'attack', 'KDDTrain+.txt'))}`);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

async function main(): Promise<void> {
  if (args.includes('--threshold')) return thresholdCv();
  let ds: Dataset;
  let folds: Int32Array[];
  const task = flag('--task', which === 'nsl' ? 'binary' : 'multiclass') as 'binary' | 'multiclass';
  if (which === 'nsl') {
    const file = path.join(data, 'nsl-kdd/KDDTrain+.txt');
    ds = loadDataset('nsl-kdd', [file], { task, nslFeatures: Number(flag('--features', '41')) as 41 | 28 });
    folds = nslFolds(ds);
  } else {
    const dir = path.join(data, 'cicids2017-improved-sample');
    ds = loadDataset('cicids2017', readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dir, f)), { task });
    const { train } = stratifiedSplit(ds.labels, 0.3, 1);
    folds = stratifiedKFold(ds.labels, K, 2, train);
  }
  // grid 1 (default): depth × max_features × class weight. grid 2 (--grid log): byte-count log1p
  // scaling × max_features × depth, with --repeats tree seeds per fold to tame the fold noise.
  const grid: (Partial<ForestParams> & { log1p?: boolean })[] = [];
  if (flag('--grid', '1') === 'weight') {
    // grid 3: attack up-weighting (shifts the decision towards 'attack', which unseen attacks need)
    for (const classWeight of [[1, 1], [1, 2], [1, 4]]) for (const maxFeatures of ['sqrt', 'log2'] as const) grid.push({ maxDepth: Infinity, maxFeatures, classWeight });
  } else if (flag('--grid', '1') === 'log') {
    for (const log1p of [false, true])
      for (const maxFeatures of ['sqrt', 'log2'] as const) for (const maxDepth of [Infinity, 10]) grid.push({ maxDepth, maxFeatures, classWeight: 'none', log1p });
  } else {
    for (const maxDepth of [Infinity, 16, 10])
      for (const maxFeatures of ['sqrt', 'log2'] as const)
        for (const classWeight of ['none', 'balanced'] as const) grid.push({ maxDepth, maxFeatures, classWeight });
  }
  const repeats = Number(flag('--repeats', '1'));
  const all = new Int32Array(ds.nRows).map((_, i) => i);
  const universe = which === 'nsl' ? all : Int32Array.from(new Set(folds.flatMap((f) => [...f]))).sort();
  console.log(`${which} ${task} ${ds.featureSet}: ${universe.length} rows, ${K} folds × ${repeats} seed(s), ${nTrees} trees per fit`);
  const results: { cfg: string; acc: number; f1: number }[] = [];
  for (const g of grid) {
    const { log1p, ...forest } = g;
    const params: ForestParams = { ...defaultForestParams, nTrees, ...forest };
    let acc = 0;
    let f1 = 0;
    const fits = folds.length * repeats;
    for (let rep = 0; rep < repeats; rep++) {
      for (const val of folds) {
        const held = new Set(val);
        const trainRows = which === 'nsl' ? complement(ds.nRows, val) : universe.filter((r) => !held.has(r));
        const { model } = await trainModel({ train: ds, trainRows, params: { ...params, seed: 1 + rep }, task, workers: 2, createdAt: 'cv', log1p: log1p ? NSL_LOG1P_COLUMNS : [] });
        const r = evaluateModel(model, ds, val);
        acc += r.accuracy / fits;
        f1 += r.macro_f1 / fits;
      }
    }
    const cfg = `${log1p ? 'log1p(bytes,duration) ' : ''}max_depth=${Number.isFinite(params.maxDepth) ? params.maxDepth : 'None'} max_features=${String(params.maxFeatures)} class_weight=${typeof params.classWeight === 'string' ? params.classWeight : `[${params.classWeight.join(',')}]`}`;
    results.push({ cfg, acc, f1 });
    console.log(`  ${cfg.padEnd(82)} accuracy ${acc.toFixed(4)}  macro-F1 ${f1.toFixed(4)}`);
  }
  const key = which === 'nsl' ? 'acc' : 'f1';
  results.sort((a, b) => b[key] - a[key]);
  console.log(`best by ${key === 'acc' ? 'accuracy' : 'macro-F1'}: ${results[0]!.cfg}`);
}

await main();
