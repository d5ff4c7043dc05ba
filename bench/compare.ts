/**
 * `npm run bench:compare -- A B` — is build B faster than build A? Runs the whole
 * `flowsentry features -r FILE -o /dev/null` process of both builds *at the same time*, one per core,
 * swapping cores every round, and reports the median of the per-round time ratios B/A.
 *
 *   node dist/bench/compare.js A B [--rounds 20] [--file PATH] [--packets 2000000] [--feature-set cic2017]
 *
 * A and B are checkouts of this repository that have been built (`npm ci` or `npm run build`), e.g.
 * `git worktree add /tmp/a <commit> && (cd /tmp/a && npm ci)`.
 *
 * Why not run them one after the other: on the shared VM this project is measured on, the speed of the
 * same binary drifts by up to 2× within minutes, far more than the changes being judged. Running both at
 * once exposes them to the same moment of the host; what is left is each process's own variation (an A/A
 * comparison of one build with itself: median 0.997 over 20 rounds, single rounds within ±15 %), which the
 * median over many rounds removes. Needs two CPUs and `taskset` (util-linux).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCapture } from './synth.js';
import { timedProcessEnv } from './proc-env.js';

interface Build {
  name: string;
  cli: string;
}

function build(dir: string): Build {
  const cli = path.resolve(dir, 'dist/src/cli/main.js');
  if (!existsSync(cli)) throw new Error(`${dir}: no dist/src/cli/main.js (build it first: npm ci or npm run build)`);
  return { name: dir, cli };
}

/** Runs one build on `cpu`; resolves to its wall-clock seconds. */
function timeOn(cpu: number, b: Build, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('taskset', ['-c', String(cpu), process.execPath, b.cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: timedProcessEnv() });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${b.name} exited ${code}: ${err.trim().slice(-400)}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '20' },
      file: { type: 'string' },
      packets: { type: 'string', default: '2000000' },
      'feature-set': { type: 'string', default: 'cic2017' },
    },
  });
  if (positionals.length !== 2) throw new Error('usage: node dist/bench/compare.js BUILD_A BUILD_B [--rounds 20] [--file PATH]');
  if (os.cpus().length < 2) throw new Error('needs two CPUs: both builds run at the same time, one per core');
  if (spawnSync('taskset', ['-V']).error) throw new Error('needs taskset (apt-get install util-linux)');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const [a, b] = positionals.map(build) as [Build, Build];
  const file = values.file ?? benchCapture(Number(values.packets));
  const args = ['features', '-r', file, '--feature-set', values['feature-set']!, '-o', '/dev/null', '-q'];
  console.log(`compare: A = ${a.name}, B = ${b.name}; ${path.basename(file)}, ${rounds} rounds, both at once on CPUs 0 and 1\n`);
  console.log('| round | A s | B s | B/A |\n|---:|---:|---:|---:|');
  const ratios: number[] = [];
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [cpuA, cpuB] = r % 2 === 0 ? [0, 1] : [1, 0];
    const [sa, sb] = await Promise.all([timeOn(cpuA, a, args), timeOn(cpuB, b, args)]);
    ta.push(sa);
    tb.push(sb);
    ratios.push(sb / sa);
    console.log(`| ${r + 1} | ${sa.toFixed(2)} | ${sb.toFixed(2)} | ${(sb / sa).toFixed(3)} |`);
  }
  console.log(`\nmedian B/A wall time: ${median(ratios).toFixed(3)} (median A ${median(ta).toFixed(2)} s, median B ${median(tb).toFixed(2)} s)`);
}

main().catch((e: unknown) => {
  console.error(`bench:compare: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
