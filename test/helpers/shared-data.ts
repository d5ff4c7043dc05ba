import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root (tests run from dist/test/..., sources live two levels above dist). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** ../shared/data beside the repository, or FLOWSENTRY_SHARED_DATA. Data-backed tests skip without it. */
export const sharedData = process.env.FLOWSENTRY_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
export const hasSharedData = existsSync(path.join(sharedData, 'PROVENANCE.md'));

export function dataPath(...parts: string[]): string {
  return path.join(sharedData, ...parts);
}

/** Skip message for node:test's `skip` option when ../shared/data is absent. */
export const skipWithoutData: string | false = hasSharedData ? false : 'no ../shared/data beside the repository';
