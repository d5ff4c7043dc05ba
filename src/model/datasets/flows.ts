/**
 * Our own flow CSVs (`flowsentry features` output: the published TrafficLabelling header) labelled
 * from a lab ground-truth file. The CSV's own Label column is ignored; each row's label comes from
 * truth-labels.ts using Source IP, Destination IP, Timestamp (flow start) and Flow Duration (µs).
 */
import { FlowsentryError } from '../../errors.js';
import { loadCicids2017 } from './cicids2017.js';
import type { Column, Dataset } from './table.js';
import { BENIGN_LABEL, createLabeller, readGroundTruth } from './truth-labels.js';

export interface FlowsOptions {
  readonly task: 'binary' | 'multiclass';
  readonly truth: string;
  readonly keepIdentifiers?: boolean;
}

const ENDPOINTS = ['Source IP', 'Destination IP', 'Timestamp'];

/**
 * Flow start in µs since the epoch from the Timestamp cell: ISO-8601 (what flowsentry writes; µs
 * fraction kept, no zone = UTC) or a plain number of µs.
 */
export function parseTimestampUs(s: string): number | null {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4] ?? 'Z'}`);
  if (Number.isNaN(ms)) return null;
  const frac = m[3] ? Math.floor(Number(`0.${m[3]}`) * 1e6) : 0;
  return ms * 1000 + frac;
}

export function loadFlows(files: readonly string[], opts: FlowsOptions): Dataset {
  const truth = readGroundTruth(opts.truth);
  const ds = loadCicids2017(files, { task: 'multiclass', keepIdentifiers: opts.keepIdentifiers, extraTextColumns: ENDPOINTS, ignoreLabel: true });
  const col = (name: string) => ds.columns.find((c) => c.name === name)!;
  const src = col('Source IP').values as readonly string[];
  const dst = col('Destination IP').values as readonly string[];
  const ts = col('Timestamp').values as readonly string[];
  const dur = col('Flow Duration');
  if (dur.kind !== 'numeric') throw new FlowsentryError('FS_ERR_INTERNAL', 'Flow Duration is not numeric');
  const label = createLabeller(truth);
  const labels = new Array<string>(ds.nRows);
  for (let i = 0; i < ds.nRows; i++) {
    const start = parseTimestampUs(ts[i]!);
    if (start === null) throw new FlowsentryError('FS_ERR_CSV_VALUE', `${files.join(', ')}: data row ${i + 1}: column 'Timestamp': '${ts[i]}' is not ISO-8601 or µs`);
    const d = dur.values[i]!;
    const l = label({ src: src[i]!, dst: dst[i]!, startUs: start, endUs: start + (Number.isFinite(d) && d > 0 ? d : 0) });
    labels[i] = opts.task === 'binary' ? (l === BENIGN_LABEL ? 'BENIGN' : 'ATTACK') : l;
  }
  const columns: Column[] = ds.columns.filter((c) => !ENDPOINTS.includes(c.name));
  const attacks = [...new Set(labels)].filter((l) => l !== 'BENIGN').sort();
  return {
    ...ds,
    kind: 'flows',
    columns,
    labels,
    classOrder: opts.task === 'binary' ? ['BENIGN', 'ATTACK'] : ['BENIGN', ...attacks],
    files: [...ds.files],
    notes: [...ds.notes, `labels from ground truth ${opts.truth} (${truth.episodes.length} episodes)`],
  };
}
