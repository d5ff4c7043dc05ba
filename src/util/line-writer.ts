import { closeSync, openSync, writeSync } from 'node:fs';
import { FlowsentryError } from '../errors.js';

/**
 * Buffered synchronous text output to a file or stdout: strings are joined in memory and written in
 * ~1 MiB chunks, so a writer costs one syscall per thousands of rows. Synchronous on purpose: rows are
 * produced inside the packet loop and must not pile up behind an event-loop turn.
 */
export class LineWriter {
  private parts: string[] = [];
  private pending = 0;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  bytesWritten = 0;

  constructor(readonly target: string, private readonly highWater = 1 << 20) {
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

  write(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending >= this.highWater) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off, buf.length - off);
      } catch (err) {
        // stdout as a non-blocking pipe: wait for the reader instead of failing
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
          continue;
        }
        throw err;
      }
    }
    this.bytesWritten += buf.length;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}
