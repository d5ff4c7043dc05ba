import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineWriter } from '../../src/util/line-writer.js';

test('number() prints exactly what String() prints, integers and doubles, across the int32 boundary', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fs-lw-')), 'n.txt');
  const w = new LineWriter(file, 64); // tiny buffer: exercises flushing mid-stream
  const values = [0, -0, 1, -1, 9, 10, 99, 100, 2147483647, 2147483648, -2147483648, -2147483649, 4294967296, 9007199254740991,
    1e15, 1e21, 0.1, 3.7187499999999996, 1284.551451187335, -0.5, 1.5e-7, NaN, Infinity, -Infinity];
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    values.push(i % 2 ? seed : seed / 997, -(seed % 100000));
  }
  for (const v of values) {
    w.number(v);
    w.byte(10);
  }
  w.ascii('x'.repeat(100));
  w.close();
  const got = readFileSync(file, 'utf8').split('\n');
  values.forEach((v, i) => assert.equal(got[i], String(v), `value #${i}`));
  assert.equal(got[values.length], 'x'.repeat(100));
});
