/** Dataset entry point used by the train/evaluate commands and scripts. */
import { FlowsentryError } from '../../errors.js';
import { loadCicids2017 } from './cicids2017.js';
import { loadFlows } from './flows.js';
import { loadNslKdd } from './nslkdd.js';
import type { Dataset } from './table.js';

export type DatasetKind = 'nsl-kdd' | 'cicids2017' | 'flows';
export const DATASET_KINDS: readonly DatasetKind[] = ['nsl-kdd', 'cicids2017', 'flows'];

export interface LoadOptions {
  readonly task: 'binary' | 'multiclass';
  /** NSL-KDD only: 41 or 28 (header-computable) features. */
  readonly nslFeatures?: 41 | 28;
  /** flows only: ground-truth JSON. */
  readonly truth?: string;
  readonly keepIdentifiers?: boolean;
}

export function loadDataset(kind: string, files: readonly string[], opts: LoadOptions): Dataset {
  switch (kind) {
    case 'nsl-kdd':
      return loadNslKdd(files, { task: opts.task, features: opts.nslFeatures ?? 41 });
    case 'cicids2017':
      return loadCicids2017(files, { task: opts.task, keepIdentifiers: opts.keepIdentifiers });
    case 'flows':
      if (!opts.truth) throw new FlowsentryError('FS_ERR_USAGE', '--dataset flows needs --truth truth.json');
      return loadFlows(files, { task: opts.task, truth: opts.truth, keepIdentifiers: opts.keepIdentifiers });
    default:
      throw new FlowsentryError('FS_ERR_USAGE', `unknown dataset '${kind}' (known: ${DATASET_KINDS.join(', ')})`);
  }
}

export type { Dataset } from './table.js';
