/**
 * From an `nslkdd28` feature row (Float64Array, categorical columns as codes) to what src/model
 * consumes: the raw row (strings for protocol_type / service / flag, as in the NSL-KDD files) and,
 * for a loaded model, the encoded forest input. Allocation-free per row.
 *
 *   const fs = new NslKddFeatures();
 *   const input = createNslKddModelInput(model);          // checks model.info.featureSet === 'nslkdd28'
 *   const X = new Float64Array(input.width);
 *   new Pipeline({ featureSet: fs, onFlow: (f) => { input.encode(f.row, X, 0); predictModel(model, X, 1, cls, proba); } });
 */
import { assertFeatureSet, createEncoder, type Model, type ModelInfo, type RawValue } from '../../model/model.js';
import { C_FLAG, C_PROTOCOL, C_SERVICE, NSLKDD28_COLUMN_NAMES, NSLKDD_PROTOCOLS, PROTO_OTHER_NAME } from './columns.js';
import { NSLKDD_FLAGS } from './flags.js';
import { NSLKDD_SERVICES } from './services.js';

/** The string vocabulary of each categorical column index, null for numeric columns. */
export const NSLKDD28_VOCABULARIES: readonly (readonly string[] | null)[] = NSLKDD28_COLUMN_NAMES.map((_, i) =>
  i === C_PROTOCOL ? NSLKDD_PROTOCOLS : i === C_SERVICE ? NSLKDD_SERVICES : i === C_FLAG ? NSLKDD_FLAGS : null,
);

/** Raw value of column `col` of a feature row: the category string, or the number. */
export function nslkddRawValue(row: ArrayLike<number>, col: number, offset = 0): RawValue {
  const v = row[offset + col];
  const vocab = NSLKDD28_VOCABULARIES[col];
  if (vocab === null || vocab === undefined) return v;
  return vocab[v] ?? PROTO_OTHER_NAME; // code outside the vocabulary (protocol 'other') → unknown category
}

/** Fills `out` (length ≥ 28, reused by the caller) with the raw row in NSL-KDD column order. */
export function nslkddRawRow(row: ArrayLike<number>, out: RawValue[], offset = 0): RawValue[] {
  for (let i = 0; i < NSLKDD28_COLUMN_NAMES.length; i++) out[i] = nslkddRawValue(row, i, offset);
  return out;
}

/** The raw row as a plain object (column name → value), for JSON sinks. Allocates. */
export function nslkddRecord(row: ArrayLike<number>, offset = 0): Record<string, RawValue> {
  const o: Record<string, RawValue> = {};
  NSLKDD28_COLUMN_NAMES.forEach((name, i) => (o[name] = nslkddRawValue(row, i, offset)));
  return o;
}

export interface NslKddModelInput {
  /** Encoded width (model.info.encodedColumns.length). */
  readonly width: number;
  /** Encodes one feature row (NslKddFeatures.finish output) into out[offset .. offset+width). */
  encode(row: ArrayLike<number>, out: Float64Array | Float32Array, offset: number): void;
}

/**
 * Binds a model to the extractor: checks it is an `nslkdd28` model whose columns this feature set
 * provides (FS_ERR_MODEL_FEATURES otherwise), then returns an encoder from feature rows to forest
 * input rows (one-hot over the model's own training vocabularies; unknown categories → all zero).
 */
export function createNslKddModelInput(model: Model | ModelInfo): NslKddModelInput {
  const info = 'info' in model ? model.info : model;
  const idx = assertFeatureSet(info, 'nslkdd28', NSLKDD28_COLUMN_NAMES);
  const enc = createEncoder(info);
  const raw: RawValue[] = new Array<RawValue>(idx.length).fill(0);
  return {
    width: info.encodedColumns.length,
    encode(row, out, offset) {
      for (let j = 0; j < idx.length; j++) raw[j] = nslkddRawValue(row, idx[j]);
      enc(raw, out, offset);
    },
  };
}
