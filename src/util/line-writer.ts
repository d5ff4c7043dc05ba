import { closeSync, openSync, writeSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';
import { MAX_NUMBER_CHARS, writeAscii, writeNumber, writeUint } from './number-format.js';

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
  /** Next byte to write in the buffer (row formatters advance it after writing through reserve()). */
  pos = 0;
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
    this.pos = writeAscii(this.buf, this.pos, s);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A number exactly as JavaScript prints it (String(v)), without allocating in the common cases. */
  number(v: number): void {
    this.room(MAX_NUMBER_CHARS);
    this.pos = writeNumber(this.buf, this.pos, v);
  }

  /** A safe integer (|v| ≤ 2^53 − 1). */
  integer(v: number): void {
    this.room(MAX_NUMBER_CHARS);
    let p = this.pos;
    if (v < 0) {
      this.buf[p++] = 45; // '-'
      v = -v;
    }
    this.pos = writeUint(this.buf, p, v);
  }

  /**
   * Makes room for `n` bytes and returns the buffer to write them into, from `pos` on; the caller
   * then sets `pos` past what it wrote. For formatters that write a whole row at once with the
   * number-format functions instead of one method call per value.
   */
  reserve(n: number): Uint8Array {
    this.room(n);
    return this.buf;
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
