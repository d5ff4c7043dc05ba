/**
 * Host-level detectors: attacks whose single flows look harmless (a SYN flood is thousands of 1-packet
 * flows, a scan is one probe per port). A PacketObserver on the pipeline's hot path: per packet it
 * touches two host entries (source and destination) and one byte of per-flow state, allocates nothing,
 * and compares a few numbers; an Alert object is built only when a detector fires.
 *
 * Statistics (Kitsune-style damped counters): every host keeps exponentially decayed packet counts
 * w ← w·2^(−Δt/h) + 1, all sharing one timestamp per host so one exp() decays them together. With
 * half-life h, a steady rate R gives w = R·h/ln 2, so rate = w·ln 2/h, and a flood of rate R that starts
 * at t0 is estimated as R·(1 − 2^(−(t−t0)/h)): with h = 1 s a 20 k pps flood crosses a 300/s threshold
 * after ~22 ms of packet time. A second, slow set of counters (baseline half-life, default 60 s) learns
 * each host's normal rate; a detector fires only when the fast rate is above both its absolute
 * threshold and `baselineFactor` × the baseline, and the baseline does not learn while the host is
 * alerting (so a long flood does not become "normal").
 *
 * Distinct counts (scans, fan-in) use per-host linear-counting bitmaps over a tumbling window: a new
 * flow sets bit hash(target) and counts when the bit was clear. Cheap, bounded (a few words per host),
 * and it undercounts only through collisions (≈ 10 % at 100 distinct in 512 bits).
 *
 * The signals are the ones that separate attacks from heavy benign traffic (iperf3, downloads):
 *  - syn_rate:  SYN-without-ACK packets to a host per second, with few completed handshakes
 *               (half-open ratio); established-flow traffic never counts.
 *  - udp_rate:  UDP packets to a host per second that the host does not answer with UDP.
 *  - icmp_rate: ICMP packets to a host per second (echo requests, BlackNurse unreachables, ...). Echo
 *               replies count only when unsolicited: a host receiving replies to its own echo requests
 *               (the attacker of an ICMP flood, anyone pinging) is not flooded by them, but replies to a
 *               host that asked for few of them (smurf-style reflection) are flood traffic. Decided per
 *               packet by comparing two more decayed counters of the destination: echo requests it sent
 *               and echo replies it received (solicited while requests ≥ replies × solicitedRatio).
 *  - scan:      distinct (host, port, proto) targets a source opened flows to in the window, with few
 *               positive answers (SYN-ACK / UDP reply / echo reply).
 *  - fanin:     distinct sources opening flows to a host in the window, few of them established.
 *  - slow_conn, bruteforce: per (client, server, port) connection counts (conn-tracker.ts).
 */
import { formatIp } from '../decode/decode.js';
import { IpProto, TcpFlag, type PacketView } from '../decode/packet-view.js';
import { Dir } from '../features/feature-set.js';
import type { FlowMeter } from '../flow/meter.js';
import { protoName } from '../flow/record.js';
import type { PacketObserver } from '../pipeline/pipeline.js';
import { thresholdConfidence, type Alert, type DetectorName, type TopFeature } from './alert.js';
import { ConnTracker, DEFAULT_BRUTE_FORCE, type BruteForceConfig, type SlowConnConfig } from './conn-tracker.js';
import { HostTable, fmix, hashAddr } from './host-table.js';

export interface HostDetectorConfig {
  /** Hosts tracked at once (rounded up to a power of two). */
  capacity: number;
  /** Half-life of the fast rate counters (ms). */
  halfLifeMs: number;
  /** Half-life of the baseline counters (ms). */
  baselineHalfLifeMs: number;
  /** The fast rate must also exceed this multiple of the host's baseline rate. */
  baselineFactor: number;
  /** Tumbling window of the distinct counters (ms). */
  windowMs: number;
  /** Minimum packet time between two alerts of one detector about one host (ms). */
  cooldownMs: number;
  /**
   * `scanExemptRate`: while the sending source is flagged as a scanner, its SYNs raise syn_rate only
   * above this rate (a fast nmap -sS is also "many half-open SYNs to one host"; a flood is 10–100× faster).
   */
  syn: { enabled: boolean; rate: number; maxCompletion: number; scanExemptRate: number };
  udp: { enabled: boolean; rate: number; maxReplyRatio: number };
  /**
   * `solicitedRatio`: an echo reply to a host is an answer (not counted) while the host's decayed count
   * of echo requests sent is ≥ this share of its decayed count of echo replies received.
   */
  icmp: { enabled: boolean; rate: number; solicitedRatio?: number };
  scan: { enabled: boolean; targets: number; maxAnswered: number };
  fanin: { enabled: boolean; sources: number; maxEstablished: number };
  slowConn: SlowConnConfig;
  /** Many connections from one client to one login service (conn-tracker.ts). */
  bruteForce: BruteForceConfig;
}

