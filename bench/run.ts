/**
 * `npm run bench` — throughput of the flow meter on a large capture, stage by stage, plus the whole
 * `flowsentry features` process and `tcpdump -r FILE -w /dev/null` on the same file in the same run.
 *
 *   node dist/bench/run.js [--packets 2000000] [--file PATH] [--runs 3] [--json PATH]
 *
 * Without --file a realistic capture is synthesised (bench/synth.ts) into $TMPDIR and reused. In-process
 * stages report the best of --runs. Processes are timed with /usr/bin/time (wall clock, peak RSS), --runs
 * times each, the features processes and tcpdump taking turns so that all see the same moments of this
 * shared VM; they report the best and the median run. They run without NODE_EXTRA_CA_CERTS
 * (bench/proc-env.ts says why; the bench prints what that variable costs per process).
 */
import { statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../src/capture/file-source.js';
import { decodePacket } from '../src/decode/decode.js';
import { PacketView } from '../src/decode/packet-view.js';
import { Decode } from '../src/decode/reasons.js';
import { FlowMeter } from '../src/flow/meter.js';
import { FlowTable } from '../src/flow/table.js';
import { TcpStateTable } from '../src/flow/tcp-state.js';
import { Cic2017Features } from '../src/features/cic2017/features.js';
import type { FeatureSet } from '../src/features/feature-set.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { benchCapture } from './synth.js';
import { EXTRA_CA_VAR, nodeStartupMs, timedProcessEnv } from './proc-env.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

interface Row { stage: string; packets: number; seconds: number; pps: number; nsPerPacket: number; peakRssMiB?: number; medianPps?: number }

/** A feature set that does nothing: measures the meter alone. */
class NullSet implements FeatureSet {
  readonly id = 'null';
  readonly columns = [];
  readonly meter = {};
  init() {}
  onFlowStart() {}
  onPacket() {}
  finish() {}
}

async function timeStage(stage: string, runs: number, fn: () => Promise<number>): Promise<Row> {
  let best = Infinity;
  let packets = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    packets = await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < best) best = s;
  }
  return { stage, packets, seconds: best, pps: packets / best, nsPerPacket: (best * 1e9) / packets };
}

