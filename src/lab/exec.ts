/**
 * Process helpers. Every command is an argument array (never a shell string), so names, paths and
 * rates given on the command line cannot be interpreted by a shell.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';
import { LAB_PATH } from './constants.js';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for lab processes: Debian's PATH, C locale, nothing inherited that could redirect tools. */
export function labEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: LAB_PATH, LANG: 'C', LC_ALL: 'C', HOME: '/root', TERM: 'dumb', ...extra };
}

/** Runs a command to completion. Does not throw on a non-zero exit; see `mustRun`. */
export function run(argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new FlowsentryError('FS_ERR_INTERNAL', 'empty command');
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: labEnv(),
    input: opts.input,
    timeout: opts.timeoutMs ?? 30_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FlowsentryError('FS_ERR_TOOL_MISSING', `'${cmd}' is not installed (run scripts/install-system-deps.sh)`);
    return { status: 127, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error.message}` };
  }
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and throws FS_ERR_LAB with its stderr when it fails. */
export function mustRun(argv: readonly string[], what?: string): string {
  const r = run(argv);
  if (r.status !== 0) {
    throw new FlowsentryError('FS_ERR_LAB', `${what ?? argv.join(' ')} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** argv prefix that runs a command inside a network namespace. `ip netns exec` execs, so the PID is the tool's. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/**
 * Starts a long-running process in its own process group (so the whole tool, including children such as
 * wrk threads or patator workers, can be signalled at once), with stdout/stderr appended to `logFile`.
 */
export function spawnLogged(argv: readonly string[], logFile: string, opts: { stdin?: 'ignore' | 'pipe' } = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new FlowsentryError('FS_ERR_INTERNAL', 'empty command');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { env: labEnv(), detached: true, stdio: [opts.stdin ?? 'ignore', fd, fd] });
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Start time of a process in clock ticks since boot (/proc/PID/stat field 22); guards against PID reuse. */
export function procStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(rest[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** True for a running process; a zombie (killed, not yet reaped — e.g. when PID 1 does not reap) is dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Signals a process group; with `orPid`, falls back to the single PID when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals, orPid = true): void {
  try {
    process.kill(-pid, signal);
  } catch {
    if (!orPid) return;
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for a child to exit, up to `ms`; resolves true when it exited. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Stops a tool: `signal` to its group first (SIGINT lets tcpdump flush and hping3 print statistics),
 * then SIGKILL after `graceMs`.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', graceMs = 1500): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(pid, 'SIGKILL', false); // leftovers of the group (e.g. ssh started by sshpass)
    return;
  }
  signalGroup(pid, signal);
  if (!(await waitExit(child, graceMs))) {
    signalGroup(pid, 'SIGKILL');
    await waitExit(child, 2000);
  }
  signalGroup(pid, 'SIGKILL', false);
}

/** Wall-clock time in epoch microseconds (sub-millisecond from the monotonic clock). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * A stop flag with waits that end early when it is raised. Every wait clears its own timer, so a stopped
 * run leaves no pending timer behind (a pending 12-second pause would otherwise keep the CLI alive).
 */
export class Stopper {
  stopped = false;
  reason: string | undefined;
  private readonly waiters = new Set<() => void>();

  stop(reason?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    for (const w of [...this.waiters]) w();
  }

  /** Resolves after `ms`, or at once when stopped. */
  sleep(ms: number): Promise<void> {
    return this.until(new Promise<never>(() => {}), ms).then(() => undefined);
  }

  /** Resolves with `p`'s value, or undefined after `ms` or when stopped, whichever comes first. */
  until<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      const done = (v: T | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(onStop);
        resolve(v);
      };
      const onStop = (): void => done(undefined);
      const timer = setTimeout(onStop, Math.max(0, ms));
      this.waiters.add(onStop);
      p.then(done, () => done(undefined));
    });
  }
}

/** Resolves when the child has exited (no timer). */
export function exited(child: ChildProcess): Promise<true> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => child.once('exit', () => resolve(true)));
}
