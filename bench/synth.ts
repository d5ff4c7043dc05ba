/**
 * Synthesises a large, realistic capture for benchmarks with our own pcap writer: ~2,000 concurrent
 * sessions interleaved packet by packet — TCP web transfers (handshake, request, 1–60 full-size data
 * segments with delayed ACKs, FIN/FIN/ACK), DNS over UDP, ICMP echo, and single-SYN probes answered
 * by RST — so flow count, packet sizes and table churn look like an access link, not one flow.
 * Deterministic (fixed seed). Checksums are left 0: nothing in the benchmark verifies them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PcapWriter } from '../src/capture/pcap-writer.js';

class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  next(): number { // xorshift32
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
}

interface Session {
  client: number; server: number; cport: number; sport: number; proto: number;
  script: Step[]; pos: number; seqC: number; seqS: number;
}
/** One packet of a session: direction, TCP flags (0 for UDP/ICMP), payload bytes. */
type Step = [fromClient: boolean, flags: number, payload: number];

const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;

function tcpWebScript(r: Rng): Step[] {
  const s: Step[] = [[true, SYN, 0], [false, SYN | ACK, 0], [true, ACK, 0], [true, PSH | ACK, 300 + r.int(400)]];
  const segs = 1 + r.int(r.next() < 0.2 ? 60 : 12);
  for (let i = 0; i < segs; i++) {
    s.push([false, i === segs - 1 ? PSH | ACK : ACK, i === segs - 1 ? 100 + r.int(1300) : 1460]);
    if (i % 2 === 1 || i === segs - 1) s.push([true, ACK, 0]);
  }
  s.push([true, FIN | ACK, 0], [false, FIN | ACK, 0], [true, ACK, 0]);
  return s;
}

function newSession(r: Rng, n: number): Session {
  const k = r.next();
  const client = 0x0a000000 | (1 + r.int(5000));
  const server = 0xc0a80000 | (1 + r.int(200));
  const cport = 1024 + ((n * 7919) % 60000);
  let proto = 6, sport = 443, script: Step[];
  if (k < 0.7) { sport = r.next() < 0.5 ? 443 : 80; script = tcpWebScript(r); }
  else if (k < 0.9) { proto = 17; sport = 53; script = [[true, 0, 30 + r.int(40)], [false, 0, 80 + r.int(300)]]; }
  else if (k < 0.95) { proto = 1; sport = 0; script = []; for (let i = 0; i < 4; i++) script.push([true, 0, 56], [false, 0, 56]); }
  else { sport = 1 + r.int(1024); script = [[true, SYN, 0], [false, RST | ACK, 0]]; }
  return { client, server, cport, sport, proto, script, pos: 0, seqC: r.int(1e9), seqS: r.int(1e9) };
}

/** Writes Ethernet/IPv4/{TCP,UDP,ICMP} headers + zero payload into `buf`; returns the frame length. */
function frame(buf: Uint8Array, s: Session, st: Step): number {
  const [fromClient, flags, payload] = st;
  const l4 = s.proto === 6 ? 20 : 8;
  const ipLen = 20 + l4 + payload;
  const len = Math.max(60, 14 + ipLen);
  buf.fill(0, 0, len);
  buf[12] = 0x08; buf[13] = 0x00;
  const src = fromClient ? s.client : s.server, dst = fromClient ? s.server : s.client;
  const o = 14;
  buf[o] = 0x45; buf[o + 2] = ipLen >> 8; buf[o + 3] = ipLen & 0xff; buf[o + 8] = 64; buf[o + 9] = s.proto;
  buf[o + 12] = src >>> 24; buf[o + 13] = (src >>> 16) & 0xff; buf[o + 14] = (src >>> 8) & 0xff; buf[o + 15] = src & 0xff;
  buf[o + 16] = dst >>> 24; buf[o + 17] = (dst >>> 16) & 0xff; buf[o + 18] = (dst >>> 8) & 0xff; buf[o + 19] = dst & 0xff;
  const t = o + 20;
  if (s.proto === 1) { buf[t] = fromClient ? 8 : 0; return len; }
  const sp = fromClient ? s.cport : s.sport, dp = fromClient ? s.sport : s.cport;
  buf[t] = sp >> 8; buf[t + 1] = sp & 0xff; buf[t + 2] = dp >> 8; buf[t + 3] = dp & 0xff;
  if (s.proto === 17) { buf[t + 4] = (8 + payload) >> 8; buf[t + 5] = (8 + payload) & 0xff; return len; }
  const seq = fromClient ? s.seqC : s.seqS;
  buf[t + 4] = seq >>> 24; buf[t + 5] = (seq >>> 16) & 0xff; buf[t + 6] = (seq >>> 8) & 0xff; buf[t + 7] = seq & 0xff;
  if (flags & ACK) {
    // acknowledge everything the peer sent so far, as real stacks do: the final ACK of a FIN exchange
    // then closes the connection and the flow ends (without ack numbers every TCP flow stayed open
    // until the end of the capture: ~109 k flows live at once instead of a few thousand)
    const ack = fromClient ? s.seqS : s.seqC;
    buf[t + 8] = ack >>> 24; buf[t + 9] = (ack >>> 16) & 0xff; buf[t + 10] = (ack >>> 8) & 0xff; buf[t + 11] = ack & 0xff;
  }
  buf[t + 12] = 0x50; buf[t + 13] = flags; buf[t + 14] = 0xfa; buf[t + 15] = 0xf0;
  if (fromClient) s.seqC = (s.seqC + payload + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
  else s.seqS = (s.seqS + payload + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
  return len;
}

export interface SynthResult { packets: number; sessions: number; bytes: number }

export function synthesizeCapture(path: string, packets: number, seed = 2017, concurrency = 2000): SynthResult {
  const r = new Rng(seed);
  const w = new PcapWriter(path, { linkType: 1, bufferBytes: 4 << 20 });
  const active: Session[] = [];
  let sessions = 0;
  for (; sessions < concurrency; sessions++) active.push(newSession(r, sessions));
  const buf = new Uint8Array(1600);
  let ts = 1_700_000_000_000_000;
  let bytes = 0;
  for (let n = 0; n < packets; n++) {
    const i = r.int(active.length);
    const s = active[i];
    const len = frame(buf, s, s.script[s.pos++]);
    w.writeSlice(ts, buf, 0, len);
    bytes += len;
    ts += 2 + r.int(8); // ~200 k packets/s of capture time
    if (s.pos >= s.script.length) active[i] = newSession(r, sessions++);
  }
  w.close();
  return { packets, sessions, bytes };
}

/** The benchmark capture of `packets` packets in $TMPDIR/flowsentry-bench, synthesised on first use. */
export function benchCapture(packets: number): string {
  const dir = path.join(os.tmpdir(), 'flowsentry-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `synth-v2-${packets}.pcap`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: synthesising ${packets} packets into ${file} ...\n`);
    const s = synthesizeCapture(file, packets);
    process.stderr.write(`bench: ${s.packets} packets, ${s.sessions} sessions, ${(s.bytes / 1e6).toFixed(0)} MB of frames\n`);
  }
  return file;
}