export const DEFAULT_HOST_DETECTORS: Readonly<HostDetectorConfig> = Object.freeze({
  capacity: 65536,
  halfLifeMs: 1000,
  baselineHalfLifeMs: 60_000,
  baselineFactor: 4,
  windowMs: 2000,
  cooldownMs: 10_000,
  syn: { enabled: true, rate: 300, maxCompletion: 0.2, scanExemptRate: 5000 },
  udp: { enabled: true, rate: 2000, maxReplyRatio: 0.05 },
  icmp: { enabled: true, rate: 1000, solicitedRatio: 0.5 },
  scan: { enabled: true, targets: 100, maxAnswered: 0.5 },
  fanin: { enabled: true, sources: 200, maxEstablished: 0.5 },
  slowConn: { enabled: true, concurrent: 50 },
  bruteForce: DEFAULT_BRUTE_FORCE,
});

const K_SYN = 0;
const K_UDP = 1;
const K_ICMP = 2;
const K_SCAN = 3;
const K_FANIN = 4;
const N_KINDS = 5;

const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

// per-flow flag bits (indexed by meter slot)
const F_SYN = 1;
const F_SYNACK = 2;
const F_EST = 4;
const F_ANS = 8;

// bitmap sizes in 32-bit words per host
const TARGET_WORDS = 16; // 512 bits
const PORT_WORDS = 8; // 256 bits
const HOST_WORDS = 8;
const SRC_WORDS = 16;

export interface HostDetectorCounters {
  hostsTracked: number;
  hostReplacements: number;
  alertsRaised: number;
}

/** Fewest set bits of an m-bit linear counter whose estimate reaches n distinct (≤ m). */
function bitsFor(n: number, m: number): number {
  return Math.min(m, Math.ceil(m * (1 - Math.exp(-n / m)) - 1e-9));
}

/** Linear-counting estimate of distinct items from `set` bits of `m`. */
function linearCount(set: number, m: number): number {
  if (set >= m) return m * Math.log(m); // saturated: a lower bound
  return Math.round(-m * Math.log(1 - set / m));
}

export class HostDetectors implements PacketObserver {
  private readonly cfg: HostDetectorConfig;
  readonly hosts: HostTable;
  private readonly hUs: number;
  private readonly hSlowUs: number;
  /** rate = w · rateK (per second). */
  private readonly rateK: number;
  private readonly rateSlowK: number;
  private readonly windowUs: number;
  private readonly cooldownUs: number;
  private flowFlags: Uint8Array;

  // decayed counters (fast), one timestamp per host
  private readonly t: Float64Array;
  private readonly synIn: Float64Array;
  private readonly estIn: Float64Array;
  private readonly udpIn: Float64Array;
  private readonly udpOut: Float64Array;
  private readonly icmpIn: Float64Array;
  /** Echo requests a host sent / echo replies it received (decayed): solicited vs unsolicited replies. */
  private readonly echoReqOut: Float64Array;
  private readonly echoRepIn: Float64Array;
  private readonly solicitedRatio: number;
  // baselines (slow)
  private readonly synSlow: Float64Array;
  private readonly udpSlow: Float64Array;
  private readonly icmpSlow: Float64Array;
  private readonly lastAlert: Float64Array;
  // tumbling-window distinct counters
  private readonly winStart: Float64Array;
  private readonly targetBits: Uint32Array;
  private readonly portBits: Uint32Array;
  private readonly hostBits: Uint32Array;
  private readonly srcBits: Uint32Array;
  /** [slot*8 + i]: 0 targets set, 1 ports set, 2 hosts set, 3 new flows out, 4 answered, 5 sources set, 6 new flows in, 7 established in. */
  private readonly win: Float64Array;
  /** Set bits at which the linear-counting estimate reaches the scan / fan-in thresholds. */
  private readonly scanBits: number;
  private readonly faninBits: number;
  alertsRaised = 0;
  readonly conns: ConnTracker;

