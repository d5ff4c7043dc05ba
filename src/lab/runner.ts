/**
 * `lab run SCENARIO`: capture on the monitor bridge, benign background from the client, attack steps from
 * the attacker, then capture.pcap + truth.json in the output directory.
 *
 * Lifecycle decision (docs/lab.md): if the lab was not up, the run brings it up and tears it down
 * afterwards, also on SIGINT/SIGTERM; if it was up, it stays up. Either way every tool the run started is
 * stopped, the capture is flushed and truth.json is written (with "interrupted": true after a signal).
 * Every tool is also wrapped in timeout(1), so even a SIGKILLed runner cannot leave a flood running.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { FlowsentryError } from '../errors.js';
import { BRIDGE, HOSTS, MONITOR_NS, PLAN } from './constants.js';
import { BENIGN_TOOLS, BenignTraffic } from './benign.js';
import { exited, inNs, isAlive, nowUs, procStartTime, signalGroup, sleep, spawnLogged, stopChild, Stopper } from './exec.js';
import {
  BRUTE_PASSWORDS, BRUTE_USERS, chooseTool, SCENARIOS, scenarioNames, stepNames, stepRate, stepSetting, unknownStepNames,
  type AttackStep, type Scenario, type StepSettings,
} from './scenarios.js';
import { killNamespaceProcesses, labDown, labHealthy, labUp, requireRoot } from './topology.js';
import { stateSub } from './state.js';
import { requireTools } from './tools.js';
import type { Episode, Truth } from './truth.js';

export interface RunOptions {
  scenario: string;
  seconds?: number | undefined;
  rate: number;
  /** Per-step attack rate by step name (label or label+"6"), overriding `rate` for those steps. */
  stepRate?: StepSettings | undefined;
  /** Per-step window length in seconds by step name, instead of the scheduled share (must fit its slot). */
  stepSeconds?: StepSettings | undefined;
  outDir?: string | undefined;
  benign: boolean;
  log?: (s: string) => void;
}

export interface RunResult {
  capture: string;
  truth: string;
  interrupted: boolean;
  episodes: Episode[];
}

function defaultOutDir(scenario: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return path.resolve('lab-runs', `${scenario}-${stamp}`);
}

/**
 * Scheduled [offset, duration] (seconds from run start) of each attack step. `stepSeconds` shortens
 * (or, in the windows layout, lengthens up to the whole slot) the window of the steps it names; the
 * offsets do not move, the rest of the slot is benign-only.
 */
export function schedule(sc: Scenario, seconds: number, stepSeconds?: StepSettings): [number, number][] {
  const n = sc.steps.length;
  if (n === 0) return [];
  const bad = unknownStepNames(sc, stepSeconds);
  if (bad.length > 0) throw unknownStep('--step-seconds', sc, bad);
  const fit = (step: AttackStep, slot: number, dflt: number): number => {
    const s = stepSetting(stepSeconds, step);
    if (s === undefined) return dflt;
    if (!(s > 0) || s > slot + 1e-9) {
      throw new FlowsentryError('FS_ERR_USAGE', `--step-seconds ${stepNames(step)[0]}=${s}: must be > 0 and fit the step's slot of ${slot.toFixed(2)} s (a longer --seconds gives longer slots)`);
    }
    return s;
  };
  if (sc.layout === 'windows') {
    // 10 % benign lead-in, then per step: attack for half its slot, benign-only for the other half.
    const lead = seconds * 0.1;
    const slot = (seconds - lead) / n;
    return sc.steps.map((step, i) => [lead + i * slot, fit(step, slot, slot / 2)]);
  }
  // Back to back, with a short benign-only gap between steps so their flows separate in time.
  const gap = n > 1 ? Math.min(1, seconds * 0.05) : 0;
  const each = (seconds - gap * (n - 1)) / n;
  return sc.steps.map((step, i) => [i * (each + gap), fit(step, each, each)]);
}

function unknownStep(flag: string, sc: Scenario, names: string[]): FlowsentryError {
  const known = [...new Set(sc.steps.flatMap(stepNames))];
  return new FlowsentryError('FS_ERR_USAGE', `${flag} ${names.join(', ')}: no such step in this scenario (steps: ${known.join(', ') || 'none'})`);
}

