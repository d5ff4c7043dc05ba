import type { Command } from '../command.js';

/** A registered subcommand: listed without loading it, imported only when run (fast startup). */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

const entry = (name: string, summary: string, load: () => Promise<{ command: Command }>): CommandEntry => ({
  name,
  summary,
  load: async () => (await load()).command,
});

/** Every subcommand, in the order `flowsentry --help` lists them. Adding one is one line here. */
export const COMMANDS: readonly CommandEntry[] = [
  entry('features', 'extract flows and CICIDS2017 features from a capture file (CSV / JSONL)', () => import('./features.js')),
  entry('interfaces', 'list capture interfaces (libpcap)', () => import('./interfaces.js')),
  entry('lab', 'network-namespace attack lab: up, down, status, run, score, dataset', () => import('./lab.js')),
  entry('train', 'train a Random Forest model from NSL-KDD, CICIDS2017 or labelled flow CSVs', () => import('./train.js')),
  entry('evaluate', 'evaluate a model on labelled NSL-KDD, CICIDS2017 or flow CSV data', () => import('./evaluate.js')),
  entry('monitor', 'live detection on a network interface (flows, forest verdicts, host detectors, alerts)', () => import('./monitor.js')),
  entry('analyze', 'run the detector on a capture file (offline, or --realtime at capture speed)', () => import('./analyze.js')),
  entry('config', 'print or check the effective sensor configuration', () => import('./config.js')),
];
