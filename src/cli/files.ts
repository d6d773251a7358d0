// Reading what the user names on the command line. Every command words a missing or unusable path the same
// way: `cannot read PATH: REASON`, with a reason a user can act on instead of an errno.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../core/data/errors';
import { readTextBounded } from '../core/data/files';
import { runPaths, type RunPaths } from '../core/rundir';
import { CliFailure } from './report';

/** Why `file` cannot be read, in words. */
export function unreadableReason(e: unknown, expect: 'file' | 'folder' = 'file'): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return expect === 'file' ? 'no such file' : 'no such folder';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'ENOTDIR') return 'it is a file, not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error)?.message ?? String(e);
}

export function cannotRead(p: string, e: unknown, expect: 'file' | 'folder' = 'file'): string {
  return `cannot read ${p}: ${unreadableReason(e, expect)}`;
}

/** A spec is a page of JSON; anything this large is not one. */
const SPEC_MAX_BYTES = 16 * 1024 * 1024;

/** A text file's contents (a regular file, not too large: `check /dev/zero` must not exhaust memory), or a CliFailure saying why not. */
export function readTextFile(file: string): string {
  try {
    return readTextBounded(file, file, SPEC_MAX_BYTES, 'a spec');
  } catch (e) {
    if (e instanceof DataError) throw new CliFailure('unreadable', dataErrorWords(file, e));
    throw new CliFailure('unreadable', cannotRead(file, e));
  }
}

/** A DataError from files.ts in this file's wording: `cannot read PATH: REASON`. */
function dataErrorWords(file: string, e: DataError): string {
  if (e.message.startsWith('file not found')) return cannotRead(file, { code: 'ENOENT' });
  if (e.message === `${file} is a directory, not a regular file`) return cannotRead(file, { code: 'EISDIR' });
  return e.message.startsWith(`${file} is `) ? `cannot read ${file}: it is ${e.message.slice(file.length + 4)}` : e.message;
}

/** The paths of the run folder `dir`, or a CliFailure when it is missing or not a run folder. */
export function requireRunDir(dir: string): RunPaths {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new CliFailure('unreadable', cannotRead(dir, e, 'folder'));
  }
  if (!st.isDirectory()) throw new CliFailure('not-a-run', `${dir} is a file; give the run folder (.nas-studio/runs/<run-id>)`);
  const p = runPaths(path.resolve(dir));
  if (!fs.existsSync(p.journal)) throw new CliFailure('not-a-run', `${dir} is not a run folder (it has no journal.jsonl)`);
  return p;
}
