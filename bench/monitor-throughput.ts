/**
 * `npm run bench:monitor` — live throughput of `flowsentry monitor` (root; needs tcpreplay, taskset).
 *
 *   node dist/bench/monitor-throughput.js [--packets 300000] [--loops 5] [--pps 0,300000]
 *       [--model default|none|PATH] [--set PATH=VALUE ...] [--monitor-cpu 1] [--feeder-cpu 0] [--json PATH]
 *
 * Builds two private namespaces `fsb-tx` / `fsb-rx` joined by one veth pair (`fsb-tx0` ↔ `fsb-rx0`), no
 * addresses, no routes: nothing can leave them, and the root namespace never gets a link. The monitor
 * (default config; bundled model when installed) listens on fsb-rx0, pinned to one core; tcpreplay
 * (pinned to the other core) replays bench/synth.ts's synthetic capture (web/DNS/ICMP/SYN-probe mix,
 * ~690 B/packet, ~2,000 concurrent sessions) from memory (--preload-pcap), `--loops` times, once per
 * entry of `--pps` (0 = --topspeed, else --pps=N). For every phase it reports: what the feeder sent and
 * at which rate, what the monitor read, kernel / interface / application drops, the monitor's CPU
 * (utime+stime over the phase, in cores) and the machine's total CPU busy share over the phase (the
 * machine may be shared). Everything it creates is removed at the end (also on error / Ctrl+C).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { synthesizeCapture } from './synth.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const TX = 'fsb-tx';
const RX = 'fsb-rx';
const TX_IF = 'fsb-tx0';
const RX_IF = 'fsb-rx0';

interface Phase {
  mode: string;
  sentPackets: number;
  feederSeconds: number;
  feederPps: number;
  monitorPackets: number;
  monitorPpsDuringFeed: number;
  kernelDrops: number;
  ifDrops: number;
  appDrops: number;
  monitorCpuCores: number;
  machineBusy: number;
  peakRssMiB: number;
  flows: number;
  alerts: number;
  load: string;
}

function sh(cmd: string, args: string[], check = true): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const nsList = (): string[] => sh('ip', ['netns', 'list'], false).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);

function teardown(): void {
  for (const ns of [TX, RX]) {
    if (!nsList().includes(ns)) continue;
    // processes we started there (tcpreplay, monitor) — only inside our own namespaces
    for (const pid of sh('ip', ['netns', 'pids', ns], false).stdout.split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    sh('ip', ['netns', 'del', ns], false);
  }
}

function setup(): void {
  const existing = nsList().filter((n) => n === TX || n === RX);
  if (existing.length > 0) throw new Error(`namespaces ${existing.join(', ')} already exist (a previous bench still running?)`);
  sh('ip', ['netns', 'add', TX]);
  sh('ip', ['netns', 'add', RX]);
  // created inside TX with the peer moved straight into RX: the root namespace never sees the link
  sh('ip', ['-n', TX, 'link', 'add', TX_IF, 'type', 'veth', 'peer', 'name', RX_IF, 'netns', RX]);
  for (const [ns, ifc] of [[TX, TX_IF], [RX, RX_IF]] as const) {
    sh('ip', ['-n', ns, 'link', 'set', ifc, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // no IPv6 link-local either: the interfaces carry only the replayed frames
    sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${ifc}.disable_ipv6=1`], false);
    // isolation: no route at all
    if (sh('ip', ['-n', ns, 'route', 'get', '192.0.2.1'], false).status === 0) throw new Error(`${ns} has an IPv4 route out`);
  }
}

const cpuSeconds = (pid: number): number => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
};
const rssKiB = (pid: number): number => {
  try { return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN); } catch { return NaN; }
};
const machine = (): { busy: number; total: number } => {
  const l = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: l.reduce((a, b) => a + b, 0) - (l[3]! + l[4]!), total: l.reduce((a, b) => a + b, 0) };
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Stats { capture: { packets: number; kernel_drops: number; if_drops: number; app_drops: number }; flow: { created: number }; detect: { alerts: number } }

async function phase(pcap: string, pps: number, loops: number, modelArgs: string[], monitorCpu: string, feederCpu: string, dir: string): Promise<Phase> {
  const eve = path.join(dir, `eve-${pps}.json`);
  rmSync(eve, { force: true });
  const mon = spawn('ip', ['netns', 'exec', RX, 'taskset', '-c', monitorCpu, process.execPath, cli, 'monitor', '-i', RX_IF, ...modelArgs,
    '--eve', eve, '--set', 'outputs.eve.types=[stats]', '--stats-interval', '1', '--no-console'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  mon.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => mon.on('close', (c) => r(c)));
  for (let i = 0; i < 200 && !err.includes('capturing on'); i++) await sleep(50);
  if (!err.includes('capturing on')) throw new Error(`monitor did not start: ${err}`);
  await sleep(1000);
  const pid = mon.pid!;
  const cpu0 = cpuSeconds(pid);
  const m0 = machine();
  let peak = rssKiB(pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB(pid) || 0); }, 200);
  const t0 = process.hrtime.bigint();
  const rate = pps > 0 ? [`--pps=${pps}`] : ['--topspeed'];
  const feed = spawnSync('ip', ['netns', 'exec', TX, 'taskset', '-c', feederCpu, 'tcpreplay', '-i', TX_IF, ...rate, '--preload-pcap', `--loop=${loops}`, pcap],
    { encoding: 'utf8', maxBuffer: 16 << 20 });
  const feedSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (feed.status !== 0) throw new Error(`tcpreplay failed: ${feed.stderr}${feed.stdout}`);
  await sleep(1500); // the monitor drains its ring
  const cpu1 = cpuSeconds(pid);
  const m1 = machine();
  clearInterval(sampler);
  mon.kill('SIGINT');
  const code = await exited;
  if (code !== 0) throw new Error(`monitor exited ${code}: ${err.slice(-1000)}`);
  const out = feed.stdout;
  const sent = Number(/Actual: (\d+) packets/.exec(out)?.[1] ?? NaN);
  const secs = Number(/Actual: \d+ packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out)?.[1] ?? feedSecs);
  const lines = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stats: Stats });
  const last = lines[lines.length - 1]!.stats;
  const busySecs = feedSecs + 1.5;
  return {
    mode: pps > 0 ? `--pps=${pps}` : '--topspeed',
    sentPackets: sent,
    feederSeconds: secs,
    feederPps: Math.round(sent / secs),
    monitorPackets: last.capture.packets,
    monitorPpsDuringFeed: Math.round(last.capture.packets / secs),
    kernelDrops: last.capture.kernel_drops,
    ifDrops: last.capture.if_drops,
    appDrops: last.capture.app_drops,
    monitorCpuCores: (cpu1 - cpu0) / busySecs,
    machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
    peakRssMiB: peak / 1024,
    flows: last.flow.created,
    alerts: last.detect.alerts,
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      packets: { type: 'string', default: '300000' },
      loops: { type: 'string', default: '5' },
      pps: { type: 'string', default: '0,300000' },
      model: { type: 'string', default: 'default' },
      'monitor-cpu': { type: 'string', default: '1' },
      'feeder-cpu': { type: 'string', default: '0' },
      set: { type: 'string', multiple: true },
      json: { type: 'string' },
    },
  });
  if (process.getuid?.() !== 0) throw new Error('bench:monitor needs root (namespaces, packet capture)');
  for (const tool of ['tcpreplay', 'taskset', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing (apt-get install ${tool === 'ip' ? 'iproute2' : tool === 'taskset' ? 'util-linux' : tool}; scripts/install-system-deps.sh)`);
  }
  const dir = path.join(os.tmpdir(), 'flowsentry-bench');
  mkdirSync(dir, { recursive: true });
  const packets = Number(values.packets);
  const pcap = path.join(dir, `synth-v2-${packets}.pcap`);
  if (!existsSync(pcap)) synthesizeCapture(pcap, packets);
  const modelArgs = [...(values.model === 'default' ? [] : ['--model', values.model]), ...(values.set ?? []).flatMap((x) => ['--set', x])];
  const cores = os.cpus().length;
  console.log(`bench:monitor: ${packets} packets × ${values.loops} loops of ${pcap}; monitor on CPU ${values['monitor-cpu']}, tcpreplay on CPU ${values['feeder-cpu']} (${cores} CPUs, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}); model ${values.model}${values.set ? `; --set ${values.set.join(' ')}` : ''}`);
  const onSignal = (): void => { teardown(); process.exit(130); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const phases: Phase[] = [];
  try {
    setup();
    for (const pps of values.pps!.split(',').map(Number)) {
      const p = await phase(pcap, pps, Number(values.loops), modelArgs, values['monitor-cpu']!, values['feeder-cpu']!, dir);
      phases.push(p);
      console.log(`${p.mode.padEnd(14)} feeder ${p.sentPackets} pkts in ${p.feederSeconds.toFixed(2)} s = ${p.feederPps} pps | monitor read ${p.monitorPackets} ` +
        `(${p.monitorPpsDuringFeed} pps), drops kernel ${p.kernelDrops} if ${p.ifDrops} app ${p.appDrops} | monitor CPU ${p.monitorCpuCores.toFixed(2)} cores, ` +
        `machine busy ${(p.machineBusy * 100).toFixed(0)} % of ${cores} CPUs, RSS ${p.peakRssMiB.toFixed(0)} MiB | ${p.flows} flows, ${p.alerts} alerts | load ${p.load}`);
    }
  } finally {
    teardown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ packets, loops: Number(values.loops), model: values.model, phases }, null, 2));
}

main().catch((e: unknown) => {
  teardown();
  console.error(`bench:monitor: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
