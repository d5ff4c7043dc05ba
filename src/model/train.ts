/**
 * Random Forest training: bin the features once, then grow trees in parallel with worker_threads on
 * shared bin codes. Tree t always uses the random stream mixSeed(seed, t) and trees are assembled in
 * index order, so (data, params, seed) ⇒ identical forest for any worker count.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { binColumns, fitBinning } from './binning.js';
import { growTree, type BinTree, type TreeParams } from './cart.js';
import { assembleForest, resolveClassWeight, resolveMaxFeatures, type ClassWeight, type Forest, type MaxFeatures } from './forest.js';
import { Rng, mixSeed } from './rng.js';
import type { WorkerInput } from './train-worker.js';

export interface ForestParams {
  readonly nTrees: number;
  /** Infinity = grow until pure / min_samples_leaf. */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: MaxFeatures;
  readonly bootstrap: boolean;
  readonly classWeight: ClassWeight;
  readonly seed: number;
  readonly maxBins: number;
}

export const defaultForestParams: ForestParams = {
  nTrees: 100,
  maxDepth: Infinity,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  bootstrap: true,
  classWeight: 'none',
  seed: 1,
  maxBins: 256,
};

export interface TrainOptions {
  /** Worker threads; 0 = grow every tree on the calling thread. Default: available cores. */
  readonly workers?: number;
  readonly onProgress?: (treesDone: number, nTrees: number) => void;
  /** Substituted for NaN/±Infinity in X (recorded in the forest for inference). */
  readonly nonFiniteValue?: number;
}

export async function trainForest(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  y: Int32Array,
  nClasses: number,
  params: ForestParams,
  options: TrainOptions = {},
): Promise<Forest> {
  if (nRows < 1 || X.length < nRows * nFeatures || y.length < nRows) throw new RangeError('trainForest: X/y sizes do not match nRows × nFeatures');
  if (params.nTrees < 1) throw new RangeError('trainForest: nTrees must be ≥ 1');
  for (let i = 0; i < nRows; i++) {
    if (!(y[i]! >= 0 && y[i]! < nClasses)) throw new RangeError(`trainForest: label ${y[i]} of row ${i} outside [0, ${nClasses})`);
  }
  const nonFinite = options.nonFiniteValue ?? Number.NaN;
  const Xc = sanitize(X, nRows * nFeatures, nonFinite);
  const binning = fitBinning(Xc, nRows, nFeatures, params.maxBins);
  const workers = Math.max(0, Math.min(options.workers ?? availableParallelism(), params.nTrees));

  // Shared memory lets every worker read the same codes without copying them.
  const codes = new Uint8Array(workers > 0 ? new SharedArrayBuffer(nRows * nFeatures) : new ArrayBuffer(nRows * nFeatures));
  binColumns(Xc, nRows, binning, codes);
  const yS = new Int32Array(workers > 0 ? new SharedArrayBuffer(nRows * 4) : new ArrayBuffer(nRows * 4));
  yS.set(y.subarray(0, nRows));
  const classWeight = resolveClassWeight(params.classWeight, yS, nClasses);
  const treeParams: TreeParams = {
    nClasses,
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(params.maxFeatures, nFeatures),
    bootstrap: params.bootstrap,
  };

  const trees: BinTree[] = new Array<BinTree>(params.nTrees);
  let done = 0;
  options.onProgress?.(0, params.nTrees);
  if (workers === 0) {
    const data = { nRows, nFeatures, codes, y: yS, classWeight };
    for (let t = 0; t < params.nTrees; t++) {
      trees[t] = growTree(data, treeParams, new Rng(mixSeed(params.seed, t)));
      options.onProgress?.(++done, params.nTrees);
    }
  } else {
    const url = new URL('./train-worker.js', import.meta.url);
    // Trees are handed out dynamically (shared counter), so a worker slowed down by other load
    // simply builds fewer trees; which worker builds a tree never affects the tree itself.
    const next = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const input: WorkerInput = { codes, y: yS, classWeight, nRows, nFeatures, params: treeParams, seed: params.seed, nTrees: params.nTrees, next };
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(url, { workerData: input });
          let received = 0;
          worker.on('message', (m: { index: number; tree: BinTree }) => {
            trees[m.index] = m.tree;
            received++;
            options.onProgress?.(++done, params.nTrees);
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`training worker ${w} exited with code ${code} after ${received} trees`));
            else resolve();
          });
        });
      }),
    );
  }
  for (let t = 0; t < params.nTrees; t++) if (!trees[t]) throw new Error(`training: tree ${t} was not built`);
  return assembleForest(trees, binning, nClasses, nonFinite);
}

/** Applies the non-finite mapping (copying only when needed) so bins never see NaN/Infinity. */
function sanitize(X: Float64Array, n: number, nonFinite: number): Float64Array {
  let out: Float64Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = X[i]!;
    if (!(v - v === 0)) {
      if (Number.isNaN(nonFinite)) throw new RangeError(`trainForest: non-finite value at index ${i} and no nonFiniteValue mapping given`);
      out ??= X.slice(0, n);
      out[i] = nonFinite;
    }
  }
  return out ?? X;
}
