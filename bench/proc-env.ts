/**
 * The environment the benchmarks run timed processes in: the caller's, without NODE_EXTRA_CA_CERTS.
 *
 * Why: this VM (and the CI machine built like it) sets NODE_EXTRA_CA_CERTS for its TLS proxy, and
 * Node then reads and parses that CA bundle at the start of every process, before any of our code
 * runs — ~55 ms per process here (`npm run bench` measures and prints it), 3–4 % of a 2 M-packet
 * `features` run. That is a cost of the sandbox's TLS setup, not of the flow meter: `features` never
 * opens a TLS connection, and a user's machine normally does not set the variable.
 */
import { spawnSync } from 'node:child_process';

export const EXTRA_CA_VAR = 'NODE_EXTRA_CA_CERTS';

export function timedProcessEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[EXTRA_CA_VAR];
  return env;
}

/** Best wall time (ms) of `node -e 0` over `runs` starts in `env`. */
export function nodeStartupMs(env: NodeJS.ProcessEnv, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}
