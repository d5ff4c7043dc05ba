/**
 * Which executable comes from which Debian package, so a missing tool is reported by the package to
 * install rather than by a bare ENOENT in the middle of a run.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { FlowsentryError } from '../errors.js';
import { LAB_PATH } from './constants.js';

export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  ss: 'iproute2',
  tcpdump: 'tcpdump',
  tshark: 'tshark',
  nginx: 'nginx-light',
  dnsmasq: 'dnsmasq',
  sshd: 'openssh-server',
  'ssh-keygen': 'openssh-client',
  ssh: 'openssh-client',
  vsftpd: 'vsftpd',
  iperf3: 'iperf3',
  curl: 'curl',
  wrk: 'wrk',
  dig: 'dnsutils',
  lftp: 'lftp',
  hping3: 'hping3',
  nmap: 'nmap',
  nping: 'nmap',
  slowhttptest: 'slowhttptest',
  goldeneye: 'goldeneye',
  patator: 'patator',
  sshpass: 'sshpass',
  hydra: 'hydra',
};

/** Absolute path of `tool` on the lab PATH, or undefined. */
export function which(tool: string): string | undefined {
  for (const dir of LAB_PATH.split(':')) {
    const p = path.join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((t) => which(t) === undefined);
}

/** Throws FS_ERR_TOOL_MISSING naming each missing tool and the Debian package that provides it. */
export function requireTools(tools: readonly string[], purpose: string): void {
  const missing = missingTools(tools);
  if (missing.length === 0) return;
  const list = missing.map((t) => `${t} (Debian package ${TOOL_PACKAGES[t] ?? 'unknown'})`).join(', ');
  throw new FlowsentryError('FS_ERR_TOOL_MISSING', `${purpose} needs ${list}; run scripts/install-system-deps.sh as root`);
}

/** Tools `lab up` itself needs (topology + victim services). */
export const LAB_UP_TOOLS = ['ip', 'ss', 'nginx', 'dnsmasq', 'sshd', 'ssh-keygen', 'vsftpd', 'iperf3'] as const;
