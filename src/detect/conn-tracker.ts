/**
 * slow_conn: connection-exhaustion attacks (slowloris, slow body / slow read). Each connection is
 * polite and nearly idle, so neither per-flow rates nor packet rates stand out; what stands out is
 * how many connections one client holds open to one service at the same time. A browser keeps ~6
 * per host; slowloris keeps hundreds.
 *
 * Exact concurrency in O(1): a bounded table keyed by (client, server, port) counts established TCP
 * connections up when the handshake completes (or the server is seen sending data mid-stream) and
 * down when the flow ends. The key is hashed (two 32-bit address digests + port), so IPv4 and IPv6
 * cost the same; a per-slot generation makes decrements for a replaced entry harmless.
 */
import { formatIp } from '../decode/decode.js';
import type { PacketView } from '../decode/packet-view.js';
import { thresholdConfidence, type Alert } from './alert.js';
import { HostTable, hashAddr } from './host-table.js';

export interface SlowConnConfig {
  enabled: boolean;
  /** Concurrent established connections from one client to one service that raise an alert. */
  concurrent: number;
}

export class ConnTracker {
  private readonly pairs: HostTable;
  private readonly open: Float64Array;
  private readonly gen: Float64Array;
  private readonly lastAlert: Float64Array;
  /** Per meter slot: pair slot + 1 (0 = not counted) and the pair generation at increment. */
  private flowPair: Int32Array;
  private flowGen: Float64Array;
  private nextGen = 1;

  constructor(private readonly cfg: SlowConnConfig, capacity: number, flowCapacity: number, private readonly cooldownUs: number, private readonly onAlert: (a: Alert) => void) {
    this.pairs = new HostTable(capacity);
    const cap = this.pairs.capacity;
    this.open = new Float64Array(cap);
    this.gen = new Float64Array(cap);
    this.lastAlert = new Float64Array(cap);
    this.flowPair = new Int32Array(flowCapacity);
    this.flowGen = new Float64Array(flowCapacity);
    this.pairs.onReset = (s) => {
      this.open[s] = 0;
      this.gen[s] = this.nextGen++;
      this.lastAlert[s] = -Infinity;
    };
  }

  /** A TCP connection of meter slot `slot` became established; `fwd` = the packet came from the client. */
  established(v: PacketView, slot: number, fwd: boolean, now: number, flowId: number): void {
    if (!this.cfg.enabled) return;
    if (slot >= this.flowPair.length) this.grow(slot + 1);
    const ver = v.ipVersion;
    const hc = fwd ? hashAddr(ver, v.src0, v.src1, v.src2, v.src3, 0x3c6ef372) : hashAddr(ver, v.dst0, v.dst1, v.dst2, v.dst3, 0x3c6ef372);
    const hs = fwd ? hashAddr(ver, v.dst0, v.dst1, v.dst2, v.dst3, 0xa54ff53a) : hashAddr(ver, v.src0, v.src1, v.src2, v.src3, 0xa54ff53a);
    const port = fwd ? v.dstPort : v.srcPort;
    const p = this.pairs.lookup(ver, hc, hs, port, 0, now, -1);
    this.open[p]++;
    this.flowPair[slot] = p + 1;
    this.flowGen[slot] = this.gen[p];
    const c = this.cfg.concurrent;
    if (this.open[p] < c || now - this.lastAlert[p] < this.cooldownUs) return;
    this.lastAlert[p] = now;
    const client = fwd ? formatIp(ver, v.src0, v.src1, v.src2, v.src3) : formatIp(ver, v.dst0, v.dst1, v.dst2, v.dst3);
    const server = fwd ? formatIp(ver, v.dst0, v.dst1, v.dst2, v.dst3) : formatIp(ver, v.src0, v.src1, v.src2, v.src3);
    const n = this.open[p];
    this.onAlert({
      tsUs: now, detector: 'slow_conn', attackType: 'slowdos', confidence: thresholdConfidence(n, c), severity: 1,
      srcIp: client, srcPort: null, destIp: server, destPort: port, proto: 'TCP', flowId,
      evidence: { concurrent_connections: n, threshold_connections: c },
      topFeatures: [{ name: 'concurrent_connections', value: n, weight: 1 }],
      signature: `connection exhaustion: ${client} holds ${n} open connections to ${server}:${port}`,
      key: `${client}|${server}|slow_conn`,
    });
  }

  /** Meter slot `slot` ended (called before the slot is reused). */
  ended(slot: number): void {
    if (slot >= this.flowPair.length) return;
    const p1 = this.flowPair[slot];
    if (p1 === 0) return;
    this.flowPair[slot] = 0;
    const p = p1 - 1;
    if (this.gen[p] === this.flowGen[slot] && this.open[p] > 0) this.open[p]--;
  }

  /** Open connections currently counted (tests, stats). */
  totalOpen(): number {
    let n = 0;
    for (let i = 0; i < this.open.length; i++) n += this.open[i];
    return n;
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.flowPair.length * 2);
    const a = new Int32Array(cap);
    a.set(this.flowPair);
    this.flowPair = a;
    const g = new Float64Array(cap);
    g.set(this.flowGen);
    this.flowGen = g;
  }
}