function timeProcess(stage: string, packets: number, cmd: string, args: string[]): Row | null {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env: timedProcessEnv() });
  if (r.status !== 0) {
    console.error(`bench: ${stage} failed (${r.status}): ${r.stderr.slice(-500)}`);
    return null;
  }
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kib] = last.split(' ').map(Number);
  return { stage, packets, seconds: secs, pps: packets / secs, nsPerPacket: (secs * 1e9) / packets, peakRssMiB: kib / 1024 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      packets: { type: 'string', default: '2000000' },
      file: { type: 'string' },
      runs: { type: 'string', default: '3' },
      json: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const file = values.file ?? benchCapture(Number(values.packets));
  const size = statSync(file).size;
  const rows: Row[] = [];
  const v = new PacketView();

  rows.push(await timeStage('read only', runs, async () => {
    let n = 0;
    for await (const b of openCaptureFile(file)) n += b.count;
    return n;
  }));
  rows.push(await timeStage('decode', runs, async () => {
    let n = 0;
    for await (const b of openCaptureFile(file)) {
      for (let i = 0; i < b.count; i++) decodePacket(v, b.data, b.offset[i], b.capLen[i], b.wireLen[i], b.linkType[i], b.tsUs[i]);
      n += b.count;
    }
    return n;
  }));
  let flows = 0;
  rows.push(await timeStage('decode + flows', runs, async () => {
    const m = new FlowMeter([new NullSet()]);
    let n = 0;
    m.onFlowEnd = () => { flows++; };
    flows = 0;
    for await (const b of openCaptureFile(file)) {
      for (let i = 0; i < b.count; i++) {
        if (decodePacket(v, b.data, b.offset[i], b.capLen[i], b.wireLen[i], b.linkType[i], b.tsUs[i]) === Decode.OK) m.addPacket(v);
      }
      m.tick();
      n += b.count;
    }
    m.flushAll();
    return n;
  }));
  for (const mode of ['corrected', 'compat'] as const) {
    rows.push(await timeStage(`decode + flows + CIC features (${mode === 'compat' ? 'cic2017-compat' : 'cic2017'})`, runs, async () => {
      const p = new Pipeline({ featureSet: new Cic2017Features({ mode }), onFlow: () => {} });
      const s = await p.run(openCaptureFile(file));
      return s.packetsRead;
    }));
  }
  const packets = rows[0].packets;
  const procs: [string, string, string[]][] = [
    ...['cic2017', 'cic2017-compat'].map((fs): [string, string, string[]] => [
      `flowsentry features --feature-set ${fs} -o /dev/null (whole process)`, process.execPath,
      [cli, 'features', '-r', file, '--feature-set', fs, '-o', '/dev/null', '-q'],
    ]),
    ['tcpdump -r FILE -w /dev/null (reference)', 'tcpdump', ['-r', file, '-w', '/dev/null']],
  ];
  const runsOf: Row[][] = procs.map(() => []);
  for (let i = 0; i < runs; i++) {
    procs.forEach(([stage, cmd, args], k) => {
      const r = timeProcess(stage, packets, cmd, args);
      if (r) runsOf[k]!.push(r);
    });
  }
  for (const rs of runsOf) {
    if (rs.length === 0) continue;
    const bySpeed = [...rs].sort((x, y) => y.pps - x.pps);
    rows.push({ ...bySpeed[0]!, medianPps: bySpeed[bySpeed.length >> 1]!.pps, peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB ?? 0)) });
  }

  const whole = rows.find((r) => r.stage.startsWith('flowsentry features --feature-set cic2017 '));
  const td = rows.find((r) => r.stage.startsWith('tcpdump'));
  const perFlow = {
    table: FlowTable.bytesPerSlot(),
    meter: 8 * 8, // clock record: 5 clocks, IP bytes ×2, flow id (packet counts and flags live in the table record)
    tcpState: TcpStateTable.BYTES_PER_SLOT,
    cic2017: new Cic2017Features({ mode: 'corrected' }).bytesPerFlow,
    cic2017Compat: new Cic2017Features({ mode: 'compat' }).bytesPerFlow,
  };
  const stateBytes = perFlow.table + perFlow.meter + perFlow.tcpState + perFlow.cic2017;
  console.log(`\nflowsentry bench — ${path.basename(file)}: ${packets} packets, ${(size / 1e6).toFixed(0)} MB, ${flows} flows; node ${process.version}, ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}\n`);
  console.log(`| stage | packets/s (best of ${runs}) | ns/packet | median run | peak RSS |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const median = r.medianPps !== undefined ? `${(r.medianPps / 1e6).toFixed(2)} M` : '–';
    console.log(`| ${r.stage} | ${(r.pps / 1e6).toFixed(2)} M | ${r.nsPerPacket.toFixed(0)} | ${median} | ${r.peakRssMiB ? r.peakRssMiB.toFixed(0) + ' MiB' : '–'} |`);
  }
  console.log(`\nstate per open flow (cic2017): ${stateBytes} bytes (table ${perFlow.table} + meter ${perFlow.meter} + TCP state ${perFlow.tcpState} + features ${perFlow.cic2017}); compat features ${perFlow.cic2017Compat} bytes`);
  if (whole && td) {
    console.log(`features process: ${(whole.pps / 1e6).toFixed(2)} M packets/s = ${((100 * whole.pps) / td.pps).toFixed(0)} % of tcpdump's ${(td.pps / 1e6).toFixed(2)} M packets/s, best runs (floors: ≥ 1.0 M/s, ≥ 20 %); median runs ${((whole.medianPps ?? 0) / 1e6).toFixed(2)} M = ${((100 * (whole.medianPps ?? 0)) / (td.medianPps ?? 1)).toFixed(0)} %`);
  }
  if (process.env[EXTRA_CA_VAR] !== undefined) {
    const withVar = nodeStartupMs(process.env);
    const without = nodeStartupMs(timedProcessEnv());
    console.log(`${EXTRA_CA_VAR} is set here: \`node -e 0\` takes ${withVar.toFixed(0)} ms with it, ${without.toFixed(0)} ms without (best of 5); the processes above ran without it (bench/proc-env.ts)`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ file, packets, flows, rows, perFlow, stateBytes }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
