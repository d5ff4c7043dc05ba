import { closeSync, openSync, writeSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';
import { writeShortestDouble } from './dtoa.js';

/**
 * Buffered synchronous output to a file or stdout. Text and numbers are written straight into one
 * reusable 1 MiB Buffer (no per-row strings to build, join and re-encode), flushed with one syscall
 * per MiB. Integers are formatted digit by digit: most flow features are integers, and String(n) per
 * value was the largest allocation source of `flowsentry features` (see bench/run.ts).
 * Synchronous on purpose: rows are produced inside the packet loop and must not queue up behind the
 * event loop.
 */
export class LineWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  bytesWritten = 0;

  constructor(readonly target: string, size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
    if (target === '-' || target === '/dev/stdout') {
      this.fd = 1;
      this.ownsFd = false;
    } else {
      try {
        this.fd = openSync(target, 'w');
      } catch (err) {
        throw new FlowsentryError('FS_ERR_FILE_OPEN', `${target}: ${(err as Error).message}`, { cause: err });
      }
      this.ownsFd = true;
    }
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }

  /** Any text (UTF-8). */
  write(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Text known to be ASCII (addresses, identifiers, number strings): the cheapest copy. */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    if (n > 48) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    // short strings (numbers, addresses): a JS loop beats the per-call cost of the native write
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A number exactly as JavaScript prints it (String(v)), without allocating in the common cases. */
  number(v: number): void {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      this.integer(v);
      return;
    }
    this.room(24);
    const end = writeShortestDouble(this.buf, this.pos, v);
    if (end >= 0) this.pos = end;
    else this.ascii(String(v));
  }

  integer(v: number): void {
    this.room(22);
    const b = this.buf;
    if (v < 0) {
      b[this.pos++] = 45; // '-'
      v = -v;
    }
    if (v < 2147483648) {
      // int32 fast path: digit count by comparisons, digits by integer division (most flow values)
      let x = v | 0;
      const d = x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1000000 ? 6
        : x < 10000000 ? 7 : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
      let p = this.pos + d;
      this.pos = p;
      do {
        const q = (x / 10) | 0;
        b[--p] = 48 + x - q * 10;
        x = q;
      } while (x !== 0);
      return;
    }
    let digits = 0;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 1) {
      const q = Math.floor(v / 10);
      b[--p] = 48 + (v - q * 10);
      v = q;
    }
  }

  flush(): void {
    if (this.pos === 0) return;
    let off = 0;
    while (off < this.pos) {
      try {
        off += writeSync(this.fd, this.buf, off, this.pos - off);
      } catch (err) {
        // stdout as a non-blocking pipe: wait for the reader instead of failing
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
          continue;
        }
        throw err;
      }
    }
    this.bytesWritten += this.pos;
    this.pos = 0;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}