  constructor(cfg: HostDetectorConfig, private readonly onAlert: (a: Alert) => void, flowCapacity = 1 << 16) {
    this.cfg = cfg;
    this.hosts = new HostTable(cfg.capacity);
    const cap = this.hosts.capacity;
    this.hUs = cfg.halfLifeMs * 1000;
    this.hSlowUs = cfg.baselineHalfLifeMs * 1000;
    this.rateK = Math.LN2 / (cfg.halfLifeMs / 1000);
    this.rateSlowK = Math.LN2 / (cfg.baselineHalfLifeMs / 1000);
    this.windowUs = cfg.windowMs * 1000;
    this.cooldownUs = cfg.cooldownMs * 1000;
    this.flowFlags = new Uint8Array(flowCapacity);
    const f = () => new Float64Array(cap);
    this.t = f();
    this.synIn = f();
    this.estIn = f();
    this.udpIn = f();
    this.udpOut = f();
    this.icmpIn = f();
    this.echoReqOut = f();
    this.echoRepIn = f();
    this.solicitedRatio = cfg.icmp.solicitedRatio ?? 0.5;
    this.synSlow = f();
    this.udpSlow = f();
    this.icmpSlow = f();
    this.winStart = f();
    this.lastAlert = new Float64Array(cap * N_KINDS);
    this.targetBits = new Uint32Array(cap * TARGET_WORDS);
    this.portBits = new Uint32Array(cap * PORT_WORDS);
    this.hostBits = new Uint32Array(cap * HOST_WORDS);
    this.srcBits = new Uint32Array(cap * SRC_WORDS);
    this.win = new Float64Array(cap * 8);
    this.hosts.onReset = (s) => this.reset(s);
    this.conns = new ConnTracker(cfg.slowConn, cfg.capacity, flowCapacity, this.cooldownUs, (a) => {
      this.alertsRaised++;
      onAlert(a);
    }, cfg.bruteForce);
    this.scanBits = bitsFor(cfg.scan.targets, TARGET_WORDS * 32);
    this.faninBits = bitsFor(cfg.fanin.sources, SRC_WORDS * 32);
  }

  /** The flow in meter slot `slot` ended (before the slot is reused): connection accounting. */
  flowEnded(slot: number): void {
    this.conns.ended(slot);
  }

  counters(): HostDetectorCounters {
    return { hostsTracked: this.hosts.size, hostReplacements: this.hosts.replacements, alertsRaised: this.alertsRaised };
  }

  private reset(s: number): void {
    this.t[s] = -Infinity;
    this.synIn[s] = 0;
    this.estIn[s] = 0;
    this.udpIn[s] = 0;
    this.udpOut[s] = 0;
    this.icmpIn[s] = 0;
    this.echoReqOut[s] = 0;
    this.echoRepIn[s] = 0;
    this.synSlow[s] = 0;
    this.udpSlow[s] = 0;
    this.icmpSlow[s] = 0;
    this.lastAlert.fill(-Infinity, s * N_KINDS, s * N_KINDS + N_KINDS);
    this.clearWindow(s, -Infinity);
  }

  private clearWindow(s: number, now: number): void {
    this.winStart[s] = now;
    this.targetBits.fill(0, s * TARGET_WORDS, (s + 1) * TARGET_WORDS);
    this.portBits.fill(0, s * PORT_WORDS, (s + 1) * PORT_WORDS);
    this.hostBits.fill(0, s * HOST_WORDS, (s + 1) * HOST_WORDS);
    this.srcBits.fill(0, s * SRC_WORDS, (s + 1) * SRC_WORDS);
    this.win.fill(0, s * 8, s * 8 + 8);
  }

