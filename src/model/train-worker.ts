/**
 * worker_threads entry: grows the trees it is given on the shared (SharedArrayBuffer) bin codes and
 * posts each one back as soon as it is done (that drives the progress bar).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { growTree, type TreeParams } from './cart.js';
import { Rng, mixSeed } from './rng.js';

export interface WorkerInput {
  readonly codes: Uint8Array;
  readonly y: Int32Array;
  readonly classWeight: Float64Array;
  readonly nRows: number;
  readonly nFeatures: number;
  readonly params: TreeParams;
  readonly seed: number;
  readonly nTrees: number;
  /** Shared Int32 counter: each worker takes the next tree index with Atomics.add (dynamic load balancing). */
  readonly next: Int32Array;
}

const input = workerData as WorkerInput;
const data = { nRows: input.nRows, nFeatures: input.nFeatures, codes: input.codes, y: input.y, classWeight: input.classWeight };
for (let t = Atomics.add(input.next, 0, 1); t < input.nTrees; t = Atomics.add(input.next, 0, 1)) {
  const tree = growTree(data, input.params, new Rng(mixSeed(input.seed, t)));
  parentPort!.postMessage({ index: t, tree }, [
    tree.feature.buffer,
    tree.splitBin.buffer,
    tree.child.buffer,
    tree.leafValues.buffer,
  ] as ArrayBuffer[]);
}
