/**
 * Live and offline agree (root + lab tools, else skipped with the reason): while `lab run mixed` (benign
 * web/DNS/SSH/FTP/iperf3 throughout, then SYN flood, nmap -sS, slowloris, SSH brute force, UDP flood,
 * IPv6 SYN flood in separate windows, at 300 probes/s) records capture.pcap with tcpdump, `monitor -i
 * fs-br0` watches the same bridge (default config and model, except a 256 MiB kernel ring so a busy
 * shared machine cannot make it drop: the test asserts 0 drops). The test also records its own reference
 * capture next to the lab's (tcpdump -B 256 MiB --time-stamp-precision nano). Then `analyze -r` runs over
 * both captures.
 *
 * Flows are paired by 5-tuple + start time (within PAIR_TOL_US) and compared: packet/byte counters per
 * direction and verdict; alerts by (detector, type, source, destination) — host detectors also by time.
 *
 * (A) live vs the reference capture: ≥ 99 % of flows identical (measured 99.87–99.92 %), 0 counter
 *     differences, verdicts equal (≤ 0.2 % slack). The rest are edge effects: the monitor runs before the
 *     captures start and after they stop, so flows with a packet outside the capture's [first, last]
 *     packet time are excluded (counted as "at the capture edges"), and a few flows of the capture's
 *     first/last milliseconds are seen by one side only.
 * (B) live vs the lab's capture.pcap, as `lab run` writes it: ≥ 99 % pair up; counter differences only
 *     from packets the lab's tcpdump dropped (the live side's surplus must not exceed tcpdump's "dropped
 *     by kernel"); verdicts may differ on very short flows (scan probes of 10–40 µs: the forest's rate
 *     features divide by a duration that µs truncation and per-socket stamp jitter change by ~10 %),
 *     bounded, and none on flows ≥ 1 ms. Since `lab run` records with a 64 MiB ring and ns stamps
 *     (-B 65536 --time-stamp-precision nano) it drops nothing and (B) measures like (A): 99.91 %, 0
 *     counter and 0 verdict differences (docs/detection.md §2); with tcpdump's default 2 MiB ring and µs
 *     stamps it lost tens of packets per run during wrk bursts and 36–61 probe verdicts flipped.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BRIDGE, MONITOR_NS } from '../../src/lab/constants.js';
import {
  eventUs, flowsentry, labRun, liveSkipReason, MonitorProcess, readEveEvents, sleep, withOwnLab, type EveEvent,
} from '../helpers/lab-helpers.js';

const skip = liveSkipReason('live/offline agreement', ['tcpdump', 'hping3', 'nping', 'nmap', 'slowhttptest', 'curl', 'wrk', 'dig', 'ssh', 'lftp', 'iperf3']);
if (skip) console.log(`# SKIP ${skip}`);

const SECONDS = 24;
const RATE = 300;
const MIN_AGREEMENT = 0.99;
/**
 * Two flows with the same 5-tuple pair up when their starts are this close. Packet sockets stamp a
 * bridged packet independently (measured up to ~30 µs apart under load); a 5-tuple is never reused
 * within 1 ms (ephemeral ports cycle), so the pairing stays unambiguous.
 */
const PAIR_TOL_US = 1000;

interface F { tuple: string; startUs: number; endUs: number; counts: string; pkts: number; verdict: string; reason: string }

function flows(events: readonly EveEvent[]): F[] {
  return events.filter((e) => e.event_type === 'flow' && e.flow).map((e) => {
    const f = e.flow!;
    return {
      tuple: `${e.proto}|${e.src_ip}|${e.src_port ?? ''}|${e.dest_ip}|${e.dest_port ?? ''}`,
      startUs: eventUs(f.start), endUs: eventUs(f.end),
      counts: `${f.pkts_toserver}/${f.pkts_toclient}/${f.bytes_toserver}/${f.bytes_toclient}`,
      pkts: f.pkts_toserver + f.pkts_toclient,
      verdict: String(f.verdict ?? 'null'), reason: f.reason,
    };
  });
}