  /** Brings a host's decayed counters to `now` (one exp per counter family). */
  private decay(s: number, now: number): void {
    const dt = now - this.t[s];
    if (dt <= 0) return;
    if (dt === Infinity) {
      this.t[s] = now;
      return;
    }
    const a = Math.exp((-Math.LN2 * dt) / this.hUs);
    this.synIn[s] *= a;
    this.estIn[s] *= a;
    this.udpIn[s] *= a;
    this.udpOut[s] *= a;
    this.icmpIn[s] *= a;
    this.echoReqOut[s] *= a;
    this.echoRepIn[s] *= a;
    const b = Math.exp((-Math.LN2 * dt) / this.hSlowUs);
    this.synSlow[s] *= b;
    this.udpSlow[s] *= b;
    this.icmpSlow[s] *= b;
    this.t[s] = now;
  }

  /** Sets bit `h` in a bitmap of `words` words at `base`; true when it was clear. */
  private static setBit(bits: Uint32Array, base: number, words: number, h: number): boolean {
    const bit = h & (words * 32 - 1);
    const i = base + (bit >>> 5);
    const m = 1 << (bit & 31);
    if ((bits[i] & m) !== 0) return false;
    bits[i] |= m;
    return true;
  }

  private alerting(s: number, kind: number, now: number): boolean {
    return now - this.lastAlert[s * N_KINDS + kind] < this.cooldownUs;
  }

  onPacket(v: PacketView, m: FlowMeter): void {
    const now = m.clock;
    const slot = m.lastSlot;
    if (slot >= this.flowFlags.length) this.growFlags(m.table.capacity);
    const fwd = m.lastDir === Dir.FWD;
    const isNew = m.lastNew;
    if (isNew) {
      this.flowFlags[slot] = 0;
      this.conns.ended(slot); // in case the slot's previous flow ended unseen
    }
    const ver = v.ipVersion;
    const hs = this.hosts;
    const s = hs.lookup(ver, v.src0, v.src1, v.src2, v.src3, now, -1);
    const d = hs.lookup(ver, v.dst0, v.dst1, v.dst2, v.dst3, now, s);
    this.decay(s, now);
    this.decay(d, now);
    // the flow's initiator / responder host entries (for answered / established accounting)
    const ini = fwd ? s : d;
    const rsp = fwd ? d : s;
    let flags = this.flowFlags[slot];
    const proto = v.proto;
    const cfg = this.cfg;
    if (isNew) this.newFlow(v, s, d, now);
    if (proto === IpProto.TCP) {
      const tf = v.tcpFlags;
      const syn = (tf & TcpFlag.SYN) !== 0;
      const ack = (tf & TcpFlag.ACK) !== 0;
      const rst = (tf & TcpFlag.RST) !== 0;
      if (syn && !ack) {
        this.synIn[d] += 1;
        if (!this.alerting(d, K_SYN, now)) this.synSlow[d] += 1;
        if (fwd) flags |= F_SYN;
        if (cfg.syn.enabled) this.checkSyn(v, s, d, now, m);
      } else if (syn && ack) {
        if (!fwd) {
          flags |= F_SYNACK;
          if ((flags & F_ANS) === 0) {
            flags |= F_ANS;
            this.win[ini * 8 + 4]++;
          }
        }
      } else if (!rst) {
        if (fwd && ack && (flags & (F_SYNACK | F_EST)) === F_SYNACK) {
          // third packet of the handshake: the connection is real
          flags |= F_EST;
          this.estIn[d] += 1;
          this.win[rsp * 8 + 7]++;
          this.conns.established(v, slot, fwd, now, m.flowSeq(slot));
        } else if (!fwd && v.payloadLen > 0 && (flags & (F_ANS | F_EST)) !== (F_ANS | F_EST)) {
          // mid-stream pickup: the responder sending data also proves a real conversation
          if ((flags & F_ANS) === 0) this.win[ini * 8 + 4]++;
          if ((flags & F_EST) === 0) {
            this.estIn[rsp] += 1;
            this.win[rsp * 8 + 7]++;
            this.conns.established(v, slot, fwd, now, m.flowSeq(slot));
          }
          flags |= F_ANS | F_EST;
        }
      }
    } else if (proto === IpProto.UDP) {
      this.udpIn[d] += 1;
      this.udpOut[s] += 1;
      if (!this.alerting(d, K_UDP, now)) this.udpSlow[d] += 1;
      if (!fwd) {
          this.answered(flags, ini, rsp);
          flags |= F_ANS | F_EST;
        }
      if (cfg.udp.enabled) this.checkUdp(v, d, now, m);
    } else if (proto === IpProto.ICMP || proto === IpProto.ICMPV6) {
      // neighbour discovery / router solicitation (ICMPv6 133–137) is link housekeeping, not traffic
      if (proto === IpProto.ICMP || v.icmpType < 133 || v.icmpType > 137) {
        const type = v.icmpType;
        const v4 = proto === IpProto.ICMP;
        let flood = true;
        if (type === (v4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST)) {
          this.echoReqOut[s] += 1;
        } else if (type === (v4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY)) {
          // an answer to the destination's own pings is not traffic *to* it; unsolicited replies are
          this.echoRepIn[d] += 1;
          flood = this.echoReqOut[d] < this.solicitedRatio * this.echoRepIn[d];
        }
        if (flood) {
          this.icmpIn[d] += 1;
          if (!this.alerting(d, K_ICMP, now)) this.icmpSlow[d] += 1;
        }
        if (!fwd) {
          this.answered(flags, ini, rsp);
          flags |= F_ANS | F_EST;
        }
        if (flood && cfg.icmp.enabled) this.checkIcmp(v, d, now, m);
      }
    }
    this.flowFlags[slot] = flags;
  }

