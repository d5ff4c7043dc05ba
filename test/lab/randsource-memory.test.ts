/**
 * Bounded memory under a spoofed flood (root + lab tools, else skipped with the reason): the monitor runs
 * on the lab bridge with a small flow table (flow.capacity = 16384) while `lab run synflood-spoofed
 * --rate 0` sends `hping3 -S --flood --rand-source` at the victim for FLOOD_SECONDS — every packet a new
 * flow from a new source, i.e. millions of flows through a 16 k table, and tens of thousands of distinct
 * sources through the host table. Cooldowns are shortened (alerts.cooldown_s = 5, detectors.cooldown_ms
 * = 2000) so the flood must be re-reported several times within the run. EVE carries alerts and stats
 * only (one flow event per spoofed SYN would be over a GB).
 *
 * Asserts:
 *  - packets offered to the monitor (captured + kernel drops) ≥ MIN_PACKETS (the count reached is printed;
 *    hping3 --flood reaches 50–110 k packets/s here, i.e. 2–5 M in 45 s);
 *  - flows created ≥ 50× the table capacity and the stats events show evictions;
 *  - RSS bound: peak RSS ≤ RSS after the capture opened + RSS_HEADROOM_MIB, and it stops growing: the
 *    peak of the second half of the flood ≤ the peak of the first half + PLATEAU_MIB. Justification:
 *    the flow table is preallocated for its capacity (≈ 1 KiB per slot, 16 MiB) and the host table for
 *    detectors.hosts (65536 hosts, typed arrays), so steady-state memory is fixed; what moves is V8's
 *    young generation, per-batch garbage (flow records of evicted flows, EVE lines, forest rows) and the
 *    write buffers — tens of MiB. A leak of even 100 bytes per flow would add > 200 MiB over the run;
 *  - alerts keep coming: ≥ 3 syn_rate/fanin alerts for the victim, spread over the flood (the last one
 *    in its final 15 s, no gap longer than 15 s), and the monitor exits 0 on SIGINT.
 * About 75 s.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BRIDGE, MONITOR_NS, PLAN } from '../../src/lab/constants.js';
import {
  eventUs, labRun, liveSkipReason, loadavg, MonitorProcess, nowUs, readEveEvents, rssKiB, sleep, SUMMARY_RE, withOwnLab,
} from '../helpers/lab-helpers.js';

const skip = liveSkipReason('spoofed-flood memory', ['tcpdump', 'hping3', 'curl', 'dig', 'ssh', 'lftp']);
if (skip) console.log(`# SKIP ${skip}`);

const FLOOD_SECONDS = 45;
const CAPACITY = 16384;
const MIN_PACKETS = 1_000_000;
const RSS_HEADROOM_MIB = 256;
const PLATEAU_MIB = 48;
const V4 = PLAN.victim.ipv4;

test('spoofed SYN flood: bounded flow table, bounded RSS, alerts keep coming', { skip, timeout: 240_000 }, async (t) => {
  let monitor: MonitorProcess | null = null;
  await withOwnLab(t, 'fs-randsource-', async ({ base, report }) => {
    const eve = path.join(base, 'eve.json');
    monitor = new MonitorProcess(MONITOR_NS, ['-i', BRIDGE, '--eve', eve, '--no-console', '--stats-interval', '2',
      '--set', `flow.capacity=${CAPACITY}`, '--set', 'alerts.cooldown_s=5', '--set', 'detectors.cooldown_ms=2000',
      // one flow event per spoofed SYN would be > 1 GB of EVE: alerts and stats only
      '--set', 'outputs.eve.types=[alert,stats]']);
    report.push(await monitor.ready());
    await sleep(1000);
    const rss0 = rssKiB(monitor.pid);
    const samples: { us: number; kib: number }[] = [];
    const sampler = setInterval(() => {
      const k = rssKiB(monitor!.pid);
      if (Number.isFinite(k)) samples.push({ us: nowUs(), kib: k });
    }, 250);
    const out = path.join(base, 'run');
    const floodFrom = nowUs();
    const r = await labRun('synflood-spoofed', FLOOD_SECONDS, out, 0);
    const floodTo = nowUs();
    clearInterval(sampler);
    assert.equal(r.status, 0, `lab run synflood-spoofed: ${r.stderr}`);
    rmSync(path.join(out, 'capture.pcap'), { force: true }); // hundreds of MB
    const exit = await monitor.stop(60_000);
    assert.equal(exit.code, 0, exit.stderr.slice(-2000));
    const summary = SUMMARY_RE.exec(exit.stderr);
    assert.ok(summary, `no summary: ${exit.stderr.slice(-1000)}`);
    report.push(summary[0]);

    const events = readEveEvents(eve);
    const stats = events.filter((e) => e.event_type === 'stats').map((e) => e.stats!);
    const last = stats[stats.length - 1]!;
    const offered = last.capture.packets + last.capture.kernel_drops + last.capture.if_drops;
    const secs = (floodTo - floodFrom) / 1e6;
    report.push(`offered ${offered} packets in ${secs.toFixed(1)} s (${Math.round(offered / secs)} /s): captured ${last.capture.packets}, kernel drops ${last.capture.kernel_drops}; ` +
      `flows created ${last.flow.created}, evicted ${last.flow.evicted}; hosts tracked ${last.detect.hosts_tracked}, host replacements ${last.detect.host_replacements}; load ${loadavg()}`);
    assert.ok(offered >= MIN_PACKETS, `only ${offered} packets reached the monitor's socket`);
    assert.ok(last.flow.created >= 50 * CAPACITY, `only ${last.flow.created} flows created`);
    assert.ok(stats.some((s) => s.flow.evicted > 0) && last.flow.evicted > 0, 'no evictions reported in the stats events');
    assert.ok(stats.every((s) => s.flow.active <= CAPACITY), 'more open flows than the table capacity');

    const mib = (k: number): number => k / 1024;
    const peak = Math.max(...samples.map((s) => s.kib));
    const mid = floodFrom + (floodTo - floodFrom) / 2;
    const peak1 = Math.max(...samples.filter((s) => s.us < mid).map((s) => s.kib));
    const peak2 = Math.max(...samples.filter((s) => s.us >= mid).map((s) => s.kib));
    report.push(`RSS: ${mib(rss0).toFixed(0)} MiB before the flood, peak ${mib(peak).toFixed(0)} MiB (first half ${mib(peak1).toFixed(0)}, second half ${mib(peak2).toFixed(0)}), ${samples.length} samples`);
    assert.ok(mib(peak) <= mib(rss0) + RSS_HEADROOM_MIB, `RSS peak ${mib(peak).toFixed(0)} MiB > ${mib(rss0).toFixed(0)} + ${RSS_HEADROOM_MIB} MiB`);
    assert.ok(mib(peak2) <= mib(peak1) + PLATEAU_MIB, `RSS still growing: second-half peak ${mib(peak2).toFixed(0)} MiB > first-half ${mib(peak1).toFixed(0)} + ${PLATEAU_MIB} MiB`);

    const alerts = events.filter((e) => e.event_type === 'alert' && e.dest_ip === V4 && ['syn_rate', 'fanin'].includes(e.alert!.detector))
      .map((e) => ({ us: eventUs(e.timestamp), d: e.alert!.detector })).sort((a, b) => a.us - b.us);
    report.push(`alerts for ${V4}: ${alerts.map((a) => `${a.d}@+${((a.us - floodFrom) / 1e6).toFixed(1)}s`).join(' ')}`);
    assert.ok(alerts.length >= 3, `only ${alerts.length} syn_rate/fanin alerts during a ${FLOOD_SECONDS} s flood`);
    const times = [floodFrom, ...alerts.map((a) => a.us).filter((u) => u <= floodTo)];
    const maxGap = Math.max(...times.slice(1).map((u, i) => u - times[i]!), floodTo - times[times.length - 1]!) / 1e6;
    assert.ok(maxGap <= 15, `alerts stopped: a ${maxGap.toFixed(1)} s gap during the flood`);
  }, () => {
    monitor?.kill();
  });
});
