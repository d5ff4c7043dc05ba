/**
 * Mutation fuzzing of the capture reader with a fixed seed: every mutated input must either read
 * fully or end in a FlowsentryError, terminate, and read identically through a tiny chunk.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { captureCorpus, captureTarget, runFuzz, readBytes, mutate, Prng } from '../../helpers/fuzz.js';

test('the seed corpus itself reads cleanly', async () => {
  for (const input of captureCorpus()) {
    const r = await readBytes(input);
    assert.equal(r.error, undefined);
    assert.ok(r.packets.length >= 3);
  }
});

test('the PRNG and mutations are deterministic for a seed', () => {
  const corpus = captureCorpus();
  const a = new Prng(42);
  const b = new Prng(42);
  for (let i = 0; i < 50; i++) assert.deepEqual(mutate(corpus[i % corpus.length]!, a, corpus), mutate(corpus[i % corpus.length]!, b, corpus));
});

test('3000 mutated pcap/pcapng inputs: read fully or FlowsentryError, never anything else', { timeout: 30_000 }, async () => {
  const started = Date.now();
  const summary = await runFuzz({ seed: 0x5eed, cases: 3000, corpus: captureCorpus(), target: captureTarget });
  const first = summary.failures[0];
  assert.equal(summary.failures.length, 0, first ? `case ${first.index}: ${String(first.error)}` : '');
  assert.equal(summary.cases, 3000);
  // The mutations must actually reach the error paths, not just flip payload bits.
  for (const code of ['ok', 'FS_ERR_CAPTURE_TRUNCATED', 'FS_ERR_CAPTURE_CORRUPT', 'FS_ERR_CAPTURE_MAGIC']) {
    assert.ok((summary.outcomes[code] ?? 0) > 20, `${code}: ${JSON.stringify(summary.outcomes)}`);
  }
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});
