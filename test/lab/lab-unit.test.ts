/** Lab pieces that need neither root nor tools: scenario catalogue, schedule, CLI argument errors, score CLI. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-data.js';
import { ALL_NAMESPACES, BRIDGE, HOST_IFACE, LAB_PREFIX, PLAN } from '../../src/lab/constants.js';
import { schedule } from '../../src/lab/runner.js';
import { NPING_MAX_RATE, SCENARIOS, chooseTool, stepRate, stepSetting } from '../../src/lab/scenarios.js';
import { prng } from '../../src/lab/benign.js';
import { requireTools } from '../../src/lab/tools.js';
import { FlowsentryError } from '../../src/errors.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const flowsentry = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('every lab kernel object carries the fs- prefix and fits IFNAMSIZ', () => {
  for (const n of [...ALL_NAMESPACES, BRIDGE, HOST_IFACE, ...Object.values(PLAN).map((p) => p.port)]) {
    assert.ok(n.startsWith(LAB_PREFIX), n);
    assert.ok(n.length <= 15, `${n} longer than 15 characters`);
  }
});

test('scenario argv: arrays of non-empty strings targeting only lab addresses', () => {
  const labAddrs = new Set(Object.values(PLAN).flatMap((p) => [p.ipv4, p.ipv6]));
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    for (const step of sc.steps) {
      const argv = step.argv(chooseTool(step), { rate: 500, seconds: 5, workDir: '/tmp/x' });
      assert.ok(argv.every((a) => typeof a === 'string' && a.length > 0), `${name}: ${argv.join(' ')}`);
      const ips = argv.join(' ').match(/\b\d+\.\d+\.\d+\.\d+\b|fd0f:[0-9a-f:]+/g) ?? [];
      assert.ok(ips.length > 0 && ips.every((ip) => labAddrs.has(ip.replace(/[\]/]+$/, ''))), `${name}: targets ${ips.join(', ')}`);
    }
  }
});

test('hping3 rate: microsecond interval, 0 = --flood', () => {
  const step = SCENARIOS.synflood!.steps[0]!;
  assert.ok(step.argv('hping3', { rate: 1000, seconds: 1, workDir: '' }).includes('u1000'));
  assert.ok(step.argv('hping3', { rate: 0, seconds: 1, workDir: '' }).includes('--flood'));
});

test('schedule: sequential steps fill the run without overlap; mixed windows are separated by benign gaps', () => {
  const seq = schedule(SCENARIOS.portscan!, 40);
  assert.equal(seq.length, 4);
  for (let i = 1; i < seq.length; i++) assert.ok(seq[i]![0] >= seq[i - 1]![0] + seq[i - 1]![1]);
  const last = seq[seq.length - 1]!;
  assert.ok(Math.abs(last[0] + last[1] - 40) < 1e-9);
  const win = schedule(SCENARIOS.mixed!, 90);
  assert.ok(win[0]![0] >= 9 - 1e-9, 'benign lead-in');
  for (let i = 1; i < win.length; i++) assert.ok(win[i]![0] - (win[i - 1]![0] + win[i - 1]![1]) >= 5, 'benign gap between attack windows');
  assert.deepEqual(schedule(SCENARIOS.benign!, 10), []);
});

test('per-step windows and rates: by label, label+6 for the IPv6 steps; unknown names and oversize windows are usage errors', () => {
  const mixed = SCENARIOS.mixed!;
  const base = schedule(mixed, 45);
  const win = schedule(mixed, 45, { synflood: 0.5, synflood6: 1.2, bruteforce: 4.5 });
  assert.deepEqual(win.map(([o]) => o), base.map(([o]) => o), 'offsets do not move');
  const labels = mixed.steps.map((s) => `${s.label}${s.ipVersion === 6 ? '6' : ''}`);
  assert.deepEqual(labels, ['synflood', 'portscan', 'slowloris', 'bruteforce', 'udpflood', 'synflood6']);
  assert.deepEqual(win.map(([, d]) => d), [0.5, base[1]![1], base[2]![1], 4.5, base[4]![1], 1.2]);
  // the label alone applies to IPv4 and IPv6 steps alike
  assert.equal(schedule(mixed, 45, { synflood: 0.7 })[5]![1], 0.7);
  const usage = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => FlowsentryError.is(e) && e.code === 'FS_ERR_USAGE' && re.test(e.message));
  usage(() => schedule(mixed, 45, { synfood: 1 }), /--step-seconds synfood: no such step in this scenario \(steps: synflood, portscan, slowloris, bruteforce, udpflood, synflood6\)/);
  usage(() => schedule(mixed, 45, { bruteforce: 9 }), /--step-seconds bruteforce=9: must be > 0 and fit the step's slot of 6\.75 s/);
  usage(() => schedule(SCENARIOS.udpflood!, 10, { synflood6: 1 }), /no such step/);
  // rates: the specific IPv6 name wins; nping cannot pace above 1000/s, so a higher rate is lowered, with a note
  const [syn4, , , , udp, syn6] = mixed.steps;
  const settings = { synflood: 3000, synflood6: 800, udpflood: 10_000 };
  assert.equal(stepSetting(settings, syn4!), 3000);
  assert.equal(stepSetting(settings, syn6!), 800);
  assert.equal(stepRate(udp!, 500, settings), 10_000);
  assert.equal(stepRate(mixed.steps[1]!, 500, settings), 500, 'no setting: the run rate');
  const notes: string[] = [];
  assert.equal(stepRate(syn6!, 500, { synflood: 3000 }, (n) => notes.push(n)), NPING_MAX_RATE);
  assert.match(notes.join(), /synflood6: nping cannot pace 3000 packets\/s .* ran at 1000\/s/);
  assert.equal(stepRate(syn6!, 0, undefined), 0, 'rate 0 (flat out) is kept');
  assert.ok(syn6!.argv('nping', { rate: stepRate(syn6!, 3000, undefined), seconds: 1, workDir: '' }).join(' ').includes('--rate 1000'));
});

test('prng is deterministic', () => {
  const a = prng(42);
  const b = prng(42);
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('lab CLI: usage errors name the problem', () => {
  const r1 = flowsentry(['lab', 'frobnicate']);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /FS_ERR_USAGE.*unknown subcommand 'frobnicate'/);
  const r2 = flowsentry(['lab', 'run', 'no-such-scenario']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /unknown scenario 'no-such-scenario' \(known: benign, synflood/);
  const r3 = flowsentry(['lab', 'score', '--truth', 'x.json']);
  assert.match(r3.stderr, /needs --alerts/);
  const r4 = flowsentry(['lab', 'run', 'synflood', '--rate', 'fast']);
  assert.match(r4.stderr, /--rate must be a number/);
  const r5 = flowsentry(['lab', 'scenarios']);
  assert.equal(r5.status, 0);
  for (const name of Object.keys(SCENARIOS)) assert.match(r5.stdout, new RegExp(`^${name} `, 'm'));
  assert.match(flowsentry(['lab', '--help']).stdout, /run SCENARIO \[--seconds N\]/);
  assert.match(flowsentry(['lab', 'run', 'mixed', '--step-rate', 'synflood']).stderr, /--step-rate takes NAME=VALUE \(e\.g\. synflood=4000\), got 'synflood'/);
  assert.match(flowsentry(['lab', 'run', 'mixed', '--step-seconds', 'udpflood=soon']).stderr, /--step-seconds udpflood must be a number/);
  assert.match(flowsentry(['lab', 'run', 'synflood', '--step-rate', 'udpflood=5']).stderr, /--step-rate udpflood: no such step in this scenario \(steps: synflood\)/);
});

test('lab score CLI prints a table and --json', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-lab-cli-'));
  const truth = path.join(dir, 'truth.json');
  const eve = path.join(dir, 'eve.jsonl');
  writeFileSync(truth, JSON.stringify({
    scenario: 'synflood', created: '2026-11-23T12:00:00Z', hosts: { attacker: { ipv4: '10.203.0.30', ipv6: 'fd0f:5e47:1ab::30' } },
    capture: 'capture.pcap', interface: 'fs-br0',
    episodes: [{ label: 'synflood', tool: 'hping3', command: 'hping3', attacker: ['10.203.0.30'], victim: ['10.203.0.10'], start_us: 1795435804000000, end_us: 1795435806000000 }],
  }));
  writeFileSync(eve, JSON.stringify({ timestamp: '2026-11-23T12:10:04.500000+00:00', event_type: 'alert', src_ip: '10.203.0.30', dest_ip: '10.203.0.10', proto: 'TCP', alert: { detector: 'syn_rate', attack_type: 'synflood' } }) + '\n');
  const r = flowsentry(['lab', 'score', '--alerts', eve, '--truth', truth]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /episodes detected: 1\/1/);
  const j = JSON.parse(flowsentry(['lab', 'score', '--alerts', eve, '--truth', truth, '--json']).stdout) as { episodes: { latency_ms: number }[] };
  assert.equal(j.episodes[0]?.latency_ms, 500);
});

test('a missing tool is reported with its Debian package', () => {
  assert.throws(() => requireTools(['hping3', 'no-such-tool-xyz'], "scenario 'synflood'"),
    (e: unknown) => FlowsentryError.is(e) && e.code === 'FS_ERR_TOOL_MISSING' && /scenario 'synflood' needs no-such-tool-xyz \(Debian package unknown\)/.test(e.message));
});