  private growFlags(cap: number): void {
    const n = new Uint8Array(cap);
    n.set(this.flowFlags);
    this.flowFlags = n;
  }

  /** A reply in a UDP/ICMP flow: counts once per flow as answered (initiator) and established (responder). */
  private answered(flags: number, ini: number, rsp: number): void {
    if ((flags & F_ANS) === 0) this.win[ini * 8 + 4]++;
    if ((flags & F_EST) === 0) {
      this.estIn[rsp] += 1;
      this.win[rsp * 8 + 7]++;
    }
  }

  /** First packet of a flow: distinct-target accounting for the source, distinct-source for the destination. */
  private newFlow(v: PacketView, s: number, d: number, now: number): void {
    if (now - this.winStart[s] >= this.windowUs) this.clearWindow(s, now);
    if (now - this.winStart[d] >= this.windowUs) this.clearWindow(d, now);
    const ver = v.ipVersion;
    const hDst = hashAddr(ver, v.dst0, v.dst1, v.dst2, v.dst3, 0x68e31da4);
    const ws = s * 8;
    if (HostDetectors.setBit(this.targetBits, s * TARGET_WORDS, TARGET_WORDS, fmix(hDst ^ ((v.dstPort << 8) | v.proto)))) this.win[ws]++;
    if (HostDetectors.setBit(this.portBits, s * PORT_WORDS, PORT_WORDS, fmix((v.dstPort << 8) | v.proto))) this.win[ws + 1]++;
    if (HostDetectors.setBit(this.hostBits, s * HOST_WORDS, HOST_WORDS, hDst)) this.win[ws + 2]++;
    this.win[ws + 3]++;
    const wd = d * 8;
    if (HostDetectors.setBit(this.srcBits, d * SRC_WORDS, SRC_WORDS, hashAddr(ver, v.src0, v.src1, v.src2, v.src3, 0x1b56c4e9))) this.win[wd + 5]++;
    this.win[wd + 6]++;
    if (this.cfg.scan.enabled) this.checkScan(v, s, now);
    if (this.cfg.fanin.enabled) this.checkFanin(v, d, now);
  }

  // ------------------------------------------------------------------ checks (cheap until they fire)

