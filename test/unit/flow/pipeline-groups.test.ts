/**
 * Pipeline.meterPackets decodes packets in groups and warms their flows' state (FlowMeter.warm) before
 * metering them. That must be invisible: the same rows, end reasons, counters and per-packet observer
 * view as decoding and metering one packet at a time — including when flows end, are evicted and
 * their slots are reused in the middle of a group, and when undecodable packets sit between others.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildFrame, writePcap, type FrameSpec, type PcapRecord } from '../../helpers/packet-builder.js';
import { openCaptureBytes } from '../../../src/capture/file-source.js';
import { decodePacket } from '../../../src/decode/decode.js';
import { PacketView } from '../../../src/decode/packet-view.js';
import { Decode } from '../../../src/decode/reasons.js';
import { Cic2017Features, type CicMode } from '../../../src/features/cic2017/features.js';
import { FlowMeter } from '../../../src/flow/meter.js';
import { EndReason } from '../../../src/flow/meter-config.js';
import { Pipeline, type PacketObserver } from '../../../src/pipeline/pipeline.js';

const T0 = 1_700_000_000_000_000;

/** xorshift32: a fixed, reproducible packet mix. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * ~4,000 packets of 400 interleaved conversations (TCP with handshakes, FINs and RSTs, UDP, ICMP,
 * IPv6), with truncated and non-IP frames mixed in; timestamps jump now and then past the SYN and
 * close timeouts so that flows also end by expiry between packets of the same group.
 */
function capture(): Uint8Array {
  const r = rng(2026);
  const recs: PcapRecord[] = [];
  let ts = T0;
  for (let n = 0; n < 4000; n++) {
    ts += r() < 0.01 ? 6e6 : 1 + Math.floor(r() * 50);
    const conv = Math.floor(r() * 400);
    const fromClient = r() < 0.55;
    const kind = conv % 10;
    const cli = `10.1.${conv >> 8}.${conv & 255}`;
    const srv = '10.9.0.1';
    const ip = fromClient ? { src: cli, dst: srv } : { src: srv, dst: cli };
    const sport = fromClient ? 20000 + conv : 80;
    const dport = fromClient ? 80 : 20000 + conv;
    let spec: FrameSpec;
    if (kind < 6) {
      const x = r();
      const flags = x < 0.1 ? (fromClient ? 'S' : 'SA') : x < 0.15 ? 'FA' : x < 0.17 ? 'R' : 'PA';
      spec = { ip, tcp: { sport, dport, flags, seq: n * 1000, ack: n * 999 }, payload: flags === 'PA' ? Math.floor(r() * 1400) : 0 };
    } else if (kind < 8) {
      spec = { ip, udp: { sport: fromClient ? 30000 + conv : 53, dport: fromClient ? 53 : 30000 + conv }, payload: 20 + Math.floor(r() * 200) };
    } else if (kind === 8) {
      spec = { ip, icmp: { type: fromClient ? 8 : 0, code: 0, rest: [0, 1, 0, conv & 255] }, payload: 56 };
    } else {
      const a = `fd00::${(conv + 1).toString(16)}`;
      spec = { ip: { version: 6, src: fromClient ? a : 'fd00::ffff', dst: fromClient ? 'fd00::ffff' : a }, udp: { sport, dport }, payload: 100 };
    }
    let frame = buildFrame(spec);
    const y = r();
    if (y < 0.02) frame = frame.subarray(0, 20); // cut inside the IP header: a weird
    else if (y < 0.03) frame = buildFrame({ etherType: 0x0806, l3: new Uint8Array(28) }); // ARP: ignored
    recs.push({ frame, tsUs: ts });
  }
  return writePcap(recs, 1);
}

interface Trace {
  rows: string[];
  packets: string[];
  counters: string;
}

/** Records the packet-level view a host detector gets. */
function observer(into: string[]): PacketObserver {
  return {
    onPacket(v, m) {
      into.push(`${v.tsUs} ${m.lastSlot} ${m.lastDir} ${m.lastNew}`);
    },
  };
}

