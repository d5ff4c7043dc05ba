/**
 * NSL-KDD's 70-value `service` vocabulary and the one table that maps a connection to it
 * (feature-semantics.md §2.1). KDD's own port → service table was never published, so this mapping is
 * an approximation built from IANA port assignments, checked against what the training data implies:
 *  - UDP has only five values in NSL-KDD (domain_u, ntp_u, tftp_u, private, other), so UDP gets its own
 *    short table (normal NetBIOS/SNMP UDP rows must land in `private`, not in the TCP-only names);
 *  - `private` vs `other` for unlisted ports: port sweeps and SYN floods of the low ports show up as
 *    `private` (portsweep: private 1947 rows vs other 487), so unlisted ports below 1024 (the
 *    privileged range) are `private` and unlisted ports ≥ 1024 are `other`. Inference, not a read fact.
 *  - ICMP: service from the type/code of the connection's first packet; types KDD has no name for
 *    map to `other` (it is in the vocabulary; AI-IDS's `oth_i` is not).
 * Everything here runs once per flow start: plain table lookups, no allocation.
 */

/** The 70 NSL-KDD services; a service code is an index into this array. */
export const NSLKDD_SERVICES = [
  'aol', 'auth', 'bgp', 'courier', 'csnet_ns', 'ctf', 'daytime', 'discard', 'domain', 'domain_u', 'echo',
  'eco_i', 'ecr_i', 'efs', 'exec', 'finger', 'ftp', 'ftp_data', 'gopher', 'harvest', 'hostnames', 'http',
  'http_2784', 'http_443', 'http_8001', 'imap4', 'IRC', 'iso_tsap', 'klogin', 'kshell', 'ldap', 'link',
  'login', 'mtp', 'name', 'netbios_dgm', 'netbios_ns', 'netbios_ssn', 'netstat', 'nnsp', 'nntp', 'ntp_u',
  'other', 'pm_dump', 'pop_2', 'pop_3', 'printer', 'private', 'red_i', 'remote_job', 'rje', 'shell', 'smtp',
  'sql_net', 'ssh', 'sunrpc', 'supdup', 'systat', 'telnet', 'tftp_u', 'tim_i', 'time', 'urh_i', 'urp_i',
  'uucp', 'uucp_path', 'vmnet', 'whois', 'X11', 'Z39_50',
] as const;

export type NslKddService = (typeof NSLKDD_SERVICES)[number];

/** Code of a service name (throws on a name outside the vocabulary: tables below are checked at load). */
export function serviceCode(name: NslKddService): number {
  const i = (NSLKDD_SERVICES as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`not an NSL-KDD service: ${name}`);
  return i;
}

export const SVC_OTHER = serviceCode('other');
export const SVC_PRIVATE = serviceCode('private');
export const SVC_FTP_DATA = serviceCode('ftp_data');
const SVC_ECO_I = serviceCode('eco_i');
const SVC_ECR_I = serviceCode('ecr_i');
const SVC_URP_I = serviceCode('urp_i');
const SVC_URH_I = serviceCode('urh_i');
const SVC_RED_I = serviceCode('red_i');
const SVC_TIM_I = serviceCode('tim_i');

/**
 * TCP destination port → service. Where KDD's name is a well-known IANA service the IANA port is used;
 * `harvest` (2860 is a later assignment) and `pm_dump` have no known port and are never produced —
 * a model still accepts them, the sensor just never emits them.
 */
