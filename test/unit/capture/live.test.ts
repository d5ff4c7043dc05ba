/**
 * Live capture through the libpcap addon. Needs root (capture) and the built addon; otherwise the
 * capture tests skip with a message. The netns test creates its own namespace + veth pair with no
 * addresses or routes on the host side, so nothing can leave the machine, and removes them after.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { spawnSync, execFileSync } from 'node:child_process';
import path from 'node:path';
import { FlowsentryError } from '../../../src/errors.js';
import { addonPath, pcapAvailable } from '../../../src/capture/libpcap.js';
import { listInterfaces, openLiveCapture, type LiveCapture } from '../../../src/capture/live.js';
import { repoRoot } from '../../helpers/shared-data.js';

const isRoot = process.getuid?.() === 0;
const hasAddon = pcapAvailable();
const skipCapture: string | false = !hasAddon
  ? `libpcap addon not built (${addonPath()}): install libpcap-dev and run npm run prepare`
  : !isRoot
    ? 'live capture needs root (or CAP_NET_RAW)'
    : false;
const skipAddon: string | false = hasAddon ? false : `libpcap addon not built (${addonPath()})`;
if (skipCapture) process.stderr.write(`live.test: skipping capture tests: ${skipCapture}\n`);

const liveJs = path.join(repoRoot, 'dist/src/capture/live.js');
const ETH_IP_UDP = 14 + 20 + 8;

function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 40000);
}

/** UDP destination port of an Ethernet/IPv4 packet in the batch data. */
function udpDstPort(data: Uint8Array, off: number): number {
  const ihl = (data[off + 14]! & 0x0f) * 4;
  const p = off + 14 + ihl + 2;
  return (data[p]! << 8) | data[p + 1]!;
}

interface Collected {
  lengths: number[];
  wire: number[];
  ts: number[];
  ports: number[];
  links: number[];
  ifIndexes: number[];
}

/** Iterates `src` until `want` packets arrived (then closes it) or `timeoutMs` passed. */
async function collect(src: LiveCapture, want: number, timeoutMs = 5000): Promise<Collected> {
  const out: Collected = { lengths: [], wire: [], ts: [], ports: [], links: [], ifIndexes: [] };
  const timer = setTimeout(() => src.close(), timeoutMs);
  try {
    for await (const b of src) {
      for (let i = 0; i < b.count; i++) {
        out.lengths.push(b.capLen[i]!);
        out.wire.push(b.wireLen[i]!);
        out.ts.push(b.tsUs[i]!);
        out.ports.push(udpDstPort(b.data, b.offset[i]!));
        out.links.push(b.linkType[i]!);
        out.ifIndexes.push(b.ifIndex[i]!);
      }
      if (out.lengths.length >= want) src.close();
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

async function sendUdp(host: string, ports: number[], count: number, size: (i: number) => number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < count; i++) {
      for (const port of ports) {
        await new Promise<void>((resolve, reject) => sock.send(Buffer.alloc(size(i), i & 0xff), port, host, (e) => (e ? reject(e) : resolve())));
      }
    }
  } finally {
    sock.close();
  }
}

function assertMonotonic(ts: number[]): void {
  for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!, `timestamp ${i} went backwards: ${ts[i - 1]} -> ${ts[i]}`);
}

test('listInterfaces includes lo, up and flagged loopback', { skip: skipAddon }, () => {
  const lo = listInterfaces().find((i) => i.name === 'lo');
  assert.ok(lo, 'lo missing from pcap_findalldevs');
  assert.equal(lo.loopback, true);
  assert.equal(lo.up, true);
  assert.ok(lo.addresses.some((a) => a.family === 'inet' && a.address === '127.0.0.1'));
});

test('captures all N UDP datagrams on lo with correct lengths and monotonic timestamps; the filter excludes other ports', { skip: skipCapture }, async () => {
  const port = randomPort();
  const other = port + 1;
  const N = 300;
  const size = (i: number): number => 1 + ((i * 37) % 1400);
  const src = openLiveCapture({ iface: 'lo', filter: `udp and port ${port}` });
  assert.equal(src.linkType, 1, 'lo is LINKTYPE_ETHERNET on Linux');
  const before = Date.now() * 1000;
  const done = collect(src, N);
  await sendUdp('127.0.0.1', [port, other], N, size);
  const got = await done;
  const after = Date.now() * 1000;

  assert.equal(got.lengths.length, N, 'every datagram to the filtered port, exactly once');
  assert.ok(got.ports.every((p) => p === port), 'only the filtered port passes');
  for (let i = 0; i < N; i++) {
    assert.equal(got.wire[i], ETH_IP_UDP + size(i), `wire length of packet ${i}`);
    assert.equal(got.lengths[i], got.wire[i], `whole packet ${i} captured`);
  }
  assertMonotonic(got.ts);
  assert.ok(got.ts[0]! >= before - 1e6 && got.ts[N - 1]! <= after + 1e6, 'timestamps are epoch microseconds');
  assert.ok(got.links.every((l) => l === 1) && got.ifIndexes.every((x) => x === 0));
  const st = src.stats();
  assert.equal(st.packetsRead, N);
  assert.equal(st.kernelDrops, 0);
  assert.equal(st.appDrops, 0);
});

