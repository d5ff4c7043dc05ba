/**
 * FlowTable's lazy least-recently-used order (use stamps + a heap re-filed on demand) against the
 * obvious reference: an array kept in use order, where every use moves the slot to the end.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { FlowKey, FlowTable } from '../../../src/flow/table.js';

function key(n: number): FlowKey {
  const k = new FlowKey();
  k.version = 4;
  k.proto = 6;
  k.a0 = 0x0a000001;
  k.b0 = 0x0a000002;
  k.portA = 1024 + (n % 60000);
  k.portB = 80 + Math.floor(n / 60000);
  k.srcIsA = 1;
  k.hash = (Math.imul(n + 1, 0x9e3779b1) >>> 0);
  return k;
}

test('leastRecent() is always the slot the reference LRU list has first (random inserts, uses, removals, evictions)', () => {
  let x = 2017;
  const rnd = (n: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  const capacity = 64;
  const t = new FlowTable(capacity);
  const order: number[] = []; // live slots, least recently used first
  let nextKey = 0;
  let checks = 0;
  for (let step = 0; step < 20000; step++) {
    const r = rnd(100);
    if (r < 25 || order.length === 0) {
      if (t.full) {
        // eviction, as the meter does it: the least recently used flow goes
        const victim = t.leastRecent();
        assert.equal(victim, order[0], `step ${step}: eviction victim`);
        t.remove(victim);
        order.shift();
      }
      const s = t.insert(key(nextKey++));
      order.push(s);
    } else if (r < 85) {
      // a packet for a random live flow; skewed towards the recently used, as real traffic is
      const i = order.length - 1 - (rnd(3) === 0 ? rnd(order.length) : rnd(Math.min(order.length, 4)));
      const s = order[i]!;
      t.use(s);
      order.splice(i, 1);
      order.push(s);
    } else if (r < 95) {
      // a flow ends on its own (FIN, RST) from anywhere in the order
      const i = rnd(order.length);
      t.remove(order[i]!);
      order.splice(i, 1);
    } else {
      // expiry from the front, as tick() does it
      const n = rnd(4);
      for (let k = 0; k < n && order.length > 0; k++) {
        const s = t.leastRecent();
        assert.equal(s, order[0], `step ${step}: expiry`);
        t.remove(s);
        order.shift();
      }
    }
    const lr = t.leastRecent();
    assert.equal(lr, order.length > 0 ? order[0] : -1, `step ${step}`);
    assert.equal(t.size, order.length);
    checks++;
  }
  assert.equal(checks, 20000);
});

test('use stamps carry past 2^32 uses (the stamp is two words)', () => {
  const t = new FlowTable(4);
  const a = t.insert(key(1));
  const b = t.insert(key(2));
  // jump the counter to just below the 32-bit wrap; a is used before it, b after it
  (t as unknown as { useLo: number }).useLo = 0xffffffff;
  t.use(a); // stamp 0x0_ffffffff
  t.use(b); // stamp 0x1_00000000
  assert.equal(t.leastRecent(), a);
  t.use(a); // stamp 0x1_00000001
  assert.equal(t.leastRecent(), b);
});
