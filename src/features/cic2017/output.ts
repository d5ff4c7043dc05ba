/**
 * CSV / JSON Lines output of the CICIDS2017 feature sets. The CSV header comes from the column table
 * (columns.ts); compat mode prints values as CICFlowMeter-V3 did (Java Double.toString for doubles,
 * `dd/MM/yyyy hh:mm:ss` local-time timestamps, protocol 0 for non-TCP/UDP, the signed-byte Flow ID),
 * corrected mode prints plain numbers and ISO-8601 UTC timestamps.
 */
import { IpProto } from '../../decode/packet-view.js';
import { formatIp } from '../../decode/decode.js';
import type { FlowMeter } from '../../flow/meter.js';
import type { FlowTable } from '../../flow/table.js';
import { endpoints } from '../../flow/record.js';
import type { EndedFlow } from '../../pipeline/pipeline.js';
import type { LineWriter } from '../../util/line-writer.js';
import { put2, put8 } from '../../util/digits.js';
import { MAX_NUMBER_CHARS, writeAscii, writeNumberAt, writeUint } from '../../util/number-format.js';
import { CIC_FEATURE_COLUMNS, machineLearningHeader, trafficLabellingHeader } from './columns.js';

export type HeaderVariant = 'tl' | 'ml';

/** Java's Double.toString for the values CICFlowMeter prints (close enough for parsing back exactly). */
export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(v);
    return Number.isInteger(v) ? s + '.0' : s;
  }
  // scientific: mantissa with at least one fractional digit, 'E' and no '+'
  const [m, e] = v.toExponential().split('e');
  return (m.includes('.') ? m : m + '.0') + 'E' + (e.startsWith('+') ? e.slice(1) : e);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** CICFlowMeter-V3 timestamp: local time, `dd/MM/yyyy hh:mm:ss` (12-hour clock, no AM/PM). */
