/**
 * `npm run bench:forest`: flowsentry's forest vs scikit-learn on identical splits and
 * hyper-parameters. The TS side encodes the data, writes the split to a temp dir (raw float64/int32
 * + meta.json), runs bench/sklearn_compare.py with /usr/bin/python3, then trains/predicts itself and
 * prints both sides. Needs ../shared/data (or FLOWSENTRY_SHARED_DATA).
 *   node dist/bench/forest-sklearn.js [nsl|cic|all] [--trees N] [--seeds a,b,c]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { predictBatch } from '../src/model/forest.js';
import { trainForest, defaultForestParams, type ForestParams } from '../src/model/train.js';
import { evaluatePredictions } from '../src/model/metrics.js';
import { benchChoice, benchFlag, repoRoot } from './args.js';
import { encodeCase, forestCases } from './forest-cases.js';

const repo = repoRoot;
const which = benchChoice();
const flag = benchFlag;
const nTrees = Number(flag('--trees') ?? 100);
const seeds = (flag('--seeds') ?? '1,2,3').split(',').map(Number);

const fmt = (x: number, d = 4) => x.toFixed(d);

for (const c of forestCases(which, [41, 28])) {
  const { pre, tr, te, classes, ytr, yte } = encodeCase(c);
  const p: ForestParams = { ...defaultForestParams, nTrees };
  // sklearn cannot take NaN/Infinity: hand it the same -1 mapping our forest applies
  for (const X of [tr.X, te.X]) for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i]!)) X[i] = pre.nonFiniteValue;
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-bench-'));
  writeFileSync(path.join(dir, 'Xtr.f64'), Buffer.from(tr.X.buffer));
  writeFileSync(path.join(dir, 'ytr.i32'), Buffer.from(ytr.buffer));
  writeFileSync(path.join(dir, 'Xte.f64'), Buffer.from(te.X.buffer));
  writeFileSync(path.join(dir, 'yte.i32'), Buffer.from(yte.buffer));
  const skParams = {
    n_estimators: p.nTrees,
    max_depth: Number.isFinite(p.maxDepth) ? p.maxDepth : null,
    min_samples_leaf: p.minSamplesLeaf,
    max_features: p.maxFeatures,
    class_weight: typeof p.classWeight === 'string' ? p.classWeight : 'none',
  };
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ nFeatures: tr.nFeatures, classes, params: skParams, seeds }));
  console.log(`\n== ${c.name}: ${tr.nRows} train / ${te.nRows} test rows, ${tr.nFeatures} inputs, ${classes.length} classes, ${p.nTrees} trees, max_features=${String(p.maxFeatures)}`);
  console.log(`   split written to ${dir}`);

  const sk = spawnSync('/usr/bin/python3', [path.join(repo, 'bench/sklearn_compare.py'), dir], { encoding: 'utf8' });
  if (sk.status !== 0) {
    console.log(`   scikit-learn side failed: ${sk.stderr.trim().split('\n').pop()}`);
  }
  const skOut = sk.status === 0 ? (JSON.parse(sk.stdout) as { sklearn: string; runs: { seed: number; fit_s: number; predict_rows_per_s: number; accuracy: number; macro_f1: number; nodes: number }[] }) : null;

  const ours: { seed: number; fit_s: number; rows_s: number; accuracy: number; macro_f1: number; nodes: number }[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const forest = await trainForest(tr.X, tr.nRows, tr.nFeatures, ytr, classes.length, { ...p, seed }, { workers: 2, nonFiniteValue: pre.nonFiniteValue });
    const fit = (performance.now() - t0) / 1000;
    const cls = new Int32Array(te.nRows);
    const proba = new Float32Array(te.nRows * classes.length);
    predictBatch(forest, te.X, te.nRows, cls, proba); // warm-up (JIT, packed layout)
    const reps = 3;
    const t1 = performance.now();
    for (let k = 0; k < reps; k++) predictBatch(forest, te.X, te.nRows, cls, proba);
    const rowsPerS = (te.nRows * reps) / ((performance.now() - t1) / 1000);
    const r = evaluatePredictions(classes, yte, cls, proba, classes.length === 2 ? 1 : null);
    ours.push({ seed, fit_s: fit, rows_s: rowsPerS, accuracy: r.accuracy, macro_f1: r.macro_f1, nodes: forest.feature.length });
  }
  console.log(`   ${'seed'.padEnd(6)}${'side'.padEnd(14)}${'fit s'.padStart(8)}${'pred rows/s'.padStart(13)}${'accuracy'.padStart(10)}${'macro F1'.padStart(10)}${'nodes'.padStart(9)}`);
  seeds.forEach((seed, i) => {
    const o = ours[i]!;
    console.log(`   ${String(seed).padEnd(6)}${'flowsentry'.padEnd(14)}${fmt(o.fit_s, 2).padStart(8)}${Math.round(o.rows_s).toString().padStart(13)}${fmt(o.accuracy).padStart(10)}${fmt(o.macro_f1).padStart(10)}${String(o.nodes).padStart(9)}`);
    const s = skOut?.runs[i];
    if (s) console.log(`   ${''.padEnd(6)}${`sklearn ${skOut!.sklearn}`.padEnd(14)}${fmt(s.fit_s, 2).padStart(8)}${Math.round(s.predict_rows_per_s).toString().padStart(13)}${fmt(s.accuracy).padStart(10)}${fmt(s.macro_f1).padStart(10)}${String(s.nodes).padStart(9)}`);
  });
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  if (skOut) {
    const dAcc = mean(ours.map((o) => o.accuracy)) - mean(skOut.runs.map((s) => s.accuracy));
    const ratio = mean(ours.map((o) => o.fit_s)) / mean(skOut.runs.map((s) => s.fit_s));
    console.log(`   mean accuracy difference (flowsentry − sklearn): ${(dAcc * 100).toFixed(2)} points; training time ratio ${ratio.toFixed(2)}×; flowsentry inference ${Math.round(mean(ours.map((o) => o.rows_s)))} rows/s (1 thread)`);
  }
  rmSync(dir, { recursive: true, force: true });
}