async function startCapture(file: string, logDir: string, seconds: number): Promise<ChildProcess> {
  const log = path.join(logDir, 'tcpdump.log');
  // -U: flush per packet so an interrupted run still has a valid pcap; -Z root: write as root
  // (the output dir may not be writable by the tcpdump user); promiscuous (default) so the bridge
  // device sees frames forwarded between ports, not only its own. -B 65536: a 64 MiB kernel ring
  // (tcpdump's default 2 MiB dropped packets during wrk bursts and floods); nanosecond stamps (pcap
  // magic 0xa1b23c4d) so short flows keep their sub-µs durations, as the live sensor sees them.
  const argv = inNs(MONITOR_NS, ['timeout', '-s', 'INT', '-k', '5', String(Math.ceil(seconds) + 120), 'tcpdump', '-i', BRIDGE, '-n', '-U', '-Z', 'root',
    '-B', '65536', '--time-stamp-precision', 'nano', '-w', file]);
  const child = spawnLogged(argv, log);
  child.on('error', () => undefined);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (existsSync(log) && readFileSync(log, 'utf8').includes('listening on')) return child;
    await sleep(50);
  }
  await stopChild(child);
  const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new FlowsentryError('FS_ERR_LAB', `tcpdump did not start on ${MONITOR_NS}/${BRIDGE}: ${tail}`);
}

interface StepRun {
  step: AttackStep;
  tool: string;
}

function logTail(file: string): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').filter((l) => l.trim()).slice(-3).join(' | ');
}

const lockFile = (): string => stateSub('run.lock');
const capturePidFile = (): string => stateSub('capture.pid');

/** "pid starttime" of a process recorded by a run, if that very process still lives. */
function liveRecorded(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const [pid, start] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
  return pid !== undefined && pid > 1 && isAlive(pid) && procStartTime(pid) === start ? pid : undefined;
}

/**
 * One run at a time (all runs capture on the same bridge). When no run holds the lock, any process in the
 * client or attacker namespace is a leftover of a dead runner (SIGKILL, crash) and is killed, and so is
 * that runner's recorded tcpdump. The monitor namespace is otherwise left alone: the sensor runs there.
 */
async function takeRunLock(): Promise<void> {
  const other = liveRecorded(lockFile());
  if (other !== undefined) throw new FlowsentryError('FS_ERR_LAB', `another 'lab run' (pid ${other}) is using the lab; wait for it or stop it`);
  for (const ns of [PLAN.client.ns, PLAN.attacker.ns]) await killNamespaceProcesses(ns);
  const oldCapture = liveRecorded(capturePidFile());
  if (oldCapture !== undefined) signalGroup(oldCapture, 'SIGINT');
  writeFileSync(lockFile(), `${process.pid} ${procStartTime(process.pid) ?? ''}\n`);
}

function releaseRunLock(): void {
  try {
    if (readFileSync(lockFile(), 'utf8').startsWith(`${process.pid} `)) rmSync(lockFile());
  } catch {
    /* lab torn down or lock gone */
  }
}

