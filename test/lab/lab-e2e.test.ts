/**
 * End-to-end lab test: lab up → every scenario for 2–4 s → check each capture holds the expected traffic
 * and truth.json is consistent → SIGINT during a run → lab down → `ip netns list` and the root
 * namespace's links are exactly as before. Needs root and the Debian tools; otherwise skipped saying why.
 * Traffic stays inside the lab's own namespaces (no route out, verified by `lab up`).
 * Takes the shared lab-test lock (acquireLabLock) first, so it never runs against (or tears down) a lab
 * another lab test is using; a lab that is up without a lock holder makes it skip.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-data.js';
import { acquireLabLock, labNamespacesPresent } from '../helpers/lab-helpers.js';
import { ALL_NAMESPACES, LAB_PREFIX, PLAN } from '../../src/lab/constants.js';
import { missingTools, TOOL_PACKAGES } from '../../src/lab/tools.js';
import { parseTruth, type Truth } from '../../src/lab/truth.js';
import { SCENARIOS } from '../../src/lab/scenarios.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const A4 = PLAN.attacker.ipv4;
const A6 = PLAN.attacker.ipv6;
const V4 = PLAN.victim.ipv4;
const V6 = PLAN.victim.ipv6;
const C4 = PLAN.client.ipv4;

// hydra and sshpass are fallbacks only; everything else is needed by some scenario.
const needed = Object.keys(TOOL_PACKAGES).filter((t) => t !== 'hydra' && t !== 'sshpass');

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'lab e2e: Linux only';
  if (process.getuid?.() !== 0) return 'lab e2e: needs root (creates network namespaces); run the tests as root';
  const missing = missingTools(needed);
  if (missing.length > 0) return `lab e2e: missing tools ${missing.map((t) => `${t} (${TOOL_PACKAGES[t]})`).join(', ')}; run scripts/install-system-deps.sh`;
  return false;
}
const skip = skipReason();
if (skip) console.log(`# SKIP ${skip}`);

function flowsentry(args: string[], timeoutMs = 120_000): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Snapshot { netns: string[]; links: string[] }

/** `ip netns list` names and the root namespace's link names: what must be unchanged after `lab down`. */
function snapshot(): Snapshot {
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout
    .split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean).sort();
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout
    .split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean).sort();
  return { netns, links };
}

/**
 * Asserts the state equals `before`. Names with the lab's `fs-` prefix must match exactly. Other engineers
 * share this machine and may create or delete their own namespaces meanwhile; such differences in names
 * without our prefix are reported, not failed (on a machine of its own the two snapshots are identical).
 */
function assertUnchanged(before: Snapshot, what: string): void {
  const now = snapshot();
  for (const key of ['netns', 'links'] as const) {
    const ours = (xs: string[]): string[] => xs.filter((x) => x.startsWith(LAB_PREFIX));
    assert.deepEqual(ours(now[key]), ours(before[key]), `${what}: lab ${key} left behind or missing`);
    const others = [...now[key].filter((x) => !before[key].includes(x)).map((x) => `+${x}`), ...before[key].filter((x) => !now[key].includes(x)).map((x) => `-${x}`)];
    if (others.length > 0) console.log(`# note (${what}): ${key} changed outside the lab (another user?): ${others.join(' ')}`);
  }
}

/** Number of packets in a capture matching a tcpdump (BPF) filter. */
function countBpf(pcap: string, filter: string): number {
  const r = spawnSync('tcpdump', ['-r', pcap, '-n', '-q', filter], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `tcpdump -r ${pcap} '${filter}': ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

/** Field values of packets matching a tshark display filter. */
function tsharkFields(pcap: string, filter: string, field: string): string[] {
  const r = spawnSync('tshark', ['-n', '-r', pcap, '-Y', filter, '-T', 'fields', '-e', field], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `tshark -Y '${filter}': ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim());
}

const synOnly4 = 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn';

