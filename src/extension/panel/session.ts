// One webview page's conversation with its run, apart from the VS Code glue so it can be tested with a fake
// controller: `ready` gets a snapshot and a subscription, live changes are batched, the user's actions go to
// the controller. No 'vscode' import: what it needs from the editor comes in as functions.
import type { RunEvent } from '../../shared/events';
import { isPanelToHost, type HostToPanel } from '../../shared/panel';
import type { RunController } from '../runController';
import { EventBatcher, type Timers } from './batcher';

export interface SessionHooks {
  post: (message: HostToPanel) => void;
  /** An action failed (the controller rejected): the panel tells the user. */
  onError: (what: string, error: unknown) => void;
  /** The run's name became known (or changed on a resume): the panel's title follows it. */
  onName?: (name: string) => void;
}

export class PanelSession {
  private readonly batcher: EventBatcher;
  private subscription?: { dispose(): void };
  private disposed = false;

  constructor(
    readonly runDir: string,
    private readonly controller: RunController,
    private readonly hooks: SessionHooks,
    flushMs = 300,
    timers?: Timers,
  ) {
    this.batcher = new EventBatcher((m) => this.post(m), flushMs, timers);
  }

  /** A message from the page. It is untrusted input like any other: only declared messages with valid fields act. */
  handle(m: unknown): void {
    if (this.disposed || !isPanelToHost(m)) return;
    switch (m.method) {
      case 'ready':
        this.attach();
        break;
      case 'stop':
        this.act('stop the run', () => this.controller.stop(this.runDir));
        break;
      case 'resume':
        this.act('resume the run', () => this.controller.resume(this.runDir));
        break;
      case 'export': {
        const { trial } = m.params;
        this.act(`export trial ${trial}`, () => this.controller.exportTrial(this.runDir, trial));
        break;
      }
      case 'reveal': {
        const { trial } = m.params;
        this.act(`reveal trial ${trial}`, () => this.controller.revealTrial(this.runDir, trial));
        break;
      }
    }
  }

  /** The page went away (hidden, reloading): stop feeding it until it says `ready` again. */
  detach(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    this.batcher.clear();
  }

  dispose(): void {
    if (this.disposed) return;
    this.detach();
    this.batcher.dispose();
    this.disposed = true;
  }

  /**
   * Snapshot, init and subscribe in one synchronous turn: no change can be delivered between the snapshot and
   * the subscription, so the page sees every event exactly once. A second `ready` (the page reloaded) starts
   * over from a fresh snapshot.
   */
  private attach() {
    this.detach();
    let snapshot: ReturnType<RunController['snapshot']>;
    try {
      snapshot = this.controller.snapshot(this.runDir);
    } catch (e) {
      this.post({ method: 'init', params: { runDir: this.runDir, status: 'crashed', canResume: false, events: [] } });
      this.post({
        method: 'status',
        params: { status: 'crashed', canResume: false, message: `cannot read the run: ${e instanceof Error ? e.message : String(e)}` },
      });
      return;
    }
    this.post({ method: 'init', params: { runDir: this.runDir, status: snapshot.status, canResume: snapshot.canResume, events: snapshot.events } });
    this.name(snapshot.events);
    this.subscription = this.controller.onDidChange(this.runDir, (change) => {
      if (change.events.length) {
        this.batcher.pushEvents(change.events);
        this.name(change.events);
      }
      if (change.status !== undefined) this.batcher.pushStatus({ status: change.status, canResume: change.canResume ?? false, message: change.message });
    });
  }

  private post(m: HostToPanel) {
    if (!this.disposed) this.hooks.post(m);
  }

  private name(events: readonly RunEvent[]) {
    let name: string | undefined;
    for (const e of events) if (e.type === 'run-started') name = e.name;
    if (name !== undefined) this.hooks.onName?.(name);
  }

  private act(what: string, action: () => Promise<void>) {
    let p: Promise<void>;
    try {
      p = action();
    } catch (e) {
      this.hooks.onError(what, e);
      return;
    }
    p.then(undefined, (e: unknown) => this.hooks.onError(what, e));
  }
}
