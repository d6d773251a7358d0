// The run journal: append-only JSON lines, each written and flushed to disk before the event counts, so a
// crash at any moment leaves at most one torn last line, which reading tolerates.
import * as fs from 'node:fs';
import { isRunEvent, type RunEvent } from '../shared/events';

export class JournalError extends Error {}

export class Journal {
  private fd: number;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
    this.repairTornTail();
  }

  append(event: RunEvent): void {
    fs.writeSync(this.fd, JSON.stringify(event) + '\n');
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** A crash mid-write leaves a line without its newline; appending after it would glue two events together. */
  private repairTornTail(): void {
    const size = fs.fstatSync(this.fd).size;
    if (size === 0) return;
    const buf = Buffer.alloc(1);
    const rfd = fs.openSync(this.file, 'r');
    try {
      fs.readSync(rfd, buf, 0, 1, size - 1);
    } finally {
      fs.closeSync(rfd);
    }
    if (buf[0] !== 10) fs.writeSync(this.fd, '\n');
  }
}

export interface JournalContents {
  events: RunEvent[];
  /** True when the last line was cut short by a crash and ignored. */
  tornTail: boolean;
}

export function readJournal(file: string): JournalContents {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new JournalError(`cannot read the journal ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseJournal(text, file);
}

export function parseJournal(text: string, file = 'journal'): JournalContents {
  const lines = text.split('\n');
  const events: RunEvent[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const last = lines.slice(i + 1).every((l) => l.trim() === '');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // Only the last line can be torn by a crash; damage anywhere else means the file was edited or corrupted.
      if (last && !text.endsWith('\n')) {
        tornTail = true;
        continue;
      }
      // A torn line followed by later appends (the repair above adds the newline) is also tolerated.
      if (!last && isTornThenRepaired(line)) {
        tornTail = true;
        continue;
      }
      throw new JournalError(`${file}:${i + 1}: the journal line is not valid JSON`);
    }
    if (!isRunEvent(value)) throw new JournalError(`${file}:${i + 1}: not a run event`);
    events.push(value);
  }
  return { events, tornTail };
}

/** A line that starts like an event but was cut: an unfinished JSON object. */
function isTornThenRepaired(line: string): boolean {
  return line.startsWith('{"type":') && !line.trimEnd().endsWith('}');
}
