/**
 * Long fuzz run of the capture reader: `node dist/scripts/fuzz.js --cases N --seed S`.
 * Failing inputs are written to the OS temp directory so they can become regression fixtures.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { captureCorpus, captureTarget, runFuzz } from '../test/helpers/fuzz.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz: --${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const cases = arg('cases', 100_000);
const seed = arg('seed', Date.now() % 0x100000000);
const started = Date.now();
const summary = await runFuzz({ seed, cases, corpus: captureCorpus(), target: captureTarget });
const secs = (Date.now() - started) / 1000;
console.log(`fuzz: seed ${seed}, ${summary.cases} cases in ${secs.toFixed(1)} s; outcomes ${JSON.stringify(summary.outcomes)}`);
for (const f of summary.failures) {
  const file = path.join(tmpdir(), `flowsentry-fuzz-${seed}-${f.index}.bin`);
  writeFileSync(file, f.input);
  console.error(`FAIL case ${f.index}: ${f.error instanceof Error ? (f.error.stack ?? f.error.message) : String(f.error)}\n  input saved to ${file}`);
}
process.exit(summary.failures.length > 0 ? 1 : 0);
