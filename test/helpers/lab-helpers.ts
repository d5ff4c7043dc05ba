/**
 * Shared helpers for the root-only lab tests that run the live sensor (`monitor -i fs-br0` inside the
 * lab's monitor namespace) and for bench/monitor-throughput.ts: skip reasons, a cross-process lock so
 * two lab tests never share (or tear down) one lab, the monitor as a child process, an EVE tail that
 * records when each alert line reached the file, `lab run` / `lab score` wrappers, per-run EVE slices,
 * netns/link snapshots, and /proc sampling (RSS, CPU).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEveTimestamp } from '../../src/lab/eve.js';
import { ALL_NAMESPACES, LAB_PREFIX } from '../../src/lab/constants.js';
import type { ScoreReport } from '../../src/lab/score.js';
import { LAB_UP_TOOLS, missingTools, TOOL_PACKAGES } from '../../src/lab/tools.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');
export const ADDON = path.join(ROOT, 'native/build/Release/flowsentry_pcap.node');
export const BUNDLED_MODEL = path.join(ROOT, 'models/cicids2017-rf.fsm');

/** Why a live lab test cannot run here (false = it can). `tools`: besides what `lab up` needs. */
export function liveSkipReason(what: string, tools: readonly string[], labUp = true): string | false {
  if (process.platform !== 'linux') return `${what}: Linux only`;
  if (process.getuid?.() !== 0) return `${what}: needs root (network namespaces, packet capture)`;
  if (!existsSync(CLI)) return `${what}: ${CLI} missing (npm run build)`;
  if (!existsSync(ADDON)) return `${what}: libpcap addon not built (${ADDON}); apt-get install libpcap-dev && npm run prepare`;
  const missing = missingTools([...new Set([...(labUp ? LAB_UP_TOOLS : ['ip']), ...tools])]);
  if (missing.length > 0) return `${what}: missing tools ${missing.map((t) => `${t} (${TOOL_PACKAGES[t] ?? t})`).join(', ')}; run scripts/install-system-deps.sh`;
  return false;
}

export function labNamespacesPresent(): string[] {
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return ALL_NAMESPACES.filter((n) => new RegExp(`^${n}( |$)`, 'm').test(ns));
}

/**
 * Cross-process lock for tests that bring the lab up and down (node --test runs test files in parallel
 * on machines with ≥ 3 cores). mkdir is atomic; the owner's pid is inside; a dead owner's lock is taken over.
 */
const LOCK_DIR = '/run/flowsentry-labtest.lock';
export async function acquireLabLock(timeoutMs = 300_000): Promise<() => void> {
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')); } catch { /* being written */ }
      if (Number.isInteger(owner) && owner > 0 && !existsSync(`/proc/${owner}`)) rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() - t0 > timeoutMs) throw new Error(`lab test lock ${LOCK_DIR} held by pid ${owner} for ${timeoutMs} ms`);
      await sleep(500);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const nowUs = (): number => Date.now() * 1000;

export interface CmdResult { status: number; stdout: string; stderr: string }

/**
 * Skips the test (and returns null) when a lab is already up; otherwise runs `lab up` and returns its
 * result. The caller marks the lab as its own before asserting success, so its teardown always runs.
 */
export function labUpUnlessPresent(t: { skip(message?: string): void }): CmdResult | null {
  const present = labNamespacesPresent();
  if (present.length > 0) {
    t.skip(`a lab is already up (${present.join(', ')}); run 'flowsentry lab down' first`);
    return null;
  }
  return flowsentry(['lab', 'up']);
}

/** What a test running in its own lab gets: a scratch directory and report lines printed at the end. */
export interface LabSession {
  readonly base: string;
  readonly report: string[];
}

/**
 * Runs `body` in a lab of the test's own: takes the shared lab lock, brings the lab up (skipping the
 * test when one is already up), and afterwards — always — runs `cleanup` (stop the test's processes),
 * takes the lab down, releases the lock, prints the report, removes the scratch directory
 * (FS_TEST_KEEP=1 keeps it) and asserts that `lab down` left no lab namespace or link behind.
 */
