/**
 * NSL-KDD loader: headerless KDDTrain+/KDDTest+/KDDTest-21 text files (41 features, attack name,
 * difficulty) and the KDDTest+.arff variant (binary 'normal'/'anomaly' class only). Feature modes:
 * nslkdd41 (all 41) and nslkdd28 (features 1–9 and 23–41: the ones a header-only sensor can compute,
 * feature-semantics.md Part 2). Labels: binary normal/attack or the 5 classic categories.
 */
import { FlowsentryError } from '../../errors.js';
import type { FeatureSetId } from '../model.js';
import { parseNumber, readTextFile, splitFields } from './csv.js';
import { concatColumns, type Column, type Dataset } from './table.js';

export const NSLKDD_COLUMNS = [
  'duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land', 'wrong_fragment', 'urgent',
  'hot', 'num_failed_logins', 'logged_in', 'num_compromised', 'root_shell', 'su_attempted', 'num_root',
  'num_file_creations', 'num_shells', 'num_access_files', 'num_outbound_cmds', 'is_host_login', 'is_guest_login',
  'count', 'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate', 'same_srv_rate',
  'diff_srv_rate', 'srv_diff_host_rate', 'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate',
  'dst_host_diff_srv_rate', 'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate',
  'dst_host_srv_serror_rate', 'dst_host_rerror_rate', 'dst_host_srv_rerror_rate',
] as const;

const CATEGORICAL = new Set(['protocol_type', 'service', 'flag']);

/** Header-computable features: 1–9 and 23–41 (1-based). */
export const NSLKDD28_COLUMNS: readonly string[] = NSLKDD_COLUMNS.filter((_, i) => i < 9 || i >= 22);

export const NSLKDD_CLASSES_5 = ['normal', 'DoS', 'Probe', 'R2L', 'U2R'] as const;
export const NSLKDD_CLASSES_2 = ['normal', 'attack'] as const;

/**
 * Every attack name of KDDTrain+ and KDDTest+ (PROVENANCE §1) → category. The test-only names follow
 * the usual mapping (Tavallaee et al.; the DARPA'98/'99 attack taxonomy); `httptunnel` → U2R is the
 * conventional choice (some papers use R2L: then R2L 2,887 / U2R 67 in KDDTest+).
 */
export const NSLKDD_ATTACK_CATEGORY: Readonly<Record<string, (typeof NSLKDD_CLASSES_5)[number]>> = {
  normal: 'normal',
  back: 'DoS', land: 'DoS', neptune: 'DoS', pod: 'DoS', smurf: 'DoS', teardrop: 'DoS',
  apache2: 'DoS', mailbomb: 'DoS', processtable: 'DoS', udpstorm: 'DoS',
  ipsweep: 'Probe', nmap: 'Probe', portsweep: 'Probe', satan: 'Probe', mscan: 'Probe', saint: 'Probe',
  ftp_write: 'R2L', guess_passwd: 'R2L', imap: 'R2L', multihop: 'R2L', phf: 'R2L', spy: 'R2L',
  warezclient: 'R2L', warezmaster: 'R2L', named: 'R2L', sendmail: 'R2L', snmpgetattack: 'R2L',
  snmpguess: 'R2L', xlock: 'R2L', xsnoop: 'R2L', worm: 'R2L',
  buffer_overflow: 'U2R', loadmodule: 'U2R', perl: 'U2R', rootkit: 'U2R', ps: 'U2R', sqlattack: 'U2R',
  xterm: 'U2R', httptunnel: 'U2R',
};

export interface NslKddOptions {
  readonly task: 'binary' | 'multiclass';
  readonly features: 41 | 28;
}