test('snaplen truncates captured bytes but keeps the wire length', { skip: skipCapture }, async () => {
  const port = randomPort();
  const src = openLiveCapture({ iface: 'lo', filter: `udp and dst port ${port}`, snaplen: 64, immediate: true });
  const done = collect(src, 5);
  await sendUdp('127.0.0.1', [port], 5, () => 500);
  const got = await done;
  assert.equal(got.lengths.length, 5);
  assert.ok(got.lengths.every((l) => l === 64));
  assert.ok(got.wire.every((w) => w === ETH_IP_UDP + 500));
});

test('a small batch buffer splits delivery without losing or reordering packets', { skip: skipCapture }, async () => {
  // 2048 data bytes hold two 1000-byte packets: the third of every dispatch is parked in the
  // addon's spill slot and must open the next batch.
  const port = randomPort();
  const N = 200;
  const src = openLiveCapture({ iface: 'lo', filter: `udp and port ${port}`, snaplen: 2048, batchBytes: 2048, batchPackets: 64 });
  const done = collect(src, N);
  await sendUdp('127.0.0.1', [port], N, (i) => 950 + (i % 50));
  const got = await done;
  assert.equal(got.lengths.length, N);
  for (let i = 0; i < N; i++) assert.equal(got.wire[i], ETH_IP_UDP + 950 + (i % 50), `packet ${i} in order`);
  assertMonotonic(got.ts);
});

test('a bad BPF filter is FS_ERR_CAPTURE_LIVE quoting the expression and libpcap', { skip: skipCapture }, () => {
  assert.throws(
    () => openLiveCapture({ iface: 'lo', filter: 'udp and port banana' }),
    (err: unknown) => {
      assert.ok(FlowsentryError.is(err));
      assert.equal(err.code, 'FS_ERR_CAPTURE_LIVE');
      assert.match(err.message, /invalid BPF filter 'udp and port banana'/);
      assert.match(err.message, /banana/);
      return true;
    },
  );
});

test('a nonexistent interface is FS_ERR_CAPTURE_LIVE naming it', { skip: skipCapture }, () => {
  assert.throws(
    () => openLiveCapture({ iface: 'fs-no-such0' }),
    (err: unknown) => FlowsentryError.is(err) && err.code === 'FS_ERR_CAPTURE_LIVE' && /no such interface 'fs-no-such0'/.test(err.message),
  );
});

test('out-of-range options are FS_ERR_USAGE', { skip: skipAddon }, () => {
  assert.throws(() => openLiveCapture({ iface: 'lo', snaplen: 10 }), (err: unknown) => FlowsentryError.is(err) && err.code === 'FS_ERR_USAGE');
  assert.throws(() => openLiveCapture({ iface: 'lo', timeoutMs: 0 }), (err: unknown) => FlowsentryError.is(err) && err.code === 'FS_ERR_USAGE');
});

test('close() ends an idle iterator promptly and stats survive it', { skip: skipCapture }, async () => {
  const src = openLiveCapture({ iface: 'lo', filter: `udp and port ${randomPort()}` });
  const t0 = performance.now();
  setTimeout(() => src.close(), 50);
  let batches = 0;
  for await (const b of src) batches += b.count > 0 ? 1 : 0;
  const dt = performance.now() - t0;
  assert.equal(batches, 0);
  assert.ok(dt < 1000, `iterator ended ${dt.toFixed(0)} ms after start`);
  assert.equal(src.stats().packetsRead, 0);
  src.close(); // idempotent
});

test('close() before iterating releases the handle; the iterator then ends at once', { skip: skipCapture }, async () => {
  const src = openLiveCapture({ iface: 'lo', filter: 'udp and port 9' });
  src.close();
  for await (const _ of src) assert.fail('no batches after close');
  assert.throws(() => src[Symbol.asyncIterator](), /only once/);
});