export async function withOwnLab(
  t: { skip(message?: string): void },
  tmpPrefix: string,
  body: (s: LabSession) => Promise<void>,
  cleanup: () => void = () => {},
): Promise<void> {
  const release = await acquireLabLock();
  const before = snapshot();
  const session: LabSession = { base: mkdtempSync(path.join(tmpdir(), tmpPrefix)), report: [] };
  let weBroughtUp = false;
  try {
    const up = labUpUnlessPresent(t);
    if (!up) return;
    weBroughtUp = true;
    assert.equal(up.status, 0, `lab up: ${up.stderr}`);
    await body(session);
  } finally {
    cleanup();
    if (weBroughtUp) {
      const down = flowsentry(['lab', 'down']);
      const diff = snapshotDiff(before, snapshot());
      if (diff.others.length > 0) console.log(`# note: namespaces/links changed outside the lab meanwhile (another user?): ${diff.others.join(' ')}`);
      release();
      for (const l of session.report) console.log(`# ${l}`);
      if (process.env.FS_TEST_KEEP) console.log(`# kept ${session.base}`);
      else rmSync(session.base, { recursive: true, force: true });
      assert.equal(down.status, 0, `lab down: ${down.stderr}`);
      assert.deepEqual(diff.ours, [], 'lab namespaces/links left behind after lab down');
    } else {
      release();
      rmSync(session.base, { recursive: true, force: true });
    }
  }
}

