// Following files another process appends to: the run journal and the CLI's stdout/stderr files. Reads only
// what is new, hands out complete lines only (a line being written is kept until its newline arrives), and
// never throws for a file that does not exist yet.
import * as fs from 'node:fs';
import { isRunEvent, type RunEvent } from '../shared/events';

export class LineTail {
  private offset: number;
  private partial = Buffer.alloc(0);

  constructor(
    readonly file: string,
    startAt = 0,
  ) {
    this.offset = startAt;
  }

  /** Bytes consumed so far, complete lines only. */
  get position(): number {
    return this.offset - this.partial.length;
  }

  /** Complete lines appended since the last call. */
  read(): string[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return [];
    }
    const chunks: Buffer[] = [this.partial];
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        // Replaced or truncated: start over rather than read garbage.
        this.offset = 0;
        chunks.length = 0;
      }
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
        this.offset += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    const all = Buffer.concat(chunks);
    const last = all.lastIndexOf(10);
    if (last < 0) {
      this.partial = all;
      return [];
    }
    // Split on bytes, not characters: a chunk boundary may cut a multi-byte character.
    this.partial = Buffer.from(all.subarray(last + 1));
    return all
      .subarray(0, last)
      .toString('utf8')
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '');
  }
}

/** Run events in the lines; anything else (a line torn by a crash and then repaired, stray output) is skipped. */
export function parseEvents(lines: readonly string[]): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of lines) {
    const v = parseJson(line);
    if (isRunEvent(v)) out.push(v);
  }
  return out;
}

export function parseJson(line: string): unknown {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
