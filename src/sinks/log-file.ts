/**
 * An append-only text file that can be reopened (logrotate moves the file, SIGHUP makes us write a
 * fresh one at the configured path). Writes are synchronous: a line is on disk (in the page cache)
 * when write() returns, so a crash loses nothing already reported, and a tail -f reader sees every
 * event as it happens. `buffered` mode instead collects lines until flush() (high-volume traffic logs).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FlowsentryError } from '../errors.js';

export class LogFile {
  private fd = -1;
  private parts: string[] = [];
  private pending = 0;

  constructor(readonly path: string, private readonly buffered = false) {}

  open(): void {
    if (this.fd >= 0) return;
    if (this.path === '-' || this.path === '/dev/stdout') {
      this.fd = 1;
      return;
    }
    if (this.path === '/dev/stderr') {
      this.fd = 2;
      return;
    }
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    } catch (err) {
      throw new FlowsentryError('FS_ERR_FILE_OPEN', `${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  write(line: string): void {
    if (this.buffered) {
      this.parts.push(line);
      this.pending += line.length;
      if (this.pending >= 1 << 16) this.flush();
    } else {
      this.writeOut(line);
    }
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const s = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    this.writeOut(s);
  }

  private writeOut(s: string): void {
    if (this.fd < 0) this.open();
    const buf = Buffer.from(s, 'utf8');
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
  }

  reopen(): void {
    this.flush();
    if (this.fd > 2) {
      closeSync(this.fd);
      this.fd = -1;
      this.open();
    }
  }

  close(): void {
    this.flush();
    if (this.fd > 2) closeSync(this.fd);
    this.fd = -1;
  }
}