export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? (() => {});
  const sc = SCENARIOS[opts.scenario];
  if (!sc) throw new FlowsentryError('FS_ERR_USAGE', `unknown scenario '${opts.scenario}' (known: ${scenarioNames().join(', ')})`);
  // argument errors first (also for non-root users)
  const seconds = opts.seconds ?? sc.defaultSeconds;
  const badRate = unknownStepNames(sc, opts.stepRate);
  if (badRate.length > 0) throw unknownStep('--step-rate', sc, badRate);
  const plan = schedule(sc, seconds, opts.stepSeconds);
  requireRoot('lab run');
  const outDir = path.resolve(opts.outDir ?? defaultOutDir(opts.scenario));
  const logDir = path.join(outDir, 'logs');
  const steps: StepRun[] = sc.steps.map((step) => {
    const tool = chooseTool(step);
    return { step, tool };
  });
  const benignProfile = sc.benign === 'full' ? 'full' : opts.benign ? 'light' : undefined;
  requireTools(['ip', 'timeout', 'tcpdump', ...steps.map((s) => s.tool), ...(benignProfile ? BENIGN_TOOLS[benignProfile] : [])], `scenario '${opts.scenario}'`);

  mkdirSync(logDir, { recursive: true });
  writeFileSync(path.join(outDir, 'users.txt'), BRUTE_USERS.join('\n') + '\n');
  writeFileSync(path.join(outDir, 'passwords.txt'), BRUTE_PASSWORDS.join('\n') + '\n');

  const abort = new Stopper();
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`lab run: ${sig} received, stopping tools`);
    abort.stop(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const wasUp = labHealthy();
  const capture = path.join(outDir, 'capture.pcap');
  const truthFile = path.join(outDir, 'truth.json');
  const episodes: Episode[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  let tcpdump: ChildProcess | undefined;
  let benign: BenignTraffic | undefined;
  let current: ChildProcess | undefined;
  try {
    if (!wasUp) {
      log('lab run: lab is not up, bringing it up (it will be torn down afterwards)');
      await labUp(log);
    }
    await takeRunLock();
    if (abort.stopped) throw new FlowsentryError('FS_ERR_LAB', 'interrupted before the run started');
    tcpdump = await startCapture(capture, logDir, seconds);
    if (tcpdump.pid !== undefined) writeFileSync(capturePidFile(), `${tcpdump.pid} ${procStartTime(tcpdump.pid) ?? ''}\n`);
    const t0 = Date.now();
    if (benignProfile) benign = new BenignTraffic(benignProfile, logDir, 0x5eed ^ seconds);
    for (let i = 0; i < steps.length && !abort.stopped; i++) {
      const { step, tool } = steps[i]!;
      const [offset, dur] = plan[i]!;
      await abort.sleep(t0 + offset * 1000 - Date.now());
      if (abort.stopped) break;
      const rate = stepRate(step, opts.rate, opts.stepRate, (n) => {
        log(`lab run: note: ${n}`);
        notes.push(n);
      });
      const finalArgv = step.argv(tool, { rate, seconds: dur, workDir: outDir });
      const stepLog = path.join(logDir, `attack-${i}-${step.label}.log`);
      log(`lab run: [${((Date.now() - t0) / 1000).toFixed(1)} s] ${step.label}: ${finalArgv.join(' ')}`);
      const victim = step.ipVersion === 6 ? [PLAN.victim.ipv6] : [PLAN.victim.ipv4];
      const attacker = step.ipVersion === 6 ? [PLAN.attacker.ipv6] : [PLAN.attacker.ipv4];
      const start = nowUs();
      current = spawnLogged(inNs(PLAN.attacker.ns, ['timeout', '-s', 'INT', '-k', '3', String(Math.ceil(dur) + 10), ...finalArgv]), stepLog);
      current.on('error', () => undefined);
      const endAt = Date.now() + dur * 1000;
      const exitedEarly = (await abort.until(exited(current), dur * 1000)) === true;
      const status = current.exitCode;
      if (exitedEarly && status !== 0 && Date.now() < endAt) {
        failures.push(`${tool} (${step.label}) exited with status ${status} after ${((Date.now() - (endAt - dur * 1000)) / 1000).toFixed(1)} s: ${logTail(stepLog) || 'no output'} (log: ${stepLog})`);
      }
      await stopChild(current, 'SIGINT', 1500);
      current = undefined;
      episodes.push({
        label: step.label, tool, command: finalArgv.join(' '), attacker, victim, start_us: start, end_us: nowUs(),
        ...(step.spoofed ? { spoofed_sources: true } : {}), ip_version: step.ipVersion,
      });
    }
    await abort.sleep(t0 + seconds * 1000 - Date.now());
  } finally {
    if (current) await stopChild(current, 'SIGINT', 1000);
    if (benign) await benign.stop();
    // Let the last packets (FINs, RSTs of stopped tools) reach the capture before stopping it.
    if (tcpdump) {
      await sleep(300);
      await stopChild(tcpdump, 'SIGINT', 3000);
    }
    if (tcpdump || episodes.length > 0) {
      const hosts: Truth['hosts'] = {};
      for (const h of HOSTS) hosts[h] = { ipv4: PLAN[h].ipv4, ipv6: PLAN[h].ipv6 };
      const truth: Truth = {
        scenario: opts.scenario, created: new Date().toISOString(), hosts, capture: 'capture.pcap', interface: BRIDGE, episodes,
        seconds, rate: opts.rate,
        ...(opts.stepRate && Object.keys(opts.stepRate).length > 0 ? { step_rate: { ...opts.stepRate } } : {}),
        ...(opts.stepSeconds && Object.keys(opts.stepSeconds).length > 0 ? { step_seconds: { ...opts.stepSeconds } } : {}),
        ...(abort.stopped ? { interrupted: true } : {}),
        ...(benign || notes.length > 0
          ? { notes: [...(benign ? [`benign ${benignProfile}: ${Object.entries(benign.counts).map(([k, v]) => `${k}×${v}`).join(' ')}`] : []), ...notes] }
          : {}),
      };
      writeFileSync(truthFile, JSON.stringify(truth, null, 2) + '\n');
    }
    releaseRunLock();
    if (!wasUp) {
      log('lab run: tearing the lab down');
      await labDown().catch((e: unknown) => log(`lab run: teardown failed: ${String(e)}`));
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failures.length > 0) throw new FlowsentryError('FS_ERR_LAB', `attack tool failed: ${failures.join('; ')}`);
  return { capture, truth: truthFile, interrupted: abort.stopped, episodes };
}
