/**
 * `flowsentry lab up|down|status|run|score|dataset|scenarios`: the isolated traffic lab (see docs/lab.md).
 * Argument parsing only; the work lives in src/lab/.
 */
import type { Command } from '../command.js';
import { numberOption, parseCommandArgs } from '../command.js';
import { FlowsentryError } from '../../errors.js';
import { labDown, labStatus, labUp } from '../../lab/topology.js';
import { runScenario } from '../../lab/runner.js';
import { SCENARIOS, scenarioNames } from '../../lab/scenarios.js';
import { formatScore, scoreFiles } from '../../lab/score.js';
import { labDataset } from '../../lab/dataset.js';
import { FEATURE_SET_IDS, type FeatureSetId } from '../../pipeline/extract.js';

const help = `Usage: flowsentry lab <subcommand> [options]

Isolated network lab (root): namespaces fs-victim / fs-client / fs-attacker joined by bridge fs-br0 in
namespace fs-mon, no route out. Real Debian tools generate benign and attack traffic with ground truth.

Subcommands:
  up                         create the lab (idempotent); verifies it cannot reach outside
  down                       remove everything 'lab up' created (also after a crash)
  status [--json]            namespaces, capture interface, addresses, services, isolation
  scenarios                  list scenarios
  run SCENARIO [--seconds N] [--rate R] [--step-rate NAME=R] [--step-seconds NAME=S] [--out DIR] [--no-benign]
                             run a scenario; writes DIR/capture.pcap and DIR/truth.json
                             --seconds  duration (default 20; portscan 40; mixed 90)
                             --rate     attack packets/s for floods and scans (default 500; 0 = as fast as possible)
                             --step-rate NAME=R     rate of the steps named NAME instead of --rate (repeatable);
                                        NAME = episode label (synflood, udpflood, bruteforce, ...) or
                                        label + 6 for the IPv6 steps only (synflood6)
                             --step-seconds NAME=S  window of those steps in seconds instead of their
                                        scheduled share (must fit the step's slot; repeatable)
                             --out      output directory (default ./lab-runs/SCENARIO-TIMESTAMP)
                             --no-benign  no background benign traffic during attack scenarios
                             If the lab was not up, it is brought up and torn down afterwards;
                             SIGINT/SIGTERM stop every tool, keep the capture, and write truth.json.
  score --alerts EVE.jsonl --truth truth.json [--grace-ms MS] [--json]
                             per-episode detection and latency, benign false positives
  dataset --truth truth.json --capture capture.pcap -o flows.csv [--feature-set cic2017|cic2017-compat] [--grace-ms MS]
                             CIC features of the capture (our extractor), Label = episode label or BENIGN

See docs/lab.md.
`;

/** `--step-rate synflood=4000 --step-rate synflood6=2000` → { synflood: 4000, synflood6: 2000 }. */
function stepSettings(flag: string, values: string[] | undefined, min: number, max: number): Record<string, number> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(v);
    if (!m) throw new FlowsentryError('FS_ERR_USAGE', `--${flag} takes NAME=VALUE (e.g. synflood=4000), got '${v}'`);
    out[m[1]!] = numberOption(`${flag} ${m[1]}`, m[2], 0, min, max);
  }
  return out;
}

