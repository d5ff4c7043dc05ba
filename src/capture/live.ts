/**
 * Live capture from a network interface through libpcap (our own Node-API addon, see
 * native/src/flowsentry_pcap.c and docs/live-capture.md).
 *
 * Design: pull, no queue. The iterator calls the addon's read() — one call per batch — which copies
 * whatever libpcap's ring holds (up to a batch) into the one reusable PacketBatch. When the ring is
 * empty it waits for a one-shot libuv poll on libpcap's descriptor, so an idle capture costs no CPU
 * and adds no polling latency. Because nothing is read ahead of the consumer, a slow pipeline makes
 * the kernel ring fill up and the kernel count drops (kernelDrops); the application itself never
 * drops (appDrops is always 0).
 */
import { execFileSync } from 'node:child_process';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { FlowsentryError } from '../errors.js';
import { PacketBatch, type PacketSource, type SourceStats } from './batch.js';
import { loadPcapAddon, nativeErrorCode, type NativeInterface, type PcapAddon, type PcapHandle } from './libpcap.js';

export interface LiveCaptureOptions {
  /** Interface name as `flowsentry interfaces` lists it (e.g. eth0, lo, any). */
  iface: string;
  /** Promiscuous mode (default true: a sensor wants traffic not addressed to this host). */
  promisc?: boolean;
  /** Bytes captured per packet (default 262144, libpcap's default: whole packets). */
  snaplen?: number;
  /** Kernel ring buffer size in bytes (default 32 MiB; libpcap's own default of 2 MiB drops under bursts). */
  bufferBytes?: number;
  /**
   * Deliver each packet as soon as it arrives (default false). Off, the kernel hands over packets
   * in blocks retired at the latest every `timeoutMs`, which is much cheaper per packet at high
   * rates (TPACKET_V3); see docs/live-capture.md for the measured trade-off.
   */
  immediate?: boolean;
  /** BPF filter expression (tcpdump syntax), compiled with optimisation and installed in the kernel. */
  filter?: string;
  /** Block timeout in ms when not immediate (default 1, minimum 1): the idle latency bound. */
  timeoutMs?: number;
  /** Packets per batch (default 4096). */
  batchPackets?: number;
  /** Bytes of packet data per batch (default 4 MiB, raised to at least snaplen). */
  batchBytes?: number;
}

/** Live sources report libpcap's receive counter too. */
export interface LiveSourceStats extends SourceStats {
  /** libpcap ps_recv: packets that passed the filter in the kernel (Linux counts before drops). */
  kernelReceived: number;
  appDrops: number;
}

/** A PacketSource on a live interface; `stats()` adds kernel counters. */
export interface LiveCapture extends PacketSource {
  /** LINKTYPE_* of every packet (also written to batch.linkType[i]). */
  readonly linkType: number;
  /** libpcap's name for the link type, e.g. EN10MB. */
  readonly linkName: string | null;
  /** Non-fatal pcap_activate warning (e.g. promiscuous mode unsupported), else null. */
  readonly warning: string | null;
  stats(): LiveSourceStats;
}

const DEFAULTS = {
  promisc: true,
  snaplen: 262144,
  bufferBytes: 32 * 1024 * 1024,
  immediate: false,
  timeoutMs: 1,
  batchPackets: 4096,
  batchBytes: 4 * 1024 * 1024,
} as const;

/** After close(), at most this many batches are drained, so a flood cannot keep the iterator alive. */
const DRAIN_MAX_BATCHES = 64;

/** The fix printed with every capture permission error. */
export const PERMISSION_FIX =
  'run as root, or grant the capability once: sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"';

