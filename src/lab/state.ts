/**
 * The lab's record of what it created, kept in STATE_DIR/state.json. `lab down` trusts the fixed
 * `fs-` names first and this file second, so a crash between creating a namespace and writing the
 * file still leaves nothing behind.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { STATE_DIR } from './constants.js';

export interface ServiceRecord {
  readonly name: string;
  readonly pid: number;
  /** /proc start time, so a recycled PID is never signalled. */
  readonly startTime: number | undefined;
  readonly ns: string;
}

export interface LabState {
  readonly version: 1;
  /** 'building' until every check of `lab up` passed. */
  status: 'building' | 'up';
  created: string;
  namespaces: string[];
  services: ServiceRecord[];
  /** True when `lab up` created /run/sshd (sshd's privilege-separation directory) and must remove it. */
  createdPrivsepDir: boolean;
}

export const statePath = (): string => path.join(STATE_DIR, 'state.json');
export const stateSub = (...parts: string[]): string => path.join(STATE_DIR, ...parts);

export function ensureStateDir(): void {
  mkdirSync(STATE_DIR, { recursive: true });
  // World-traversable: nginx/vsftpd/dnsmasq workers drop privileges and must read their document roots.
  chmodSync(STATE_DIR, 0o755);
}

export function readState(): LabState | undefined {
  if (!existsSync(statePath())) return undefined;
  try {
    const s = JSON.parse(readFileSync(statePath(), 'utf8')) as LabState;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic write (rename), so a crash never leaves a half-written state file. */
export function writeState(s: LabState): void {
  ensureStateDir();
  const tmp = statePath() + '.tmp';
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, statePath());
}
