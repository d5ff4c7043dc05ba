/**
 * The one error table. Every error a user can see carries a stable `code` (FS_ERR_*) and a one-line
 * message that names the problem. Packets never throw: malformed packets become counted "weirds"
 * (see decode/reasons.ts). Errors are for inputs as a whole: files, configs, models, CSVs.
 */

export const ErrorCodes = {
  FS_ERR_FILE_OPEN: 'cannot open file',
  FS_ERR_CAPTURE_EMPTY: 'capture file is empty',
  FS_ERR_CAPTURE_MAGIC: 'not a pcap or pcapng file (unknown magic number)',
  FS_ERR_CAPTURE_TRUNCATED: 'capture file is truncated',
  FS_ERR_CAPTURE_CORRUPT: 'capture file is corrupt',
  FS_ERR_CAPTURE_LIVE: 'live capture failed',
  FS_ERR_LIBPCAP_MISSING: 'libpcap binding is not available',
  FS_ERR_PERMISSION: 'insufficient permission',
  FS_ERR_USAGE: 'invalid command-line usage',
  FS_ERR_CONFIG: 'invalid configuration',
  FS_ERR_CSV_COLUMNS: 'unexpected CSV columns',
  FS_ERR_CSV_VALUE: 'invalid value in CSV',
  FS_ERR_DATASET: 'invalid dataset',
  FS_ERR_MODEL_FORMAT: 'invalid model file',
  FS_ERR_MODEL_VERSION: 'unsupported model file version',
  FS_ERR_MODEL_FEATURES: 'model does not match the feature set',
  FS_ERR_LAB: 'lab error',
  FS_ERR_TOOL_MISSING: 'required tool is missing',
  FS_ERR_INTERNAL: 'internal error',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

const kBrand = Symbol.for('flowsentry.error');

export class FlowsentryError extends Error {
  readonly code: ErrorCode;
  readonly [kBrand] = true;

  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${ErrorCodes[code]}: ${detail}`, options);
    this.code = code;
    this.name = 'FlowsentryError';
  }

  static is(err: unknown): err is FlowsentryError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kBrand] === true;
  }
}

/** Formats any thrown value as the one line a CLI prints before exiting non-zero. */
export function describeError(err: unknown): string {
  if (FlowsentryError.is(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