function intOption(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new FlowsentryError('FS_ERR_USAGE', `live capture: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/** Turns an addon error into the documented FS_ERR_* error. */
function mapOpenError(err: unknown, iface: string): FlowsentryError {
  const msg = err instanceof Error ? err.message : String(err);
  switch (nativeErrorCode(err)) {
    case 'ENODEV':
      return new FlowsentryError('FS_ERR_CAPTURE_LIVE', `no such interface '${iface}' (${msg}); list them with: flowsentry interfaces`, { cause: err });
    case 'EPERM':
      return new FlowsentryError('FS_ERR_PERMISSION', `cannot capture on '${iface}': ${msg} — ${PERMISSION_FIX}`, { cause: err });
    case 'EIFDOWN':
      return new FlowsentryError('FS_ERR_CAPTURE_LIVE', `interface '${iface}' is down (${msg}); bring it up: ip link set ${iface} up`, { cause: err });
    case 'EFILTER':
      return new FlowsentryError('FS_ERR_CAPTURE_LIVE', msg, { cause: err });
    case 'EARG':
      return new FlowsentryError('FS_ERR_INTERNAL', `libpcap addon rejected its arguments: ${msg}`, { cause: err });
    default:
      return new FlowsentryError('FS_ERR_CAPTURE_LIVE', `${iface}: ${msg}`, { cause: err });
  }
}

/**
 * Immediate mode makes libpcap use TPACKET_V2, whose ring has fixed-size slots of about
 * min(snaplen, ~64 KiB) bytes: with whole-packet snaplens a 32 MiB ring has only ~500 slots, which
 * a burst overruns in a millisecond (measured: 43% kernel drops at 230 k packets/s). Say so.
 */
function immediateRingWarning(immediate: boolean, snaplen: number, bufferBytes: number): string | null {
  if (!immediate) return null;
  const slots = Math.floor((bufferBytes || 2 * 1024 * 1024) / (Math.min(snaplen, 65_600) + 96));
  if (slots >= 4096) return null;
  return `immediate mode with snaplen ${snaplen} leaves only ~${slots} kernel ring slots; expect drops under bursts (use a snaplen like 256 or non-immediate mode)`;
}

function joinWarnings(...ws: (string | null)[]): string | null {
  const list = ws.filter((w): w is string => !!w);
  return list.length ? list.join('; ') : null;
}

class LiveCaptureSource implements LiveCapture {
  readonly description: string;
  readonly linkType: number;
  readonly linkName: string | null;
  readonly warning: string | null;
  private readonly batch: PacketBatch;
  private readonly handle: PcapHandle;
  private released = false;
  private closing = false;
  private started = false;
  private iterating = false;
  private wake: ((err: string | null) => void) | null = null;
  private packets = 0;
  private bytes = 0;

  constructor(
    private readonly addon: PcapAddon,
    opts: LiveCaptureOptions,
  ) {
    if (typeof opts.iface !== 'string' || opts.iface === '') {
      throw new FlowsentryError('FS_ERR_USAGE', 'live capture: an interface name is required (see flowsentry interfaces)');
    }
    const snaplen = intOption('snaplen', opts.snaplen, DEFAULTS.snaplen, 64, 262144);
    const bufferBytes = intOption('bufferBytes', opts.bufferBytes, DEFAULTS.bufferBytes, 0, 2 ** 31 - 1);
    const timeoutMs = intOption('timeoutMs', opts.timeoutMs, DEFAULTS.timeoutMs, 1, 60_000);
    const batchPackets = intOption('batchPackets', opts.batchPackets, DEFAULTS.batchPackets, 1, 1 << 20);
    const batchBytes = Math.max(snaplen, intOption('batchBytes', opts.batchBytes, DEFAULTS.batchBytes, 64, 2 ** 31 - 1));
    const promisc = opts.promisc ?? DEFAULTS.promisc;
    const immediate = opts.immediate ?? DEFAULTS.immediate;
    const filter = opts.filter !== undefined && opts.filter.trim() !== '' ? opts.filter : null;

    const b = new PacketBatch(batchPackets, new Uint8Array(batchBytes));
    let res;
    try {
      res = addon.open(opts.iface, snaplen, promisc, bufferBytes, immediate, timeoutMs, filter, b.data, b.offset, b.capLen, b.wireLen, b.tsUs, b.linkType, b.ifIndex);
    } catch (err) {
      throw mapOpenError(err, opts.iface);
    }
    this.batch = b;
    this.handle = res.handle;
    this.linkType = res.linkType;
    this.linkName = res.linkName;
    this.warning = joinWarnings(res.warning, immediateRingWarning(immediate, snaplen, bufferBytes));
    this.description = `live:${opts.iface}${filter ? ` [${filter}]` : ''}`;
  }

  stats(): LiveSourceStats {
    let s;
    try {
      s = this.addon.stats(this.handle);
    } catch (err) {
      throw new FlowsentryError('FS_ERR_CAPTURE_LIVE', `${this.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return {
      packetsRead: this.packets,
      bytesRead: this.bytes,
      bytesTotal: 0,
      kernelDrops: s.drop,
      ifDrops: s.ifdrop,
      kernelReceived: s.recv,
      appDrops: 0,
    };
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    const wake = this.wake;
    if (wake) {
      this.wake = null;
      this.addon.unwatch(this.handle);
      wake(null);
    }
    // Not being iterated: nothing can deliver buffered packets any more, so release now.
    if (!this.iterating) this.release();
  }

  [Symbol.asyncIterator](): AsyncIterator<PacketBatch> {
    if (this.started) {
      throw new FlowsentryError('FS_ERR_INTERNAL', `${this.description}: a live source can be iterated only once`);
    }
    this.started = true;
    this.iterating = true;
    return this.run();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.iterating = false;
    this.addon.unwatch(this.handle);
    this.addon.close(this.handle); // snapshots the kernel counters first, so stats() keeps working
  }

  /** One addon read into the shared batch; 0 when the ring is empty right now. */
  private read(): number {
    let n: number;
    try {
      n = this.addon.read(this.handle);
    } catch (err) {
      throw new FlowsentryError('FS_ERR_CAPTURE_LIVE', `${this.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const b = this.batch;
    b.count = n;
    if (n > 0) {
      this.packets += n;
      // Packets are laid out back to back from offset 0, so the last one ends the used bytes.
      this.bytes += b.offset[n - 1]! + b.capLen[n - 1]!;
    }
    return n;
  }

  private waitReadable(): Promise<string | null> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.addon.watch(this.handle, (err) => {
        this.wake = null;
        resolve(err);
      });
    });
  }

  private async *run(): AsyncGenerator<PacketBatch, void, undefined> {
    const cap = this.batch.capacity;
    let emptyWakeups = 0;
    try {
      if (this.released) return;
      while (!this.closing) {
        const n = this.read();
        if (n > 0) {
          emptyWakeups = 0;
          yield this.batch;
          // A full batch means more is probably waiting and the next read won't touch the event
          // loop: give timers and signal handlers (Ctrl+C -> close()) a turn during floods.
          if (n === cap) await nextTurn();
          continue;
        }
        const err = await this.waitReadable();
        if (this.closing) break;
        if (err !== null) {
          throw new FlowsentryError('FS_ERR_CAPTURE_LIVE', `${this.description}: waiting for packets failed: ${err}`);
        }
        // Readable but nothing to read should not happen; if it keeps happening, don't spin.
        if (++emptyWakeups > 100) await sleep(1);
      }
      // close() was called: hand over what the kernel already holds, then end.
      for (let i = 0; i < DRAIN_MAX_BATCHES && !this.released; i++) {
        const n = this.read();
        if (n === 0) break;
        yield this.batch;
        if (n < cap) break;
      }
    } finally {
      this.release();
    }
  }
}

/**
 * Opens a live capture. Throws FS_ERR_LIBPCAP_MISSING (addon not built), FS_ERR_PERMISSION (not root
 * / no CAP_NET_RAW), FS_ERR_CAPTURE_LIVE (no such interface, interface down, bad BPF filter) or
 * FS_ERR_USAGE (option out of range). The handle is open on return, so privileges may be dropped
 * right after (see dropPrivileges).
 */
export function openLiveCapture(opts: LiveCaptureOptions): LiveCapture {
  return new LiveCaptureSource(loadPcapAddon(), opts);
}

export interface InterfaceInfo {
  name: string;
  description: string | null;
  up: boolean;
  running: boolean;
  loopback: boolean;
  wireless: boolean;
  connection: NativeInterface['flags']['connection'];
  addresses: NativeInterface['addresses'];
}

/** pcap_findalldevs(): every interface libpcap can capture on, in libpcap's order. */
export function listInterfaces(): InterfaceInfo[] {
  const addon = loadPcapAddon();
  let devs: NativeInterface[];
  try {
    devs = addon.findAllDevs();
  } catch (err) {
    const code = nativeErrorCode(err);
    throw new FlowsentryError(code === 'EPERM' ? 'FS_ERR_PERMISSION' : 'FS_ERR_CAPTURE_LIVE', `listing interfaces failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return devs.map((d) => ({ name: d.name, description: d.description, ...d.flags, addresses: d.addresses }));
}

/** Looks a user (or group) up through NSS, so LDAP/systemd users work like /etc/passwd ones. */
function getent(db: 'passwd' | 'group', key: string): string[] | undefined {
  try {
    const line = execFileSync('getent', [db, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
    return line ? line.split(':') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Drops root after the capture is open: libpcap's socket and ring stay usable, but the rest of the
 * process (parsers of hostile packets, model loading, sinks) no longer runs as root. Sets the
 * supplementary groups, then the gid, then the uid — in that order, because after setuid the
 * process may no longer change its groups. Irreversible. `group` defaults to the user's primary group.
 */
export function dropPrivileges(user: string, group?: string): { uid: number; gid: number } {
  // process.initgroups exists on POSIX Node but is missing from @types/node 20.
  const initgroups = (process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void }).initgroups;
  if (typeof process.setuid !== 'function' || typeof process.setgid !== 'function' || typeof initgroups !== 'function') {
    throw new FlowsentryError('FS_ERR_PERMISSION', 'dropping privileges is not supported on this platform');
  }
  const pw = getent('passwd', user);
  if (!pw || pw.length < 4) throw new FlowsentryError('FS_ERR_CONFIG', `cannot drop privileges: no such user '${user}'`);
  const uid = Number(pw[2]);
  let gid = Number(pw[3]);
  if (group !== undefined) {
    const gr = getent('group', group);
    if (!gr || gr.length < 3) throw new FlowsentryError('FS_ERR_CONFIG', `cannot drop privileges: no such group '${group}'`);
    gid = Number(gr[2]);
  }
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new FlowsentryError('FS_ERR_CONFIG', `cannot drop privileges: unreadable ids for user '${user}'`);
  }
  try {
    initgroups.call(process, user, gid);
    process.setgid(gid);
    process.setuid(uid);
  } catch (err) {
    throw new FlowsentryError('FS_ERR_PERMISSION', `cannot drop privileges to ${user}: ${err instanceof Error ? err.message : String(err)} (only root can switch users)`, { cause: err });
  }
  if (process.getuid?.() !== uid || process.getgid?.() !== gid) {
    throw new FlowsentryError('FS_ERR_PERMISSION', `dropping privileges to ${user} did not take effect`);
  }
  return { uid, gid };
}
