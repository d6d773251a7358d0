// Everything the extension knows about one run folder: its events so far (read from the journal, never from a
// process, so a run started here, one started in another window and one re-attached after a reload are all
// followed the same way), its status, and who listens. No editor API here: the supervisor drives it.
import type { RunEvent } from '../shared/events';
import type { RunStatus } from '../shared/panel';
import { runPaths, type RunPaths } from '../core/rundir';
import { folderSlug } from './panel/title';
import { ProgressTracker } from './progress';
import { endedStatus, lastFinish, type RunStatusInfo } from './runFolder';
import { LineTail, parseEvents } from './tail';

export interface RunChange {
  events: RunEvent[];
  status?: RunStatus;
  canResume?: boolean;
  message?: string;
}

export class RunRecord {
  readonly paths: RunPaths;
  readonly events: RunEvent[] = [];
  readonly tracker = new ProgressTracker();
  status: RunStatus = 'finished';
  canResume = false;
  message?: string;
  /** Index in `events` where the current launch's events begin (what a throughput measurement counts). */
  launchFrom = 0;
  private readonly journal: LineTail;
  private readonly listeners = new Set<(c: RunChange) => void>();

  constructor(readonly runDir: string) {
    this.paths = runPaths(runDir);
    this.journal = new LineTail(this.paths.journal);
    this.poll();
    this.settle();
  }

  get name(): string {
    // Until the run has started, its folder's readable part: never the raw run id in a title.
    return this.tracker.state.started?.name ?? (folderSlug(this.runDir) || 'search');
  }

  get live(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'stopping';
  }

  /** Reads what the journal gained and tells the listeners. */
  poll(): RunEvent[] {
    const fresh = parseEvents(this.journal.read());
    if (!fresh.length) return fresh;
    for (const e of fresh) {
      this.events.push(e);
      this.tracker.apply(e);
    }
    if (this.status === 'starting' && fresh.some((e) => e.type === 'run-started')) {
      this.status = 'running';
      this.notify({ events: fresh, status: 'running', canResume: false });
    } else this.notify({ events: fresh });
    return fresh;
  }

  /**
   * Marks the start of a launch whose events begin at index `from`: 0 for a new run (whatever was read
   * already is its own), the journal's end for a resume. It is running once its `run-started` is in.
   */
  beginLaunch(from: number, alreadyRunning = false): void {
    this.launchFrom = from;
    const running = alreadyRunning || this.events.slice(from).some((e) => e.type === 'run-started');
    this.set({ status: running ? 'running' : 'starting', canResume: false });
  }

  /** The status the journal implies for a run with no live process. */
  settle(extra?: string): void {
    const info = endedStatus(lastFinish(this.events), this.events.length > 0);
    this.set(extra && !info.message ? { ...info, message: extra } : info);
  }

  set(info: RunStatusInfo): void {
    if (info.status === this.status && info.canResume === this.canResume && info.message === this.message) return;
    this.status = info.status;
    this.canResume = info.canResume;
    this.message = info.message;
    this.notify({ events: [], status: info.status, canResume: info.canResume, message: info.message });
  }

  subscribe(listener: (c: RunChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(c: RunChange) {
    for (const l of [...this.listeners]) {
      try {
        l(c);
      } catch {
        // One faulty listener (a disposed panel) must not stop the others from hearing about the run.
      }
    }
  }
}
