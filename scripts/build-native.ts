/**
 * Builds the libpcap addon (native/ → native/build/Release/flowsentry_pcap.node) with the node-gyp
 * that ships inside npm. Run by the root `prepare` script after tsc, so `npm ci` builds it even
 * though npm 11 may skip dependency install scripts.
 *
 * Never breaks `npm ci`: when libpcap-dev, a compiler or node-gyp is missing it prints a warning and
 * exits 0; live capture then fails later with FS_ERR_LIBPCAP_MISSING naming the fix. Set
 * FLOWSENTRY_REQUIRE_NATIVE=1 (e.g. in a CI job that must test live capture) to make failures fatal.
 *
 * Headers come from the local Node installation (--nodedir), never from a download.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Works both from dist/scripts (compiled) and scripts/ (if ever run through a TS loader).
const repoRoot = [path.resolve(here, '../..'), path.resolve(here, '..')].find((p) => existsSync(path.join(p, 'native/binding.gyp')));
const required = process.env.FLOWSENTRY_REQUIRE_NATIVE === '1';

function warn(lines: string[]): never {
  const text = lines.map((l) => `build-native: ${l}`).join('\n');
  if (required) {
    process.stderr.write(`${text}\nbuild-native: FLOWSENTRY_REQUIRE_NATIVE=1, failing\n`);
    process.exit(1);
  }
  process.stderr.write(
    `\n${text}\nbuild-native: WARNING: live capture is disabled (file input still works). Fix the above, then run: npm run prepare\n\n`,
  );
  process.exit(0);
}

/** Node's own headers: npm's `nodedir` config if set, else <prefix>/include/node next to this node binary. */
function findNodeDir(): string | undefined {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')];
  return candidates.find((d): d is string => !!d && existsSync(path.join(d, 'include/node/node_api.h')));
}

/** node-gyp's entry script: the one npm exported to this lifecycle script, else the one inside npm. */
function findNodeGyp(): string | undefined {
  const npmCli = process.env.npm_execpath;
  const candidates = [
    process.env.npm_config_node_gyp,
    npmCli ? path.resolve(path.dirname(npmCli), '../node_modules/node-gyp/bin/node-gyp.js') : undefined,
    path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((c): c is string => !!c && c.endsWith('.js') && existsSync(c));
}

function hasPcapHeaders(): boolean {
  // pcap-config knows non-standard prefixes; the plain header check covers distros without it.
  const cfg = spawnSync('pcap-config', ['--cflags'], { encoding: 'utf8' });
  if (cfg.status === 0) return true;
  // The addon includes <pcap/pcap.h>, so that is the header that has to exist.
  return ['/usr/include/pcap/pcap.h', '/usr/local/include/pcap/pcap.h'].some((p) => existsSync(p));
}

function main(): void {
  if (!repoRoot) warn(['native/binding.gyp not found; nothing to build']);
  if (process.platform !== 'linux') warn([`live capture is only supported on Linux (this is ${process.platform})`]);
  if (!hasPcapHeaders()) {
    warn(['libpcap development headers not found (pcap/pcap.h).', 'install libpcap-dev (apt-get install libpcap-dev)']);
  }
  const nodedir = findNodeDir();
  if (!nodedir) {
    warn([`Node headers not found next to ${process.execPath} (include/node/node_api.h) and npm's nodedir is unset`]);
  }
  const gyp = findNodeGyp();
  if (!gyp) warn(['node-gyp not found (it ships with npm; is npm installed with its bundled node_modules?)']);

  const nativeDir = path.join(repoRoot, 'native');
  const args = [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=1'];
  process.stdout.write(`build-native: node-gyp rebuild in native/ (headers: ${nodedir}/include/node)\n`);
  // Quiet on success, full output on failure: node-gyp's info lines drown the rest of `npm ci`.
  const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: nodedir } });
  if (r.status !== 0) {
    process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
    warn([`node-gyp failed (exit ${r.status ?? r.signal}); see the output above (is a C compiler — build-essential — installed?)`]);
  }
  const out = path.join(nativeDir, 'build/Release/flowsentry_pcap.node');
  if (!existsSync(out)) warn([`node-gyp reported success but ${out} is missing`]);
  process.stdout.write(`build-native: built ${path.relative(repoRoot, out)}\n`);
}

main();