  private checkSyn(v: PacketView, s: number, d: number, now: number, m: FlowMeter): void {
    const rate = this.synIn[d] * this.rateK;
    const c = this.cfg.syn;
    if (rate < c.rate) return;
    if (rate < c.scanExemptRate && this.alerting(s, K_SCAN, now)) return;
    const base = this.synSlow[d] * this.rateSlowK;
    if (rate < this.cfg.baselineFactor * base) return;
    const completion = this.estIn[d] / this.synIn[d];
    if (completion > c.maxCompletion) return;
    if (this.alerting(d, K_SYN, now)) return;
    this.fire(K_SYN, d, now, v, m, 'syn_rate', 'synflood', 1, thresholdConfidence(rate, c.rate), {
      syn_rate_pps: round(rate), completed_rate_pps: round(this.estIn[d] * this.rateK), half_open_ratio: round(1 - completion, 3),
      baseline_syn_rate_pps: round(base), threshold_pps: c.rate, max_completion: c.maxCompletion,
      ...this.fanEvidence(d), half_life_ms: this.cfg.halfLifeMs,
    }, [feat('syn_rate_pps', rate, 0.6), feat('half_open_ratio', 1 - completion, 0.4)],
    `SYN flood to ${this.ip(d)}: ${round(rate)} SYN/s, ${Math.round(100 * (1 - completion))}% half-open`);
  }

  private checkUdp(v: PacketView, d: number, now: number, m: FlowMeter): void {
    const rate = this.udpIn[d] * this.rateK;
    const c = this.cfg.udp;
    if (rate < c.rate) return;
    const base = this.udpSlow[d] * this.rateSlowK;
    if (rate < this.cfg.baselineFactor * base) return;
    const reply = this.udpOut[d] / this.udpIn[d];
    if (reply > c.maxReplyRatio) return;
    if (this.alerting(d, K_UDP, now)) return;
    this.fire(K_UDP, d, now, v, m, 'udp_rate', 'udpflood', 1, thresholdConfidence(rate, c.rate), {
      udp_rate_pps: round(rate), reply_ratio: round(reply, 3), baseline_udp_rate_pps: round(base), threshold_pps: c.rate,
      max_reply_ratio: c.maxReplyRatio, ...this.fanEvidence(d), half_life_ms: this.cfg.halfLifeMs,
    }, [feat('udp_rate_pps', rate, 0.6), feat('reply_ratio', reply, 0.4)],
    `UDP flood to ${this.ip(d)}: ${round(rate)} pkt/s, ${Math.round(100 * reply)}% answered`);
  }

  private checkIcmp(v: PacketView, d: number, now: number, m: FlowMeter): void {
    const rate = this.icmpIn[d] * this.rateK;
    const c = this.cfg.icmp;
    if (rate < c.rate) return;
    const base = this.icmpSlow[d] * this.rateSlowK;
    if (rate < this.cfg.baselineFactor * base) return;
    if (this.alerting(d, K_ICMP, now)) return;
    this.fire(K_ICMP, d, now, v, m, 'icmp_rate', 'icmpflood', 1, thresholdConfidence(rate, c.rate), {
      icmp_rate_pps: round(rate), icmp_type: v.icmpType, icmp_code: v.icmpCode, baseline_icmp_rate_pps: round(base),
      threshold_pps: c.rate, ...this.fanEvidence(d), half_life_ms: this.cfg.halfLifeMs,
    }, [feat('icmp_rate_pps', rate, 1)],
    `ICMP flood to ${this.ip(d)}: ${round(rate)} pkt/s (type ${v.icmpType} code ${v.icmpCode}${isEchoReply(v) ? ', unsolicited echo replies' : ''})`);
  }

  private checkScan(v: PacketView, s: number, now: number): void {
    const w = s * 8;
    const c = this.cfg.scan;
    const targets = this.win[w];
    if (targets < this.scanBits) return;
    const answered = Math.min(1, this.win[w + 4] / this.win[w + 3]);
    if (answered > c.maxAnswered) return;
    if (this.alerting(s, K_SCAN, now)) return;
    const hosts = linearCount(this.win[w + 2], HOST_WORDS * 32);
    const ports = linearCount(this.win[w + 1], PORT_WORDS * 32);
    const distinct = linearCount(targets, TARGET_WORDS * 32);
    // a sweep touches many hosts on few ports; a port scan many ports on few hosts
    const sweep = hosts > ports;
    this.alertsRaised++;
    this.lastAlert[s * N_KINDS + K_SCAN] = now;
    const src = this.ip(s);
    const dst = formatIp(v.ipVersion, v.dst0, v.dst1, v.dst2, v.dst3);
    this.onAlert({
      tsUs: now, detector: 'scan', attackType: sweep ? 'hostsweep' : 'portscan', confidence: thresholdConfidence(distinct, c.targets),
      severity: 2, srcIp: src, srcPort: null, destIp: dst, destPort: null, proto: protoName(v.proto), flowId: null,
      evidence: {
        distinct_targets: distinct, distinct_ports: ports, distinct_hosts: hosts, new_flows: this.win[w + 3],
        answered_ratio: round(answered, 3), threshold_targets: c.targets, window_ms: this.cfg.windowMs,
        window_elapsed_ms: round((now - this.winStart[s]) / 1000),
      },
      topFeatures: [feat('distinct_targets', distinct, 0.6), feat('answered_ratio', answered, 0.4)],
      signature: `${sweep ? 'host sweep' : 'port scan'} from ${src}: ${distinct} targets (${ports} ports, ${hosts} hosts) in ${round((now - this.winStart[s]) / 1000)} ms, ${Math.round(100 * answered)}% answered`,
      key: `${src}|*|scan`,
    });
  }

