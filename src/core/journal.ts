// The run journal: append-only JSON lines, each written and flushed to disk before the event counts, so a
// crash at any moment leaves at most one torn last line, which reading tolerates.
import * as fs from 'node:fs';
import { isRunEvent, type RunEvent } from '../shared/events';
import { DataError } from './data/errors';
import { readTextBounded } from './data/files';

/** A JS string holds about 512 MiB; a journal of a million epochs is far below. */
const JOURNAL_MAX_BYTES = 500 * 1024 * 1024;

export class JournalError extends Error {}

export class Journal {
  private fd: number;
  /** Bytes of complete lines: where a failed append is cut back to. */
  private size: number;

  constructor(readonly file: string) {
    // a+ (read and append): the repair reads the tail and may cut it off.
    this.fd = fs.openSync(file, 'a+');
    this.size = this.repairTornTail();
  }

  /**
   * `durable` false: the line is written but not flushed (a line only for show, such as which machine took a
   * trial): a crash may lose it or tear it (the repair cuts a torn tail), and the next durable append flushes it.
   */
  append(event: RunEvent, durable = true): void {
    const bytes = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    try {
      // writeSync may write less than asked (a full disk, a signal): the rest goes on until the line is whole.
      for (let off = 0; off < bytes.length;) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (err) {
      // A line half written would be glued to the next append: take it back, so the file still ends at a line end.
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // the next open's repair cuts it
      }
      throw err;
    }
    if (durable) fs.fdatasyncSync(this.fd);
    this.size += bytes.length;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /**
   * A crash mid-write leaves a last line without its newline. When that line is a whole event (only the newline
   * was lost) it gets its newline; otherwise it is cut off, so the file holds complete lines only and the next
   * append starts a fresh one. (Adding a newline after a torn line instead left that line in the middle of the
   * journal, where nothing tells it from damage.) Returns the size of the file after the repair.
   */
  private repairTornTail(): number {
    const size = fs.fstatSync(this.fd).size;
    if (size === 0) return 0;
    const lineStart = lastLineStart(this.fd, size);
    if (lineStart === size) return size;
    const tail = Buffer.alloc(size - lineStart);
    readFully(this.fd, tail, lineStart);
    if (parseEvent(tail.toString('utf8')) !== undefined) {
      fs.writeSync(this.fd, '\n');
      fs.fdatasyncSync(this.fd);
      return size + 1;
    }
    fs.ftruncateSync(this.fd, lineStart);
    fs.fdatasyncSync(this.fd);
    return lineStart;
  }
}

function readFully(fd: number, buf: Buffer, position: number): void {
  for (let got = 0; got < buf.length;) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) throw new JournalError('the journal shrank while it was read');
    got += n;
  }
}

/** Offset just past the file's last newline (0 if it has none); `size` if the file ends with one. */
function lastLineStart(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const buf = chunk.subarray(0, end - start);
    readFully(fd, buf, start);
    const nl = buf.lastIndexOf(10);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

function parseEvent(line: string): RunEvent | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return isRunEvent(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface JournalContents {
  events: RunEvent[];
  /** True when the last line was cut short by a crash and ignored. */
  tornTail: boolean;
  /** Lenient reads only: the damage that ended the read (events before it are returned). */
  damage?: string;
}

/** `lenient`: stop at damage and return the events before it (for `status`), instead of throwing. */
export function readJournal(file: string, lenient = false): JournalContents {
  let text: string;
  try {
    // a regular file within what a string holds: a run folder may be damaged or not a run folder at all
    text = readTextBounded(file, file, JOURNAL_MAX_BYTES, 'a journal');
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw new JournalError(`cannot read the journal: ${err.message.startsWith('file not found') ? `${file}: no such file` : err.message}`);
  }
  return parseJournal(text, file, lenient);
}

export function parseJournal(text: string, file = 'journal', lenient = false): JournalContents {
  const lines = text.split('\n');
  // the index of the last line holding anything: the only one a crash can leave cut short
  let last = lines.length - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  const events: RunEvent[] = [];
  let tornTail = false;
  for (let i = 0; i <= last; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A proper prefix of a JSON object is never valid JSON, so a cut line always lands here. The last line may
      // be cut (with or without the newline an older repair added); an earlier one only by that older repair,
      // which appended a newline after it: such a line still starts like an event. Anything else is damage.
      if (i === last || looksLikeCutEvent(line)) {
        tornTail = true;
        continue;
      }
      const damage = `${file}:${i + 1}: the journal line is not valid JSON`;
      if (lenient) return { events, tornTail, damage };
      throw new JournalError(damage);
    }
    if (!isRunEvent(value)) {
      const damage = `${file}:${i + 1}: not a run event`;
      if (lenient) return { events, tornTail, damage };
      throw new JournalError(damage);
    }
    events.push(value);
  }
  return { events, tornTail };
}

/** A line that starts the way JSON.stringify writes an event. */
function looksLikeCutEvent(line: string): boolean {
  return line.startsWith('{"type":"');
}
