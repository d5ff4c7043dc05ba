import test from 'node:test';
import assert from 'node:assert/strict';
import { AlertManager, thresholdConfidence, type Alert } from '../../../src/detect/alert.js';

const alert = (tsUs: number, src: string, dst: string, type = 'synflood'): Alert => ({
  tsUs, detector: 'forest', attackType: type, confidence: 0.9, severity: 1, srcIp: src, srcPort: 1, destIp: dst, destPort: 80, proto: 'TCP',
  flowId: 1, evidence: {}, topFeatures: [], signature: 's', key: `${src}|${dst}|${type}`,
});

test('alerts are deduplicated per (source, destination, type) with a cooldown, and report what was suppressed', () => {
  const out: Alert[] = [];
  const m = new AlertManager({ cooldownUs: 10e6 }, (a) => out.push(a));
  assert.equal(m.offer(alert(0, 'a', 'b')), true);
  assert.equal(m.offer(alert(1e6, 'a', 'b')), false);
  assert.equal(m.offer(alert(2e6, 'a', 'b')), false);
  assert.equal(m.offer(alert(2e6, 'a', 'c')), true, 'other destination');
  assert.equal(m.offer(alert(2e6, 'a', 'b', 'portscan')), true, 'other type');
  assert.equal(m.offer(alert(10e6, 'a', 'b')), true, 'cooldown over');
  assert.equal(out.length, 4);
  assert.equal(out[3]!.evidence.suppressed, 2);
  assert.equal(m.emitted, 4);
  assert.equal(m.suppressed, 2);
});

test('the key memory is bounded', () => {
  const m = new AlertManager({ cooldownUs: 1e9, maxKeys: 10 }, () => {});
  for (let i = 0; i < 100; i++) m.offer(alert(i, `s${i}`, 'd'));
  assert.equal(m.offer(alert(200, 's99', 'd')), false, 'recent key remembered');
  assert.equal(m.offer(alert(200, 's0', 'd')), true, 'oldest key forgotten');
});

test('threshold confidence: 0.5 at the threshold, rising towards 1', () => {
  assert.equal(thresholdConfidence(100, 100), 0.5);
  assert.equal(thresholdConfidence(200, 100), 0.75);
  assert.ok(thresholdConfidence(1e6, 100) > 0.99);
});