test('packets that arrived before close() are still delivered after it', { skip: skipCapture }, async () => {
  const port = randomPort();
  const src = openLiveCapture({ iface: 'lo', filter: `udp and port ${port}` });
  const guard = setTimeout(() => src.close(), 5000);
  void sendUdp('127.0.0.1', [port], 1, () => 10);
  let n = 0;
  for await (const b of src) {
    if (n === 0) {
      // The consumer is "busy" with its first batch while 50 more arrive, then Ctrl+C comes.
      await sendUdp('127.0.0.1', [port], 50, () => 10);
      await new Promise((r) => setTimeout(r, 30)); // > the 1 ms block timeout: they are in the ring
      src.close();
    }
    n += b.count;
  }
  clearTimeout(guard);
  assert.equal(n, 51);
});

test('without the addon, live capture is FS_ERR_LIBPCAP_MISSING naming the fix', () => {
  const code = `import('${liveJs}').then((m) => { try { m.openLiveCapture({ iface: 'lo' }); } catch (e) { console.log(e.code + ' ' + e.message); } })`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, FLOWSENTRY_PCAP_ADDON: '/nonexistent/flowsentry_pcap.node' } });
  assert.match(r.stdout, /^FS_ERR_LIBPCAP_MISSING .*apt-get install libpcap-dev.*npm run prepare/);
});

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

test('as an unprivileged user, opening is FS_ERR_PERMISSION naming the fix', { skip: skipCapture || (!hasSetpriv && 'setpriv missing') }, () => {
  const code = `import('${liveJs}').then((m) => { try { m.openLiveCapture({ iface: 'lo' }); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); } })`;
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '-e', code], { encoding: 'utf8' });
  assert.match(r.stdout, /^FS_ERR_PERMISSION /, r.stderr);
  assert.match(r.stdout, /setcap cap_net_raw,cap_net_admin=eip/);
});

test('dropPrivileges after opening keeps the capture working as nobody', { skip: skipCapture }, () => {
  const port = randomPort();
  const code = `
    const m = await import('${liveJs}');
    const dgram = await import('node:dgram');
    const src = m.openLiveCapture({ iface: 'lo', filter: 'udp and port ${port}' });
    const ids = m.dropPrivileges('nobody');
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 10; i++) s.send(Buffer.alloc(20), ${port}, '127.0.0.1');
    const guard = setTimeout(() => src.close(), 5000);
    let n = 0;
    for await (const b of src) { n += b.count; if (n >= 10) src.close(); }
    clearTimeout(guard);
    s.close();
    let regained = true; try { process.setuid(0); } catch { regained = false; }
    console.log(JSON.stringify({ n, uid: process.getuid(), gid: process.getgid(), ids, regained }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n: number; uid: number; gid: number; regained: boolean };
  assert.equal(out.n, 10);
  assert.equal(out.uid, 65534);
  assert.equal(out.regained, false, 'root must not be recoverable');
});

const hasIp = spawnSync('ip', ['-V']).status === 0;

test('captures datagrams sent from inside a network namespace over a veth pair', { skip: skipCapture || (!hasIp && 'iproute2 missing') }, async () => {
  // Host side: veth end with no address and no route, so nothing is routed anywhere; the sender's
  // namespace only has its /30 and a static neighbour entry for the (address-less) host end.
  const tag = `${process.pid % 100000}`;
  const ns = `fslt${tag}`;
  const hostIf = `fslh${tag}`;
  const nsIf = `fsln${tag}`;
  const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
  const port = randomPort();
  const N = 100;
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('link', 'set', hostIf, 'up');
    const mac = /link\/ether ([0-9a-f:]+)/.exec(ip('link', 'show', hostIf))![1]!;
    ip('-n', ns, 'addr', 'add', '10.254.77.1/30', 'dev', nsIf);
    ip('-n', ns, 'link', 'set', nsIf, 'up');
    ip('-n', ns, 'neigh', 'add', '10.254.77.2', 'lladdr', mac, 'dev', nsIf, 'nud', 'permanent');

    const src = openLiveCapture({ iface: hostIf, filter: `udp and dst port ${port}` });
    const done = collect(src, N);
    const sender = `const s=require('node:dgram').createSocket('udp4');let i=0;(function f(){if(i===${N})return s.close();s.send(Buffer.alloc(100+i),${port},'10.254.77.2',()=>{i++;f();});})();`;
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', sender], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    const got = await done;
    assert.equal(got.lengths.length, N);
    for (let i = 0; i < N; i++) assert.equal(got.wire[i], ETH_IP_UDP + 100 + i);
    assertMonotonic(got.ts);
    assert.equal(src.stats().kernelDrops, 0);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]); // removes nsIf and, with it, its veth peer
    spawnSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' });
  }
});