export function loadNslKdd(files: readonly string[], opts: NslKddOptions): Dataset {
  if (files.length === 0) throw new FlowsentryError('FS_ERR_USAGE', 'nsl-kdd: no input files');
  const keep = opts.features === 28 ? NSLKDD28_COLUMNS : NSLKDD_COLUMNS;
  const keepIdx = keep.map((k) => (NSLKDD_COLUMNS as readonly string[]).indexOf(k));
  const parts: Column[][] = [];
  const labels: string[] = [];
  const groups: string[] = [];
  const infos = [];
  for (const file of files) {
    const tf = readTextFile(file);
    infos.push(tf.info);
    const isArff = /\.arff$/i.test(file) || tf.lines[0]?.trimStart().startsWith('@');
    let start = 0;
    if (isArff) {
      if (opts.task !== 'binary') throw new FlowsentryError('FS_ERR_DATASET', `${file}: the ARFF file carries only normal/anomaly labels; use --task binary or the .txt files`);
      start = checkArffHeader(file, tf.lines);
    }
    const nLines = tf.lines.length - start;
    const numeric = keep.map(() => new Float64Array(nLines));
    const cats = keep.map(() => new Array<string>(nLines));
    let n = 0;
    for (let li = start; li < tf.lines.length; li++) {
      const line = tf.lines[li]!;
      if (line.trim() === '' || (isArff && line.startsWith('%'))) continue;
      const lineNo = li + 1;
      const f = splitFields(file, lineNo, line);
      if (isArff ? f.length !== 42 : f.length !== 43 && f.length !== 42) {
        throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}:${lineNo}: ${f.length} fields, NSL-KDD rows have ${isArff ? 42 : '43 (or 42 without difficulty)'}`);
      }
      keepIdx.forEach((src, j) => {
        const name = NSLKDD_COLUMNS[src]!;
        if (CATEGORICAL.has(name)) {
          const v = f[src]!.trim();
          if (!/^[A-Za-z0-9_]+$/.test(v)) throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${lineNo}: column '${name}': '${v}' is not a ${name} value`);
          cats[j]![n] = v;
        } else numeric[j]![n] = parseNumber(file, lineNo, name, f[src]!);
      });
      const raw = f[41]!.trim();
      labels.push(mapLabel(file, lineNo, raw, isArff, opts.task));
      groups.push(isArff ? raw.replace(/'/g, '') : raw);
      n++;
    }
    parts.push(
      keep.map((name, j): Column =>
        CATEGORICAL.has(name) ? { name, kind: 'categorical', values: cats[j]!.slice(0, n) } : { name, kind: 'numeric', values: numeric[j]!.slice(0, n) },
      ),
    );
  }
  const columns = concatColumns(parts, files);
  const featureSet: FeatureSetId = opts.features === 28 ? 'nslkdd28' : 'nslkdd41';
  return {
    kind: 'nsl-kdd',
    featureSet,
    columns,
    nRows: labels.length,
    labels,
    groups,
    classOrder: opts.task === 'binary' ? NSLKDD_CLASSES_2 : NSLKDD_CLASSES_5,
    files: infos,
    nonFiniteCells: 0,
    notes: [
      `NSL-KDD ${opts.features} features (${featureSet}); protocol_type/service/flag one-hot over training vocabularies (unknown → all zero)`,
      opts.task === 'binary' ? 'labels: normal vs attack' : 'labels: normal/DoS/Probe/R2L/U2R (httptunnel → U2R)',
    ],
  };
}

function mapLabel(file: string, lineNo: number, raw: string, arff: boolean, task: 'binary' | 'multiclass'): string {
  if (arff) {
    const v = raw.replace(/'/g, '');
    if (v === 'normal') return 'normal';
    if (v === 'anomaly') return 'attack';
    throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${lineNo}: column 'class': '${raw}' is neither normal nor anomaly`);
  }
  const cat = NSLKDD_ATTACK_CATEGORY[raw];
  if (cat === undefined) throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${lineNo}: column 'label' (field 42): unknown attack name '${raw}'`);
  if (task === 'binary') return cat === 'normal' ? 'normal' : 'attack';
  return cat;
}

/** Checks the ARFF attribute names against the 41 NSL-KDD names; returns the first data line index. */
function checkArffHeader(file: string, lines: readonly string[]): number {
  const attrs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const m = /^@attribute\s+'?([^'\s]+)'?/i.exec(l);
    if (m) attrs.push(m[1]!);
    if (/^@data/i.test(l)) {
      const expected = [...NSLKDD_COLUMNS, 'class'];
      const bad = expected.findIndex((e, k) => attrs[k] !== e);
      if (bad >= 0 || attrs.length !== expected.length) {
        const k = bad >= 0 ? bad : Math.min(attrs.length, expected.length);
        throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}: ARFF attribute ${k + 1} is '${attrs[k] ?? '(missing)'}', expected '${expected[k] ?? '(none)'}'`);
      }
      return i + 1;
    }
  }
  throw new FlowsentryError('FS_ERR_CSV_COLUMNS', `${file}: ARFF file without @data section`);
}
