/**
 * Scenario catalogue. A scenario is background benign traffic plus a list of attack steps, each a real
 * tool run in the attacker namespace for its share of the run. The argv built here is recorded verbatim
 * in truth.json (`command`).
 */
import { HOST_IFACE, PLAN, PORTS } from './constants.js';
import { which } from './tools.js';

export interface StepContext {
  /** Attack packets (or probes) per second; 0 = as fast as the tool goes. */
  readonly rate: number;
  /** Seconds this step is scheduled to run. */
  readonly seconds: number;
  /** Directory for tool inputs (wordlists). */
  readonly workDir: string;
}

export interface AttackStep {
  readonly label: string;
  readonly ipVersion: 4 | 6;
  readonly spoofed?: boolean;
  /** Tools in preference order; the first one installed runs (e.g. patator, else hydra). */
  readonly tools: readonly string[];
  /** Highest rate the tool can pace (> 0); a larger requested rate is lowered to it, with a note. */
  readonly maxRate?: number;
  /** Builds argv for the chosen tool. */
  argv(tool: string, ctx: StepContext): string[];
}

export interface Scenario {
  readonly summary: string;
  /** 'full' = the benign scenario itself (human-like and busy); 'light' = human-like background only. */
  readonly benign: 'full' | 'light';
  readonly defaultSeconds: number;
  /** 'sequential': steps share the run back to back; 'windows': benign lead-in, attacks in separated windows. */
  readonly layout: 'sequential' | 'windows';
  readonly steps: readonly AttackStep[];
}

const V4 = PLAN.victim.ipv4;
const V6 = PLAN.victim.ipv6;

/** hping3 pacing: -i uN is the gap in microseconds; 0 means --flood. */
function hpingRate(rate: number): string[] {
  return rate <= 0 ? ['--flood'] : ['-i', `u${Math.max(1, Math.round(1e6 / rate))}`];
}
/**
 * nping has no "flood" switch; a very high rate is the closest. nping paces with a whole-millisecond
 * delay: up to --rate 1000 it keeps the rate (~800/s measured), above that the delay rounds to 0 and it
 * sends flat out (55–60 k/s on the lab VM, whatever the rate asked). Hence NPING_MAX_RATE for paced runs.
 */
const npingRate = (rate: number): string[] => ['--rate', String(rate <= 0 ? 100_000 : Math.max(1, Math.round(rate)))];
export const NPING_MAX_RATE = 1000;
const nmapRate = (rate: number): string[] => (rate <= 0 ? ['-T5'] : ['-T4', '--max-rate', String(Math.max(1, Math.round(rate)))]);
/** Slow HTTP attacks open connections, not packets: R/10 new connections per second, within [5, 200]. */
const connRate = (rate: number): string => String(rate <= 0 ? 200 : Math.min(200, Math.max(5, Math.round(rate / 10))));

const hping = (label: string, args: string[], spoofed = false): AttackStep => ({
  label, ipVersion: 4, spoofed, tools: ['hping3'],
  argv: (tool, ctx) => [tool, '-q', ...args, ...(spoofed ? ['--rand-source'] : []), ...hpingRate(ctx.rate), V4],
});
/**
 * nping in IPv6 raw mode cannot pick a source address by itself, and once the source is given it must
 * build the Ethernet frame too: hence the interface, both (fixed) MACs and the source address.
 * -c 0: no round limit (the runner stops nping at the end of the window); -H -N: no per-packet output, no reply capture.
 */
const nping6 = (label: string, args: string[]): AttackStep => ({
  label, ipVersion: 6, tools: ['nping'], maxRate: NPING_MAX_RATE,
  argv: (tool, ctx) => [tool, '-6', '--send-eth', '-e', HOST_IFACE, '--source-mac', PLAN.attacker.mac, '--dest-mac', PLAN.victim.mac,
    '-S', PLAN.attacker.ipv6, ...args, ...npingRate(ctx.rate), '-c', '0', '-H', '-N', V6],
});
const nmap = (flags: string[], six = false): AttackStep => ({
  label: 'portscan', ipVersion: six ? 6 : 4, tools: ['nmap'],
  argv: (tool, ctx) => [tool, ...(six ? ['-6'] : []), ...flags, '-Pn', '-n', ...nmapRate(ctx.rate), six ? V6 : V4],
});
const slowhttp = (label: 'slowloris' | 'slowbody', mode: string, six = false): AttackStep => ({
  label, ipVersion: six ? 6 : 4, tools: ['slowhttptest'],
  argv: (tool, ctx) => [tool, mode, '-c', '1000', '-r', connRate(ctx.rate), '-i', '5', '-x', '24', '-p', '3',
    '-l', String(Math.max(2, Math.ceil(ctx.seconds) + 5)), '-u', six ? `http://[${V6}]/` : `http://${V4}/`],
});
/**
 * Debian 12's goldeneye (1.2.0+git20191230) crashes on Python 3.11: `random.randint(1, len(x)/2)` passes a
 * float. Every worker dies and no request is sent. The real script is run unchanged, with randint made to
 * accept integral floats first (workers are forked, so they inherit the patch).
 */
