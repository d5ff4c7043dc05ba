/**
 * Builds, checks and removes the lab: four namespaces (monitor + victim/client/attacker), one bridge in
 * the monitor namespace, one veth pair per host created directly between namespaces (the root
 * namespace never gets a link), no default routes. Every step is an `ip` argument array.
 */
import { existsSync, rmSync, rmdirSync, readdirSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';
import {
  ALL_NAMESPACES, BRIDGE, HOST_IFACE, HOSTS, IPV4_PREFIX_LEN, IPV6_PREFIX_LEN, MONITOR_NS, OUTSIDE_V4, OUTSIDE_V6, PLAN, STATE_DIR,
} from './constants.js';
import { isAlive, mustRun, procStartTime, run, sleep } from './exec.js';
import { listening, REQUIRED_PORTS, startServices, waitForServices } from './services.js';
import { readState, writeState, type LabState } from './state.js';
import { LAB_UP_TOOLS, requireTools } from './tools.js';

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new FlowsentryError('FS_ERR_PERMISSION', `${what} creates network namespaces and must run as root`);
  }
}

/** Namespaces that exist right now (`ip netns list` prints "name" or "name (id: N)"). */
export function listNamespaces(): string[] {
  const r = run(['ip', 'netns', 'list']);
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.length > 0);
}

export function labNamespacesPresent(): string[] {
  const present = new Set(listNamespaces());
  return ALL_NAMESPACES.filter((n) => present.has(n));
}

interface IpLink { ifname: string; link_type?: string; linkinfo?: { info_kind?: string } }
interface IpRoute { dst?: string; dev?: string; gateway?: string }

function jsonOf<T>(argv: readonly string[]): T {
  return JSON.parse(mustRun(argv) || '[]') as T;
}

/**
 * Proves the lab cannot reach anything outside: in every lab namespace only loopback, veth and bridge
 * links exist, there is no default route or gateway, and route lookups for outside addresses fail.
 * Returns a list of problems (empty = isolated).
 */
export function isolationProblems(): string[] {
  const problems: string[] = [];
  for (const ns of ALL_NAMESPACES) {
    const links = jsonOf<IpLink[]>(['ip', '-n', ns, '-d', '-j', 'link', 'show']);
    for (const l of links) {
      const kind = l.linkinfo?.info_kind;
      if (l.ifname === 'lo') continue;
      if (kind !== 'veth' && kind !== 'bridge') problems.push(`${ns}: unexpected link ${l.ifname} (${kind ?? l.link_type ?? 'physical'})`);
    }
    for (const fam of ['-4', '-6'] as const) {
      const routes = jsonOf<IpRoute[]>(['ip', '-n', ns, fam, '-j', 'route', 'show', 'table', 'all']);
      for (const r of routes) {
        if (r.dst === 'default' || r.gateway) problems.push(`${ns}: route ${r.dst ?? '?'} via ${r.gateway ?? '?'} dev ${r.dev ?? '?'} leads out`);
      }
      const target = fam === '-4' ? OUTSIDE_V4 : OUTSIDE_V6;
      // Route lookup only: nothing is sent. It must fail (network unreachable).
      const get = run(['ip', '-n', ns, fam, 'route', 'get', target]);
      if (get.status === 0) problems.push(`${ns}: 'ip route get ${target}' found a route: ${get.stdout.trim()}`);
    }
  }
  return problems;
}

function verifyIsolation(): void {
  const problems = isolationProblems();
  if (problems.length > 0) {
    throw new FlowsentryError('FS_ERR_LAB', `lab is not isolated, refusing to continue: ${problems.join('; ')}`);
  }
}