/** Per scenario: run length and the capture checks (description, count, minimum). */
const CHECKS: Record<string, { seconds: number; checks: (pcap: string) => [string, number, number][] }> = {
  benign: { seconds: 3, checks: (p) => [
    ['DNS answers from the victim', countBpf(p, `src host ${V4} and udp src port 53`), 1],
    ['HTTP from the client', countBpf(p, `src host ${C4} and tcp dst port 80`), 1],
    ['SSH from the client', countBpf(p, `src host ${C4} and tcp dst port 22`), 1],
    ['FTP control from the client', countBpf(p, `src host ${C4} and tcp dst port 21`), 1],
    ['iperf3 from the client', countBpf(p, `src host ${C4} and (tcp dst port 5201 or tcp dst port 5202)`), 1],
    ['no attacker traffic', countBpf(p, `src host ${A4} or src host ${A6}`) === 0 ? 1 : 0, 1],
  ] },
  synflood: { seconds: 2, checks: (p) => [['SYNs attacker→victim:80', countBpf(p, `src host ${A4} and dst host ${V4} and tcp dst port 80 and ${synOnly4}`), 300]] },
  'synflood-spoofed': { seconds: 2, checks: (p) => [['spoofed SYNs →victim:80', countBpf(p, `dst host ${V4} and tcp dst port 80 and ${synOnly4} and not src net 10.203.0.0/24`), 300]] },
  udpflood: { seconds: 2, checks: (p) => [['UDP attacker→victim:53', countBpf(p, `src host ${A4} and dst host ${V4} and udp dst port 53`), 300]] },
  icmpflood: { seconds: 2, checks: (p) => [['ICMP echo attacker→victim', countBpf(p, `src host ${A4} and dst host ${V4} and icmp[icmptype] == icmp-echo`), 300]] },
  portscan: { seconds: 4, checks: (p) => [
    ['distinct TCP ports probed', new Set(tsharkFields(p, `ip.src==${A4} && tcp.flags.syn==1 && tcp.flags.ack==0`, 'tcp.dstport')).size, 100],
    ['UDP probes (-sU)', countBpf(p, `src host ${A4} and udp`), 5],
  ] },
  slowloris: { seconds: 2, checks: (p) => [
    ['connections attacker→victim:80', countBpf(p, `src host ${A4} and tcp dst port 80 and ${synOnly4}`), 20],
    ['incomplete GET headers', tsharkFields(p, `ip.src==${A4} && frame contains "GET /"`, 'frame.number').length, 20],
  ] },
  slowbody: { seconds: 2, checks: (p) => [['POST requests from the attacker', tsharkFields(p, `ip.src==${A4} && frame contains "POST /"`, 'frame.number').length, 20]] },
  httpdos: { seconds: 3, checks: (p) => [['HTTP requests from the attacker', tsharkFields(p, `ip.src==${A4} && (frame contains "GET /" || frame contains "POST /")`, 'frame.number').length, 20]] },
  bruteforce: { seconds: 4, checks: (p) => [
    ['SSH sessions attacker→victim', countBpf(p, `src host ${A4} and tcp dst port 22 and ${synOnly4}`), 1],
    ['FTP logins attacker→victim', tsharkFields(p, `ip.src==${A4} && frame contains "USER "`, 'frame.number').length, 1],
  ] },
  synflood6: { seconds: 2, checks: (p) => [['IPv6 SYNs attacker→victim:80', tsharkFields(p, `ipv6.src==${A6} && ipv6.dst==${V6} && tcp.dstport==80 && tcp.flags.syn==1 && tcp.flags.ack==0`, 'frame.number').length, 300]] },
  udpflood6: { seconds: 2, checks: (p) => [['IPv6 UDP attacker→victim:53', countBpf(p, `ip6 and src host ${A6} and dst host ${V6} and udp dst port 53`), 300]] },
  icmpflood6: { seconds: 2, checks: (p) => [['ICMPv6 echo attacker→victim', tsharkFields(p, `ipv6.src==${A6} && icmpv6.type==128`, 'frame.number').length, 300]] },
  portscan6: { seconds: 3, checks: (p) => [['distinct TCP ports probed over IPv6', new Set(tsharkFields(p, `ipv6.src==${A6} && tcp.flags.syn==1 && tcp.flags.ack==0`, 'tcp.dstport')).size, 100]] },
  slowloris6: { seconds: 2, checks: (p) => [['IPv6 connections attacker→victim:80', tsharkFields(p, `ipv6.src==${A6} && tcp.dstport==80 && tcp.flags.syn==1 && tcp.flags.ack==0`, 'frame.number').length, 20]] },
  mixed: { seconds: 12, checks: (p) => [
    ['DNS answers', countBpf(p, `src host ${V4} and udp src port 53`), 1],
    ['SYN flood', countBpf(p, `src host ${A4} and tcp dst port 80 and ${synOnly4}`), 100],
    ['UDP flood', countBpf(p, `src host ${A4} and udp dst port 53`), 100],
  ] },
};

