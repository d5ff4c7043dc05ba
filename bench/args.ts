/**
 * Command-line handling shared by the forest benchmarks: the repository root, the shared data
 * directory (../shared/data or FLOWSENTRY_SHARED_DATA), the positional dataset choice and `--name value` flags.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedData = process.env.FLOWSENTRY_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const args = process.argv.slice(2);

/** The leading positional argument (nsl | cic | all ...; it comes before any flag), or `dflt`. */
export function benchChoice(dflt = 'all'): string {
  return args[0] !== undefined && !args[0].startsWith('--') ? args[0] : dflt;
}

/** Value of `--name value`, or undefined. */
export function benchFlag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Whether a bare `--name` switch is present. */
export function benchSwitch(name: string): boolean {
  return args.includes(name);
}