const GOLDENEYE_SHIM = "import random, runpy, sys; _r = random.randint; random.randint = lambda a, b: _r(int(a), int(b)); " +
  "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')";
const goldeneye: AttackStep = {
  label: 'httpdos', ipVersion: 4, tools: ['goldeneye'],
  // Run by Debian's python3 (the script's env shebang could pick a pyenv shim). Few workers: GoldenEye
  // forks one process per worker and the lab shares a small machine.
  argv: (tool, ctx) => ['python3', '-c', GOLDENEYE_SHIM, which(tool) ?? tool, `http://${V4}/`,
    '-w', ctx.rate > 0 && ctx.rate <= 100 ? '1' : '2', '-s', ctx.rate > 0 && ctx.rate <= 100 ? '5' : '20', '-m', 'random'],
};
const brute = (service: 'ssh' | 'ftp'): AttackStep => ({
  label: 'bruteforce', ipVersion: 4, tools: ['patator', 'hydra'],
  argv: (tool, ctx) => {
    const users = `${ctx.workDir}/users.txt`;
    const words = `${ctx.workDir}/passwords.txt`;
    const threads = ctx.rate > 0 && ctx.rate < 20 ? '1' : '4';
    if (tool.endsWith('hydra')) {
      return [tool, '-L', users, '-P', words, '-t', threads, '-I', '-f', `${service}://${V4}`];
    }
    return service === 'ssh'
      ? [tool, 'ssh_login', `host=${V4}`, `port=${PORTS.ssh}`, 'user=FILE0', 'password=FILE1', `0=${users}`, `1=${words}`, '-t', threads, '--max-retries=0', '-x', 'ignore:mesg=Authentication failed.']
      : [tool, 'ftp_login', `host=${V4}`, `port=${PORTS.ftp}`, 'user=FILE0', 'password=FILE1', `0=${users}`, `1=${words}`, '-t', threads, '--max-retries=0', '-x', 'ignore:mesg=Login incorrect.'];
  },
});

const synflood = hping('synflood', ['-S', '-p', String(PORTS.http)]);
const synfloodSpoofed = hping('synflood', ['-S', '-p', String(PORTS.http)], true);
const udpflood = hping('udpflood', ['--udp', '-p', String(PORTS.dns), '-d', '64']);
const icmpflood = hping('icmpflood', ['--icmp', '-d', '64']);
const synflood6 = nping6('synflood', ['--tcp', '--flags', 'syn', '-p', String(PORTS.http)]);
const udpflood6 = nping6('udpflood', ['--udp', '-p', String(PORTS.dns), '--data-length', '64']);
const icmpflood6 = nping6('icmpflood', ['--icmp', '--data-length', '64']);

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  benign: { summary: 'benign only: web (curl, wrk), DNS (dig), iperf3 TCP/UDP, interactive SSH, FTP', benign: 'full', defaultSeconds: 20, layout: 'sequential', steps: [] },
  synflood: { summary: 'hping3 SYN flood to :80 from the attacker address', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [synflood] },
  'synflood-spoofed': { summary: 'hping3 SYN flood to :80 with --rand-source', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [synfloodSpoofed] },
  udpflood: { summary: 'hping3 UDP flood to :53', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [udpflood] },
  icmpflood: { summary: 'hping3 ICMP echo flood', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [icmpflood] },
  portscan: { summary: 'nmap -sS, -sT, -sU, -sV one after another', benign: 'light', defaultSeconds: 40, layout: 'sequential',
    steps: [nmap(['-sS']), nmap(['-sT']), nmap(['-sU', '--top-ports', '200']), nmap(['-sV', '--version-light', '--top-ports', '100'])] },
  slowloris: { summary: 'slowhttptest -H (slow headers) against nginx', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [slowhttp('slowloris', '-H')] },
  slowbody: { summary: 'slowhttptest -B (slow POST body) against nginx', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [slowhttp('slowbody', '-B')] },
  httpdos: { summary: 'GoldenEye HTTP keep-alive flood against nginx', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [goldeneye] },
  bruteforce: { summary: 'patator ssh_login then ftp_login (hydra if patator is absent)', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [brute('ssh'), brute('ftp')] },
  synflood6: { summary: 'nping IPv6 SYN flood to :80 (hping3 has no IPv6)', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [synflood6] },
  udpflood6: { summary: 'nping IPv6 UDP flood to :53', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [udpflood6] },
  icmpflood6: { summary: 'nping IPv6 ICMPv6 echo flood', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [icmpflood6] },
  portscan6: { summary: 'nmap -6 -sS then -sT', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [nmap(['-sS'], true), nmap(['-sT'], true)] },
  slowloris6: { summary: 'slowhttptest -H over IPv6', benign: 'light', defaultSeconds: 20, layout: 'sequential', steps: [slowhttp('slowloris', '-H', true)] },
  mixed: { summary: 'benign throughout; SYN flood, port scan, slowloris, SSH brute force, UDP flood, IPv6 SYN flood in separate windows', benign: 'full', defaultSeconds: 90, layout: 'windows',
    steps: [synflood, nmap(['-sS']), slowhttp('slowloris', '-H'), brute('ssh'), udpflood, synflood6] },
};

