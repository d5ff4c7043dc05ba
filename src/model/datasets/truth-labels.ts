/**
 * Ground-truth labelling of flows from a lab episode file:
 *   { "episodes": [ { "label": "synflood", "attacker": ["10.0.0.2", "fd00::2"], "victim": ["10.0.0.1"],
 *                     "start_us": 0, "end_us": 0 } ] }
 * A flow gets an episode's label when one endpoint is an attacker address and the other a victim
 * address (either direction) and its time span [start, end] overlaps [start_us, end_us] (inclusive);
 * otherwise BENIGN. The first matching episode in file order wins. Addresses are compared in
 * canonical form (IPv6 compressed lower-case, so "FD00:0::2" equals "fd00::2").
 * Exported for the lab, which labels its own captures with the same rule.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { FlowsentryError } from '../../errors.js';

export interface TruthEpisode {
  readonly label: string;
  readonly attacker: readonly string[];
  readonly victim: readonly string[];
  readonly start_us: number;
  readonly end_us: number;
}

export interface GroundTruth {
  readonly episodes: readonly TruthEpisode[];
}

export interface FlowEndpoints {
  readonly src: string;
  readonly dst: string;
  /** Flow start and end, microseconds since the Unix epoch. */
  readonly startUs: number;
  readonly endUs: number;
}

export const BENIGN_LABEL = 'BENIGN';

/** Canonical text of an IP address (IPv6 via the WHATWG URL host serialiser); other text unchanged. */
export function canonicalIp(addr: string): string {
  const a = addr.trim();
  const v = isIP(a);
  if (v === 6) return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  if (v === 4) return a;
  return a.toLowerCase();
}

/** Validates parsed JSON as a ground-truth file (errors name the file and the offending episode field). */
export function parseGroundTruth(json: unknown, source = 'truth'): GroundTruth {
  const fail = (d: string): never => {
    throw new FlowsentryError('FS_ERR_DATASET', `${source}: ${d}`);
  };
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { episodes?: unknown }).episodes)) fail("expected an object with an 'episodes' array");
  const eps = (json as { episodes: unknown[] }).episodes;
  return {
    episodes: eps.map((e, i) => {
      const o = e as Record<string, unknown>;
      if (typeof o !== 'object' || o === null) fail(`episodes[${i}] is not an object`);
      if (typeof o.label !== 'string' || o.label === '') fail(`episodes[${i}].label must be a non-empty string`);
      for (const k of ['attacker', 'victim'] as const) {
        const v = o[k];
        if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string' && isIP(a.trim()) !== 0)) fail(`episodes[${i}].${k} must be a non-empty array of IP addresses`);
      }
      for (const k of ['start_us', 'end_us'] as const) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) fail(`episodes[${i}].${k} must be a number (µs since epoch)`);
      if ((o.end_us as number) < (o.start_us as number)) fail(`episodes[${i}]: end_us < start_us`);
      return {
        label: o.label as string,
        attacker: (o.attacker as string[]).map(canonicalIp),
        victim: (o.victim as string[]).map(canonicalIp),
        start_us: o.start_us as number,
        end_us: o.end_us as number,
      };
    }),
  };
}

export function readGroundTruth(file: string): GroundTruth {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FlowsentryError('FS_ERR_DATASET', `${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseGroundTruth(json, file);
}

/** Returns a fast labeller (address sets precomputed) implementing the rule above. */
export function createLabeller(truth: GroundTruth): (flow: FlowEndpoints) => string {
  const eps = truth.episodes.map((e) => ({ ...e, a: new Set(e.attacker.map(canonicalIp)), v: new Set(e.victim.map(canonicalIp)) }));
  return (flow) => {
    const s = canonicalIp(flow.src);
    const d = canonicalIp(flow.dst);
    for (const e of eps) {
      const pair = (e.a.has(s) && e.v.has(d)) || (e.a.has(d) && e.v.has(s));
      if (pair && flow.startUs <= e.end_us && flow.endUs >= e.start_us) return e.label;
    }
    return BENIGN_LABEL;
  };
}

export function labelFlow(truth: GroundTruth, flow: FlowEndpoints): string {
  return createLabeller(truth)(flow);
}