async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const out = (s: string): void => void process.stdout.write(s + '\n');
  const err = (s: string): void => void process.stderr.write(s + '\n');
  switch (sub) {
    case 'up': {
      parseCommandArgs('lab up', rest, {});
      const r = await labUp(err);
      const st = labStatus();
      out(r === 'already-up' ? 'lab: already up' : 'lab: up');
      out(`capture: namespace ${st.monitor.namespace}, interface ${st.monitor.interface}`);
      return 0;
    }
    case 'down': {
      parseCommandArgs('lab down', rest, {});
      const removed = await labDown();
      out(removed.length ? `lab: removed ${removed.join(', ')}` : 'lab: nothing to remove');
      return 0;
    }
    case 'status': {
      const { values } = parseCommandArgs('lab status', rest, { json: { type: 'boolean' } });
      const st = labStatus();
      if (values.json) {
        out(JSON.stringify(st, null, 2));
      } else {
        out(`lab: ${st.up ? 'up' : st.namespaces.length ? 'partial (run lab down, then lab up)' : 'down'}`);
        out(`capture: namespace ${st.monitor.namespace}, interface ${st.monitor.interface}`);
        for (const [h, v] of Object.entries(st.hosts)) out(`${h.padEnd(9)} ns ${v.namespace.padEnd(12)} ${v.ipv4.padEnd(12)} ${v.ipv6}`);
        for (const s of st.services) out(`service ${s.name.padEnd(11)} pid ${String(s.pid).padEnd(8)} ${s.alive ? 'running' : 'DEAD'}`);
        for (const p of st.isolation) out(`ISOLATION PROBLEM: ${p}`);
      }
      return st.up ? 0 : 1;
    }
    case 'scenarios': {
      for (const name of scenarioNames()) out(`${name.padEnd(18)} ${SCENARIOS[name]?.summary ?? ''}`);
      return 0;
    }
    case 'run': {
      const { values, positionals } = parseCommandArgs('lab run', rest, {
        seconds: { type: 'string' }, rate: { type: 'string' }, out: { type: 'string' }, 'no-benign': { type: 'boolean' },
        'step-rate': { type: 'string', multiple: true }, 'step-seconds': { type: 'string', multiple: true },
      }, true);
      const name = positionals[0];
      if (name === undefined || positionals.length > 1) throw new FlowsentryError('FS_ERR_USAGE', `lab run takes one scenario (${scenarioNames().join(', ')})`);
      const result = await runScenario({
        scenario: name,
        seconds: values.seconds === undefined ? undefined : numberOption('seconds', values.seconds, 20, 1, 86_400),
        rate: numberOption('rate', values.rate, 500, 0, 10_000_000),
        stepRate: stepSettings('step-rate', values['step-rate'], 0, 10_000_000),
        stepSeconds: stepSettings('step-seconds', values['step-seconds'], 0.05, 86_400),
        outDir: values.out,
        benign: !values['no-benign'],
        log: err,
      });
      out(`capture: ${result.capture}`);
      out(`truth:   ${result.truth}`);
      return result.interrupted ? 130 : 0;
    }
    case 'score': {
      const { values } = parseCommandArgs('lab score', rest, {
        alerts: { type: 'string' }, truth: { type: 'string' }, json: { type: 'boolean' }, 'grace-ms': { type: 'string' },
      });
      if (!values.alerts || !values.truth) throw new FlowsentryError('FS_ERR_USAGE', 'lab score needs --alerts EVE.jsonl and --truth truth.json');
      const report = scoreFiles(values.alerts, values.truth, { graceMs: numberOption('grace-ms', values['grace-ms'], 2000, 0, 3_600_000) });
      out(values.json ? JSON.stringify(report, null, 2) : formatScore(report));
      return 0;
    }
    case 'dataset': {
      const { values } = parseCommandArgs('lab dataset', rest, {
        truth: { type: 'string' }, capture: { type: 'string' }, output: { type: 'string', short: 'o' },
        'feature-set': { type: 'string' }, 'grace-ms': { type: 'string' },
      });
      const output = values.output;
      if (!values.truth || !values.capture || !output) throw new FlowsentryError('FS_ERR_USAGE', 'lab dataset needs --truth, --capture and -o flows.csv');
      const fsId = values['feature-set'] ?? 'cic2017';
      if (!(FEATURE_SET_IDS as readonly string[]).includes(fsId)) throw new FlowsentryError('FS_ERR_USAGE', `--feature-set must be one of ${FEATURE_SET_IDS.join(', ')}`);
      const s = await labDataset({
        truth: values.truth, capture: values.capture, output, featureSet: fsId as FeatureSetId,
        graceMs: numberOption('grace-ms', values['grace-ms'], 1000, 0, 3_600_000),
      });
      out(`lab dataset: ${s.flows} flows from ${s.packets} packets written to ${output} (${Object.entries(s.labels).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      return 0;
    }
    default:
      throw new FlowsentryError('FS_ERR_USAGE', `lab: unknown subcommand '${sub ?? ''}' (up, down, status, scenarios, run, score, dataset)`);
  }
}

export const command: Command = { name: 'lab', summary: 'isolated traffic lab: up/down/run scenarios/score alerts', help, run };
