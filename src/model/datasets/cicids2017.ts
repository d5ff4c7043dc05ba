/**
 * CICIDS2017 loaders. Accepts (1) the published MachineLearningCVE (79 columns) and TrafficLabelling
 * / GeneratedLabelledFlows (85 columns) CSVs — leading spaces in names, the duplicated
 * ` Fwd Header Length`, Infinity/NaN cells, cp1252 0x96 dashes in labels, CRLF — and (2) the improved
 * re-extraction's per-class CSVs (91 columns, CICFlowMeter-v4 names). Improved names are mapped onto
 * the trimmed published names, so every model lists features by the trimmed published CICIDS2017
 * column names (feature set `cic2017`, the contract with our flow extractor).
 */
import { FlowsentryError } from '../../errors.js';
import { normaliseLabel, parseNumber, readTextFile, splitFields } from './csv.js';
import { concatColumns, type Column, type Dataset } from './table.js';

/** The 85 TrafficLabelling columns, trimmed, in published order (the duplicate is `Fwd Header Length.1`). */
export const CIC2017_COLUMNS: readonly string[] = [
  'Flow ID', 'Source IP', 'Source Port', 'Destination IP', 'Destination Port', 'Protocol', 'Timestamp',
  'Flow Duration', 'Total Fwd Packets', 'Total Backward Packets', 'Total Length of Fwd Packets',
  'Total Length of Bwd Packets', 'Fwd Packet Length Max', 'Fwd Packet Length Min', 'Fwd Packet Length Mean',
  'Fwd Packet Length Std', 'Bwd Packet Length Max', 'Bwd Packet Length Min', 'Bwd Packet Length Mean',
  'Bwd Packet Length Std', 'Flow Bytes/s', 'Flow Packets/s', 'Flow IAT Mean', 'Flow IAT Std', 'Flow IAT Max',
  'Flow IAT Min', 'Fwd IAT Total', 'Fwd IAT Mean', 'Fwd IAT Std', 'Fwd IAT Max', 'Fwd IAT Min', 'Bwd IAT Total',
  'Bwd IAT Mean', 'Bwd IAT Std', 'Bwd IAT Max', 'Bwd IAT Min', 'Fwd PSH Flags', 'Bwd PSH Flags', 'Fwd URG Flags',
  'Bwd URG Flags', 'Fwd Header Length', 'Bwd Header Length', 'Fwd Packets/s', 'Bwd Packets/s',
  'Min Packet Length', 'Max Packet Length', 'Packet Length Mean', 'Packet Length Std', 'Packet Length Variance',
  'FIN Flag Count', 'SYN Flag Count', 'RST Flag Count', 'PSH Flag Count', 'ACK Flag Count', 'URG Flag Count',
  'CWE Flag Count', 'ECE Flag Count', 'Down/Up Ratio', 'Average Packet Size', 'Avg Fwd Segment Size',
  'Avg Bwd Segment Size', 'Fwd Header Length.1', 'Fwd Avg Bytes/Bulk', 'Fwd Avg Packets/Bulk',
  'Fwd Avg Bulk Rate', 'Bwd Avg Bytes/Bulk', 'Bwd Avg Packets/Bulk', 'Bwd Avg Bulk Rate', 'Subflow Fwd Packets',
  'Subflow Fwd Bytes', 'Subflow Bwd Packets', 'Subflow Bwd Bytes', 'Init_Win_bytes_forward',
  'Init_Win_bytes_backward', 'act_data_pkt_fwd', 'min_seg_size_forward', 'Active Mean', 'Active Std',
  'Active Max', 'Active Min', 'Idle Mean', 'Idle Std', 'Idle Max', 'Idle Min', 'Label',
];