function rowText(m: FlowMeter, slot: number, reason: EndReason | 'open', row: Float64Array): string {
  return `${m.flowSeq(slot)} ${String(reason)} ${m.packets(slot, 0)}/${m.packets(slot, 1)} ${Array.from(row).join(',')}`;
}

/** The pipeline as shipped: grouped decode, warm, meter. Small chunks so batches end mid-stream. */
async function viaPipeline(bytes: Uint8Array, mode: CicMode): Promise<Trace> {
  const rows: string[] = [];
  const packets: string[] = [];
  const p = new Pipeline({
    featureSet: new Cic2017Features({ mode }),
    meter: { capacity: 48, synTimeoutUs: 5e6 },
    onFlow: (f) => rows.push(rowText(f.meter, f.slot, f.reason, f.row)),
    observers: [observer(packets)],
  });
  const s = await p.run(openCaptureBytes(bytes, { chunkBytes: 4096 }));
  return { rows, packets, counters: JSON.stringify(s) };
}

/** The reference: one decode and one addPacket per packet, tick per batch, as before grouping. */
async function oneByOne(bytes: Uint8Array, mode: CicMode): Promise<Trace> {
  const rows: string[] = [];
  const packets: string[] = [];
  const fs = new Cic2017Features({ mode });
  const meter = new FlowMeter([fs], { capacity: 48, synTimeoutUs: 5e6 });
  const row = new Float64Array(fs.columns.length);
  meter.onFlowEnd = (slot, reason) => {
    fs.finish(slot, row, 0);
    rows.push(rowText(meter, slot, reason, row));
  };
  const obs = observer(packets);
  const v = new PacketView();
  const reasons = new Map<number, number>();
  let read = 0;
  let firstTs = NaN;
  let lastTs = NaN;
  for await (const b of openCaptureBytes(bytes, { chunkBytes: 4096 })) {
    if (b.count === 0) continue;
    if (read === 0) firstTs = b.tsUs[0];
    lastTs = b.tsUs[b.count - 1];
    read += b.count;
    for (let i = 0; i < b.count; i++) {
      const st = decodePacket(v, b.data, b.offset[i], b.capLen[i], b.wireLen[i], b.linkType[i], b.tsUs[i]);
      if (st === Decode.OK) {
        meter.addPacket(v);
        obs.onPacket(v, meter);
      } else reasons.set(st, (reasons.get(st) ?? 0) + 1);
    }
    meter.tick();
  }
  meter.flushAll(EndReason.SHUTDOWN);
  return { rows, packets, counters: JSON.stringify({ read, firstTs, lastTs, reasons: [...reasons].sort(), meter: meter.counters }) };
}

for (const mode of ['corrected', 'compat'] as const) {
  test(`${mode}: grouped metering gives the same rows, reasons and packet view as one packet at a time`, async () => {
    const bytes = capture();
    const a = await viaPipeline(bytes, mode);
    const b = await oneByOne(bytes, mode);
    // the mix must exercise what grouping could get wrong
    const s = JSON.parse(a.counters) as { packetsRead: number; packetsWeird: number; packetsIgnored: number; meter: { flowsEvicted: number; flowsCreated: number } };
    assert.equal(s.packetsRead, 4000);
    assert.ok(s.packetsWeird > 20 && s.packetsIgnored > 10, a.counters);
    assert.ok(s.meter.flowsEvicted > 50, `evictions: ${a.counters}`);
    assert.ok(a.rows.length > 300, `rows: ${a.rows.length}`);
    assert.deepEqual(a.rows, b.rows);
    assert.deepEqual(a.packets, b.packets);
    const c = JSON.parse(b.counters) as { meter: unknown; read: number };
    assert.deepEqual(s.meter, c.meter);
    assert.equal(s.packetsRead, c.read);
  });
}
