/**
 * truth.json: what a lab run did and when. The model helper's loader labels flows from `episodes`
 * with exactly these field names, so they are a contract (docs/lab.md).
 */
import { readFileSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';

export interface HostAddrs {
  ipv4: string;
  ipv6: string;
}

export interface Episode {
  /** Attack class (synflood, udpflood, icmpflood, portscan, slowloris, slowbody, httpdos, bruteforce). */
  label: string;
  tool: string;
  /** The exact argv that ran, joined with spaces (for humans; it was never given to a shell). */
  command: string;
  /** Addresses the attack was sent from (the attacker host; spoofed sources are not listed). */
  attacker: string[];
  victim: string[];
  /** Epoch microseconds: just before the tool started and just after it had exited. */
  start_us: number;
  end_us: number;
  /** Extra (optional): true when packets carry random spoofed source addresses (hping3 --rand-source). */
  spoofed_sources?: boolean;
  /** Extra (optional): IP version of the attack traffic. */
  ip_version?: 4 | 6;
}

export interface Truth {
  scenario: string;
  created: string;
  hosts: Record<string, HostAddrs>;
  capture: string;
  interface: string;
  episodes: Episode[];
  /** Extra (optional): the run was stopped by SIGINT/SIGTERM; episodes end when the tools were stopped. */
  interrupted?: boolean;
  /** Extra (optional): run parameters and notes (e.g. tools not packaged). */
  seconds?: number;
  rate?: number;
  /** Extra (optional): per-step rate / window overrides of the run (`--step-rate`, `--step-seconds`). */
  step_rate?: Record<string, number>;
  step_seconds?: Record<string, number>;
  notes?: string[];
}

function bad(file: string, what: string): never {
  throw new FlowsentryError('FS_ERR_DATASET', `${file}: ${what}`);
}

const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validates the fields every consumer relies on; unknown extra fields are kept. */
export function parseTruth(text: string, file = 'truth.json'): Truth {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    bad(file, `not JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null) bad(file, 'not a JSON object');
  const t = v as Record<string, unknown>;
  if (typeof t.scenario !== 'string') bad(file, "missing string 'scenario'");
  if (!Array.isArray(t.episodes)) bad(file, "missing array 'episodes'");
  if (typeof t.hosts !== 'object' || t.hosts === null) bad(file, "missing object 'hosts'");
  t.episodes.forEach((e: unknown, i: number) => {
    const ep = e as Record<string, unknown>;
    if (typeof ep !== 'object' || ep === null) bad(file, `episodes[${i}] is not an object`);
    if (typeof ep.label !== 'string') bad(file, `episodes[${i}].label is not a string`);
    if (!isStrArray(ep.attacker) || !isStrArray(ep.victim)) bad(file, `episodes[${i}].attacker/victim must be string arrays`);
    if (typeof ep.start_us !== 'number' || typeof ep.end_us !== 'number' || !(ep.end_us >= ep.start_us)) {
      bad(file, `episodes[${i}] needs numeric start_us <= end_us`);
    }
  });
  return t as unknown as Truth;
}

export function readTruth(file: string): Truth {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${file}: ${(err as Error).message}`);
  }
  return parseTruth(text, file);
}
