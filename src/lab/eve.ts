/**
 * Reading the sensor's EVE JSON lines (Suricata-style). Only the fields the scorer needs are typed;
 * everything else on a line is ignored, so the sensor may add fields freely.
 */
import { readFileSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';

export interface EveAlert {
  tsUs: number;
  flowId: number | undefined;
  srcIp: string;
  destIp: string;
  proto: string;
  detector: string;
  attackType: string;
  confidence: number | undefined;
}

export interface EveFlow {
  flowId: number | undefined;
  srcIp: string;
  destIp: string;
  proto: string;
  startUs: number;
  endUs: number;
  verdict: string | undefined;
}

export interface EveFile {
  alerts: EveAlert[];
  flows: EveFlow[];
  /** Lines that were not JSON objects or lacked required fields (e.g. a half-written last line). */
  skipped: number;
  skippedExamples: string[];
}

const TS_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * EVE timestamp ("2026-11-23T12:00:00.123456+00:00", also "Z", "+0000", or no zone = UTC) to epoch µs.
 * Date.parse keeps only milliseconds, so the fraction is added separately.
 */
export function parseEveTimestamp(s: string): number | undefined {
  const m = TS_RE.exec(s.trim());
  if (!m) return undefined;
  let zone = m[3] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}${zone}`);
  if (!Number.isFinite(ms)) return undefined;
  const frac = m[2] ? Math.round(Number(`0.${m[2]}`) * 1e6) : 0;
  return ms * 1000 + frac;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function parseEve(text: string): EveFile {
  const out: EveFile = { alerts: [], flows: [], skipped: 0, skippedExamples: [] };
  const skip = (line: string): void => {
    out.skipped++;
    if (out.skippedExamples.length < 3) out.skippedExamples.push(line.slice(0, 120));
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let o: Obj;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) { skip(line); continue; }
      o = v as Obj;
    } catch {
      skip(line);
      continue;
    }
    const type = str(o.event_type);
    const srcIp = str(o.src_ip);
    const destIp = str(o.dest_ip);
    if (type === 'alert') {
      const tsUs = parseEveTimestamp(str(o.timestamp) ?? '');
      const a = (typeof o.alert === 'object' && o.alert !== null ? o.alert : {}) as Obj;
      if (tsUs === undefined || srcIp === undefined || destIp === undefined) { skip(line); continue; }
      out.alerts.push({
        tsUs, flowId: num(o.flow_id), srcIp, destIp, proto: str(o.proto) ?? '',
        detector: str(a.detector) ?? '', attackType: str(a.attack_type) ?? '', confidence: num(a.confidence),
      });
    } else if (type === 'flow') {
      const f = (typeof o.flow === 'object' && o.flow !== null ? o.flow : {}) as Obj;
      const startUs = parseEveTimestamp(str(f.start) ?? '');
      const endUs = parseEveTimestamp(str(f.end) ?? '') ?? startUs;
      if (startUs === undefined || endUs === undefined || srcIp === undefined || destIp === undefined) { skip(line); continue; }
      out.flows.push({ flowId: num(o.flow_id), srcIp, destIp, proto: str(o.proto) ?? '', startUs, endUs, verdict: str(f.verdict) });
    }
    // other event types (stats, ...) are not scored
  }
  return out;
}

export function readEve(file: string): EveFile {
  try {
    return parseEve(readFileSync(file, 'utf8'));
  } catch (err) {
    if (FlowsentryError.is(err)) throw err;
    throw new FlowsentryError('FS_ERR_FILE_OPEN', `${file}: ${(err as Error).message}`);
  }
}
