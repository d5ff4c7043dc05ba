/**
 * Rolling pcap log: every captured packet (raw, before decoding) goes to `DIR/PREFIX-<start>.pcap`;
 * a new file starts when the current one reaches `maxBytes` or is `maxAgeS` old (packet time), or
 * when the link type changes (one pcap file has one link type). At most `maxFiles` files are kept;
 * the oldest are deleted. Written through PcapWriter, so copying a packet allocates nothing.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PacketBatch } from '../capture/batch.js';
import { PcapWriter } from '../capture/pcap-writer.js';
import type { EventKind, EventMap, Sink } from './sink.js';

export interface PcapLogOptions {
  dir: string;
  prefix: string;
  /** Rotate when a file reaches this many bytes. */
  maxBytes: number;
  /** Rotate when a file spans this many seconds of packet time (Infinity: never). */
  maxAgeS: number;
  /** Files kept (0 = unlimited). */
  maxFiles: number;
  snaplen?: number;
}

export class PcapLogSink implements Sink {
  readonly name = 'pcap-log';
  private w: PcapWriter | null = null;
  private linkType = -1;
  private fileStartUs = 0;
  private readonly files: string[] = [];
  private seq = 0;
  filesOpened = 0;
  packets = 0;

  constructor(private readonly opts: PcapLogOptions) {}

  open(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    // files from an earlier run with the same prefix count against maxFiles too
    const re = new RegExp(`^${this.opts.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}T\\d{6}-\\d+\\.pcap$`);
    for (const f of readdirSync(this.opts.dir).filter((f) => re.test(f)).sort()) this.files.push(join(this.opts.dir, f));
  }

  /** Paths of the files currently kept, oldest first. */
  get paths(): readonly string[] {
    return this.files;
  }

  writeBatch(b: PacketBatch): void {
    const o = this.opts;
    for (let i = 0; i < b.count; i++) {
      const ts = b.tsUs[i];
      const lt = b.linkType[i];
      let w = this.w;
      if (w === null || lt !== this.linkType || w.bytes >= o.maxBytes || ts - this.fileStartUs >= o.maxAgeS * 1e6) w = this.rotate(ts, lt);
      w.writeSlice(ts, b.data, b.offset[i], b.capLen[i], b.wireLen[i]);
      this.packets++;
    }
  }

  private rotate(tsUs: number, linkType: number): PcapWriter {
    this.w?.close();
    const o = this.opts;
    const stamp = new Date(Math.floor(tsUs / 1000)).toISOString().replace(/[-:]/g, '').slice(0, 15);
    const path = join(o.dir, `${o.prefix}-${stamp}-${this.seq++}.pcap`);
    const w = new PcapWriter(path, { linkType, snaplen: o.snaplen });
    this.w = w;
    this.linkType = linkType;
    this.fileStartUs = tsUs;
    this.filesOpened++;
    this.files.push(path);
    while (o.maxFiles > 0 && this.files.length > o.maxFiles) {
      const old = this.files.shift()!;
      try {
        unlinkSync(old);
      } catch {
        // already gone (an operator moved it): nothing to free
      }
    }
    return w;
  }

  write<K extends EventKind>(_kind: K, _rec: EventMap[K]): void {}

  flush(): void {
    this.w?.flush();
  }

  /** SIGHUP: finish the current file; the next packet starts a new one. */
  reopen(): void {
    this.w?.close();
    this.w = null;
  }

  close(): void {
    this.w?.close();
    this.w = null;
  }
}