function checkTruth(t: Truth, scenario: string, outDir: string): void {
  assert.equal(t.scenario, scenario);
  assert.equal(t.capture, 'capture.pcap');
  assert.equal(t.interface, 'fs-br0');
  assert.deepEqual(Object.keys(t.hosts).sort(), ['attacker', 'client', 'victim']);
  assert.equal(t.hosts.victim?.ipv4, V4);
  const steps = SCENARIOS[scenario]!.steps;
  assert.equal(t.episodes.length, steps.length, `${scenario}: one episode per attack step`);
  let prevEnd = 0;
  t.episodes.forEach((e, i) => {
    assert.equal(e.label, steps[i]!.label);
    assert.ok(e.command.length > 0 && e.tool.length > 0);
    assert.ok(e.start_us > Date.parse('2020-01-01') * 1000 && e.end_us > e.start_us, `${scenario}: episode ${i} times`);
    assert.ok(e.start_us >= prevEnd, `${scenario}: episodes do not overlap`);
    prevEnd = e.end_us;
    const v6 = e.ip_version === 6;
    assert.deepEqual(e.attacker, [v6 ? A6 : A4]);
    assert.deepEqual(e.victim, [v6 ? V6 : V4]);
  });
  assert.ok(existsSync(path.join(outDir, 'capture.pcap')));
}

