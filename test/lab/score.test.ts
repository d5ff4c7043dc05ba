import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEve, parseEveTimestamp } from '../../src/lab/eve.js';
import { canonicalIp, formatScore, score, scoreFiles } from '../../src/lab/score.js';
import { parseTruth, type Truth } from '../../src/lab/truth.js';
import { FlowsentryError } from '../../src/errors.js';

const T0 = Date.parse('2026-11-23T12:00:00Z') * 1000; // epoch µs
const iso = (us: number): string => {
  const d = new Date(Math.floor(us / 1000));
  const frac = String(Math.round(us % 1_000_000)).padStart(6, '0');
  return d.toISOString().replace(/\.\d{3}Z$/, `.${frac}+00:00`);
};

const truth: Truth = {
  scenario: 'mixed',
  created: '2026-11-23T12:01:00Z',
  hosts: {
    victim: { ipv4: '10.203.0.10', ipv6: 'fd0f:5e47:1ab::10' },
    client: { ipv4: '10.203.0.20', ipv6: 'fd0f:5e47:1ab::20' },
    attacker: { ipv4: '10.203.0.30', ipv6: 'fd0f:5e47:1ab::30' },
  },
  capture: 'capture.pcap',
  interface: 'fs-br0',
  episodes: [
    // 0: SYN flood 10 s .. 20 s
    { label: 'synflood', tool: 'hping3', command: 'hping3 -S -p 80 ...', attacker: ['10.203.0.30'], victim: ['10.203.0.10'], start_us: T0 + 10e6, end_us: T0 + 20e6 },
    // 1: spoofed SYN flood 30 s .. 40 s
    { label: 'synflood', tool: 'hping3', command: 'hping3 -S --rand-source ...', attacker: ['10.203.0.30'], victim: ['10.203.0.10'], start_us: T0 + 30e6, end_us: T0 + 40e6, spoofed_sources: true },
    // 2: IPv6 scan 50 s .. 55 s, never detected
    { label: 'portscan', tool: 'nmap', command: 'nmap -6 -sS ...', attacker: ['fd0f:5e47:1ab::30'], victim: ['fd0f:5e47:1ab::10'], start_us: T0 + 50e6, end_us: T0 + 55e6 },
  ],
};

type Line = Record<string, unknown>;
const alert = (us: number, src: string, dst: string, detector: string, attackType: string, flowId?: number): Line => ({
  timestamp: iso(us), event_type: 'alert', ...(flowId === undefined ? {} : { flow_id: flowId }), src_ip: src, src_port: 1234, dest_ip: dst, dest_port: 80, proto: 'TCP',
  alert: { detector, attack_type: attackType, confidence: 0.9, severity: 1 },
});
const flow = (id: number, startUs: number, endUs: number, src: string, dst: string, verdict: string): Line => ({
  timestamp: iso(endUs), event_type: 'flow', flow_id: id, src_ip: src, src_port: 40000, dest_ip: dst, dest_port: 80, proto: 'TCP',
  flow: { start: iso(startUs), end: iso(endUs), pkts_toserver: 3, pkts_toclient: 2, bytes_toserver: 0, bytes_toclient: 0, state: 'closed', reason: 'fin', verdict, confidence: 0.9 },
});

const lines: Line[] = [
  // before any episode: a false alarm on a client flow (flow 1)
  alert(T0 + 5e6, '10.203.0.20', '10.203.0.10', 'forest', 'dos', 1),
  // episode 0: first matching alert 1.5 s after start, by source
  alert(T0 + 11.5e6, '10.203.0.30', '10.203.0.10', 'forest', 'synflood', 2),
  alert(T0 + 12e6, '10.203.0.30', '10.203.0.10', 'syn_rate', 'synflood'),
  // after episode 0 end but within the 2 s grace: still episode 0
  alert(T0 + 21e6, '10.203.0.30', '10.203.0.10', 'forest', 'synflood'),
  // after grace: outside
  alert(T0 + 25e6, '10.203.0.30', '10.203.0.10', 'forest', 'synflood'),
  // episode 1: spoofed source; forest keyed by source must NOT match, syn_rate keyed by destination does (0.25 s)
  alert(T0 + 30.1e6, '198.51.100.7', '10.203.0.10', 'forest', 'synflood'),
  alert(T0 + 30.25e6, '203.0.113.9', '10.203.0.10', 'syn_rate', 'synflood'),
  // not an alert / garbage lines are ignored or counted
  { timestamp: iso(T0), event_type: 'stats', stats: {} },
];
const flows: Line[] = [
  flow(1, T0 + 4e6, T0 + 5e6, '10.203.0.20', '10.203.0.10', 'ATTACK'), // benign, flagged (verdict + alert)
  flow(2, T0 + 11e6, T0 + 11.6e6, '10.203.0.30', '10.203.0.10', 'ATTACK'), // attack
  flow(3, T0 + 12e6, T0 + 13e6, '10.203.0.20', '10.203.0.10', 'BENIGN'), // benign during an episode
  flow(4, T0 + 31e6, T0 + 31e6, '198.51.100.7', '10.203.0.10', 'ATTACK'), // spoofed source → attack
  flow(5, T0 + 60e6, T0 + 61e6, 'fd0f:5e47:01ab:0:0:0:0:20', 'fd0f:5e47:1ab::10', 'BENIGN'), // benign (non-canonical v6)
  flow(6, T0 + 62e6, T0 + 63e6, '10.203.0.20', '10.203.0.10', 'benign'), // benign, verdict case-insensitive
  flow(7, T0 + 70e6, T0 + 71e6, '10.203.0.20', '10.203.0.10', 'SUSPICIOUS'), // benign, flagged by verdict
];
const eveText = [...lines, ...flows].map((l) => JSON.stringify(l)).join('\n') + '\n{"event_type":"alert","timestamp":"garbage"\nnot json\n';

