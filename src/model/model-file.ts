/**
 * Model file format v1 (".fsm"), documented in docs/model-format.md:
 *
 *   magic    8 bytes  89 46 53 4D 0D 0A 1A 0A  ("\x89FSM\r\n\x1a\n": catches text-mode mangling)
 *   version  uint32 LE  (= 1)
 *   hlen     uint32 LE  length of the JSON header
 *   header   hlen bytes UTF-8 JSON (all metadata; payload sizes)
 *   payload  deflate-raw of the forest arrays (little-endian): threshold f64[nodes], leafValues
 *            f32[nLeafValues], roots i32[trees], feature i32[nodes], child i32[nodes]
 *   sha256   32 bytes over everything before it
 *
 * Loading checks magic, version, length (truncation), checksum (tampering), header schema and the
 * forest's structure (indices in range, children after parents — so traversal always terminates).
 * Nothing in the file is executed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { FlowsentryError } from '../errors.js';
import type { Forest } from './forest.js';
import { FEATURE_SET_IDS, MODEL_FORMAT, MODEL_FORMAT_VERSION, decisionRuleProblem, encodedColumnNames, type Model, type ModelInfo } from './model.js';

export const MODEL_MAGIC = Buffer.from([0x89, 0x46, 0x53, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);
const PREFIX = 16;
const DIGEST = 32;

interface PayloadInfo {
  encoding: 'deflate-raw';
  bytes: number;
  rawBytes: number;
  nTrees: number;
  nNodes: number;
  nLeafValues: number;
  nFeatures: number;
  nClasses: number;
}

interface Header extends Omit<ModelInfo, 'preprocessing'> {
  format: string;
  formatVersion: number;
  preprocessing: Omit<ModelInfo['preprocessing'], 'nonFiniteValue'> & { nonFiniteValue: number | null };
  payload: PayloadInfo;
}

if (endianness() !== 'LE') throw new Error('flowsentry model files assume a little-endian host');

export function encodeModel(model: Model): Buffer {
  const f = model.forest;
  const nNodes = f.feature.length;
  const raw = Buffer.concat([bytes(f.threshold), bytes(f.leafValues), bytes(f.roots), bytes(f.feature), bytes(f.child)]);
  const payload = deflateRawSync(raw, { level: 9 });
  const info = model.info;
  const header: Header = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...info,
    preprocessing: { ...info.preprocessing, nonFiniteValue: Number.isNaN(info.preprocessing.nonFiniteValue) ? null : info.preprocessing.nonFiniteValue },
    payload: {
      encoding: 'deflate-raw',
      bytes: payload.length,
      rawBytes: raw.length,
      nTrees: f.roots.length,
      nNodes,
      nLeafValues: f.leafValues.length,
      nFeatures: f.nFeatures,
      nClasses: f.nClasses,
    },
  };
  const hjson = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MODEL_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(MODEL_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(hjson.length, 12);
  const body = Buffer.concat([prefix, hjson, payload]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export function saveModel(path: string, model: Model): void {
  writeFileSync(path, encodeModel(model));
}

export function loadModel(path: string): Model {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeModel(buf, path);
}

export function decodeModel(buf: Buffer, source = 'model'): Model {
  const fail = (detail: string): never => {
    throw new FlowsentryError('FS_ERR_MODEL_FORMAT', `${source}: ${detail}`);
  };
  if (buf.length >= 8 && !buf.subarray(0, 8).equals(MODEL_MAGIC)) fail('not a flowsentry model file (bad magic)');
  if (buf.length < PREFIX + DIGEST) fail(`truncated: ${buf.length} bytes is shorter than any model file`);
  const version = buf.readUInt32LE(8);
  if (version !== MODEL_FORMAT_VERSION) {
    throw new FlowsentryError('FS_ERR_MODEL_VERSION', `${source}: model format version ${version}, this flowsentry reads version ${MODEL_FORMAT_VERSION}`);
  }
  const hlen = buf.readUInt32LE(12);
  if (PREFIX + hlen + DIGEST > buf.length) fail(`truncated: header of ${hlen} bytes does not fit in ${buf.length} bytes`);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(PREFIX, PREFIX + hlen).toString('utf8')) as Header;
  } catch {
    return fail('header is not valid JSON (file corrupt or modified)');
  }
  const p = header.payload;
  if (typeof p !== 'object' || p === null || !Number.isSafeInteger(p.bytes)) return fail('header lacks payload sizes');
  const expected = PREFIX + hlen + p.bytes + DIGEST;
  if (buf.length < expected) fail(`truncated: ${buf.length} of ${expected} bytes`);
  if (buf.length > expected) fail(`${buf.length - expected} unexpected trailing bytes`);
  const body = buf.subarray(0, expected - DIGEST);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(buf.subarray(expected - DIGEST))) fail('checksum mismatch: the file was modified or is corrupt');

  validateHeader(header, fail);
  let raw: Buffer;
  try {
    raw = inflateRawSync(buf.subarray(PREFIX + hlen, PREFIX + hlen + p.bytes));
  } catch {
    return fail('payload does not decompress');
  }
  const need = p.nNodes * 8 + p.nLeafValues * 4 + p.nTrees * 4 + p.nNodes * 8;
  if (raw.length !== p.rawBytes || raw.length !== need) fail(`payload is ${raw.length} bytes, header says ${p.rawBytes} (needs ${need})`);
  let o = 0;
  const take = <T>(n: number, width: number, make: (ab: ArrayBuffer) => T): T => {
    const ab = raw.buffer.slice(raw.byteOffset + o, raw.byteOffset + o + n * width) as ArrayBuffer;
    o += n * width;
    return make(ab);
  };
  const threshold = take(p.nNodes, 8, (ab) => new Float64Array(ab));
  const leafValues = take(p.nLeafValues, 4, (ab) => new Float32Array(ab));
  const roots = take(p.nTrees, 4, (ab) => new Int32Array(ab));
  const feature = take(p.nNodes, 4, (ab) => new Int32Array(ab));
  const child = take(p.nNodes, 4, (ab) => new Int32Array(ab));
  const nonFiniteValue = header.preprocessing.nonFiniteValue ?? Number.NaN;
  const forest: Forest = { nFeatures: p.nFeatures, nClasses: p.nClasses, roots, feature, threshold, child, leafValues, nonFiniteValue };
  validateForest(forest, fail);
  const { format: _f, formatVersion: _v, payload: _p, ...rest } = header;
  const info: ModelInfo = { ...rest, preprocessing: { ...header.preprocessing, nonFiniteValue } };
  return { info, forest };
}

function bytes(a: Float64Array | Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function validateHeader(h: Header, fail: (d: string) => never): void {
  if (h.format !== MODEL_FORMAT) fail(`header format '${String(h.format)}' is not '${MODEL_FORMAT}'`);
  if (h.formatVersion !== MODEL_FORMAT_VERSION) fail(`header version ${String(h.formatVersion)} disagrees with the file version`);
  if (!FEATURE_SET_IDS.includes(h.featureSet)) fail(`unknown feature set '${String(h.featureSet)}'`);
  const strs = (a: unknown): a is string[] => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (!strs(h.columns) || !strs(h.encodedColumns) || !strs(h.classes)) fail('columns/encodedColumns/classes must be string arrays');
  if (h.classes.length < 2 || new Set(h.classes).size !== h.classes.length) fail('classes must be ≥ 2 distinct labels');
  if (h.task !== 'binary' && h.task !== 'multiclass') fail(`task '${String(h.task)}' is neither binary nor multiclass`);
  if (h.decision !== undefined) {
    const problem = decisionRuleProblem(h.decision, h);
    if (problem !== null) fail(`invalid decision rule: ${problem}`);
  }
  const pre = h.preprocessing;
  if (typeof pre !== 'object' || pre === null || !Array.isArray(pre.inputs)) fail('preprocessing.inputs missing');
  if (pre.nonFiniteValue !== null && typeof pre.nonFiniteValue !== 'number') fail('preprocessing.nonFiniteValue must be a number or null');
  for (const c of pre.inputs) {
    const okNumeric = c?.kind === 'numeric' && (c.transform === undefined || c.transform === 'log1p');
    if (typeof c?.name !== 'string' || (!okNumeric && !(c.kind === 'categorical' && strs(c.vocabulary)))) fail(`bad preprocessing input ${JSON.stringify(c)}`);
  }
  if (pre.inputs.map((c) => c.name).join('\0') !== h.columns.join('\0')) fail('preprocessing inputs do not match columns');
  if (encodedColumnNames(pre.inputs).join('\0') !== h.encodedColumns.join('\0')) fail('encodedColumns do not match the preprocessing');
  const p = h.payload;
  for (const k of ['bytes', 'rawBytes', 'nTrees', 'nNodes', 'nLeafValues', 'nFeatures', 'nClasses'] as const) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 0) fail(`payload.${k} is not a non-negative integer`);
  }
  if (p.encoding !== 'deflate-raw') fail(`unknown payload encoding '${String(p.encoding)}'`);
  if (p.nFeatures !== h.encodedColumns.length) fail(`forest has ${p.nFeatures} inputs, encodedColumns lists ${h.encodedColumns.length}`);
  if (p.nClasses !== h.classes.length) fail(`forest has ${p.nClasses} classes, header lists ${h.classes.length}`);
  if (p.nTrees < 1) fail('forest has no trees');
}

/** Structural checks that make traversal safe: in-range indices and children strictly after parents. */
function validateForest(f: Forest, fail: (d: string) => never): void {
  const nNodes = f.feature.length;
  const nC = f.nClasses;
  for (let t = 0; t < f.roots.length; t++) {
    const start = f.roots[t]!;
    const end = t + 1 < f.roots.length ? f.roots[t + 1]! : nNodes;
    if (t > 0 && start <= f.roots[t - 1]!) fail(`tree ${t} root out of order`);
    if (!(start >= 0 && start < end && end <= nNodes)) fail(`tree ${t} has an invalid node range`);
    for (let i = start; i < end; i++) {
      const ft = f.feature[i]!;
      const c = f.child[i]!;
      if (ft === -1) {
        if (!(c >= 0 && c % nC === 0 && c + nC <= f.leafValues.length)) fail(`node ${i}: leaf offset ${c} out of range`);
      } else if (ft >= 0 && ft < f.nFeatures) {
        if (!(c > i && c + 1 < end)) fail(`node ${i}: child ${c} outside its tree or not after its parent`);
        if (!Number.isFinite(f.threshold[i]!)) fail(`node ${i}: non-finite threshold`);
      } else fail(`node ${i}: feature ${ft} out of range`);
    }
  }
  if (f.roots[0] !== 0) fail('first tree does not start at node 0');
  for (let i = 0; i < f.leafValues.length; i++) {
    const v = f.leafValues[i]!;
    if (!(v >= 0 && v <= 1.0001)) fail(`leaf value ${i} is not a probability`);
  }
}