test('lab end to end', { skip, timeout: 540_000 }, async (t) => {
  // Another lab test may hold the lab (up to its own timeout); only then is "a lab is up" decided.
  const release = await acquireLabLock();
  const present = labNamespacesPresent();
  if (present.length > 0) {
    release();
    t.skip(`lab e2e: a lab is already up (${present.join(', ')}); run 'flowsentry lab down' first`);
    return;
  }
  const before = snapshot();
  const base = mkdtempSync(path.join(tmpdir(), 'fs-lab-e2e-'));
  const started = Date.now();
  try {
    await t.test('lab up verifies isolation and is idempotent', () => {
      const up = flowsentry(['lab', 'up']);
      assert.equal(up.status, 0, up.stderr);
      assert.match(up.stdout, /interface fs-br0/);
      const again = flowsentry(['lab', 'up']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /already up/);
      const st = flowsentry(['lab', 'status', '--json']);
      assert.equal(st.status, 0, st.stderr);
      const status = JSON.parse(st.stdout) as { up: boolean; isolation: string[]; monitor: { interface: string } };
      assert.equal(status.up, true);
      assert.deepEqual(status.isolation, []);
      // No namespace has a way out: route lookups for outside addresses fail in every one of them.
      for (const ns of ALL_NAMESPACES) {
        assert.notEqual(spawnSync('ip', ['-n', ns, 'route', 'get', '192.0.2.1']).status, 0, `${ns} has an IPv4 route out`);
        assert.notEqual(spawnSync('ip', ['-n', ns, '-6', 'route', 'get', '2001:db8::1']).status, 0, `${ns} has an IPv6 route out`);
      }
      // The root namespace gained no link (the veths live between lab namespaces only).
      assert.deepEqual(snapshot().links.filter((l) => l.startsWith(LAB_PREFIX)), before.links.filter((l) => l.startsWith(LAB_PREFIX)));
      assert.ok(snapshot().links.every((l) => before.links.includes(l) || !l.startsWith(LAB_PREFIX)));
    });

    for (const [scenario, spec] of Object.entries(CHECKS)) {
      await t.test(`scenario ${scenario}`, () => {
        const out = path.join(base, scenario);
        const r = flowsentry(['lab', 'run', scenario, '--seconds', String(spec.seconds), '--out', out]);
        assert.equal(r.status, 0, `lab run ${scenario} failed: ${r.stderr}`);
        const truth = parseTruth(readFileSync(path.join(out, 'truth.json'), 'utf8'));
        checkTruth(truth, scenario, out);
        const pcap = path.join(out, 'capture.pcap');
        for (const [what, n, min] of spec.checks(pcap)) assert.ok(n >= min, `${scenario}: ${what}: ${n} < ${min}`);
        if (scenario === 'synflood') {
          // truth.json's window brackets the attack packets (50 ms slack for scheduling).
          const ep = truth.episodes[0]!;
          const times = tsharkFields(pcap, `ip.src==${A4} && tcp.dstport==80 && tcp.flags.syn==1 && tcp.flags.ack==0`, 'frame.time_epoch').map((s) => Number(s) * 1e6);
          assert.ok(Math.min(...times) >= ep.start_us - 50_000 && Math.max(...times) <= ep.end_us + 50_000, 'synflood packets outside the truth window');
        }
        if (scenario === 'mixed') {
          // lab dataset: our extractor's flows, labelled from truth.json.
          const csv = path.join(out, 'flows.csv');
          const d = flowsentry(['lab', 'dataset', '--truth', path.join(out, 'truth.json'), '--capture', pcap, '-o', csv]);
          assert.equal(d.status, 0, d.stderr);
          const labels = new Set(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1)));
          for (const l of ['BENIGN', 'synflood', 'portscan', 'udpflood']) assert.ok(labels.has(l), `flows.csv has no ${l} rows (${[...labels].join(', ')})`);
        }
        rmSync(pcap); // keep /tmp small
      });
    }

    await t.test('SIGINT during lab run stops the tools and writes truth.json; a lab that was up stays up', async () => {
      const out = path.join(base, 'sigint');
      const child = spawn(process.execPath, [cli, 'lab', 'run', 'synflood', '--seconds', '60', '--out', out], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 2500));
      const t0 = Date.now();
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      assert.ok(Date.now() - t0 < 10_000, 'run stopped promptly');
      assert.equal(code, 130);
      const truth = parseTruth(readFileSync(path.join(out, 'truth.json'), 'utf8'));
      assert.equal(truth.interrupted, true);
      assert.equal(truth.episodes.length, 1);
      assert.equal(spawnSync('ip', ['netns', 'pids', PLAN.attacker.ns], { encoding: 'utf8' }).stdout.trim(), '', 'no process left in the attacker namespace');
      assert.equal(spawnSync('ip', ['netns', 'pids', PLAN.client.ns], { encoding: 'utf8' }).stdout.trim(), '', 'no process left in the client namespace');
      assert.ok(countBpf(path.join(out, 'capture.pcap'), `src host ${A4} and ${synOnly4}`) > 100);
      const st = flowsentry(['lab', 'status']);
      assert.equal(st.status, 0, 'lab still up');
    });

    await t.test('lab down restores ip netns list and ip link exactly', () => {
      const down = flowsentry(['lab', 'down']);
      assert.equal(down.status, 0, down.stderr);
      assertUnchanged(before, 'after lab down');
      assert.equal(existsSync('/run/flowsentry-lab'), false);
    });

    await t.test('lab run on a down lab brings it up and tears it down afterwards', () => {
      const out = path.join(base, 'autoup');
      const r = flowsentry(['lab', 'run', 'icmpflood', '--seconds', '2', '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(countBpf(path.join(out, 'capture.pcap'), `src host ${A4} and icmp`) > 100);
      assertUnchanged(before, 'after an auto-up run');
    });
  } finally {
    if (snapshot().netns.some((n) => (ALL_NAMESPACES as readonly string[]).includes(n))) flowsentry(['lab', 'down']);
    release();
    rmSync(base, { recursive: true, force: true });
    console.log(`# lab e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
});
