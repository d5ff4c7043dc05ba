/**
 * Minimal reader for the comma-separated files these datasets use (no quoting occurs in NSL-KDD,
 * CICIDS2017 or our own flow CSVs; a quote character is reported rather than mis-parsed). Files are
 * decoded as latin1 so the cp1252 0x96 dash of the published CICIDS2017 labels survives as U+0096
 * and can be normalised; CRLF and LF both work. Every value error names file, line and column.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlowsentryError } from '../../errors.js';
import type { TrainingFile } from '../model.js';

export interface TextFile {
  readonly path: string;
  readonly lines: string[];
  readonly info: TrainingFile;
}

export function readTextFile(file: string): TextFile {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${file}: ${(err as Error).message}`, { cause: err });
  }
  const text = buf.toString('latin1');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { path: file, lines, info: { name: path.basename(file), sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length } };
}

export function splitFields(file: string, lineNo: number, line: string): string[] {
  if (line.includes('"')) throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${lineNo}: quoted fields are not supported`);
  return line.split(',');
}

/**
 * Parses a numeric cell. `Infinity`, `-Infinity` and `NaN` (as CICFlowMeter writes them) are kept
 * as the IEEE values (the caller counts and maps them); anything else non-numeric is an error.
 */
export function parseNumber(file: string, lineNo: number, column: string, s: string): number {
  const t = s.trim();
  const v = Number(t);
  if (t === '' || (Number.isNaN(v) && t !== 'NaN')) {
    throw new FlowsentryError('FS_ERR_CSV_VALUE', `${file}:${lineNo}: column '${column}': '${s}' is not a number`);
  }
  return v;
}

/** Normalises label text: trims, and maps the dash variants (cp1252 0x96, U+2013, U+FFFD, UTF-8-as-latin1) to '-'. */
export function normaliseLabel(s: string): string {
  return s
    .replace(/\u00e2\u0080\u0093/g, '-')
    .replace(/[\u0096\u2013\u2014\ufffd]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
