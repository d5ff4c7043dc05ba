/**
 * The flow record: the first point where the pipeline allocates an object per flow. Every sink (CSV,
 * JSONL/EVE, console, dashboard, NATS) consumes this one schema. Vocabulary: Zeek's conn_state/history,
 * Suricata EVE's field names for endpoints (src_ip, dest_ip, ...).
 */
import { formatIp } from '../decode/decode.js';
import { IpProto } from '../decode/packet-view.js';
import { Dir } from '../features/feature-set.js';
import type { FlowMeter } from './meter.js';
import { END_REASON_NAMES, type EndReason } from './meter-config.js';

export interface FlowRecord {
  /** Unique per sensor run; joins flow and alert events (EVE flow_id). */
  readonly flowId: number;
  readonly ipVersion: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  readonly proto: number;
  /** Initiator (first packet's source) → responder. */
  readonly srcIp: string;
  readonly srcPort: number;
  readonly destIp: string;
  readonly destPort: number;
  /** µs since epoch. */
  readonly startUs: number;
  readonly endUs: number;
  readonly pktsToServer: number;
  readonly pktsToClient: number;
  /** IP-level bytes (sum of IP total lengths) per direction. */
  readonly bytesToServer: number;
  readonly bytesToClient: number;
  /** Zeek conn_state for TCP ('' for other protocols). */
  readonly connState: string;
  /** Zeek history letters for TCP ('' for other protocols). */
  readonly history: string;
  /** idle | active | fin | rst | evicted | shutdown | reused | open (provisional). */
  readonly reason: string;
}

export const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'IPv6-ICMP' };

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

/** Endpoint of the flow's initiator / responder as [ip, port]. */
export function endpoints(m: FlowMeter, slot: number): { srcIp: string; srcPort: number; destIp: string; destPort: number } {
  const t = m.table;
  const v = t.version(slot);
  const ipA = formatIp(v, t.addrA(slot, 0), t.addrA(slot, 1), t.addrA(slot, 2), t.addrA(slot, 3));
  const ipB = formatIp(v, t.addrB(slot, 0), t.addrB(slot, 1), t.addrB(slot, 2), t.addrB(slot, 3));
  return m.initiatorIsA(slot) === 1
    ? { srcIp: ipA, srcPort: t.portA(slot), destIp: ipB, destPort: t.portB(slot) }
    : { srcIp: ipB, srcPort: t.portB(slot), destIp: ipA, destPort: t.portA(slot) };
}

export function buildRecord(m: FlowMeter, slot: number, reason: EndReason | 'open'): FlowRecord {
  const e = endpoints(m, slot);
  const isTcp = m.table.proto(slot) === IpProto.TCP;
  return {
    flowId: m.flowSeq(slot),
    ipVersion: m.table.version(slot),
    proto: m.table.proto(slot),
    ...e,
    startUs: m.firstTs(slot),
    endUs: m.lastTs(slot),
    pktsToServer: m.packets(slot, Dir.FWD),
    pktsToClient: m.packets(slot, Dir.BWD),
    bytesToServer: m.ipBytes(slot, Dir.FWD),
    bytesToClient: m.ipBytes(slot, Dir.BWD),
    connState: isTcp ? m.tcp.connState(slot) : '',
    history: isTcp ? m.tcp.history(slot) : '',
    reason: reason === 'open' ? 'open' : END_REASON_NAMES[reason],
  };
}
