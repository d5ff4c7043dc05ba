/** formatIp / parseIp: RFC 5952 output and a strict parser (record output only, not hot path). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIp } from '../../../src/decode/decode.js';

function fmt(text: string): string {
  const p = parseIp(text);
  assert.ok(p, text);
  return formatIp(p.version, ...p.words);
}

test('IPv4 round trip', () => {
  assert.deepEqual(parseIp('192.168.1.200'), { version: 4, words: [0xc0a801c8, 0, 0, 0] });
  assert.equal(formatIp(4, 0xffffffff, 0, 0, 0), '255.255.255.255');
  assert.equal(formatIp(4, 0, 0, 0, 0), '0.0.0.0');
  assert.equal(fmt('10.0.0.1'), '10.0.0.1');
});

test('IPv6 RFC 5952: lower case, no leading zeros, longest zero run, leftmost on ties, no :: for one group', () => {
  assert.equal(fmt('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(fmt('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // tie → leftmost
  assert.equal(fmt('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // single zero group stays
  assert.equal(fmt('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // longest run wins
  assert.equal(fmt('::'), '::');
  assert.equal(fmt('::1'), '::1');
  assert.equal(fmt('fe80::'), 'fe80::');
  assert.equal(fmt('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8');
  assert.equal(fmt('::ffff:192.0.2.1'), '::ffff:192.0.2.1'); // IPv4-mapped keeps dotted form
  assert.equal(fmt('64:ff9b::192.0.2.33'), '64:ff9b::c000:221');
});

test('parseIp rejects junk', () => {
  for (const bad of ['', '1.2.3', '1.2.3.256', '1.2.3.4.5', '01234::', '1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '::1/128', 'g::1', '1:2:3:4:5:6:7::8:9', 'abc']) {
    assert.equal(parseIp(bad), null, bad);
  }
  assert.deepEqual(parseIp('1:2:3:4:5:6:7::'), { version: 6, words: [0x00010002, 0x00030004, 0x00050006, 0x00070000] });
});
