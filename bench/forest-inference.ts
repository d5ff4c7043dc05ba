/**
 * `npm run bench:inference` — single-thread Random Forest prediction speed, nothing else timed.
 * Trains one 100-tree forest per data set (defaults of bench/forest-sklearn.ts, seed 1, 2 workers),
 * saves nothing, then times predictBatch on the test rows:
 *   NSL-KDD nslkdd41 binary, KDDTrain+ → KDDTest+ (22,544 rows)
 *   CICIDS2017 improved sample, 16 classes, stratified 70/30 seed 1 (13,026 test rows)
 * for the whole test set in one call and in batches of --batch rows (flow-classifier style), next to
 * the previous row-wise walk (predictBatchRowwise), and checks that both agree bit for bit.
 *   node dist/bench/forest-inference.js [nsl|cic|all] [--trees N] [--reps N] [--batch N]
 * Reports best and median of --reps timed passes (the VM is shared; best is the least disturbed).
 */
import { forestStats, predictBatch, type Forest } from '../src/model/forest.js';
import { predictBatchRowwise } from '../src/model/inference.js';
import { trainForest, defaultForestParams } from '../src/model/train.js';
import { benchChoice, benchFlag } from './args.js';
import { encodeCase, forestCases } from './forest-cases.js';

const which = benchChoice();
const flag = benchFlag;
const nTrees = Number(flag('--trees') ?? 100);
const reps = Number(flag('--reps') ?? 20);
const batch = Number(flag('--batch') ?? 1024);

type Predict = (f: Forest, X: Float64Array, nRows: number, cls: Int32Array, proba: Float32Array) => void;

/** rows/s of `fn` over all rows, called in chunks of `chunk` rows: [best, median] over `reps` passes. */
function time(fn: Predict, f: Forest, X: Float64Array, nRows: number, chunk: number, cls: Int32Array, proba: Float32Array): [number, number] {
  const nF = f.nFeatures;
  const nC = f.nClasses;
  const pass = () => {
    for (let r0 = 0; r0 < nRows; r0 += chunk) {
      const n = Math.min(chunk, nRows - r0);
      fn(f, X.subarray(r0 * nF), n, cls.subarray(r0), proba.subarray(r0 * nC));
    }
  };
  pass();
  pass(); // warm-up: JIT, cached layouts, scratch sizes
  const rates: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    pass();
    rates.push(nRows / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => b - a);
  return [rates[0]!, rates[rates.length >> 1]!];
}

const k = (x: number) => `${Math.round(x / 1000)} k`;

for (const c of forestCases(which, [41])) {
  const { pre, tr, te, classes, ytr } = encodeCase(c);
  const forest = await trainForest(tr.X, tr.nRows, tr.nFeatures, ytr, classes.length, { ...defaultForestParams, nTrees, seed: 1 }, { workers: 2, nonFiniteValue: pre.nonFiniteValue });
  const st = forestStats(forest);
  console.log(`\n== ${c.name}: ${te.nRows} test rows, ${te.nFeatures} inputs, ${classes.length} classes, ${nTrees} trees (${st.nodes} nodes, max depth ${st.maxDepth})`);
  const n = te.nRows;
  const cls = new Int32Array(n);
  const proba = new Float32Array(n * classes.length);
  const cls0 = new Int32Array(n);
  const proba0 = new Float32Array(n * classes.length);
  predictBatch(forest, te.X, n, cls, proba);
  predictBatchRowwise(forest, te.X, n, cls0, proba0);
  let same = cls.every((v, i) => v === cls0[i]);
  for (let i = 0; same && i < proba.length; i++) same = Object.is(proba[i], proba0[i]);
  console.log(`   predictBatch and the row-wise walk agree bit for bit: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
  for (const chunk of [n, batch]) {
    const label = chunk === n ? 'one call, all rows' : `batches of ${chunk} rows`;
    const [nb, nm] = time(predictBatch, forest, te.X, n, chunk, cls, proba);
    const [ob, om] = time(predictBatchRowwise, forest, te.X, n, chunk, cls0, proba0);
    console.log(`   ${label.padEnd(22)} predictBatch ${k(nb).padStart(7)} rows/s (median ${k(nm)}), row-wise walk ${k(ob).padStart(7)} rows/s (median ${k(om)}): ${(nb / ob).toFixed(2)}× (1 thread)`);
  }
}