export function cicTimestamp(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const h = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  return `${pad2(d.getDate())}/${pad2(d.getMonth() + 1)}/${d.getFullYear()} ${pad2(h)}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

let isoMinute = NaN;
let isoMinutePrefix = '';

/** The cached `YYYY-MM-DDTHH:MM:` prefix of the minute holding `us` (one Date per minute, not per flow). */
function isoPrefix(minute: number): string {
  if (minute !== isoMinute) {
    isoMinute = minute;
    isoMinutePrefix = new Date(minute * 60000).toISOString().slice(0, 17);
  }
  return isoMinutePrefix;
}

/** ISO-8601 UTC with microseconds (2015-03-31T11:32:22.297551Z). */
export function isoMicros(us: number): string {
  const minute = Math.floor(us / 60e6);
  const inMinute = Math.floor(us - minute * 60e6); // µs within the minute
  const sec = Math.floor(inMinute / 1e6);
  const micro = inMinute - sec * 1e6;
  return isoPrefix(minute) + (sec < 10 ? '0' : '') + sec + '.' + String(micro).padStart(6, '0') + 'Z';
}

/** isoMicros() written into a buffer (27 bytes), without building the string. */
export function writeIsoMicros(b: Uint8Array, p: number, us: number): number {
  const minute = Math.floor(us / 60e6);
  const inMinute = Math.floor(us - minute * 60e6);
  const sec = Math.floor(inMinute / 1e6);
  p = writeAscii(b, p, isoPrefix(minute));
  // SS.uuuuuu: put8 writes the µs as 8 digits whose two padding zeros land where the seconds and the
  // point then go
  put8(b, p + 1, inMinute - sec * 1e6);
  put2(b, p, sec);
  b[p + 2] = DOT;
  b[p + 9] = 90; // 'Z'
  return p + 10;
}

/** ISO-8601 UTC with microseconds, the straightforward way (the reference isoMicros is tested against). */
export function isoMicrosSlow(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2015-03-31T11:32:22.123Z
  const micros = Math.floor(us - ms * 1000);
  return iso.slice(0, 23) + String(micros).padStart(3, '0') + 'Z';
}

/**
 * CICFlowMeter's Flow ID: the two IPs compared byte by byte as *signed* Java bytes; the smaller one's
 * endpoint comes first (so 192.x sorts before 104.x). Words are big-endian address words.
 */
export function cicFlowId(
  version: number, src: ArrayLike<number>, srcIp: string, srcPort: number,
  dst: ArrayLike<number>, dstIp: string, dstPort: number, proto: number,
): string {
  let forward = true;
  const n = version === 4 ? 1 : 4;
  for (let w = 0; w < n; w++) {
    if (src[w] !== dst[w]) {
      forward = wordSignedLess(src[w], dst[w]);
      break;
    }
  }
  return forward ? `${srcIp}-${dstIp}-${srcPort}-${dstPort}-${proto}` : `${dstIp}-${srcIp}-${dstPort}-${srcPort}-${proto}`;
}

export interface CicRowWriterOptions {
  compat: boolean;
  header: HeaderVariant;
  /** Value for the Label column. */
  label?: string;
}

/** Writes one CSV line per flow. */
export class CicCsvWriter {
  private readonly types = CIC_FEATURE_COLUMNS.map((c) => c.type === 'double');
  private readonly label: string;

  constructor(private readonly out: LineWriter, private readonly opts: CicRowWriterOptions) {
    this.label = opts.label ?? (opts.compat ? 'BENIGN' : '');
    out.write((opts.header === 'tl' ? trafficLabellingHeader() : machineLearningHeader()).join(',') + '\n');
  }

  write(f: EndedFlow): void {
    const out = this.out;
    const m = f.meter;
    const slot = f.slot;
    const t = m.table;
    if (this.opts.header === 'tl') {
      this.writeIdentifiers(m, slot);
    } else {
      out.integer(m.initiatorIsA(slot) === 1 ? t.portB(slot) : t.portA(slot));
    }
    // one reservation for the whole row, the position in a local (number-format.ts says why)
    const row = f.row;
    const b = out.reserve(row.length * (MAX_NUMBER_CHARS + 1) + 2);
    let p = out.pos;
    if (this.opts.compat) {
      const types = this.types;
      for (let i = 0; i < row.length; i++) {
        b[p++] = COMMA;
        p = types[i] ? writeJavaDouble(b, p, row, i) : writeNumberAt(b, p, row, i);
      }
    } else {
      for (let i = 0; i < row.length; i++) {
        b[p++] = COMMA;
        p = writeNumberAt(b, p, row, i);
      }
    }
    b[p++] = COMMA;
    out.pos = p;
    if (this.label.length !== 0) out.write(this.label);
    out.byte(NEWLINE);
  }

  /**
   * The seven identifier columns written byte by byte: the same text as cicIdentifiers() without its
   * ~8 strings and objects per row (IPv6 addresses still go through formatIp).
   */
  private writeIdentifiers(m: FlowMeter, slot: number): void {
    const out = this.out;
    const t = m.table;
    const aIsSrc = m.initiatorIsA(slot) === 1;
    const srcPort = aIsSrc ? t.portA(slot) : t.portB(slot);
    const dstPort = aIsSrc ? t.portB(slot) : t.portA(slot);
    const realProto = t.proto(slot);
    const compat = this.opts.compat;
    const proto = compat && realProto !== IpProto.TCP && realProto !== IpProto.UDP ? 0 : realProto;
    // Flow ID order: cicFlowId()'s signed-byte comparison of the two addresses
    const forward = srcSortsFirst(t, slot, aIsSrc);
    // 4 addresses (≤ 45 bytes each as IPv6 text), 6 ports/protocols, the timestamp, separators
    const b = out.reserve(320);
    let p = out.pos;
    p = writeIp(b, p, t, slot, forward === aIsSrc);
    b[p++] = DASH;
    p = writeIp(b, p, t, slot, forward !== aIsSrc);
    b[p++] = DASH;
    p = writeUint(b, p, forward ? srcPort : dstPort);
    b[p++] = DASH;
    p = writeUint(b, p, forward ? dstPort : srcPort);
    b[p++] = DASH;
    p = writeUint(b, p, proto);
    b[p++] = COMMA;
    p = writeIp(b, p, t, slot, aIsSrc);
    b[p++] = COMMA;
    p = writeUint(b, p, srcPort);
    b[p++] = COMMA;
    p = writeIp(b, p, t, slot, !aIsSrc);
    b[p++] = COMMA;
    p = writeUint(b, p, dstPort);
    b[p++] = COMMA;
    p = writeUint(b, p, proto);
    b[p++] = COMMA;
    p = compat ? writeAscii(b, p, cicTimestamp(m.firstTs(slot))) : writeIsoMicros(b, p, m.firstTs(slot));
    out.pos = p;
  }
}

const COMMA = 44;
const NEWLINE = 10;
const DASH = 45;
const DOT = 46;

/** Endpoint A's (or B's) address: IPv4 digit by digit, IPv6 through formatIp. */
function writeIp(b: Uint8Array, p: number, t: FlowTable, slot: number, endpointA: boolean): number {
  if (t.version(slot) === 4) return writeV4(b, p, endpointA ? t.addrA(slot, 0) : t.addrB(slot, 0));
  return writeAscii(b, p, endpointA ? formatIp(6, t.addrA(slot, 0), t.addrA(slot, 1), t.addrA(slot, 2), t.addrA(slot, 3))
    : formatIp(6, t.addrB(slot, 0), t.addrB(slot, 1), t.addrB(slot, 2), t.addrB(slot, 3)));
}

/** cicFlowId()'s order: does the initiator's address sort first (or equal the responder's)? */
function srcSortsFirst(t: FlowTable, slot: number, aIsSrc: boolean): boolean {
  const n = t.version(slot) === 4 ? 1 : 4;
  for (let w = 0; w < n; w++) {
    const a = t.addrA(slot, w);
    const b = t.addrB(slot, w);
    if (a !== b) return aIsSrc ? wordSignedLess(a, b) : wordSignedLess(b, a);
  }
  return true;
}

function writeV4(b: Uint8Array, p: number, w: number): number {
  p = writeUint(b, p, w >>> 24);
  b[p++] = DOT;
  p = writeUint(b, p, (w >>> 16) & 0xff);
  b[p++] = DOT;
  p = writeUint(b, p, (w >>> 8) & 0xff);
  b[p++] = DOT;
  return writeUint(b, p, w & 0xff);
}

/** Flow ID order of two address words: true when `src` sorts first (bytes compared as signed Java bytes), or equal. */
function wordSignedLess(src: number, dst: number): boolean {
  for (let sh = 24; sh >= 0; sh -= 8) {
    const x = ((src >>> sh) << 24) >> 24;
    const y = ((dst >>> sh) << 24) >> 24;
    if (x !== y) return x < y;
  }
  return true;
}

/** javaDouble() written into a buffer, without allocating for the common cases ("714.0", "3.5"). */
function writeJavaDouble(b: Uint8Array, p: number, row: Float64Array, i: number): number {
  const v = row[i]!;
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e7 && !(v === 0 && 1 / v < 0)) {
    p = writeNumberAt(b, p, row, i);
    b[p] = DOT;
    b[p + 1] = 48; // '0'
    return p + 2;
  }
  // a non-integer in Java's plain-notation range: javaDouble(v) === String(v)
  if (a >= 1e-3 && a < 1e7) return writeNumberAt(b, p, row, i);
  return writeAscii(b, p, javaDouble(v));
}

export interface CicIdentifiers {
  flowId: string;
  srcIp: string;
  srcPort: number;
  destIp: string;
  destPort: number;
  proto: number;
  timestamp: string;
}

export function cicIdentifiers(m: FlowMeter, slot: number, compat: boolean): CicIdentifiers {
  const e = endpoints(m, slot);
  const realProto = m.table.proto(slot);
  // CICFlowMeter-V3 only knew TCP and UDP; every other IP protocol became 0 with ports 0
  const proto = compat && realProto !== IpProto.TCP && realProto !== IpProto.UDP ? 0 : realProto;
  const t = m.table;
  const a = t.addrAView(slot);
  const b = t.addrBView(slot);
  const aIsSrc = m.initiatorIsA(slot) === 1;
  const flowId = cicFlowId(t.version(slot), aIsSrc ? a : b, e.srcIp, e.srcPort, aIsSrc ? b : a, e.destIp, e.destPort, proto);
  return {
    flowId,
    srcIp: e.srcIp,
    srcPort: e.srcPort,
    destIp: e.destIp,
    destPort: e.destPort,
    proto,
    timestamp: compat ? cicTimestamp(m.firstTs(slot)) : isoMicros(m.firstTs(slot)),
  };
}

/** Writes one JSON object per flow: identifiers plus every feature by column name. */
export class CicJsonlWriter {
  private readonly names = CIC_FEATURE_COLUMNS.map((c) => JSON.stringify(c.name));

  constructor(private readonly out: LineWriter, private readonly compat: boolean) {}

  write(f: EndedFlow): void {
    const out = this.out;
    const ids = cicIdentifiers(f.meter, f.slot, this.compat);
    out.ascii('{"flow_id":');
    out.integer(f.meter.flowSeq(f.slot));
    out.ascii(`,"cic_flow_id":"${ids.flowId}","src_ip":"${ids.srcIp}","src_port":${ids.srcPort},"dest_ip":"${ids.destIp}","dest_port":${ids.destPort},"proto":${ids.proto},"timestamp":"${isoMicros(f.meter.firstTs(f.slot))}"`);
    const row = f.row;
    for (let i = 0; i < row.length; i++) {
      out.byte(44);
      out.write(this.names[i]);
      out.byte(58);
      const v = row[i];
      // JSON has no Infinity/NaN: write them as strings so nothing is lost
      if (Number.isFinite(v)) out.number(v);
      else out.ascii(`"${v}"`);
    }
    out.ascii('}\n');
  }
}
