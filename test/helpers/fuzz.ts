/**
 * A small deterministic mutation fuzzer. The PRNG and mutators are input-format agnostic (they know
 * only that pcap/pcapng lengths are 32-bit words), so the same engine can later drive the whole
 * pipeline: give runFuzz() a corpus and a target that throws on a real bug.
 */
import { FlowsentryError } from '../../src/errors.js';
import type { PacketSource } from '../../src/capture/batch.js';
import { openCaptureBytes, type CaptureFileOptions } from '../../src/capture/file-source.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapng, PCAPNG_BT } from '../../src/capture/pcapng-writer.js';

/** mulberry32: tiny, fast, good enough for fuzzing, and identical on every platform. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform uint32. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 4294967296) * n);
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export type Mutator = (input: Uint8Array, rng: Prng, corpus: readonly Uint8Array[]) => Uint8Array;

/** Values that sit on or just past the limits a capture reader checks. */
const INTERESTING_U32 = [
  0, 1, 3, 4, 8, 11, 12, 13, 15, 16, 20, 27, 28, 31, 32, 0x7f, 0x80, 0xff, 0xffff, 0x10000,
  0x00ffffff, 0x01000000, 0x01000001, 0x01100000, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff,
];

function setU32(b: Uint8Array, at: number, v: number, le: boolean): void {
  for (let i = 0; i < 4; i++) b[at + i] = (le ? v >>> (8 * i) : v >>> (8 * (3 - i))) & 0xff;
}

function getU32(b: Uint8Array, at: number, le: boolean): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + b[at + (le ? 3 - i : i)]!;
  return v;
}