  private checkFanin(v: PacketView, d: number, now: number): void {
    const w = d * 8;
    const c = this.cfg.fanin;
    if (this.win[w + 5] < this.faninBits) return;
    const sources = linearCount(this.win[w + 5], SRC_WORDS * 32);
    const est = Math.min(1, this.win[w + 7] / this.win[w + 6]);
    if (est > c.maxEstablished) return;
    if (this.alerting(d, K_FANIN, now)) return;
    this.alertsRaised++;
    this.lastAlert[d * N_KINDS + K_FANIN] = now;
    const dst = this.ip(d);
    const src = formatIp(v.ipVersion, v.src0, v.src1, v.src2, v.src3);
    this.onAlert({
      tsUs: now, detector: 'fanin', attackType: 'ddos', confidence: thresholdConfidence(sources, c.sources),
      severity: 1, srcIp: src, srcPort: null, destIp: dst, destPort: v.dstPort || null, proto: protoName(v.proto), flowId: null,
      evidence: {
        distinct_sources: sources, new_flows: this.win[w + 6], established_ratio: round(est, 3), threshold_sources: c.sources,
        window_ms: this.cfg.windowMs, window_elapsed_ms: round((now - this.winStart[d]) / 1000),
      },
      topFeatures: [feat('distinct_sources', sources, 0.6), feat('established_ratio', est, 0.4)],
      signature: `DDoS fan-in to ${dst}: ${sources} sources in ${round((now - this.winStart[d]) / 1000)} ms, ${Math.round(100 * est)}% established`,
      key: `*|${dst}|fanin`,
    });
  }

  private fanEvidence(d: number): Record<string, number> {
    return { distinct_sources_window: linearCount(this.win[d * 8 + 5], SRC_WORDS * 32) };
  }

  private fire(
    kind: number, d: number, now: number, v: PacketView, m: FlowMeter, detector: DetectorName, attackType: string,
    severity: 1 | 2 | 3, confidence: number, evidence: Record<string, number>, top: TopFeature[], signature: string,
  ): void {
    this.alertsRaised++;
    this.lastAlert[d * N_KINDS + kind] = now;
    const dst = this.ip(d);
    this.onAlert({
      tsUs: now, detector, attackType, confidence, severity,
      srcIp: formatIp(v.ipVersion, v.src0, v.src1, v.src2, v.src3), srcPort: v.proto === IpProto.TCP || v.proto === IpProto.UDP ? v.srcPort : null,
      destIp: dst, destPort: v.proto === IpProto.TCP || v.proto === IpProto.UDP ? v.dstPort : null,
      proto: protoName(v.proto), flowId: m.lastSlot >= 0 ? m.flowSeq(m.lastSlot) : null,
      evidence, topFeatures: top, signature, key: `*|${dst}|${detector}`,
    });
  }

  private ip(s: number): string {
    const a = this.hosts.addr;
    const o = s * 4;
    return formatIp(this.hosts.version[s], a[o], a[o + 1], a[o + 2], a[o + 3]);
  }
}

function isEchoReply(v: PacketView): boolean {
  return v.proto === IpProto.ICMP ? v.icmpType === ICMP_ECHO_REPLY : v.icmpType === ICMP6_ECHO_REPLY;
}

function round(x: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

function feat(name: string, value: number, weight: number): TopFeature {
  return { name, value: round(value, 3), weight };
}
