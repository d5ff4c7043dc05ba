/**
 * Per (client, server, port) connection accounting: two detectors.
 *
 * slow_conn: connection-exhaustion attacks (slowloris, slow body / slow read). Each connection is
 * polite and nearly idle, so neither per-flow rates nor packet rates stand out; what stands out is
 * how many connections one client holds open to one service at the same time. A browser keeps ~6
 * per host; slowloris keeps hundreds.
 *
 * Exact concurrency in O(1): a bounded table keyed by (client, server, port) counts established TCP
 * connections up when the handshake completes (or the server is seen sending data mid-stream) and
 * down when the flow ends. The key is hashed (two 32-bit address digests + port), so IPv4 and IPv6
 * cost the same; a per-slot generation makes decrements for a replaced entry harmless.
 *
 * bruteforce: password guessing against a login service (SSH, FTP, telnet, POP3/IMAP, RDP, VNC). Each
 * guess is a short, complete, well-formed connection — nothing a flow model or a rate detector sees
 * as odd, and one connection carries a few guesses at most (sshd MaxAuthTries, vsftpd
 * max_login_fails). What stands out is how many connections one client opens to one login service:
 * a person logs in once, patator/hydra dozens of times per second. Per pair, a decayed count of
 * established connections (w ← w·2^(−Δt/h) + 1, its own timestamp, updated only when a connection
 * to a login port is established, so it costs nothing per packet); an alert when w ≥ `connections`.
 * With h = 10 s and 20 connections: a burst of 20 logins within a few seconds, or a steady
 * ≥ 1.4 connections/s (w → rate·h/ln 2).
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

export interface BruteForceConfig {
  enabled: boolean;
  /** Decayed count of established connections from one client to one login service that raises an alert. */
  connections: number;
  /** Half-life of that count (ms). */
  halfLifeMs: number;
  /** Server ports counted as login services. */
  ports: readonly number[];
}

/** ftp, ssh, telnet, pop3, imap, imaps, pop3s, rdp, vnc: services whose connections are logins. */
export const LOGIN_PORTS: readonly number[] = Object.freeze([21, 22, 23, 110, 143, 993, 995, 3389, 5900]);

export const DEFAULT_BRUTE_FORCE: Readonly<BruteForceConfig> = Object.freeze({ enabled: true, connections: 20, halfLifeMs: 10_000, ports: LOGIN_PORTS });

export class ConnTracker {
  private readonly pairs: HostTable;
  private readonly open: Float64Array;
  private readonly gen: Float64Array;
  private readonly lastAlert: Float64Array;
  /** bruteforce: decayed connection count per pair, its timestamp, last alert. */
  private readonly bfW: Float64Array;
  private readonly bfT: Float64Array;
  private readonly bfAlert: Float64Array;
  private readonly loginPort: Uint8Array;
  private readonly bf: BruteForceConfig;
  private readonly bfHalfLifeUs: number;
  /** Per meter slot: pair slot + 1 (0 = not counted) and the pair generation at increment. */
  private flowPair: Int32Array;
  private flowGen: Float64Array;
  private nextGen = 1;

  constructor(
    private readonly cfg: SlowConnConfig, capacity: number, flowCapacity: number, private readonly cooldownUs: number,
    private readonly onAlert: (a: Alert) => void, bruteForce: BruteForceConfig = DEFAULT_BRUTE_FORCE,
  ) {
    this.pairs = new HostTable(capacity);
    const cap = this.pairs.capacity;
    this.open = new Float64Array(cap);
    this.gen = new Float64Array(cap);
    this.lastAlert = new Float64Array(cap);
    this.bfW = new Float64Array(cap);
    this.bfT = new Float64Array(cap);
    this.bfAlert = new Float64Array(cap);
    this.bf = bruteForce;
    this.bfHalfLifeUs = bruteForce.halfLifeMs * 1000;
    this.loginPort = new Uint8Array(65536);
    for (const p of bruteForce.ports) if (p >= 0 && p < 65536) this.loginPort[p] = 1;
    this.flowPair = new Int32Array(flowCapacity);
    this.flowGen = new Float64Array(flowCapacity);
    this.pairs.onReset = (s) => {
      this.open[s] = 0;
      this.gen[s] = this.nextGen++;
      this.lastAlert[s] = -Infinity;
      this.bfW[s] = 0;
      this.bfT[s] = -Infinity;
      this.bfAlert[s] = -Infinity;
    };
  }

  /** A TCP connection of meter slot `slot` became established; `fwd` = the packet came from the client. */
  established(v: PacketView, slot: number, fwd: boolean, now: number, flowId: number): void {
    const port = fwd ? v.dstPort : v.srcPort;
    const login = this.bf.enabled && this.loginPort[port] === 1;
    if (!this.cfg.enabled && !login) return;
    if (slot >= this.flowPair.length) this.grow(slot + 1);
    const ver = v.ipVersion;
    const hc = fwd ? hashAddr(ver, v.src0, v.src1, v.src2, v.src3, 0x3c6ef372) : hashAddr(ver, v.dst0, v.dst1, v.dst2, v.dst3, 0x3c6ef372);
    const hs = fwd ? hashAddr(ver, v.dst0, v.dst1, v.dst2, v.dst3, 0xa54ff53a) : hashAddr(ver, v.src0, v.src1, v.src2, v.src3, 0xa54ff53a);
    const p = this.pairs.lookup(ver, hc, hs, port, 0, now, -1);
    if (login) this.loginConnection(v, p, fwd, port, now, flowId);
    if (!this.cfg.enabled) return;
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

  /** bruteforce: one more established connection to a login service on pair `p`. */
  private loginConnection(v: PacketView, p: number, fwd: boolean, port: number, now: number, flowId: number): void {
    const dt = now - this.bfT[p];
    let w = this.bfW[p];
    if (dt > 0) w = dt === Infinity ? 0 : w * Math.exp((-Math.LN2 * dt) / this.bfHalfLifeUs);
    w += 1;
    this.bfW[p] = w;
    if (dt > 0) this.bfT[p] = now;
    const c = this.bf.connections;
    if (w < c || now - this.bfAlert[p] < this.cooldownUs) return;
    this.bfAlert[p] = now;
    const ver = v.ipVersion;
    const client = fwd ? formatIp(ver, v.src0, v.src1, v.src2, v.src3) : formatIp(ver, v.dst0, v.dst1, v.dst2, v.dst3);
    const server = fwd ? formatIp(ver, v.dst0, v.dst1, v.dst2, v.dst3) : formatIp(ver, v.src0, v.src1, v.src2, v.src3);
    const n = Math.round(w * 10) / 10;
    this.onAlert({
      tsUs: now, detector: 'bruteforce', attackType: 'bruteforce', confidence: thresholdConfidence(w, c), severity: 1,
      srcIp: client, srcPort: null, destIp: server, destPort: port, proto: 'TCP', flowId,
      evidence: { connections: n, threshold_connections: c, half_life_ms: this.bf.halfLifeMs, connection_rate_per_s: Math.round((w * Math.LN2 * 1e6 / this.bfHalfLifeUs) * 10) / 10 },
      topFeatures: [{ name: 'login_connections', value: n, weight: 1 }],
      signature: `login brute force: ${client} opened ${n.toFixed(0)} connections to ${server}:${port} (decayed, half-life ${this.bf.halfLifeMs / 1000} s)`,
      key: `${client}|${server}|bruteforce`,
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