export const mutators: Record<string, Mutator> = {
  bitFlip(input, rng) {
    const out = input.slice();
    const flips = 1 + rng.int(4);
    for (let i = 0; i < flips && out.length > 0; i++) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  byteSet(input, rng) {
    const out = input.slice();
    if (out.length > 0) out[rng.int(out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
    return out;
  },
  truncate(input, rng) {
    return input.slice(0, rng.int(input.length + 1));
  },
  /** Overwrites an aligned word (where pcap/pcapng lengths live) with a limit value or len ± small. */
  lengthField(input, rng) {
    const out = input.slice();
    if (out.length < 4) return out;
    const at = rng.int(out.length >>> 2) << 2;
    const le = rng.chance(0.5);
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_U32) : (getU32(out, at, le) + rng.pick([-5, -4, -1, 1, 4, 8, 0x1000])) >>> 0;
    setU32(out, at, v, le);
    return out;
  },
  /** Replaces a range with bytes from another input: stitches blocks of different files together. */
  splice(input, rng, corpus) {
    const other = corpus.length > 0 ? rng.pick(corpus) : input;
    const from = rng.int(other.length);
    const piece = other.subarray(from, from + rng.int(Math.min(256, other.length - from) + 1));
    const at = rng.int(input.length + 1);
    const cut = rng.chance(0.5) ? rng.int(Math.min(256, input.length - at) + 1) : 0;
    const out = new Uint8Array(input.length - cut + piece.length);
    out.set(input.subarray(0, at), 0);
    out.set(piece, at);
    out.set(input.subarray(at + cut), at + piece.length);
    return out;
  },
  /** Repeats a range (e.g. a whole block) in place. */
  duplicate(input, rng) {
    const a = rng.int(input.length + 1);
    const b = a + rng.int(Math.min(512, input.length - a) + 1);
    const out = new Uint8Array(input.length + (b - a));
    out.set(input.subarray(0, b), 0);
    out.set(input.subarray(a), b);
    return out;
  },
  deleteRange(input, rng) {
    const a = rng.int(input.length + 1);
    const b = a + rng.int(Math.min(64, input.length - a) + 1);
    const out = new Uint8Array(input.length - (b - a));
    out.set(input.subarray(0, a), 0);
    out.set(input.subarray(b), a);
    return out;
  },
};

const mutatorList = Object.values(mutators);

/** 1–maxOps random mutations of `input` (never modified in place). */
export function mutate(input: Uint8Array, rng: Prng, corpus: readonly Uint8Array[] = [], maxOps = 3): Uint8Array {
  let out = input;
  const ops = 1 + rng.int(maxOps);
  for (let i = 0; i < ops; i++) out = rng.pick(mutatorList)(out, rng, corpus);
  return out;
}

/** One packet copied out of a batch (batches are reused, so tests must copy). */
export interface ReadPacket {
  tsUs: number;
  capLen: number;
  wireLen: number;
  linkType: number;
  ifIndex: number;
  data: Uint8Array;
}

export interface ReadResult {
  packets: ReadPacket[];
  /** What the iterator threw, if anything. */
  error: unknown;
  batches: number;
}

/**
 * Drains a source, copying every packet and checking the batch invariants every consumer relies
 * on (packet bytes lie inside `data`, count within capacity). Violations throw plain Errors so they
 * can never be mistaken for an expected FlowsentryError.
 */
export async function readAll(source: PacketSource, opts: { copyData?: boolean; maxBatches?: number } = {}): Promise<ReadResult> {
  const packets: ReadPacket[] = [];
  let batches = 0;
  let error: unknown = undefined;
  try {
    for await (const b of source) {
      if (++batches > (opts.maxBatches ?? Infinity)) throw new Error('reader makes no progress (too many batches)');
      if (b.count < 1 || b.count > b.capacity) throw new Error(`bad batch count ${b.count}`);
      for (let i = 0; i < b.count; i++) {
        const off = b.offset[i]!;
        const len = b.capLen[i]!;
        if (off + len > b.data.length) throw new Error(`packet ${i} [${off}, +${len}) outside data (${b.data.length})`);
        packets.push({
          tsUs: b.tsUs[i]!,
          capLen: len,
          wireLen: b.wireLen[i]!,
          linkType: b.linkType[i]!,
          ifIndex: b.ifIndex[i]!,
          data: opts.copyData === false ? new Uint8Array(0) : b.data.slice(off, off + len),
        });
      }
    }
  } catch (e) {
    if (!FlowsentryError.is(e)) throw e;
    error = e;
  }
  return { packets, error, batches };
}

export function readBytes(bytes: Uint8Array, opts: CaptureFileOptions = {}): Promise<ReadResult> {
  return readAll(openCaptureBytes(bytes, opts));
}

/** FNV-1a over packet metadata and bytes: compares two reads cheaply. */
export function digest(r: ReadResult): string {
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    h = Math.imul(h ^ (v & 0xff), 0x01000193);
    h = Math.imul(h ^ ((v >>> 8) & 0xff), 0x01000193);
    h = Math.imul(h ^ ((v >>> 16) & 0xff), 0x01000193);
    h = Math.imul(h ^ (v >>> 24), 0x01000193);
  };
  for (const p of r.packets) {
    mix(p.capLen);
    mix(p.wireLen);
    mix(p.linkType);
    mix(p.ifIndex);
    mix(Math.floor(p.tsUs) | 0);
    mix(Math.floor(p.tsUs / 4294967296) | 0);
    for (const x of p.data) h = Math.imul(h ^ x, 0x01000193);
  }
  const code = FlowsentryError.is(r.error) ? r.error.code : 'none';
  return `${r.packets.length}:${code}:${(h >>> 0).toString(16)}`;
}

export interface FuzzFailure {
  index: number;
  input: Uint8Array;
  error: unknown;
}

export interface FuzzSummary {
  cases: number;
  failures: FuzzFailure[];
  /** Outcome counts ("ok", or an FS_ERR_* code) — shows the mutations reach every error path. */
  outcomes: Record<string, number>;
}

/** A target reads one input; it returns an outcome label and throws only on a real bug. */
export type FuzzTarget = (input: Uint8Array, rng: Prng) => Promise<string>;

/**
 * The capture-reader target: reads the input with the default chunk and with a tiny random chunk
 * and batch size; both must end (ok or FlowsentryError) and agree packet for packet.
 */
export const captureTarget: FuzzTarget = async (input, rng) => {
  // Every batch holds at least one packet of at least 12 input bytes, so this bound means a loop.
  const maxBatches = input.length + 8;
  const whole = await readAll(openCaptureBytes(input), { maxBatches });
  const tiny = await readAll(
    openCaptureBytes(input, { chunkBytes: 16 + rng.int(200), batchPackets: 1 + rng.int(7) }),
    { maxBatches },
  );
  const a = digest(whole);
  const b = digest(tiny);
  if (a !== b) throw new Error(`chunked read differs: ${a} vs ${b}`);
  return FlowsentryError.is(whole.error) ? whole.error.code : 'ok';
};

export async function runFuzz(opts: {
  seed: number;
  cases: number;
  corpus: readonly Uint8Array[];
  target: FuzzTarget;
  /** Stop after this many failures (default 10). */
  maxFailures?: number;
}): Promise<FuzzSummary> {
  const rng = new Prng(opts.seed);
  const failures: FuzzFailure[] = [];
  const outcomes: Record<string, number> = {};
  let i = 0;
  for (; i < opts.cases && failures.length < (opts.maxFailures ?? 10); i++) {
    const input = mutate(rng.pick(opts.corpus), rng, opts.corpus);
    try {
      const label = await opts.target(input, rng);
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    } catch (error) {
      failures.push({ index: i, input, error });
    }
  }
  return { cases: i, failures, outcomes };
}

/** Deterministic packet bytes of a given length (content is irrelevant to the reader). */
function payload(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

/**
 * Small valid captures covering every format feature the reader has: the seed corpus for fuzzing
 * (small on purpose: thousands of cases must run in seconds).
 */
export function captureCorpus(): Uint8Array[] {
  const sizes = [60, 1, 54, 0, 123, 64, 9];
  const pkts = sizes.map((n, i) => ({ tsUs: 1_600_000_000_000_000 + i * 1500.5, data: payload(n, i), wireLen: n + (i % 2) * 10 }));
  const ng = encodePcapng([
    {
      interfaces: [
        { linkType: 1, tsresol: 6, name: 'eth0' },
        { linkType: 101, tsresol: 9, snaplen: 64 },
        { linkType: 113, tsresol: 0x8a, tsoffset: 1000 },
      ],
      blocks: [
        { kind: 'epb', ifIndex: 0, tsUs: 1.6e15, data: payload(60, 1), comment: 'first' },
        { kind: 'raw', blockType: PCAPNG_BT.NRB, body: payload(12, 2) },
        { kind: 'epb', ifIndex: 1, ticks: 1_600_000_000_123_456_789n, data: payload(40, 3), wireLen: 1500 },
        { kind: 'spb', data: payload(21, 4) },
        { kind: 'opb', ifIndex: 2, ticks: 123_456n, data: payload(33, 5) },
        { kind: 'raw', blockType: PCAPNG_BT.ISB, body: payload(24, 6) },
        { kind: 'idb', linkType: 105 },
        { kind: 'epb', ifIndex: 3, ticks: 7n, data: payload(0, 7) },
      ],
    },
    {
      bigEndian: true,
      interfaces: [{ linkType: 228, tsresol: 3 }],
      blocks: [
        { kind: 'epb', ifIndex: 0, ticks: 1_600_000_000_123n, data: payload(70, 8) },
        { kind: 'raw', blockType: PCAPNG_BT.CUSTOM, body: payload(8, 9) },
        { kind: 'spb', data: payload(3, 10), wireLen: 90 },
      ],
    },
  ]);
  return [
    encodePcap(pkts),
    encodePcap(pkts, { bigEndian: true, nanosecond: true, linkType: 101 }),
    encodePcap(pkts.slice(0, 3), { nanosecond: true, snaplen: 50 }),
    ng,
  ];
}