/** Improved-set (CICFlowMeter-v4 style) names that differ from the published ones. */
export const IMPROVED_TO_PUBLISHED: Readonly<Record<string, string>> = {
  'Src IP': 'Source IP', 'Src Port': 'Source Port', 'Dst IP': 'Destination IP', 'Dst Port': 'Destination Port',
  'Total Fwd Packet': 'Total Fwd Packets', 'Total Bwd packets': 'Total Backward Packets',
  'Total Length of Fwd Packet': 'Total Length of Fwd Packets', 'Total Length of Bwd Packet': 'Total Length of Bwd Packets',
  'Packet Length Min': 'Min Packet Length', 'Packet Length Max': 'Max Packet Length', 'CWR Flag Count': 'CWE Flag Count',
  'Fwd Segment Size Avg': 'Avg Fwd Segment Size', 'Bwd Segment Size Avg': 'Avg Bwd Segment Size',
  'Fwd Bytes/Bulk Avg': 'Fwd Avg Bytes/Bulk', 'Fwd Packet/Bulk Avg': 'Fwd Avg Packets/Bulk', 'Fwd Bulk Rate Avg': 'Fwd Avg Bulk Rate',
  'Bwd Bytes/Bulk Avg': 'Bwd Avg Bytes/Bulk', 'Bwd Packet/Bulk Avg': 'Bwd Avg Packets/Bulk', 'Bwd Bulk Rate Avg': 'Bwd Avg Bulk Rate',
  'FWD Init Win Bytes': 'Init_Win_bytes_forward', 'Bwd Init Win Bytes': 'Init_Win_bytes_backward',
  'Fwd Act Data Pkts': 'act_data_pkt_fwd', 'Fwd Seg Size Min': 'min_seg_size_forward',
};

/** Columns only the improved set has: no published counterpart, so no model feature (dropped). */
export const IMPROVED_ONLY = new Set(['Fwd RST Flags', 'Bwd RST Flags', 'ICMP Code', 'ICMP Type', 'Total TCP Flow Time']);

/** Identifier / contaminant columns, dropped by default (feature-semantics §1.7 "generalisation trap"). */
export const IDENTIFIER_COLUMNS = new Set(['id', 'Flow ID', 'Source IP', 'Source Port', 'Destination IP', 'Destination Port', 'Timestamp', 'Attempted Category']);
/** Identifiers that are numbers and may be kept as features with `keepIdentifiers`. */
const NUMERIC_IDENTIFIERS = new Set(['Source Port', 'Destination Port']);
/** Text columns, never features. */
const TEXT_COLUMNS = new Set(['Flow ID', 'Source IP', 'Destination IP', 'Timestamp', 'Label']);

/** Published label spellings → the improved set's spelling (one vocabulary for both). */
const LABEL_ALIASES: Readonly<Record<string, string>> = {
  PortScan: 'Portscan', Bot: 'Botnet', 'DoS slowloris': 'DoS Slowloris', 'Web Attack - Sql Injection': 'Web Attack - SQL Injection',
};

export interface CicOptions {
  readonly task: 'binary' | 'multiclass';
  /** Keep Source/Destination Port as features (IPs, Flow ID, timestamps are text and never features). */
  readonly keepIdentifiers?: boolean;
  /** Also return these text/identifier columns (as categorical) for labelling, e.g. flows + truth. */
  readonly extraTextColumns?: readonly string[];
  /** Ignore the Label column (labels come from elsewhere); rows get label ''. */
  readonly ignoreLabel?: boolean;
}

export function canonicalCicLabel(raw: string): string {
  const l = normaliseLabel(raw);
  return LABEL_ALIASES[l] ?? l;
}

/** Canonical (trimmed published) name of a header cell, or null for improved-only columns. */
function canonicalName(cell: string, seen: Set<string>): string | null {
  let name = cell.trim();
  name = IMPROVED_TO_PUBLISHED[name] ?? name;
  if (IMPROVED_ONLY.has(name)) return null;
  if (seen.has(name)) name = `${name}.1`; // the duplicated Fwd Header Length
  seen.add(name);
  return name;
}

