// Coalesces a run's changes into at most one message pair per interval: a worker can report dozens of epochs
// a second, and every postMessage costs a structured clone and a webview render. Events keep their order;
// a status change rides after the events it followed, and only the latest status is sent.
import type { RunEvent } from '../../shared/events';
import type { HostToPanel, PanelStatus } from '../../shared/panel';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class EventBatcher {
  private events: RunEvent[] = [];
  private status?: PanelStatus['params'];
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly send: (message: HostToPanel) => void,
    private readonly intervalMs = 300,
    private readonly timers: Timers = realTimers,
  ) {}

  pushEvents(events: readonly RunEvent[]): void {
    if (this.disposed || !events.length) return;
    this.events.push(...events);
    this.arm();
  }

  pushStatus(status: PanelStatus['params']): void {
    if (this.disposed) return;
    this.status = status;
    this.arm();
  }

  /** Sends what is pending now (also what the timer does). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    const status = this.status;
    this.events = [];
    this.status = undefined;
    if (events.length) this.send({ method: 'events', params: { events } });
    if (status) this.send({ method: 'status', params: status });
  }

  /** Drops what is pending: the webview went away and will be sent a fresh snapshot when it is back. */
  clear(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.events = [];
    this.status = undefined;
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }

  private arm() {
    if (this.timer === undefined) this.timer = this.timers.setTimeout(() => this.flush(), this.intervalMs);
  }
}
