/**
 * Benign traffic from the client namespace: independent loops, each repeatedly running one real client
 * (curl, dig, ssh, lftp, wrk, iperf3) and pausing like a user would. Each loop does its first action
 * at once, so even a 2-second run contains every kind of benign traffic it asks for.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PLAN, PORTS } from './constants.js';
import { exited, inNs, spawnLogged, stopChild, Stopper } from './exec.js';
import { sshClientKey } from './services.js';

const C = PLAN.client.ns;
const V4 = PLAN.victim.ipv4;
const V6 = PLAN.victim.ipv6;

/** Small deterministic PRNG (mulberry32): the same seed gives the same sequence of pauses and choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type BenignProfile = 'full' | 'light';

interface Loop {
  readonly name: string;
  /** Pause range between actions, seconds. */
  readonly pause: readonly [number, number];
  /** One action: argv lists run one after another (e.g. resolve, then fetch). */
  action(rnd: () => number): string[][];
  /** Optional stdin script for interactive sessions: [delay seconds, line] pairs. */
  readonly interactive?: (rnd: () => number) => [number, string][];
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const SSH_OPTS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR'];

const HUMAN: readonly Loop[] = [
  {
    name: 'web',
    pause: [0.5, 3],
    action: (rnd) => {
      const page = pick(rnd, ['/', '/about.html', '/file-64k.bin', '/login']);
      const six = rnd() < 0.3;
      return [
        ['dig', `@${V4}`, six ? 'AAAA' : 'A', 'www.lab.test', '+short', '+time=2', '+tries=1'],
        ['curl', '-sS', '-o', '/dev/null', '--max-time', '10', '-H', 'Host: www.lab.test', six ? `http://[${V6}]${page}` : `http://${V4}${page}`],
      ];
    },
  },
  {
    name: 'dns',
    pause: [0.3, 2.5],
    action: (rnd) => {
      const server = rnd() < 0.3 ? V6 : V4;
      const q = pick(rnd, [['A', 'www.lab.test'], ['AAAA', 'ftp.lab.test'], ['TXT', 'lab.test'], ['A', 'ssh.lab.test'], ['A', 'nosuchhost.lab.test']]);
      return [['dig', `@${server}`, q[1]!, q[0]!, '+time=2', '+tries=1']];
    },
  },
  {
    name: 'ssh',
    pause: [1, 4],
    action: () => [['ssh', '-tt', '-i', sshClientKey(), ...SSH_OPTS, `root@${V4}`]],
    // A person typing a few read-only commands with think time, then leaving.
    interactive: (rnd) => {
      const cmds = ['uptime', 'ls -l /', 'cat /etc/os-release', 'df -h /', 'ps ax | head -5', 'id', 'date'];
      const n = 2 + Math.floor(rnd() * 3);
      const out: [number, string][] = [[0.4, 'echo hello']];
      for (let i = 0; i < n; i++) out.push([0.3 + rnd() * 1.2, pick(rnd, cmds)]);
      out.push([0.3, 'exit']);
      return out;
    },
  },
  {
    name: 'ftp',
    pause: [1.5, 5],
    action: (rnd) =>
      rnd() < 0.5
        ? [['lftp', '-u', 'anonymous,lab@lab.test', '-e', 'set net:max-retries 1; set net:timeout 5; set xfer:clobber on; ls; ls pub; get pub/README.txt -o /dev/null; bye', `ftp://${V4}`]]
        : [['curl', '-sS', '-o', '/dev/null', '--max-time', '20', `ftp://${V4}/pub/data-512k.bin`]],
  },
];

const BUSY: readonly Loop[] = [
  {
    name: 'wrk',
    // wrk cannot be rate-limited: short, spaced bursts keep "busy" from meaning "saturate a shared machine".
    pause: [5, 12],
    action: (rnd) => [['wrk', '-t1', `-c${2 + Math.floor(rnd() * 4)}`, '-d1s', '--timeout', '2s', `http://${V4}/`]],
  },
  {
    name: 'iperf3',
    pause: [1, 4],
    // Bandwidth capped: bulk transfer shape without saturating a shared machine or bloating the pcap.
    action: (rnd) =>
      rnd() < 0.5
        ? [['iperf3', '-c', V4, '-p', String(PORTS.iperfTcp), '-t', '2', '-b', '20M', '--connect-timeout', '3000']]
        : [['iperf3', '-c', V4, '-p', String(PORTS.iperfUdp), '-u', '-t', '2', '-b', '5M', '-l', '1200', '--connect-timeout', '3000']],
  },
  {
    name: 'download',
    pause: [0.5, 3],
    action: (rnd) => [['curl', '-sS', '-o', '/dev/null', '--max-time', '10', rnd() < 0.5 ? `http://${V4}/file-2m.bin` : `http://[${V6}]/file-2m.bin`]],
  },
];

export const BENIGN_TOOLS: Readonly<Record<BenignProfile, readonly string[]>> = {
  light: ['curl', 'dig', 'ssh', 'lftp'],
  full: ['curl', 'dig', 'ssh', 'lftp', 'wrk', 'iperf3'],
};

/** Running benign traffic; `stop()` ends every loop and kills whatever client is mid-action. */
export class BenignTraffic {
  private readonly stopper = new Stopper();
  private readonly current = new Set<ChildProcess>();
  private readonly loops: Promise<void>[] = [];
  /** Actions started per loop (how much benign traffic there was). */
  readonly counts: Record<string, number> = {};

  constructor(profile: BenignProfile, private readonly logDir: string, seed: number) {
    const loops = profile === 'full' ? [...HUMAN, ...BUSY] : HUMAN;
    loops.forEach((loop, i) => this.loops.push(this.runLoop(loop, prng(seed + i * 7919))));
  }

  private get stopping(): boolean {
    return this.stopper.stopped;
  }

  private pause(seconds: number): Promise<void> {
    return this.stopper.sleep(seconds * 1000);
  }

  private async runLoop(loop: Loop, rnd: () => number): Promise<void> {
    const log = path.join(this.logDir, `benign-${loop.name}.log`);
    while (!this.stopping) {
      this.counts[loop.name] = (this.counts[loop.name] ?? 0) + 1;
      for (const argv of loop.action(rnd)) {
        if (this.stopping) break;
        // timeout(1) bounds every client even if this process dies without cleaning up.
        const child = spawnLogged(inNs(C, ['timeout', '-k', '2', '30', ...argv]), log, { stdin: loop.interactive ? 'pipe' : 'ignore' });
        child.on('error', () => undefined);
        this.current.add(child);
        if (loop.interactive && child.stdin) {
          child.stdin.on('error', () => undefined);
          for (const [delay, line] of loop.interactive(rnd)) {
            await this.pause(delay);
            if (this.stopping) break;
            child.stdin.write(line + '\n');
          }
        }
        await this.stopper.until(exited(child), 35_000);
        if (this.stopping) await stopChild(child, 'SIGTERM', 1000);
        this.current.delete(child);
      }
      const [lo, hi] = loop.pause;
      await this.pause(lo + rnd() * (hi - lo));
    }
  }

  async stop(): Promise<void> {
    this.stopper.stop();
    await Promise.all([...this.current].map((c) => stopChild(c, 'SIGTERM', 1000)));
    await Promise.all(this.loops);
  }
}
