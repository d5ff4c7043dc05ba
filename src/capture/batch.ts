/**
 * A batch of captured packets: one byte buffer plus parallel typed arrays, so the hot path never
 * allocates an object per packet. A source fills a batch, the pipeline consumes it, and the source
 * may reuse the same batch (and its buffer) for the next call: consumers must not keep references
 * to `data` across batches.
 */
export class PacketBatch {
  /** Bytes the packets live in (a file chunk or a copy of libpcap buffers). */
  data: Uint8Array;
  /** Number of valid packets in this batch. */
  count = 0;
  /** Offset of packet i's first captured byte in `data`. */
  readonly offset: Uint32Array;
  /** Captured length of packet i (bytes present in `data`). */
  readonly capLen: Uint32Array;
  /** Original (wire) length of packet i. */
  readonly wireLen: Uint32Array;
  /** Timestamp of packet i in microseconds since the Unix epoch (may carry a sub-µs fraction). */
  readonly tsUs: Float64Array;
  /** libpcap LINKTYPE_* of packet i (pcapng interfaces may differ per packet). */
  readonly linkType: Uint16Array;
  /** Interface index of packet i (pcapng IDB index; 0 for pcap and live). */
  readonly ifIndex: Uint16Array;

  constructor(capacity: number, data: Uint8Array = new Uint8Array(0)) {
    this.data = data;
    this.offset = new Uint32Array(capacity);
    this.capLen = new Uint32Array(capacity);
    this.wireLen = new Uint32Array(capacity);
    this.tsUs = new Float64Array(capacity);
    this.linkType = new Uint16Array(capacity);
    this.ifIndex = new Uint16Array(capacity);
  }

  get capacity(): number {
    return this.offset.length;
  }
}

/** Counters every source keeps; live sources add kernel drop counts. */
export interface SourceStats {
  /** Packets delivered to the pipeline so far. */
  packetsRead: number;
  /** Bytes of the capture consumed so far (file sources) — for progress reporting. */
  bytesRead: number;
  /** Total size of the input when known (file sources), else 0. */
  bytesTotal: number;
  /** Packets the kernel dropped (live only; libpcap ps_drop). */
  kernelDrops: number;
  /** Packets dropped by the interface/driver (live only; libpcap ps_ifdrop). */
  ifDrops: number;
  /**
   * Packets the source itself discarded after libpcap delivered them (live only), e.g. from an
   * internal queue that overflowed. Optional so file sources need not report it. The built-in
   * live source (capture/live.ts) keeps no queue — it reads only when the pipeline asks for the
   * next batch, so backpressure lands in the kernel ring and shows up as kernelDrops — hence it
   * always reports 0 here.
   */
  appDrops?: number;
}

/**
 * Anything that yields packets: a pcap/pcapng file or a live interface. The pipeline is the same
 * for both (see pipeline/). Errors about the input as a whole (truncation, corruption) are thrown
 * from the iterator *after* every complete packet before the problem has been yielded, so nothing
 * already read is lost.
 */
export interface PacketSource extends AsyncIterable<PacketBatch> {
  readonly description: string;
  stats(): SourceStats;
  /** Stops a live source (Ctrl+C); the iterator then ends after delivering what it holds. */
  close(): void;
}