const TCP_PORTS: ReadonlyArray<readonly [NslKddService, readonly number[]]> = [
  ['aol', [5190, 5191, 5192, 5193]],
  ['auth', [113]],
  ['bgp', [179]],
  ['courier', [530]],
  ['csnet_ns', [105]],
  ['ctf', [84]],
  ['daytime', [13]],
  ['discard', [9]],
  ['domain', [53]],
  ['echo', [7]],
  ['efs', [520]],
  ['exec', [512]],
  ['finger', [79]],
  ['ftp', [21]],
  ['ftp_data', [20]],
  ['gopher', [70]],
  ['hostnames', [101]],
  ['http', [80, 8080, 8008]],
  ['http_2784', [2784]],
  ['http_443', [443]],
  ['http_8001', [8001]],
  ['imap4', [143, 993]],
  ['IRC', [194, 6665, 6666, 6667, 6668, 6669, 6697]],
  ['iso_tsap', [102]],
  ['klogin', [543]],
  ['kshell', [544]],
  ['ldap', [389, 636]],
  ['link', [245]],
  ['login', [513]],
  ['mtp', [57, 1911]],
  ['name', [42]],
  ['netbios_dgm', [138]],
  ['netbios_ns', [137]],
  ['netbios_ssn', [139]],
  ['netstat', [15]],
  ['nnsp', [433]],
  ['nntp', [119, 563]],
  ['pop_2', [109]],
  ['pop_3', [110, 995]],
  ['printer', [515]],
  ['remote_job', [71, 72, 73, 74]],
  ['rje', [5, 77]],
  ['shell', [514]],
  ['smtp', [25, 465, 587]],
  ['sql_net', [66, 150]],
  ['ssh', [22]],
  ['sunrpc', [111]],
  ['supdup', [95]],
  ['systat', [11]],
  ['telnet', [23]],
  ['time', [37]],
  ['uucp', [540]],
  ['uucp_path', [117]],
  ['vmnet', [175]],
  ['whois', [43]],
  ['Z39_50', [210]],
];

/** UDP has its own, much shorter vocabulary in NSL-KDD. */
const UDP_PORTS: ReadonlyArray<readonly [NslKddService, readonly number[]]> = [
  ['domain_u', [53]],
  ['tftp_u', [69]],
  ['ntp_u', [123]],
];

function buildTable(entries: ReadonlyArray<readonly [NslKddService, readonly number[]]>, x11: boolean): Uint8Array {
  const t = new Uint8Array(65536);
  // unlisted: privileged range → private, the rest → other (see the file comment)
  t.fill(SVC_PRIVATE, 0, 1024);
  t.fill(SVC_OTHER, 1024);
  for (const [name, ports] of entries) for (const p of ports) t[p] = serviceCode(name);
  if (x11) t.fill(serviceCode('X11'), 6000, 6064);
  return t;
}

const TCP_TABLE = buildTable(TCP_PORTS, true);
const UDP_TABLE = buildTable(UDP_PORTS, false);

/**
 * TCP service of a connection from the originator's ports. Active-mode FTP data connections are opened
 * by the server from port 20, so source port 20 means ftp_data whatever the destination (§2.1).
 */
export function tcpService(srcPort: number, dstPort: number): number {
  if (srcPort === 20) return SVC_FTP_DATA;
  return TCP_TABLE[dstPort & 0xffff];
}

export function udpService(dstPort: number): number {
  return UDP_TABLE[dstPort & 0xffff];
}

/**
 * ICMP (v4, or v6 when `v6`) service from the first packet's type and code. Non-first fragments carry
 * no ICMP header and arrive with type 0 → ecr_i — which is also how KDD labels the 1480-byte pod
 * fragments, so no special case.
 */
export function icmpService(type: number, code: number, v6: boolean): number {
  if (v6) {
    switch (type) {
      case 128: return SVC_ECO_I;
      case 129: return SVC_ECR_I;
      case 1: return code === 4 ? SVC_URP_I : SVC_URH_I;
      case 137: return SVC_RED_I;
      case 3: return SVC_TIM_I;
      default: return SVC_OTHER;
    }
  }
  switch (type) {
    case 8: return SVC_ECO_I;
    case 0: return SVC_ECR_I;
    // port unreachable → urp_i; the other unreachable codes (host, net, admin-prohibited...) → urh_i
    case 3: return code === 3 ? SVC_URP_I : SVC_URH_I;
    case 5: return SVC_RED_I;
    // timestamp request/reply and time exceeded
    case 13: case 14: case 11: return SVC_TIM_I;
    default: return SVC_OTHER;
  }
}
