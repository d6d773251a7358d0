// Workers in this process whose epochs take a set time (a function of the trial's config), for tests of how the
// orchestrator spends a time budget without training anything: each link answers `init` at once, reports an
// epoch every `epochMs(config)` with a value from `value(config, epoch)`, waits for the decision, and honours a
// `stop` or the trial's deadline between "batches" (a 50 ms tick) as the real worker does.
import type { TrialConfig } from '../../src/shared/arch';
import type { EpochMetrics } from '../../src/shared/events';
import type { ModelArtifactsMessage, ToWorker, TrainRequest } from '../../src/shared/protocol';
import type { LinkEvents, WorkerLink, WorkerTransport } from '../../src/engine/transport';

const TICK_MS = 50;
const EMPTY_MODEL: ModelArtifactsMessage = { modelTopology: { class_name: 'Sequential', config: {} }, weightSpecs: [], weightData: new ArrayBuffer(0) };

export interface TimedWork {
  epochMs(config: TrialConfig): number;
  value?(config: TrialConfig, epoch: number): number;
}

class TimedLink implements WorkerLink {
  trial?: number;
  ready = false;
  exited = false;
  private stopAsked = false;
  private decide?: (d: 'continue' | 'prune') => void;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly id: number,
    private readonly events: LinkEvents,
    private readonly work: TimedWork,
  ) {}

  send(m: ToWorker): void {
    if (this.exited) return;
    if (m.method === 'init')
      setImmediate(() =>
        this.events.message(this, {
          method: 'ready',
          params: { backend: 'cpu', loadMs: 0, inputShape: [8, 8, 1], outputs: 3, samples: { train: 240, val: 60 }, pid: process.pid },
        }),
      );
    else if (m.method === 'train') void this.train(m.params);
    else if (m.method === 'decision') this.decide?.(m.params.decision);
    else if (m.method === 'stop') this.stopAsked = true;
  }

  private async train(p: TrainRequest['params']) {
    const t0 = Date.now();
    const deadline = p.deadlineMs !== undefined ? t0 + p.deadlineMs : Infinity;
    this.stopAsked = false;
    const history: EpochMetrics[] = [...(p.resume?.history ?? [])];
    const target = p.epochs ?? p.config.training.epochs;
    const ms = this.work.epochMs(p.config);
    let stopped = false;
    while (history.length < target && !stopped) {
      const end = Date.now() + ms;
      // "Batches": the stop and the deadline are looked at every tick, as the trainer does between batches.
      while (Date.now() < end) {
        if (this.stopAsked || Date.now() >= deadline) {
          stopped = true;
          break;
        }
        await new Promise((r) => (this.timer = setTimeout(r, Math.min(TICK_MS, end - Date.now()))));
        if (this.exited) return;
      }
      if (stopped) break;
      const acc = this.work.value?.(p.config, history.length) ?? 0.5;
      const metrics = { loss: 1 - acc, val_loss: 1 - acc, accuracy: acc, val_accuracy: acc };
      history.push(metrics);
      const decision = new Promise<'continue' | 'prune'>((r) => (this.decide = r));
      this.events.message(this, { method: 'epoch', params: { trial: p.trial, epoch: history.length - 1, metrics } });
      if ((await decision) === 'prune' || this.exited) break;
    }
    if (this.exited) return;
    const values = history.map((h) => h.val_accuracy ?? 0);
    const bestEpoch = values.length ? values.indexOf(Math.max(...values)) : -1;
    this.events.message(this, {
      method: 'result',
      params: {
        trial: p.trial,
        status: history.length ? 'completed' : 'failed',
        ...(history.length ? {} : { error: 'stopped before the first epoch ended' }),
        history,
        bestEpoch,
        ...(bestEpoch >= 0 ? { value: values[bestEpoch] } : {}),
        stopReason: stopped ? 'stopped' : 'epochs',
        params: 100,
        durationMs: Date.now() - t0,
        numTensors: 0,
        baselineTensors: 0,
        ...(p.wantWeights && bestEpoch >= 0 ? { weights: EMPTY_MODEL } : {}),
        ...(p.wantCheckpoint && !stopped ? { checkpoint: { weights: EMPTY_MODEL } } : {}),
      },
    });
  }

  kill(): void {
    this.close();
    setImmediate(() => this.events.exit(this, { why: 'killed by SIGKILL', output: '' }));
  }

  close(): void {
    this.exited = true;
    if (this.timer) clearTimeout(this.timer);
    this.decide?.('prune');
  }
}

export class TimedTransport implements WorkerTransport {
  readonly name = 'timed';
  constructor(private readonly work: TimedWork) {}
  autoParallel(): number {
    return 2;
  }
  async start(): Promise<WorkerLink[]> {
    return [];
  }
  open(id: number, events: LinkEvents): WorkerLink {
    return new TimedLink(id, events, this.work);
  }
  async close(): Promise<void> {}
}
