import { writeFileSync } from 'node:fs';
import { numberOption, parseCommandArgs, type Command } from '../command.js';
import { FlowsentryError } from '../../errors.js';
import { loadDataset, DATASET_KINDS, type Dataset } from '../../model/datasets/index.js';
import { saveModel } from '../../model/model-file.js';
import type { MaxFeatures } from '../../model/forest.js';
import { defaultForestParams, type ForestParams } from '../../model/train.js';
import { evaluateModel, trainModel } from '../../model/pipeline.js';
import { formatReport } from '../../model/report.js';
import type { EvaluationReport } from '../../model/metrics.js';
import { stratifiedSplit } from '../../model/split.js';
import { withDecision, type DecisionRule, type Model } from '../../model/model.js';
import { crossValidateThreshold, decisionFromCv, formatThresholdCurve } from '../../model/threshold.js';
import { THRESHOLD_CV } from '../../model/presets.js';
import path from 'node:path';

const help = `Usage: flowsentry train --dataset nsl-kdd|cicids2017|flows --train FILE... [options] -o MODEL

Trains a Random Forest and writes a model file (.fsm, see docs/model-format.md).

Data:
  --dataset KIND          nsl-kdd | cicids2017 | flows
  --train FILE            training file (repeat or list several after one flag)
  --test FILE             test file(s), each reported separately; without --test a stratified
                          30 % hold-out of the training data is used (--holdout to change)
  --truth FILE            ground-truth JSON (required for --dataset flows)
  --task binary|multiclass  (default multiclass; nsl-kdd multiclass = normal/DoS/Probe/R2L/U2R)
  --features 41|28        nsl-kdd feature set: nslkdd41 or the header-computable nslkdd28 (default 41)
  --keep-identifiers      cicids2017/flows: keep Source/Destination Port as features
  --holdout F             hold-out fraction when no --test is given (default 0.3)
  --log1p COLS            comma-separated numeric columns to encode as sign(x)·ln(1+|x|), e.g.
                          duration,src_bytes,dst_bytes (recorded in the model, applied at prediction)
Forest:
  --trees N               number of trees (default 100)
  --max-depth D           maximum depth (default unlimited)
  --min-samples-leaf N    (default 1)
  --max-features M        sqrt | log2 | all | integer count | fraction in (0,1) (default sqrt)
  --class-weight W        none | balanced (default none)
  --seed S                random seed (default 1); same data + options + seed ⇒ identical model
  --workers N             worker threads (default: number of cores)
Decision:
  --threshold auto|none|T binary tasks: decision threshold on P(positive class) stored in the model
                          (default none = argmax). auto fits it by 3-fold CV on the training rows
                          only (nsl-kdd: folds grouped by attack name, so each scored attack is
                          unseen by its fold's model; others: stratified), 2 seeds × min(25, --trees)
                          trees per fit, centre of the plateau within 0.2 pt of the best
                          out-of-fold accuracy. T: a fixed threshold in (0,1)
Output:
  -o, --output MODEL      model file to write
  --report-json PATH      also write the evaluation report(s) as JSON
`;

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} trees`;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar}${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) process.stderr.write(`${bar}\n`);
}

export function parseMaxFeatures(v: string | undefined): MaxFeatures {
  if (v === undefined) return 'sqrt';
  if (v === 'sqrt' || v === 'log2' || v === 'all') return v;
  const n = Number(v);
  if (Number.isFinite(n) && n > 0 && (n < 1 || Number.isInteger(n))) return n;
  throw new FlowsentryError('FS_ERR_USAGE', `--max-features must be sqrt, log2, all, an integer or a fraction in (0,1), got '${v}'`);
}

export const command: Command = {
  name: 'train',
  summary: 'train a Random Forest model from NSL-KDD, CICIDS2017 or labelled flow CSVs',
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'train',
      argv,
      {
        dataset: { type: 'string' },
        train: { type: 'string', multiple: true },
        test: { type: 'string', multiple: true },
        truth: { type: 'string' },
        task: { type: 'string' },
        features: { type: 'string' },
        'keep-identifiers': { type: 'boolean' },
        holdout: { type: 'string' },
        log1p: { type: 'string' },
        trees: { type: 'string' },
        'max-depth': { type: 'string' },
        'min-samples-leaf': { type: 'string' },
        'max-features': { type: 'string' },
        'class-weight': { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        threshold: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'report-json': { type: 'string' },
      },
      true,
    );
    const kind = values.dataset;
    if (!kind || !DATASET_KINDS.includes(kind as (typeof DATASET_KINDS)[number])) throw new FlowsentryError('FS_ERR_USAGE', `--dataset must be one of ${DATASET_KINDS.join(', ')}`);
    // files listed after --train/--test without repeating the flag arrive as positionals: attach them to the last flag
    const { trainFiles, testFiles } = attachPositionals(argv, values.train ?? [], values.test ?? [], positionals);
    if (trainFiles.length === 0) throw new FlowsentryError('FS_ERR_USAGE', 'train: --train FILE is required');
    if (!values.output) throw new FlowsentryError('FS_ERR_USAGE', 'train: -o MODEL is required');
    const task = values.task ?? 'multiclass';
    if (task !== 'binary' && task !== 'multiclass') throw new FlowsentryError('FS_ERR_USAGE', `--task must be binary or multiclass, got '${task}'`);
    const features = numberOption('features', values.features, 41);
    if (features !== 41 && features !== 28) throw new FlowsentryError('FS_ERR_USAGE', `--features must be 41 or 28, got '${values.features}'`);
    if (values.features !== undefined && kind !== 'nsl-kdd') throw new FlowsentryError('FS_ERR_USAGE', '--features applies to --dataset nsl-kdd only');
    const cw = values['class-weight'] ?? 'none';
    if (cw !== 'none' && cw !== 'balanced') throw new FlowsentryError('FS_ERR_USAGE', `--class-weight must be none or balanced, got '${cw}'`);
    const maxDepth = numberOption('max-depth', values['max-depth'], Infinity, 0, 1000);
    const params: ForestParams = {
      ...defaultForestParams,
      nTrees: numberOption('trees', values.trees, 100, 1, 10000),
      maxDepth,
      minSamplesLeaf: numberOption('min-samples-leaf', values['min-samples-leaf'], 1, 1),
      maxFeatures: parseMaxFeatures(values['max-features']),
      classWeight: cw,
      seed: numberOption('seed', values.seed, 1, 0, 2 ** 32 - 1),
    };
    const thr = values.threshold ?? 'none';
    const fixedT = thr === 'auto' || thr === 'none' ? null : Number(thr);
    if (fixedT !== null && !(Number.isFinite(fixedT) && fixedT > 0 && fixedT < 1)) throw new FlowsentryError('FS_ERR_USAGE', `--threshold must be auto, none or a number in (0,1), got '${thr}'`);
    if (thr !== 'none' && task !== 'binary') throw new FlowsentryError('FS_ERR_USAGE', '--threshold applies to --task binary only');
    const workers = values.workers === undefined ? undefined : numberOption('workers', values.workers, 0, 0, 64);
    const opts = { task: task as 'binary' | 'multiclass', nslFeatures: features as 41 | 28, truth: values.truth, keepIdentifiers: values['keep-identifiers'] === true };

    const trainDs = loadDataset(kind, trainFiles, opts);
    let trainRows: Int32Array | undefined;
    const evals: { name: string; ds: Dataset; rows?: Int32Array }[] = [];
    if (testFiles.length === 0) {
      const frac = numberOption('holdout', values.holdout, 0.3, 0.01, 0.9);
      const split = stratifiedSplit(trainDs.labels, frac, params.seed);
      trainRows = split.train;
      evals.push({ name: `stratified ${Math.round(frac * 100)} % hold-out (seed ${params.seed})`, ds: trainDs, rows: split.test });
    } else {
      for (const f of testFiles) evals.push({ name: path.basename(f), ds: loadDataset(kind, [f], opts) });
    }
    process.stderr.write(`train: ${trainRows ? trainRows.length : trainDs.nRows} rows, ${trainDs.columns.length} columns (${trainDs.featureSet}), ${params.nTrees} trees\n`);
    const { model, seconds } = await trainModel({
      train: trainDs,
      trainRows,
      params,
      task: opts.task,
      workers,
      onProgress: progress,
      log1p: values.log1p ? values.log1p.split(',').map((c) => c.trim()).filter((c) => c !== '') : [],
      notes: trainRows ? [`trained on the training part of a stratified hold-out split (seed ${params.seed})`] : [],
    });
    const out: string[] = [`trained ${params.nTrees} trees in ${seconds.toFixed(1)} s; classes: ${model.info.classes.join(', ')}`];
    let decided = model;
    if (thr !== 'none') {
      const positive = model.info.classes[1]!; // binary: class 1 is attack/ATTACK
      let rule: DecisionRule;
      if (fixedT !== null) rule = { positive, threshold: fixedT, chosenBy: 'fixed by --threshold' };
      else {
        process.stderr.write(`train: fitting the decision threshold by CV on the training rows\n`);
        const cv = await crossValidateThreshold({
          ds: trainDs,
          rows: trainRows,
          params: { ...params, nTrees: Math.min(THRESHOLD_CV.nTrees, params.nTrees) },
          positive,
          repeats: THRESHOLD_CV.repeats,
          k: THRESHOLD_CV.k,
          workers,
          log1p: values.log1p ? values.log1p.split(',').map((c) => c.trim()).filter((c) => c !== '') : [],
        });
        const what = trainRows ? 'the training part of the hold-out split' : trainFiles.map((f) => path.basename(f)).join(' + ');
        rule = decisionFromCv(cv, positive, what);
        out.push('', `decision threshold (${cv.folds} CV on training rows only):`, formatThresholdCurve(cv));
      }
      decided = withDecision(model, rule);
      out.push('', `decision rule: ${positive} iff P(${positive}) ≥ ${rule.threshold} (${rule.chosenBy})`);
    }
    const reports: Record<string, EvaluationReport> = {};
    for (const e of evals) {
      const r = evaluateModel(decided, e.ds, e.rows);
      reports[e.name] = r;
      out.push('', formatReport(r, e.name));
    }
    const final: Model = { ...decided, info: { ...decided.info, metrics: reports } };
    saveModel(values.output, final);
    out.push('', `model written to ${values.output}`);
    process.stdout.write(out.join('\n') + '\n');
    if (values['report-json']) {
      writeFileSync(values['report-json'], JSON.stringify({ model: values.output, featureSet: model.info.featureSet, classes: model.info.classes, params: model.info.training.params, decision: decided.info.decision ?? null, train_seconds: seconds, reports }, null, 2) + '\n');
    }
    return 0;
  },
};

function attachPositionals(argv: readonly string[], train: string[], test: string[], positionals: string[]): { trainFiles: string[]; testFiles: string[] } {
  if (positionals.length === 0) return { trainFiles: train, testFiles: test };
  // walk argv: a positional belongs to the most recent --train/--test flag
  const tr = [...train];
  const te = [...test];
  let current: string[] | null = null;
  const pos = new Set(positionals);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--train' || a === '--test') {
      current = a === '--train' ? tr : te;
      i++; // the flag's own value is already in values
    } else if (a.startsWith('-')) {
      current = null;
      if (!a.includes('=') && a !== '--keep-identifiers') i++;
    } else if (pos.has(a)) {
      if (!current) throw new FlowsentryError('FS_ERR_USAGE', `train: unexpected argument '${a}' (files go after --train or --test)`);
      current.push(a);
    }
  }
  return { trainFiles: tr, testFiles: te };
}
