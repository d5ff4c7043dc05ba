import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FlowsentryError } from '../errors.js';

/** One CLI subcommand. `run` returns the process exit code; errors thrown become one-line messages. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help text (usage + options), printed for `flowsentry NAME --help`. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict option parsing for every command (node:util parseArgs): unknown flags and missing values
 * become FS_ERR_USAGE errors naming the flag, never silent defaults.
 */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new FlowsentryError('FS_ERR_USAGE', `${command}: ${msg} (see flowsentry ${command} --help)`);
  }
}

/** Parses a numeric option value, naming the flag when it is not a number in range. */
export function numberOption(flag: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new FlowsentryError('FS_ERR_USAGE', `--${flag} must be a number in [${min}, ${max}], got '${value}'`);
  }
  return n;
}