export const scenarioNames = (): string[] => Object.keys(SCENARIOS);

/**
 * Per-step settings given by name (`lab run --step-rate NAME=R --step-seconds NAME=S`): NAME is an
 * episode label (every step with that label) or the label + "6" (its IPv6 steps only, which wins).
 */
export type StepSettings = Readonly<Record<string, number>>;

/** The names a step answers to in StepSettings: its label, and label + "6" for an IPv6 step. */
export function stepNames(step: AttackStep): string[] {
  return step.ipVersion === 6 ? [`${step.label}6`, step.label] : [step.label];
}

/**
 * The rate a step runs at: its --step-rate, else the run's rate; lowered to what the tool can pace
 * (`note` says so). 0 (as fast as the tool goes) is kept.
 */
export function stepRate(step: AttackStep, runRate: number, settings: StepSettings | undefined, note?: (s: string) => void): number {
  const asked = stepSetting(settings, step) ?? runRate;
  if (step.maxRate !== undefined && asked > step.maxRate) {
    note?.(`${stepNames(step)[0]}: ${step.tools[0]} cannot pace ${asked} packets/s (above ${step.maxRate}/s it sends flat out); ran at ${step.maxRate}/s`);
    return step.maxRate;
  }
  return asked;
}

/** The setting for `step` (most specific name first), or undefined. */
export function stepSetting(settings: StepSettings | undefined, step: AttackStep): number | undefined {
  if (!settings) return undefined;
  for (const n of stepNames(step)) if (Object.hasOwn(settings, n)) return settings[n];
  return undefined;
}

/** Names of `settings` that match no step of the scenario (typos), for a usage error. */
export function unknownStepNames(sc: Scenario, settings: StepSettings | undefined): string[] {
  const known = new Set(sc.steps.flatMap(stepNames));
  return Object.keys(settings ?? {}).filter((n) => !known.has(n));
}

/** The tool a step will use: the first of its candidates that is installed, else the first (reported missing). */
export function chooseTool(step: AttackStep): string {
  return step.tools.find((t) => which(t) !== undefined) ?? step.tools[0]!;
}

/** Wordlists for brute force: a few plausible users and the top of a common-password list (all fail). */
export const BRUTE_USERS = ['root', 'admin', 'user', 'test', 'ubuntu', 'oracle', 'ftp', 'guest'];
export const BRUTE_PASSWORDS = ['123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon',
  '123123', 'baseball', 'abc123', 'football', 'monkey', 'letmein', '696969', 'shadow', 'master', '666666', 'qwertyuiop', '123321',
  'mustang', '1234567890', 'michael', '654321', 'superman', '1qaz2wsx', '7777777', '121212', '000000', 'qazwsx', '123qwe', 'killer',
  'trustno1', 'jordan', 'jennifer', 'zxcvbnm', 'asdfgh', 'hunter', 'buster', 'soccer', 'harley', 'batman', 'andrew', 'tigger', 'sunshine',
  'iloveyou', '2000', 'charlie', 'robert', 'thomas', 'hockey', 'ranger', 'daniel', 'starwars', 'klaster', '112233', 'george', 'computer'];
