import assert from 'node:assert/strict';
import { FlowsentryError } from '../../src/errors.js';

/** Runs fn, which must throw a FlowsentryError; returns "CODE: message" for assertions on both. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(FlowsentryError.is(err), `not a FlowsentryError: ${String(err)}`);
    return `${err.code}: ${err.message}`;
  }
  assert.fail('did not throw');
}
