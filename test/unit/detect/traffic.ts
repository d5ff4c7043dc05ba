/**
 * Synthetic traffic for detector tests: PacketViews fed through a real FlowMeter and the host
 * detectors, exactly as the pipeline does (meter first, then observers).
 */
import { PacketView, TcpFlag } from '../../../src/decode/packet-view.js';
import type { Alert } from '../../../src/detect/alert.js';
import { DEFAULT_HOST_DETECTORS, HostDetectors, type HostDetectorConfig } from '../../../src/detect/host-detectors.js';
import { Cic2017Features } from '../../../src/features/cic2017/features.js';
import { FlowMeter } from '../../../src/flow/meter.js';

export const T0 = 1_700_000_000e6;

export function ip4(s: string): number {
  return s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
}

/** An IPv6 address as four big-endian 32-bit words (full or '::'-compressed form). */
export function ip6(s: string): [number, number, number, number] {
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return [0, 1, 2, 3].map((i) => ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0) as [number, number, number, number];
}

export interface Pkt {
  t: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: number;
  flags?: number;
  payload?: number;
  icmpType?: number;
}

export class Harness {
  readonly alerts: Alert[] = [];
  readonly meter = new FlowMeter([new Cic2017Features({ mode: 'corrected' })], { capacity: 1 << 16 });
  readonly hd: HostDetectors;
  private readonly v = new PacketView();
  private sent = 0;

  constructor(cfg: Partial<HostDetectorConfig> = {}) {
    this.hd = new HostDetectors({ ...structuredClone(DEFAULT_HOST_DETECTORS), ...cfg }, (a) => this.alerts.push(a), 1 << 16);
    this.meter.onFlowEnd = (slot) => this.hd.flowEnded(slot);
  }

  send(p: Pkt): void {
    const v = this.v;
    const proto = p.proto ?? 6;
    v.tsUs = p.t;
    const six = p.src.includes(':');
    v.ipVersion = six ? 6 : 4;
    v.proto = proto;
    v.hasL4 = 1;
    if (six) {
      [v.src0, v.src1, v.src2, v.src3] = ip6(p.src);
      [v.dst0, v.dst1, v.dst2, v.dst3] = ip6(p.dst);
    } else {
      v.src0 = ip4(p.src);
      v.dst0 = ip4(p.dst);
      v.src1 = v.src2 = v.src3 = v.dst1 = v.dst2 = v.dst3 = 0;
    }
    v.srcPort = p.sport ?? 0;
    v.dstPort = p.dport ?? 0;
    v.tcpFlags = proto === 6 ? (p.flags ?? TcpFlag.SYN) : 0;
    v.icmpType = p.icmpType ?? 0;
    v.payloadLen = p.payload ?? 0;
    v.l4HdrLen = proto === 6 ? 20 : 8;
    v.ipHdrLen = six ? 40 : 20;
    v.ipTotalLen = v.ipHdrLen + v.l4HdrLen + v.payloadLen;
    v.wireLen = v.capLen = 14 + v.ipTotalLen;
    this.meter.addPacket(v);
    this.hd.onPacket(v, this.meter);
    // the pipeline runs expiry once per capture batch: closed flows end, timeouts fire
    if (++this.sent % 256 === 0) this.meter.tick();
  }

  of(detector: string): Alert[] {
    return this.alerts.filter((a) => a.detector === detector);
  }
}

const { SYN, ACK, FIN, PSH } = TcpFlag;

/** A complete TCP connection moving `bytes` from server to client at `pps` data packets per second. */
export function tcpTransfer(h: Harness, t: number, client: string, server: string, sport: number, dport: number, bytes: number, pps: number): number {
  const gap = 1e6 / pps;
  h.send({ t, src: client, dst: server, sport, dport, flags: SYN });
  h.send({ t: t + 100, src: server, dst: client, sport: dport, dport: sport, flags: SYN | ACK });
  h.send({ t: t + 200, src: client, dst: server, sport, dport, flags: ACK });
  h.send({ t: t + 300, src: client, dst: server, sport, dport, flags: PSH | ACK, payload: 100 });
  let now = t + 400;
  for (let sent = 0, i = 0; sent < bytes; sent += 1448, i++) {
    h.send({ t: now, src: server, dst: client, sport: dport, dport: sport, flags: ACK, payload: Math.min(1448, bytes - sent) });
    if (i % 2 === 1) h.send({ t: now + 1, src: client, dst: server, sport, dport, flags: ACK });
    now += gap;
  }
  h.send({ t: now, src: server, dst: client, sport: dport, dport: sport, flags: FIN | ACK });
  h.send({ t: now + 100, src: client, dst: server, sport, dport, flags: FIN | ACK });
  h.send({ t: now + 200, src: server, dst: client, sport: dport, dport: sport, flags: ACK });
  return now + 200;
}
