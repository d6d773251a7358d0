// Opening the files a spec names. A spec may come from a folder nobody vetted and the editor checks it on open,
// so a path may name anything: a device that never ends (/dev/zero), a pipe that blocks the reader forever, a
// directory, a sparse file of many gigabytes, or a file outside the project. Every read of such a path goes
// through here: only regular files, sizes capped before anything is read, header reads bounded, every problem a
// DataError that names the path as the user wrote it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, fsError } from './errors';

/** Where files may be read from. */
export interface FileAccess {
  /**
   * Folders the files must lie in once links are followed: set for an untrusted workspace, whose specs must
   * not make the editor read the rest of the machine. Unset: any path.
   */
  confineTo?: readonly string[];
}

const MiB = 1024 * 1024;

/** Largest files read whole. CSV text must fit a JS string (about 512 MiB); IDX data is copied to float32 per worker. */
export const FILE_LIMITS = {
  csv: 500 * MiB,
  /** After gunzip, too: a small gzip file may inflate to anything. */
  idx: 1024 * MiB,
  /** A model.json is topology and a weights manifest. */
  modelJson: 64 * MiB,
  /** All weight files of one model together. */
  weights: 2048 * MiB,
  /** The first record of a CSV file, the header of an IDX file. */
  header: 1 * MiB,
} as const;

/** A regular file opened for reading. */
export interface OpenFile {
  fd: number;
  size: number;
  /** The path read. */
  path: string;
  /** The path as the user wrote it, for messages. */
  name: string;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/** Whether `file`, once links are followed, lies inside one of `dirs` (links followed too). */
export function isWithin(file: string, dirs: readonly string[]): boolean {
  const real = realOrSelf(file);
  return dirs.some((d) => inside(real, realOrSelf(d)));
}

/** Throws when `access` confines reads and `file` (links followed) lies outside every allowed folder. */
export function checkConfined(file: string, name: string, access: FileAccess | undefined): void {
  const roots = access?.confineTo;
  if (!roots || isWithin(file, roots)) return;
  throw new DataError(`${name} is outside the workspace: in an untrusted workspace NAS Studio reads only files inside it`, file);
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Opens `file` if it is a regular file. O_NONBLOCK makes opening a named pipe return at once (instead of waiting
 * for a writer), so fstat can refuse it; on a regular file the flag changes nothing.
 */
export function openRegular(file: string, name: string = file, access?: FileAccess): OpenFile {
  checkConfined(file, name, access);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    throw fsError(err, file, name);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      const what = kindOf(st);
      throw new DataError(`${name} is ${what === 'not a regular file' ? what : `${what}, not a regular file`}`, file);
    }
    return { fd, size: st.size, path: file, name };
  } catch (err) {
    fs.closeSync(fd);
    throw fsError(err, file, name);
  }
}

/** Opens, runs `fn`, closes; fs errors become DataErrors. */
export function withFile<T>(file: string, name: string, access: FileAccess | undefined, fn: (f: OpenFile) => T): T {
  const f = openRegular(file, name, access);
  try {
    return fn(f);
  } catch (err) {
    throw fsError(err, file, name);
  } finally {
    fs.closeSync(f.fd);
  }
}

/** Refuses a file larger than `max`, before reading any of it. `what` says which kind of file ("a CSV file"). */
export function checkSize(f: OpenFile, max: number, what: string): void {
  if (f.size > max) {
    throw new DataError(`${f.name} is ${formatBytes(f.size)}: larger than the ${formatBytes(max)} NAS Studio reads as ${what}`, f.path);
  }
}

/** Up to `length` bytes from `position`; fewer only at the end of the file. readSync may return short reads. */
export function readAt(f: OpenFile, position: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(f.fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/** A whole regular file of at most `max` bytes. */
export function readBounded(file: string, name: string, max: number, what: string, access?: FileAccess): Buffer {
  return withFile(file, name, access, (f) => {
    checkSize(f, max, what);
    return readAt(f, 0, f.size);
  });
}

/** A whole regular file of at most `max` bytes, as UTF-8 text. */
export function readTextBounded(file: string, name: string, max: number, what: string, access?: FileAccess): string {
  return readBounded(file, name, max, what, access).toString('utf8');
}

/** A value from the user's file, cut short for a message: enough to find it, not a copy of the file. */
export function quoteValue(s: string, max = 40): string {
  const oneLine = s.replace(/[\r\n\t]+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine;
}