export function loadCicids2017(files: readonly string[], opts: CicOptions): Dataset {
  if (files.length === 0) throw new FlowsentryError('FS_ERR_USAGE', 'cicids2017: no input files');
  const known = new Set([...CIC2017_COLUMNS, 'id', 'Attempted Category']);
  const parts: Column[][] = [];
  const labels: string[] = [];
  const infos = [];
  let nonFinite = 0;
  const dropped = new Set<string>();
  for (const file of files) {
    const tf = readTextFile(file);
    infos.push(tf.info);
    if (tf.lines.length === 0) throw new FlowsentryError('FS_ERR_DATASET', `${file}: empty file`);
    const header = splitFields(file, 1, tf.lines[0]!);
    const seen = new Set<string>();
    const names = header.map((h) => canonicalName(h, seen));
    names.forEach((n, i) => {
      if (n === null) dropped.add(header[i]!.trim());
      else if (!known.has(n)) throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:1: unknown column '${header[i]!.trim()}' (column ${i + 1}); not a CICIDS2017 CSV header`);
    });
    const labelAt = names.indexOf('Label');
    if (labelAt < 0 && !opts.ignoreLabel) throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:1: no 'Label' column`);
    for (const need of ['Flow Duration', 'Total Fwd Packets', 'Flow Bytes/s']) {
      if (!names.includes(need)) throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:1: missing column '${need}'`);
    }
    // feature columns in canonical published order (independent of the file's own order)
    const featureNames = CIC2017_COLUMNS.filter((c) => {
      if (!names.includes(c) || TEXT_COLUMNS.has(c) || c === 'Fwd Header Length.1') return false;
      if (IDENTIFIER_COLUMNS.has(c)) return opts.keepIdentifiers === true && NUMERIC_IDENTIFIERS.has(c);
      return true;
    });
    for (const c of names) if (c !== null && !featureNames.includes(c) && c !== 'Label') dropped.add(c);
    const extra = opts.extraTextColumns ?? [];
    for (const e of extra) if (!names.includes(e)) throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:1: missing column '${e}'`);
    const featIdx = featureNames.map((c) => names.indexOf(c));
    const extraIdx = extra.map((c) => names.indexOf(c));
    const nLines = tf.lines.length - 1;
    const vals = featureNames.map(() => new Float64Array(nLines));
    const texts = extra.map(() => new Array<string>(nLines));
    let n = 0;
    for (let li = 1; li < tf.lines.length; li++) {
      const line = tf.lines[li]!;
      if (line === '' || /^,*$/.test(line)) continue; // blank rows occur in the published Thursday file
      const f = splitFields(file, li + 1, line);
      if (f.length !== header.length) throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:${li + 1}: ${f.length} fields, the header has ${header.length}`);
      for (let j = 0; j < featIdx.length; j++) {
        const v = parseNumber(file, li + 1, featureNames[j]!, f[featIdx[j]!]!);
        if (!Number.isFinite(v)) nonFinite++;
        vals[j]![n] = v;
      }
      for (let j = 0; j < extraIdx.length; j++) texts[j]![n] = f[extraIdx[j]!]!.trim();
      if (opts.ignoreLabel) labels.push('');
      else {
        const lab = canonicalCicLabel(f[labelAt]!);
        if (lab === '') throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${li + 1}: column 'Label' is empty`);
        labels.push(opts.task === 'binary' ? (lab === 'BENIGN' ? 'BENIGN' : 'ATTACK') : lab);
      }
      n++;
    }
    parts.push([
      ...featureNames.map((name, j): Column => ({ name, kind: 'numeric', values: vals[j]!.slice(0, n) })),
      ...extra.map((name, j): Column => ({ name, kind: 'categorical', values: texts[j]!.slice(0, n) })),
    ]);
  }
  const columns = concatColumns(parts, files);
  const present = [...new Set(labels)].filter((l) => l !== 'BENIGN').sort();
  return {
    kind: 'cicids2017',
    featureSet: 'cic2017',
    columns,
    nRows: labels.length,
    labels,
    classOrder: opts.task === 'binary' ? ['BENIGN', 'ATTACK'] : ['BENIGN', ...present],
    files: infos,
    nonFiniteCells: nonFinite,
    notes: [
      `cic2017 features by trimmed published CICIDS2017 names; dropped columns: ${[...dropped].sort().join(', ') || 'none'}`,
      `${nonFinite} NaN/Infinity cells mapped to -1`,
    ],
  };
}
