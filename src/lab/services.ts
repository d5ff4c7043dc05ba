/**
 * Victim services, each a foreground process inside the victim namespace with a config file the lab
 * writes into its state dir (the system's /etc configs and system services are never used or touched).
 */
import { mkdirSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';
import { DNS_NAMES, PLAN, PORTS } from './constants.js';
import { inNs, mustRun, procStartTime, run, sleep, spawnLogged } from './exec.js';
import { stateSub, type ServiceRecord } from './state.js';

const V = PLAN.victim;

/** Files the client uses to log in over SSH with a key (root has no usable password in the lab). */
export const sshClientKey = (): string => stateSub('ssh', 'client_key');

function writeWebRoot(): string {
  const www = stateSub('www');
  mkdirSync(www, { recursive: true });
  writeFileSync(stateSub('www', 'index.html'), '<html><head><title>flowsentry lab</title></head><body><h1>It works</h1><a href="/about.html">about</a></body></html>\n');
  writeFileSync(stateSub('www', 'about.html'), '<html><body><p>' + 'lorem ipsum dolor sit amet '.repeat(200) + '</p></body></html>\n');
  // Deterministic pseudo-random payloads for "downloads".
  const big = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  writeFileSync(stateSub('www', 'file-2m.bin'), big);
  writeFileSync(stateSub('www', 'file-64k.bin'), big.subarray(0, 65536));
  return www;
}

function nginxConf(): string {
  const tmp = stateSub('nginx-tmp');
  mkdirSync(tmp, { recursive: true });
  return `# written by flowsentry lab up
daemon off;
master_process on;
worker_processes 1;
user www-data;
pid ${stateSub('nginx.pid')};
error_log ${stateSub('nginx-error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  types { text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_timeout 30s;
  # Defaults kept (60 s) so slowloris/slowbody have their classic effect.
  client_header_timeout 60s;
  client_body_timeout 60s;
  server {
    listen ${V.ipv4}:${PORTS.http} default_server;
    listen [${V.ipv6}]:${PORTS.http} default_server;
    root ${stateSub('www')};
    location / { }
    location = /login { return 200 "ok\\n"; }
  }
}
`;
}

function dnsmasqConf(): string {
  const lines = [
    '# written by flowsentry lab up: authoritative for lab.test only, no upstream servers',
    `port=${PORTS.dns}`,
    'no-resolv',
    'no-hosts',
    'no-poll',
    'bind-interfaces',
    `listen-address=${V.ipv4}`,
    `listen-address=${V.ipv6}`,
    'local=/lab.test/',
    'log-facility=-',
    `pid-file=${stateSub('dnsmasq.pid')}`,
    'user=root',
  ];
  for (const [name, v4] of Object.entries(DNS_NAMES)) {
    const host = Object.values(PLAN).find((p) => p.ipv4 === v4);
    lines.push(`host-record=${name},${v4}${host ? ',' + host.ipv6 : ''}`);
  }
  lines.push('txt-record=lab.test,"flowsentry lab"');
  return lines.join('\n') + '\n';
}

function sshdSetup(): { conf: string; createdPrivsep: boolean } {
  const dir = stateSub('ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const hostKey = stateSub('ssh', 'host_ed25519');
  if (!existsSync(hostKey)) mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'fs-lab-host', '-f', hostKey], 'ssh-keygen (host key)');
  if (!existsSync(sshClientKey())) mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'fs-lab-client', '-f', sshClientKey()], 'ssh-keygen (client key)');
  const pub = mustRun(['ssh-keygen', '-y', '-f', sshClientKey()]).trim();
  const auth = stateSub('ssh', 'authorized_keys');
  writeFileSync(auth, `from="${PLAN.client.ipv4},${PLAN.client.ipv6}" ${pub}\n`, { mode: 0o600 });
  // sshd refuses to start without its privilege-separation directory; create it only if absent and remember.
  let createdPrivsep = false;
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    createdPrivsep = true;
  }
  const conf = `# written by flowsentry lab up
Port ${PORTS.ssh}
ListenAddress ${V.ipv4}
ListenAddress ${V.ipv6}
HostKey ${hostKey}
PidFile ${stateSub('sshd.pid')}
AuthorizedKeysFile ${auth}
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
MaxAuthTries 6
LoginGraceTime 20
# Brute-force scenarios open many parallel connections; the default 10:30:100 would just drop them.
MaxStartups 200:30:400
`;
  const path = stateSub('sshd_config');
  writeFileSync(path, conf, { mode: 0o600 });
  return { conf: path, createdPrivsep };
}

