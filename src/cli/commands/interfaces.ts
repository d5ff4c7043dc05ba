/**
 * `flowsentry interfaces [--json]`: the interfaces libpcap can capture on (pcap_findalldevs), with
 * their state flags and addresses — the names `--iface` accepts.
 */
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { listInterfaces, type InterfaceInfo } from '../../capture/live.js';

const help = `Usage: flowsentry interfaces [--json]

Lists the network interfaces libpcap can capture on (pcap_findalldevs): name, state flags
(up, running, loopback, wireless), description and addresses. Names are what live capture's
interface option accepts. Non-root users may see fewer interfaces (e.g. no USB/bluetooth monitors).

Options:
  --json    one JSON array instead of the table

Needs the libpcap addon (built by npm ci when libpcap-dev is installed; see docs/live-capture.md).
`;

function flagText(i: InterfaceInfo): string {
  const f = [i.up ? 'up' : 'down'];
  if (i.running) f.push('running');
  if (i.loopback) f.push('loopback');
  if (i.wireless) f.push('wireless');
  if (i.connection === 'disconnected') f.push('disconnected');
  return f.join(',');
}

export function formatInterfaces(list: readonly InterfaceInfo[]): string {
  const width = Math.max(4, ...list.map((i) => i.name.length));
  const lines: string[] = [];
  for (const i of list) {
    const desc = i.description ? `  ${i.description}` : '';
    lines.push(`${i.name.padEnd(width)}  [${flagText(i)}]${desc}`);
    for (const a of i.addresses) {
      if (!a.address) continue;
      const mask = a.netmask ? ` netmask ${a.netmask}` : '';
      const peer = a.dstaddr ? ` peer ${a.dstaddr}` : a.broadaddr && a.family === 'inet' ? ` broadcast ${a.broadaddr}` : '';
      lines.push(`${' '.repeat(width)}    ${a.family.padEnd(5)} ${a.address}${mask}${peer}`);
    }
  }
  return lines.join('\n');
}

async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('interfaces', argv, { json: { type: 'boolean' } });
  const list = listInterfaces();
  if (values.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  } else if (list.length === 0) {
    process.stdout.write('no capture interfaces found (as non-root, libpcap may see none: run as root)\n');
  } else {
    process.stdout.write(formatInterfaces(list) + '\n');
  }
  return 0;
}

export const command: Command = {
  name: 'interfaces',
  summary: 'list network interfaces available for live capture',
  help,
  run,
};