test('EVE timestamps keep microseconds and honour zones', () => {
  assert.equal(parseEveTimestamp('2026-11-23T12:00:00.123456+00:00'), T0 + 123456);
  assert.equal(parseEveTimestamp('2026-11-23T12:00:00.123456Z'), T0 + 123456);
  assert.equal(parseEveTimestamp('2026-11-23T13:00:00.5+0100'), T0 + 500000);
  assert.equal(parseEveTimestamp('2026-11-23T12:00:00'), T0);
  assert.equal(parseEveTimestamp('yesterday'), undefined);
});

test('canonicalIp compresses IPv6 so different spellings compare equal', () => {
  assert.equal(canonicalIp('fd0f:5e47:01ab:0:0:0:0:10'), 'fd0f:5e47:1ab::10');
  assert.equal(canonicalIp('FD0F:5E47:1AB::10'), 'fd0f:5e47:1ab::10');
  assert.equal(canonicalIp('10.203.0.10'), '10.203.0.10');
});

test('parseEve splits alerts and flows and counts unusable lines', () => {
  const eve = parseEve(eveText);
  assert.equal(eve.alerts.length, 7);
  assert.equal(eve.flows.length, 7);
  assert.equal(eve.skipped, 2);
});

test('score: per-episode detection, latency, grace, dest-keyed detectors, outside alerts', () => {
  const r = score(truth, parseEve(eveText), { graceMs: 2000 });
  const [e0, e1, e2] = r.episodes;
  assert.ok(e0 && e1 && e2);
  assert.equal(e0.detected, true);
  assert.equal(e0.alerts, 3); // 11.5 s, 12 s, 21 s (grace); not 25 s
  assert.equal(e0.latency_ms, 1500);
  assert.deepEqual(e0.detectors, ['forest', 'syn_rate']);
  assert.equal(e0.alerts_type_match, 3);
  assert.equal(e1.detected, true);
  assert.equal(e1.alerts, 1); // only the destination-keyed syn_rate alert
  assert.equal(e1.latency_ms, 250);
  assert.equal(e2.detected, false);
  assert.equal(e2.latency_ms, null);
  assert.deepEqual(r.summary, { episodes: 3, detected: 2, detection_rate: 2 / 3, median_latency_ms: 875, max_latency_ms: 1500 });
  // 7 alerts: 4 matched; 5 s false alarm, 25 s after grace, spoofed forest alert → outside
  assert.deepEqual(r.alerts, { total: 7, in_episodes: 4, outside_episodes: 3 });
  // flows 2 and 4 are attack; 1,3,5,6,7 benign; 1 and 7 flagged
  assert.deepEqual(r.flows, { total: 7, attack: 2, benign: 5, benign_flagged: 2, benign_flagged_rate: 0.4 });
  assert.equal(r.eve_lines_skipped, 2);
  const text = formatScore(r);
  assert.match(text, /episodes detected: 2\/3/);
  assert.match(text, /benign flows flagged: 2\/5/);
});

test('score: zero grace drops the alert after the episode end', () => {
  const r = score(truth, parseEve(eveText), { graceMs: 0 });
  assert.equal(r.episodes[0]?.alerts, 2);
  assert.equal(r.alerts.outside_episodes, 4);
});

test('score: no alerts at all', () => {
  const r = score(truth, parseEve(''), { graceMs: 2000 });
  assert.equal(r.summary.detected, 0);
  assert.equal(r.summary.median_latency_ms, null);
  assert.equal(r.flows.benign_flagged_rate, null);
});

test('scoreFiles reads files; bad truth files name the problem', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-lab-score-'));
  const eveFile = path.join(dir, 'eve.jsonl');
  const truthFile = path.join(dir, 'truth.json');
  writeFileSync(eveFile, eveText);
  writeFileSync(truthFile, JSON.stringify(truth));
  assert.equal(scoreFiles(eveFile, truthFile, { graceMs: 2000 }).summary.detected, 2);
  assert.throws(() => parseTruth('{"scenario":"x","hosts":{},"episodes":[{"label":"a","attacker":[],"victim":[],"start_us":5,"end_us":1}]}'),
    (e: unknown) => FlowsentryError.is(e) && e.code === 'FS_ERR_DATASET' && /start_us <= end_us/.test(e.message));
  assert.throws(() => parseTruth('nope'), /not JSON/);
  assert.throws(() => scoreFiles(path.join(dir, 'missing.jsonl'), truthFile, { graceMs: 0 }), (e: unknown) => FlowsentryError.is(e) && e.code === 'FS_ERR_FILE_OPEN');
});
