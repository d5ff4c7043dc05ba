/**
 * Memory for per-flow state (flow table, meter clocks, TCP state, feature state).
 *
 * Those arrays are indexed by flow slot, so each packet lands on a random place in tens of megabytes:
 * with 4 KiB pages every such access is also a TLB miss (in a VM, a two-level page walk). Large
 * buffers therefore come from the flowsentry_mem addon (native/mem), which maps them 2 MiB-aligned and
 * advises transparent huge pages; V8 does not ask for them. Whole `features` process on the benchmark
 * capture: ~0.88× the wall time (docs/benchmarks in the README).
 *
 * Results never depend on it: without the addon (not built, FLOWSENTRY_HUGE_PAGES=0, or a failed
 * mapping) the same zero-filled memory comes from an ordinary ArrayBuffer.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface MemAddon {
  allocHugePages(bytes: number): ArrayBuffer | null;
  hugePageStatus(): string;
}

/** Buffers below this stay ordinary: a huge page would only round them up. */
export const HUGE_PAGE_MIN_BYTES = 2 << 20;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the addon is loaded from: FLOWSENTRY_MEM_ADDON, else native/mem/build/Release in the repo. */
export function memAddonPath(): string {
  return process.env.FLOWSENTRY_MEM_ADDON ?? path.join(repoRoot, 'native/mem/build/Release/flowsentry_mem.node');
}

let addon: MemAddon | null | undefined;

function loadAddon(): MemAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.FLOWSENTRY_HUGE_PAGES === '0') return addon;
  const file = memAddonPath();
  if (!existsSync(file)) return addon;
  try {
    addon = createRequire(import.meta.url)(file) as MemAddon;
  } catch {
    addon = null; // an unloadable addon only costs speed
  }
  return addon;
}

export interface StateMemoryInfo {
  /** Whether large state buffers come from the huge-page addon. */
  addon: boolean;
  /** The kernel's transparent huge page mode ('always', 'madvise', 'never', or 'unavailable'). */
  thp: string;
  /** Bytes handed out by the addon / as ordinary ArrayBuffers so far. */
  hugeBytes: number;
  plainBytes: number;
}

const info = { hugeBytes: 0, plainBytes: 0 };

/** A zero-filled buffer of `bytes` bytes for per-slot state; large ones on huge pages when possible. */
export function stateBuffer(bytes: number): ArrayBuffer {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`state buffer size must be a non-negative integer, got ${bytes}`);
  if (bytes >= HUGE_PAGE_MIN_BYTES) {
    const m = loadAddon();
    const ab = m !== null ? m.allocHugePages(bytes) : null;
    if (ab !== null) {
      info.hugeBytes += bytes;
      return ab;
    }
  }
  info.plainBytes += bytes;
  return new ArrayBuffer(bytes);
}

export function stateFloat64(length: number) {
  return new Float64Array(stateBuffer(length * 8));
}
export function stateUint32(length: number) {
  return new Uint32Array(stateBuffer(length * 4));
}
export function stateInt32(length: number) {
  return new Int32Array(stateBuffer(length * 4));
}

/** What stateBuffer has been doing (for the benchmark report and tests). */
export function stateMemoryInfo(): StateMemoryInfo {
  const m = loadAddon();
  return { addon: m !== null, thp: m !== null ? m.hugePageStatus() : 'unavailable', ...info };
}
