/**
 * Whole-pipeline fuzzing: mutated captures of real-looking traffic (TCP/UDP/ICMP, IPv6, VLAN, SLL) go
 * through reader → decoder → meter → both CIC feature sets. Every case must end (ok or a
 * FlowsentryError), conserve packets, and never produce NaN in the corrected set.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz, type FuzzTarget } from '../../helpers/fuzz.js';
import { buildFrame, buildFragments, writePcap, type FrameSpec } from '../../helpers/packet-builder.js';
import { openCaptureBytes } from '../../../src/capture/file-source.js';
import { encodePcapng } from '../../../src/capture/pcapng-writer.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { Cic2017Features } from '../../../src/features/cic2017/features.js';
import { FlowsentryError } from '../../../src/errors.js';

const T0 = 1_700_000_000_000_000;

function corpus(): Uint8Array[] {
  const specs: FrameSpec[] = [
    { tcp: { sport: 40000, dport: 80, flags: 'S' } },
    { ip: { src: '10.0.0.2', dst: '10.0.0.1' }, tcp: { sport: 80, dport: 40000, flags: 'SA', options: [2, 4, 5, 0xb4] } },
    { tcp: { sport: 40000, dport: 80, flags: 'PA' }, payload: 200 },
    { vlans: [7, 42], udp: { sport: 5353, dport: 53 }, payload: 30 },
    { ip: { version: 6, src: 'fd00::1', dst: 'fd00::2', ext: [{ type: 0 }] }, tcp: { sport: 1, dport: 443, flags: 'FA' } },
    { icmp: { type: 8, code: 0, rest: [0, 1, 0, 1] }, payload: 56 },
  ];
  const frames = specs.map((s) => buildFrame(s));
  const eth = writePcap(frames.map((frame, i) => ({ frame, tsUs: T0 + i * 1000 })), 1);
  const frags = writePcap(buildFragments({ udp: { sport: 1, dport: 2 }, payload: 3000 }, 1480).map((frame, i) => ({ frame, tsUs: T0 + i })), 1);
  const sll = writePcap([buildFrame({ link: 'sll', tcp: { sport: 1, dport: 2, flags: 'S' } }), buildFrame({ link: 'sll', ip: { src: '10.0.0.2', dst: '10.0.0.1' }, tcp: { sport: 2, dport: 1, flags: 'R' } })].map((frame, i) => ({ frame, tsUs: T0 + i })), 113);
  const ng = encodePcapng([{ interfaces: [{ linkType: 1 }, { linkType: 101 }], blocks: [
    { kind: 'epb', ifIndex: 0, tsUs: T0, data: frames[0] },
    { kind: 'epb', ifIndex: 1, tsUs: T0 + 5, data: buildFrame({ link: 'raw', udp: { sport: 9, dport: 9 }, payload: 4 }) },
  ] }]);
  return [eth, frags, sll, ng];
}

const pipelineTarget: FuzzTarget = async (input) => {
  let outcome = 'ok';
  for (const mode of ['compat', 'corrected'] as const) {
    let nan = false;
    const p = new Pipeline({ featureSet: new Cic2017Features({ mode }), meter: { capacity: 64 }, onFlow: (f) => { if (mode === 'corrected' && f.row.some(Number.isNaN)) nan = true; } });
    try {
      await p.run(openCaptureBytes(input));
    } catch (err) {
      if (!FlowsentryError.is(err)) throw err;
      outcome = err.code;
    }
    const s = p.summary();
    if (s.packetsFlowed + s.packetsIgnored + s.packetsWeird !== s.packetsRead) throw new Error(`packets not conserved: ${JSON.stringify(s)}`);
    if (nan) throw new Error('NaN feature in corrected mode');
  }
  return outcome;
};

test('2,000 mutated captures through the whole pipeline: no crash, no hang, packets conserved', async () => {
  const seeds = corpus();
  // the seed corpus must be valid input that the pipeline accepts
  for (const c of seeds) assert.equal(await pipelineTarget(c, undefined as never), 'ok');
  const r = await runFuzz({ seed: 20261123, cases: 2000, corpus: seeds, target: pipelineTarget });
  assert.deepEqual(r.failures.map((f) => `${f.index}: ${String(f.error)}`), []);
  assert.equal(r.cases, 2000);
  assert.ok((r.outcomes.ok ?? 0) > 100, JSON.stringify(r.outcomes));
});
