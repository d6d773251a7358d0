// The results tab's title: the search's name and when the run started, so two runs of one spec open two tabs
// that can be told apart ("NAS: shapes (14:05)", with the date when it is not today).
import * as path from 'node:path';

/** Run folders are named `YYYYMMDD-HHMMSS-<slug>-<hex>` (core/rundir.ts newRunId), the time in UTC. */
const RUN_ID = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(.+?)(?:-[0-9a-f]{4})?$/;

/** A run folder's readable part: `shapes-conv-or-dense` of `20261203-045041-shapes-conv-or-dense-95e7`. */
export function folderSlug(runDir: string): string {
  const base = path.basename(runDir);
  return RUN_ID.exec(base)?.[7] ?? base;
}

export function panelTitle(runDir: string, name?: string, now = new Date()): string {
  const base = path.basename(runDir);
  const m = RUN_ID.exec(base);
  if (!m) return `NAS: ${name ?? base}`;
  const started = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(started.getHours())}:${pad(started.getMinutes())}`;
  const sameDay = started.toDateString() === now.toDateString();
  const when = sameDay ? time : `${started.getFullYear()}-${pad(started.getMonth() + 1)}-${pad(started.getDate())} ${time}`;
  return `NAS: ${name ?? m[7]} (${when})`;
}