interface Comparison {
  inside: number; edge: number; offline: number; union: number; identical: number;
  countsDiffer: number; packetDeficit: number; verdictDiffer: number; verdictDifferLongFlows: number;
  onlyLive: number; onlyOffline: number; reasonDiffer: number; examples: string[];
}

/**
 * Pairs live flows lying inside the capture's [first, last] packet time with offline flows of the same
 * 5-tuple whose start differs by at most `tolUs`, then compares counters and verdicts.
 */
function compare(live: F[], offline: F[], tolUs: number): Comparison {
  const firstUs = Math.min(...offline.map((f) => f.startUs));
  const lastUs = Math.max(...offline.map((f) => f.endUs));
  const inside = live.filter((f) => f.startUs >= firstUs && f.endUs <= lastUs);
  const byTuple = new Map<string, F[]>();
  for (const f of offline) byTuple.set(f.tuple, [...(byTuple.get(f.tuple) ?? []), f]);
  const c: Comparison = { inside: inside.length, edge: live.length - inside.length, offline: offline.length, union: 0, identical: 0, countsDiffer: 0,
    packetDeficit: 0, verdictDiffer: 0, verdictDifferLongFlows: 0, onlyLive: 0, onlyOffline: 0, reasonDiffer: 0, examples: [] };
  for (const f of inside) {
    const cands = byTuple.get(f.tuple) ?? [];
    const i = cands.findIndex((o) => Math.abs(o.startUs - f.startUs) <= tolUs);
    if (i < 0) { c.onlyLive++; if (c.examples.length < 12) c.examples.push(`only live: ${f.tuple} @${f.startUs}`); continue; }
    const o = cands.splice(i, 1)[0]!;
    if (o.counts !== f.counts) {
      c.countsDiffer++;
      c.packetDeficit += f.pkts - o.pkts;
      if (c.examples.length < 12) c.examples.push(`counts differ ${f.tuple}: live ${f.counts} offline ${o.counts}`);
      continue;
    }
    if (o.verdict !== f.verdict) {
      c.verdictDiffer++;
      if (f.endUs - f.startUs >= 1000) c.verdictDifferLongFlows++;
      if (c.examples.length < 12) c.examples.push(`verdict differs ${f.tuple} (${f.endUs - f.startUs} µs): live ${f.verdict} offline ${o.verdict}`);
      continue;
    }
    if (o.reason !== f.reason) c.reasonDiffer++;
    c.identical++;
  }
  c.onlyOffline = [...byTuple.values()].reduce((n, xs) => n + xs.length, 0);
  c.union = inside.length + c.onlyOffline;
  return c;
}

const fmt = (c: Comparison): string => `identical ${c.identical}/${c.union} = ${((100 * c.identical) / c.union).toFixed(3)} % ` +
  `(live ${c.inside} inside + ${c.edge} at the capture edges, offline ${c.offline}; counts differ ${c.countsDiffer} [live has ${c.packetDeficit} packets more], ` +
  `verdict differs ${c.verdictDiffer} [${c.verdictDifferLongFlows} of them ≥ 1 ms long], only live ${c.onlyLive}, only offline ${c.onlyOffline}; end reason differs ${c.reasonDiffer})`;

/** "N packets dropped by kernel" from a tcpdump log. */
const tcpdumpDrops = (log: string): number => Number(/(\d+) packets? dropped by kernel/.exec(log)?.[1] ?? NaN);

const alertKey = (e: EveEvent): string => `${e.alert!.detector}|${e.alert!.attack_type}|${e.src_ip}|${e.dest_ip}`;