function vsftpdConf(): string {
  const ftp = stateSub('ftp');
  mkdirSync(stateSub('ftp', 'pub'), { recursive: true });
  const data = Buffer.alloc(512 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 40503) >>> 8;
  writeFileSync(stateSub('ftp', 'pub', 'data-512k.bin'), data);
  writeFileSync(stateSub('ftp', 'pub', 'README.txt'), 'flowsentry lab FTP server\n');
  writeFileSync(stateSub('ftp', 'notes.txt'), 'nothing to see here\n'.repeat(50));
  const empty = stateSub('vsftpd-empty');
  mkdirSync(empty, { recursive: true });
  const conf = `# written by flowsentry lab up
listen=NO
listen_ipv6=YES
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=${ftp}
local_enable=YES
write_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=${empty}
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40100
xferlog_enable=NO
seccomp_sandbox=NO
max_clients=300
max_per_ip=300
delay_failed_login=1
max_login_fails=3
`;
  const path = stateSub('vsftpd.conf');
  writeFileSync(path, conf, { mode: 0o600 });
  return path;
}

/** Starts every victim service; returns their records and whether /run/sshd was created. */
export function startServices(): { services: ServiceRecord[]; createdPrivsep: boolean } {
  writeWebRoot();
  const logs = stateSub('logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(stateSub('nginx.conf'), nginxConf());
  writeFileSync(stateSub('dnsmasq.conf'), dnsmasqConf());
  const ssh = sshdSetup();
  const ftpConf = vsftpdConf();
  const cmds: [string, string[]][] = [
    ['nginx', ['nginx', '-e', stateSub('nginx-error.log'), '-c', stateSub('nginx.conf')]],
    ['dnsmasq', ['dnsmasq', '-k', '-C', stateSub('dnsmasq.conf')]],
    ['sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', ssh.conf]],
    ['vsftpd', ['vsftpd', ftpConf]],
    ['iperf3-tcp', ['iperf3', '-s', '-p', String(PORTS.iperfTcp)]],
    ['iperf3-udp', ['iperf3', '-s', '-p', String(PORTS.iperfUdp)]],
  ];
  const services: ServiceRecord[] = [];
  for (const [name, argv] of cmds) {
    const child = spawnLogged(inNs(V.ns, argv), stateSub('logs', `${name}.log`));
    if (child.pid === undefined) throw new FlowsentryError('FS_ERR_LAB', `could not start ${name}`);
    child.unref();
    services.push({ name, pid: child.pid, startTime: procStartTime(child.pid), ns: V.ns });
  }
  return { services, createdPrivsep: ssh.createdPrivsep };
}

/** Listening sockets in the victim namespace, as "tcp:80" / "udp:53" strings. */
export function listening(): Set<string> {
  const out = new Set<string>();
  for (const proto of ['tcp', 'udp'] as const) {
    const r = run(inNs(V.ns, ['ss', '-H', '-n', proto === 'tcp' ? '-lt' : '-lu']));
    for (const line of r.stdout.split('\n')) {
      const local = line.trim().split(/\s+/)[3];
      const port = local?.slice(local.lastIndexOf(':') + 1);
      if (port) out.add(`${proto}:${port}`);
    }
  }
  return out;
}

export const REQUIRED_PORTS: readonly [string, string][] = [
  ['nginx', `tcp:${PORTS.http}`],
  ['dnsmasq', `udp:${PORTS.dns}`],
  ['sshd', `tcp:${PORTS.ssh}`],
  ['vsftpd', `tcp:${PORTS.ftp}`],
  ['iperf3-tcp', `tcp:${PORTS.iperfTcp}`],
  ['iperf3-udp', `tcp:${PORTS.iperfUdp}`],
];

/** Waits until every service listens; on timeout names the ones that do not and points at their logs. */
export async function waitForServices(timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: string[] = [];
  for (;;) {
    const l = listening();
    missing = REQUIRED_PORTS.filter(([, p]) => !l.has(p)).map(([n, p]) => `${n} (${p})`);
    if (missing.length === 0) return;
    if (Date.now() > deadline) break;
    await sleep(150);
  }
  throw new FlowsentryError('FS_ERR_LAB', `service(s) not listening after ${timeoutMs} ms: ${missing.join(', ')}; see ${stateSub('logs')}`);
}