function buildTopology(state: LabState): void {
  for (const ns of ALL_NAMESPACES) {
    mustRun(['ip', 'netns', 'add', ns], `ip netns add ${ns}`);
    state.namespaces.push(ns);
    writeState(state);
    mustRun(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  // The bridge carries no address and no IPv6 link-local (addrgenmode none): the sensor only listens.
  mustRun(['ip', '-n', MONITOR_NS, 'link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  mustRun(['ip', '-n', MONITOR_NS, 'link', 'set', BRIDGE, 'addrgenmode', 'none']);
  mustRun(['ip', '-n', MONITOR_NS, 'link', 'set', BRIDGE, 'up']);
  for (const h of HOSTS) {
    const p = PLAN[h];
    // Created inside the monitor namespace with the peer placed straight into the host namespace.
    mustRun(['ip', '-n', MONITOR_NS, 'link', 'add', p.port, 'type', 'veth', 'peer', 'name', HOST_IFACE, 'netns', p.ns], `veth for ${h}`);
    mustRun(['ip', '-n', MONITOR_NS, 'link', 'set', p.port, 'addrgenmode', 'none']);
    mustRun(['ip', '-n', MONITOR_NS, 'link', 'set', p.port, 'master', BRIDGE, 'up']);
    mustRun(['ip', '-n', p.ns, 'link', 'set', HOST_IFACE, 'address', p.mac]);
    mustRun(['ip', '-n', p.ns, 'addr', 'add', `${p.ipv4}/${IPV4_PREFIX_LEN}`, 'dev', HOST_IFACE]);
    // nodad: the address is usable at once (no 1-2 s duplicate address detection wait).
    mustRun(['ip', '-n', p.ns, '-6', 'addr', 'add', `${p.ipv6}/${IPV6_PREFIX_LEN}`, 'dev', HOST_IFACE, 'nodad']);
    mustRun(['ip', '-n', p.ns, 'link', 'set', HOST_IFACE, 'up']);
  }
}

/** True when state says up, all namespaces exist, every service process lives and listens. */
export function labHealthy(): boolean {
  const s = readState();
  if (!s || s.status !== 'up') return false;
  if (labNamespacesPresent().length !== ALL_NAMESPACES.length) return false;
  if (!s.services.every((x) => isAlive(x.pid) && procStartTime(x.pid) === x.startTime)) return false;
  const l = listening();
  return REQUIRED_PORTS.every(([, p]) => l.has(p));
}

/** `lab up`: idempotent. A healthy lab is left alone; a partial one (e.g. after a crash) is rebuilt. */
export async function labUp(log: (s: string) => void = () => {}): Promise<'created' | 'already-up'> {
  requireRoot('lab up');
  requireTools(LAB_UP_TOOLS, 'lab up');
  if (labHealthy()) {
    verifyIsolation();
    return 'already-up';
  }
  if (labNamespacesPresent().length > 0 || readState()) {
    log('lab: removing a partial lab first');
    await labDown();
  }
  const state: LabState = { version: 1, status: 'building', created: new Date().toISOString(), namespaces: [], services: [], createdPrivsepDir: false };
  writeState(state);
  try {
    buildTopology(state);
    // Check before any service runs, so nothing ever starts in a namespace that can reach out.
    verifyIsolation();
    const { services, createdPrivsep } = startServices();
    state.services = services;
    state.createdPrivsepDir = createdPrivsep;
    writeState(state);
    await waitForServices();
    verifyIsolation();
    state.status = 'up';
    writeState(state);
    return 'created';
  } catch (err) {
    await labDown().catch(() => undefined);
    throw err;
  }
}

export async function killNamespaceProcesses(ns: string): Promise<void> {
  const pids = (): number[] => run(['ip', 'netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => n > 1 && n !== process.pid);
  let list = pids();
  for (const pid of list) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
  for (let i = 0; i < 20 && list.length > 0; i++) {
    await sleep(100);
    list = pids();
  }
  for (const pid of list) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/**
 * `lab down`: kills every process living in a lab namespace (services, tools, captures — also those of
 * a crashed run), deletes the namespaces (which destroys their veths and the bridge), removes /run/sshd
 * if the lab created it, and deletes the state dir. Only the fixed `fs-` names are ever touched.
 */
export async function labDown(): Promise<string[]> {
  requireRoot('lab down');
  const state = readState();
  const removed: string[] = [];
  for (const s of state?.services ?? []) {
    // Services are in the victim namespace and will also be found below; this catches ones that left it.
    if (isAlive(s.pid) && procStartTime(s.pid) === s.startTime) {
      try { process.kill(s.pid, 'SIGTERM'); } catch { /* gone */ }
    }
  }
  const present = labNamespacesPresent();
  for (const ns of [...present].reverse()) await killNamespaceProcesses(ns);
  for (const ns of [...present].reverse()) {
    mustRun(['ip', 'netns', 'del', ns], `ip netns del ${ns}`);
    removed.push(ns);
  }
  if (state?.createdPrivsepDir && existsSync('/run/sshd') && readdirSync('/run/sshd').length === 0) rmdirSync('/run/sshd');
  if (existsSync(STATE_DIR)) rmSync(STATE_DIR, { recursive: true, force: true });
  return removed;
}

export interface LabStatus {
  readonly up: boolean;
  readonly namespaces: string[];
  readonly monitor: { readonly namespace: string; readonly interface: string };
  readonly hosts: Record<string, { namespace: string; ipv4: string; ipv6: string }>;
  readonly services: { name: string; pid: number; alive: boolean }[];
  readonly isolation: string[];
  readonly sensorCommand: string;
}

export function labStatus(): LabStatus {
  const present = labNamespacesPresent();
  const state = readState();
  const hosts: LabStatus['hosts'] = {};
  for (const h of HOSTS) hosts[h] = { namespace: PLAN[h].ns, ipv4: PLAN[h].ipv4, ipv6: PLAN[h].ipv6 };
  return {
    up: labHealthy(),
    namespaces: present,
    monitor: { namespace: MONITOR_NS, interface: BRIDGE },
    hosts,
    services: (state?.services ?? []).map((s) => ({ name: s.name, pid: s.pid, alive: isAlive(s.pid) && procStartTime(s.pid) === s.startTime })),
    isolation: present.length === ALL_NAMESPACES.length ? isolationProblems() : [],
    sensorCommand: `ip netns exec ${MONITOR_NS} <sensor> listening on ${BRIDGE} (promiscuous)`,
  };
}
