/**
 * Typed loader for the libpcap addon (native/src/flowsentry_pcap.c, built into
 * native/build/Release/flowsentry_pcap.node by scripts/build-native.ts from the root `prepare`
 * script). Loading is lazy, so file-only use never needs libpcap. Failures become
 * FS_ERR_LIBPCAP_MISSING with the fix.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowsentryError } from '../errors.js';

/** Opaque handle of an open capture (a Node-API external). */
export type PcapHandle = { readonly __brand: 'PcapHandle' };

export interface NativeAddress {
  family: 'inet' | 'inet6' | 'link';
  address: string | null;
  netmask: string | null;
  broadaddr: string | null;
  dstaddr: string | null;
}

export interface NativeInterface {
  name: string;
  description: string | null;
  flags: { up: boolean; running: boolean; loopback: boolean; wireless: boolean; connection: 'connected' | 'disconnected' | 'not-applicable' | 'unknown' };
  addresses: NativeAddress[];
}

export interface NativeOpenResult {
  handle: PcapHandle;
  /** pcap_datalink(): LINKTYPE_* of every packet of this capture. */
  linkType: number;
  linkName: string | null;
  /** True when timestamps have nanosecond precision. */
  nanoTs: boolean;
  /** Effective snapshot length. */
  snaplen: number;
  /** pcap_activate() warning (e.g. promiscuous mode not supported), else null. */
  warning: string | null;
}

export interface NativeStats {
  /** ps_recv: packets received by the filter. */
  recv: number;
  /** ps_drop: dropped by the kernel for lack of buffer space. */
  drop: number;
  /** ps_ifdrop: dropped by the interface/driver. */
  ifdrop: number;
  /** Packets read() handed to JS. */
  delivered: number;
}

/** Error codes the addon attaches as `pcapCode`. */
export type NativeErrorCode = 'ENODEV' | 'EPERM' | 'EFILTER' | 'EIFDOWN' | 'EARG' | 'EPCAP';

export interface PcapAddon {
  libVersion(): string;
  findAllDevs(): NativeInterface[];
  open(
    iface: string,
    snaplen: number,
    promisc: boolean,
    bufferBytes: number,
    immediate: boolean,
    timeoutMs: number,
    filter: string | null,
    data: Uint8Array,
    offset: Uint32Array,
    capLen: Uint32Array,
    wireLen: Uint32Array,
    tsUs: Float64Array,
    linkType: Uint16Array,
    ifIndex: Uint16Array,
  ): NativeOpenResult;
  /** Copies ready packets into the arrays given to open(); returns how many (0: ring empty now). */
  read(h: PcapHandle): number;
  /** One-shot: calls cb once the descriptor is readable (cb gets a libuv error string or null). */
  watch(h: PcapHandle, cb: (err: string | null) => void): void;
  unwatch(h: PcapHandle): void;
  stats(h: PcapHandle): NativeStats;
  close(h: PcapHandle): void;
}

/** The fix printed with every FS_ERR_LIBPCAP_MISSING. */
// `npm rebuild` does not rebuild the root package's own addon (checked with npm 11); `prepare` does.
export const LIBPCAP_FIX = 'install libpcap-dev (apt-get install libpcap-dev) and rebuild the addon: npm run prepare';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the addon is loaded from: FLOWSENTRY_PCAP_ADDON, else native/build/Release in the repo. */
export function addonPath(): string {
  return process.env.FLOWSENTRY_PCAP_ADDON ?? path.join(repoRoot, 'native/build/Release/flowsentry_pcap.node');
}

let cached: PcapAddon | undefined;

/** Loads the addon once; throws FS_ERR_LIBPCAP_MISSING (with the fix) when it is absent or unloadable. */
export function loadPcapAddon(): PcapAddon {
  if (cached) return cached;
  const file = addonPath();
  if (!existsSync(file)) {
    throw new FlowsentryError('FS_ERR_LIBPCAP_MISSING', `${file} was not built — ${LIBPCAP_FIX}`);
  }
  try {
    cached = createRequire(import.meta.url)(file) as PcapAddon;
  } catch (err) {
    // Typically "libpcap.so.0.8: cannot open shared object file" after libpcap was removed.
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new FlowsentryError('FS_ERR_LIBPCAP_MISSING', `cannot load ${file}: ${msg} — ${LIBPCAP_FIX}`, { cause: err });
  }
  return cached;
}

/** True when the addon can be loaded (tests and `interfaces` use this to explain instead of crash). */
export function pcapAvailable(): boolean {
  try {
    loadPcapAddon();
    return true;
  } catch {
    return false;
  }
}

/** The `pcapCode` an addon error carries, if any. */
export function nativeErrorCode(err: unknown): NativeErrorCode | undefined {
  if (typeof err === 'object' && err !== null && 'pcapCode' in err) {
    const c = (err as { pcapCode: unknown }).pcapCode;
    if (typeof c === 'string') return c as NativeErrorCode;
  }
  return undefined;
}