test('monitor on the lab bridge and analyze on the lab capture agree', { skip, timeout: 300_000 }, async (t) => {
  let monitor: MonitorProcess | null = null;
  let nsDump: ChildProcess | null = null;
  await withOwnLab(t, 'fs-live-offline-', async ({ base, report }) => {
    const liveEve = path.join(base, 'live.json');
    const out = path.join(base, 'run');
    const nsPcap = path.join(base, 'ns.pcap');
    monitor = new MonitorProcess(MONITOR_NS, ['-i', BRIDGE, '--eve', liveEve, '--no-console', '--set', 'capture.buffer_mb=256']);
    report.push(await monitor.ready());
    // Our own reference capture next to the lab's: nanosecond stamps, 256 MiB ring.
    nsDump = spawn('ip', ['netns', 'exec', MONITOR_NS, 'tcpdump', '-i', BRIDGE, '-n', '-U', '-B', '262144', '--time-stamp-precision', 'nano', '-Z', 'root', '-w', nsPcap],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let nsLog = '';
    nsDump.stderr!.on('data', (d: Buffer) => { nsLog += d.toString(); });
    const nsDone = new Promise<void>((r) => nsDump!.on('close', () => r()));
    for (let i = 0; i < 100 && !nsLog.includes('listening on'); i++) await sleep(50);
    assert.match(nsLog, /listening on/, `reference tcpdump did not start: ${nsLog}`);
    await sleep(300);
    const r = await labRun('mixed', SECONDS, out, RATE);
    assert.equal(r.status, 0, `lab run mixed: ${r.stderr}`);
    await sleep(1500);
    nsDump.kill('SIGINT');
    await nsDone;
    nsDump = null;
    const exit = await monitor.stop();
    assert.equal(exit.code, 0, exit.stderr.slice(-2000));

    const live = readEveEvents(liveEve);
    const liveStats = live.find((e) => e.event_type === 'stats' && e.stats?.final)!.stats!;
    assert.equal(liveStats.capture.kernel_drops + liveStats.capture.if_drops + liveStats.capture.app_drops, 0,
      `the monitor dropped packets (${JSON.stringify(liveStats.capture)}): the comparison would be meaningless`);
    const lf = flows(live);
    const analyze = (pcap: string, name: string): EveEvent[] => {
      const eve = path.join(base, `${name}.json`);
      const off = flowsentry(['analyze', '-r', pcap, '--eve', eve, '--no-console'], 240_000);
      assert.equal(off.status, 0, off.stderr);
      return readEveEvents(eve);
    };

    // (A) Reference capture (ns stamps, no drops): same packets, same arithmetic for the packet time
    //     (sec·1e6 + ns/1000 in a double, live and from a nanosecond pcap). The stamps themselves may still
    //     differ between the two packet sockets (the bridged skbs carry no stamp, so each socket reads
    //     the clock itself when the packet reaches it: measured 0–30 µs apart), so starts pair up
    //     within PAIR_TOL_US; counters must match, and verdicts too (≤ 0.2 % slack for a very short
    //     flow whose duration — a few µs — moved with that jitter; measured: 0).
    const nsDrops = tcpdumpDrops(nsLog);
    report.push(`reference tcpdump: ${nsLog.trim().split('\n').slice(-3).join('; ')}`);
    assert.equal(nsDrops, 0, `reference tcpdump dropped packets: ${nsLog}`);
    const refEvents = analyze(nsPcap, 'offline-ns');
    const ref = compare(lf, flows(refEvents), PAIR_TOL_US);
    report.push(`(A) live vs analyze(ns reference pcap): ${fmt(ref)}`);
    for (const x of ref.examples.slice(0, 6)) report.push(`  A: ${x}`);
    assert.ok(ref.offline > 200, `only ${ref.offline} flows offline`);
    assert.ok(ref.identical / ref.union >= MIN_AGREEMENT, `live/offline (ns reference) agreement ${((100 * ref.identical) / ref.union).toFixed(2)} % < ${MIN_AGREEMENT * 100} %`);
    assert.equal(ref.countsDiffer, 0, 'counters differ on a drop-free capture');
    assert.ok(ref.verdictDiffer <= 0.002 * ref.identical, `${ref.verdictDiffer} verdicts differ on identical packets`);

    // (B) The lab's own capture.pcap (as `lab run` writes it): µs stamps and tcpdump's default 2 MiB ring.
    //     Expected and explained differences: starts may be 1 µs apart (live keeps the sub-µs fraction,
    //     the pcap truncates), flows lose the packets tcpdump dropped (the live side then has exactly
    //     those packets more), and the forest's verdict may flip on very short flows (rates = bytes /
    //     a duration of a few µs, changed by the truncation).
    const labDrops = tcpdumpDrops(readFileSync(path.join(out, 'logs', 'tcpdump.log'), 'utf8'));
    const lab = compare(lf, flows(analyze(path.join(out, 'capture.pcap'), 'offline-lab')), PAIR_TOL_US);
    report.push(`(B) live vs analyze(lab capture.pcap, tcpdump dropped ${labDrops}): ${fmt(lab)}`);
    for (const x of lab.examples.slice(0, 6)) report.push(`  B: ${x}`);
    const matched = lab.identical + lab.countsDiffer + lab.verdictDiffer;
    assert.ok(matched / lab.union >= MIN_AGREEMENT, `lab capture: only ${matched}/${lab.union} flows pair up`);
    assert.ok(lab.packetDeficit >= 0 && lab.packetDeficit <= labDrops, `lab capture: live has ${lab.packetDeficit} packets more in paired flows, tcpdump dropped ${labDrops}`);
    assert.ok(lab.verdictDifferLongFlows <= 0.002 * matched, `lab capture: verdict differs on ${lab.verdictDifferLongFlows} flows ≥ 1 ms long with identical counters`);
    assert.ok(lab.verdictDiffer <= 0.1 * matched, `lab capture: ${lab.verdictDiffer} short flows with another verdict`);

    // Alerts inside the capture window: host detectors exactly (same packet → same timestamp), forest by key.
    const firstUs = Math.min(...flows(refEvents).map((f) => f.startUs));
    const lastUs = Math.max(...flows(refEvents).map((f) => f.endUs));
    const inWin = (e: EveEvent): boolean => e.event_type === 'alert' && eventUs(e.timestamp) >= firstUs && eventUs(e.timestamp) <= lastUs;
    const la = live.filter(inWin);
    const oa = refEvents.filter((e) => e.event_type === 'alert');
    const forestKeys = (es: EveEvent[]): string[] => [...new Set(es.filter((e) => e.alert!.detector === 'forest').map(alertKey))].sort();
    report.push(`alerts: live ${la.length} [${[...new Set(la.map(alertKey))].join(', ')}], offline ${oa.length}`);
    assert.ok(oa.length > 0, 'the mixed run raised no alert at all');
    // Host detectors fire on the same packet in both; its stamp may differ by the socket jitter above.
    const host = (es: EveEvent[]): { key: string; us: number }[] => es.filter((e) => e.alert!.detector !== 'forest').map((e) => ({ key: alertKey(e), us: eventUs(e.timestamp) }));
    const hl = host(la);
    const ho = host(oa);
    assert.equal(hl.length, ho.length, `host-detector alerts: live ${hl.length}, offline ${ho.length}`);
    for (const a of hl) {
      const i = ho.findIndex((o) => o.key === a.key && Math.abs(o.us - a.us) <= PAIR_TOL_US);
      assert.ok(i >= 0, `host alert ${a.key} @${a.us} live only`);
      ho.splice(i, 1);
    }
    assert.deepEqual(forestKeys(la), forestKeys(oa), 'forest alert keys differ between live and offline');
  }, () => {
    nsDump?.kill('SIGKILL');
    monitor?.kill();
  });
});
