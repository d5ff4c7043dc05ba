/**
 * Feature extraction from a capture file to CSV or JSON Lines: the job behind `flowsentry features`,
 * also used by `flowsentry lab dataset`. Same pipeline as live monitoring.
 */
import { openCaptureFile } from '../capture/file-source.js';
import { FlowsentryError } from '../errors.js';
import { Cic2017Features, type PaddingMode } from '../features/cic2017/features.js';
import { CicCsvWriter, CicJsonlWriter, type HeaderVariant } from '../features/cic2017/output.js';
import type { MeterConfig } from '../flow/meter-config.js';
import { LineWriter } from '../util/line-writer.js';
import { Pipeline, type PipelineSummary } from './pipeline.js';

export const FEATURE_SET_IDS = ['cic2017', 'cic2017-compat'] as const;
export type FeatureSetId = (typeof FEATURE_SET_IDS)[number];

export interface ExtractOptions {
  capture: string;
  /** Output path, '-' for stdout. The format follows the extension: .jsonl/.json → JSON Lines, else CSV. */
  output: string;
  featureSet: FeatureSetId;
  header?: HeaderVariant;
  padding?: PaddingMode;
  meter?: Partial<MeterConfig>;
  /** Called after each batch (progress reporting). */
  onProgress?: (p: Pipeline, bytesRead: number, bytesTotal: number) => void;
}

export function makeCicFeatureSet(id: FeatureSetId, padding?: PaddingMode): Cic2017Features {
  if (!FEATURE_SET_IDS.includes(id)) {
    throw new FlowsentryError('FS_ERR_USAGE', `unknown feature set '${id}' (known: ${FEATURE_SET_IDS.join(', ')})`);
  }
  return new Cic2017Features({ mode: id === 'cic2017-compat' ? 'compat' : 'corrected', padding });
}

/**
 * Extracts every flow of a capture. On a truncated or corrupt capture every flow before the damage is
 * written and flushed, then the error is rethrown (with `.summary`).
 */
export async function extractFeatures(opts: ExtractOptions): Promise<PipelineSummary> {
  const fs = makeCicFeatureSet(opts.featureSet, opts.padding);
  const source = openCaptureFile(opts.capture);
  const out = new LineWriter(opts.output);
  const jsonl = /\.jsonl?$/i.test(opts.output);
  const compat = fs.mode === 'compat';
  const writer = jsonl ? new CicJsonlWriter(out, compat) : new CicCsvWriter(out, { compat, header: opts.header ?? 'tl' });
  const pipeline = new Pipeline({ featureSet: fs, meter: opts.meter, onFlow: (f) => writer.write(f) });
  const progress = opts.onProgress;
  try {
    return await pipeline.run(source, progress ? (p) => progress(p, source.stats().bytesRead, source.stats().bytesTotal) : undefined);
  } finally {
    out.close();
    source.close();
  }
}
