/**
 * Names and addresses of the lab. Every kernel object the lab creates (namespaces, links) carries the
 * `fs-` prefix so `lab down` can never touch anything it did not create, and the address plan is
 * private (RFC 1918 IPv4, RFC 4193 ULA IPv6) with no default route anywhere.
 */

export const LAB_PREFIX = 'fs-';

/** Hosts that carry traffic; the monitor namespace only holds the bridge. */
export type HostName = 'victim' | 'client' | 'attacker';
export const HOSTS: readonly HostName[] = ['victim', 'client', 'attacker'];

export const MONITOR_NS = 'fs-mon';
export const BRIDGE = 'fs-br0';
/** Interface name inside each host namespace (the peer of the veth port on the bridge). */
export const HOST_IFACE = 'fs-eth0';

export interface HostPlan {
  readonly ns: string;
  /** Name of the veth end that sits on the bridge in the monitor namespace. */
  readonly port: string;
  readonly ipv4: string;
  readonly ipv6: string;
  /** Fixed, locally administered MAC: tools that build Ethernet frames themselves (nping -6) need it. */
  readonly mac: string;
}

export const IPV4_PREFIX_LEN = 24;
export const IPV6_PREFIX_LEN = 64;

export const PLAN: Readonly<Record<HostName, HostPlan>> = {
  victim: { ns: 'fs-victim', port: 'fs-victim', ipv4: '10.203.0.10', ipv6: 'fd0f:5e47:1ab::10', mac: '02:f5:1a:b0:00:10' },
  client: { ns: 'fs-client', port: 'fs-client', ipv4: '10.203.0.20', ipv6: 'fd0f:5e47:1ab::20', mac: '02:f5:1a:b0:00:20' },
  attacker: { ns: 'fs-attacker', port: 'fs-attacker', ipv4: '10.203.0.30', ipv6: 'fd0f:5e47:1ab::30', mac: '02:f5:1a:b0:00:30' },
};

/** Every namespace the lab owns, in creation order (teardown goes in reverse). */
export const ALL_NAMESPACES: readonly string[] = [MONITOR_NS, ...HOSTS.map((h) => PLAN[h].ns)];

/** Local DNS zone dnsmasq answers on the victim. */
export const DNS_NAMES: Readonly<Record<string, string>> = {
  'www.lab.test': PLAN.victim.ipv4,
  'ftp.lab.test': PLAN.victim.ipv4,
  'ssh.lab.test': PLAN.victim.ipv4,
  'client.lab.test': PLAN.client.ipv4,
};

/** Services on the victim: name → TCP/UDP ports that must be listening before `lab up` returns. */
export const PORTS = { http: 80, dns: 53, ssh: 22, ftp: 21, iperfTcp: 5201, iperfUdp: 5202 } as const;

/** Documentation-only addresses used to prove there is no route out (`ip route get` only, nothing is sent). */
export const OUTSIDE_V4 = '192.0.2.1';
export const OUTSIDE_V6 = '2001:db8::1';

export const STATE_DIR = process.env.FLOWSENTRY_LAB_STATE ?? '/run/flowsentry-lab';

/** Clean PATH for everything run inside the lab, so a user's pyenv/npm shims never shadow Debian's tools. */
export const LAB_PATH = '/usr/sbin:/sbin:/usr/bin:/bin';