export function flowsentry(args: string[], timeoutMs = 120_000): CmdResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Async `flowsentry ...` (the test's event loop keeps running: EVE tail, RSS sampling). */
export function flowsentryAsync(args: string[], timeoutMs = 180_000): Promise<CmdResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/** `lab run SCENARIO --seconds S [--rate R] --out DIR` (async). */
export function labRun(scenario: string, seconds: number, out: string, rate?: number, extra: string[] = []): Promise<CmdResult> {
  const args = ['lab', 'run', scenario, '--seconds', String(seconds), '--out', out, ...extra];
  if (rate !== undefined) args.push('--rate', String(rate));
  return flowsentryAsync(args, (seconds + 90) * 1000);
}

export function labScore(eve: string, truth: string): ScoreReport {
  const r = flowsentry(['lab', 'score', '--alerts', eve, '--truth', truth, '--json']);
  if (r.status !== 0) throw new Error(`lab score failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ScoreReport;
}

export interface Snapshot { netns: string[]; links: string[] }

/** `ip netns list` names and the root namespace's link names. */
export function snapshot(): Snapshot {
  const netns = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean).sort();
  const links = (spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean).sort();
  return { netns, links };
}

/**
 * Differences between two snapshots: `ours` (names starting with one of `prefixes`: must be empty after
 * a clean teardown) and `others` (names other users of a shared machine may have added/removed meanwhile).
 */
export function snapshotDiff(before: Snapshot, now: Snapshot, prefixes: readonly string[] = [LAB_PREFIX]): { ours: string[]; others: string[] } {
  const ours: string[] = [];
  const others: string[] = [];
  for (const key of ['netns', 'links'] as const) {
    const added = now[key].filter((x) => !before[key].includes(x)).map((x) => [`${key}+${x}`, x] as const);
    const removed = before[key].filter((x) => !now[key].includes(x)).map((x) => [`${key}-${x}`, x] as const);
    for (const [d, name] of [...added, ...removed]) (prefixes.some((p) => name.startsWith(p)) ? ours : others).push(d);
  }
  return { ours, others };
}

// ---------------------------------------------------------------------------------------------------
// The monitor as a child process

export interface MonitorExit { code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }

export class MonitorProcess {
  readonly child: ChildProcess;
  stderr = '';
  stdout = '';
  private readonly exited: Promise<MonitorExit>;
  private done = false;

  /** `ip netns exec NS node cli monitor ARGS` (ip netns exec execs node: the child pid is node's). */
  constructor(netns: string | null, args: string[]) {
    const argv = [CLI, 'monitor', ...args];
    this.child = netns
      ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => { if (this.stdout.length < 1 << 20) this.stdout += d.toString(); });
    this.child.stderr!.on('data', (d: Buffer) => { if (this.stderr.length < 1 << 20) this.stderr += d.toString(); });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.done = true;
        resolve({ code, signal, stderr: this.stderr, stdout: this.stdout });
      });
    });
  }

  get pid(): number { return this.child.pid ?? -1; }
  get running(): boolean { return !this.done; }

  /** Resolves once the capture is open ("monitor: capturing on ..."); rejects if it exits first. */
  async ready(timeoutMs = 20_000): Promise<string> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const m = /monitor: capturing on [^\n]*\n/.exec(this.stderr);
      if (m) return m[0].trim();
      if (this.done) throw new Error(`monitor exited before capturing: ${this.stderr}`);
      await sleep(50);
    }
    throw new Error(`monitor not capturing after ${timeoutMs} ms: ${this.stderr}`);
  }

  /** SIGINT, then waits for the exit (SIGKILL after `timeoutMs`: reported as signal SIGKILL). */
  async stop(timeoutMs = 30_000): Promise<MonitorExit> {
    if (!this.done) this.child.kill('SIGINT');
    const timer = setTimeout(() => { if (!this.done) this.child.kill('SIGKILL'); }, timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }

  kill(): void {
    if (!this.done) this.child.kill('SIGKILL');
  }
}

/** Summary line the sensor prints on stderr at exit (src/sensor/cli.ts formatSensorSummary). */
export const SUMMARY_RE = /monitor: (\d+) packets \((\d+) in flows, \d+ ignored, \d+ weird\), (\d+) flows, (\d+) alerts.*drops kernel=(\d+) if=(\d+) app=(\d+), [\d.]+ s/;

// ---------------------------------------------------------------------------------------------------
// EVE

/**
 * Polls an EVE file every `intervalMs` and records, for every complete alert line, the wall-clock time
 * it was first seen in the file: the real-time latency (alert written − attack start), as opposed to
 * `lab score`'s latency, which uses the alert's packet timestamp.
 */
export class EveTail {
  readonly alertSeenUs = new Map<string, number>();
  private pos = 0;
  private partial = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly file: string, intervalMs = 20) {
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  poll(): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size <= this.pos) return;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.pos);
      const n = readSync(fd, buf, 0, buf.length, this.pos);
      this.pos += n;
      const text = this.partial + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      const seen = nowUs();
      for (const l of lines) if (l.includes('"event_type":"alert"') && !this.alertSeenUs.has(l)) this.alertSeenUs.set(l, seen);
    } finally {
      closeSync(fd);
    }
  }

  /** Alerts seen so far: parsed line + wall time it appeared. */
  alerts(): { seenUs: number; tsUs: number; src: string; dest: string; detector: string; type: string }[] {
    return [...this.alertSeenUs].map(([l, seenUs]) => {
      const o = JSON.parse(l) as { timestamp: string; src_ip: string; dest_ip: string; alert: { detector: string; attack_type: string } };
      return { seenUs, tsUs: parseEveTimestamp(o.timestamp) ?? 0, src: o.src_ip, dest: o.dest_ip, detector: o.alert.detector, type: o.alert.attack_type };
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll();
  }
}

export interface EveEvent {
  event_type: string;
  timestamp: string;
  flow_id?: number;
  src_ip?: string;
  src_port?: number;
  dest_ip?: string;
  dest_port?: number;
  proto?: string;
  flow?: { start: string; end: string; pkts_toserver: number; pkts_toclient: number; bytes_toserver: number; bytes_toclient: number; reason: string; state: string; verdict?: string | null; model_class?: string; confidence?: number };
  alert?: { detector: string; attack_type: string; confidence: number; signature: string; evidence: Record<string, unknown> };
  stats?: { final: boolean; capture: { packets: number; kernel_drops: number; if_drops: number; app_drops: number }; flow: { active: number; created: number; ended: number; evicted: number }; detect: { alerts: number; suppressed: number; hosts_tracked: number; host_replacements: number } };
}

/** Every complete JSON line of an EVE file (a half-written last line is ignored). */
export function readEveEvents(file: string): EveEvent[] {
  const out: EveEvent[] = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    try { out.push(JSON.parse(l) as EveEvent); } catch { /* partial line */ }
  }
  return out;
}

export const eventUs = (s: string): number => parseEveTimestamp(s) ?? NaN;

/**
 * One run's share of a long-running monitor's EVE file, for `lab score`: alerts whose timestamp lies in
 * [fromUs, toUs] and flows that started in [fromUs, toUs] (flows end, and are written, whenever the
 * meter ends them — possibly during a later run or at shutdown — so slice the file after the monitor stopped).
 */
export function sliceEve(events: readonly EveEvent[], fromUs: number, toUs: number, out: string): { alerts: number; flows: number } {
  let alerts = 0;
  let flows = 0;
  const lines: string[] = [];
  for (const e of events) {
    if (e.event_type === 'alert') {
      const t = eventUs(e.timestamp);
      if (t >= fromUs && t <= toUs) { lines.push(JSON.stringify(e)); alerts++; }
    } else if (e.event_type === 'flow' && e.flow) {
      const t = eventUs(e.flow.start);
      if (t >= fromUs && t <= toUs) { lines.push(JSON.stringify(e)); flows++; }
    }
  }
  writeFileSync(out, lines.join('\n') + (lines.length ? '\n' : ''));
  return { alerts, flows };
}

// ---------------------------------------------------------------------------------------------------
// /proc sampling

/** Resident set size of a process in KiB (VmRSS), or NaN once it is gone. */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** utime + stime of a process in seconds (all threads), or NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // fields 14, 15 (USER_HZ = 100 on Linux)
  } catch {
    return NaN;
  }
}

/** Whole-machine CPU jiffies (busy, total) from /proc/stat, to report the load during a measurement. */
export function cpuTimes(): { busy: number; total: number } {
  const l = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (l[3] ?? 0) + (l[4] ?? 0);
  const total = l.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
