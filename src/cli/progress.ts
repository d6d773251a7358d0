// What `run` and `resume` show while the search goes on. With --json: every run event as one line on stdout
// (the contract in src/shared/cli.ts). In a terminal: a line per finished trial, and below them one live line
// redrawn in place (trials done, each running trial's epoch, best so far, elapsed, ETA). Elsewhere (a pipe, a
// CI log): plain lines, including one per trial started and per epoch, so a long trial still shows progress.
import type { RunEvent } from '../shared/events';
import { clock, formatDuration, formatValue, plural } from '../shared/format';
import type { RunState, TrialState } from '../core/runstate';
import { epochsDone, plannedEpochs, RunTiming } from '../core/timing';
import type { Io } from './report';
import { describe } from './summary';

export type ProgressMode = 'json' | 'tty' | 'plain';

const REDRAW_MS = 1000;

export class LiveProgress {
  readonly timing = new RunTiming();
  private state?: RunState;
  private timer?: NodeJS.Timeout;
  private drawn = false;
  /** Trials started so far (a restart after a crash is the same trial). */
  private readonly started = new Set<number>();

  constructor(
    private readonly io: Io,
    readonly mode: ProgressMode,
    private readonly now: () => number = Date.now,
  ) {}

  /** The run's state, which the orchestrator updates before it reports each event. */
  attach(state: RunState): void {
    this.state = state;
    for (const t of state.trials.keys()) this.started.add(t);
    if (this.mode === 'tty') {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref?.();
    }
  }

  event(e: RunEvent): void {
    if (this.mode === 'json') {
      this.io.out(JSON.stringify(e));
      return;
    }
    if (this.state) this.timing.apply(e, this.state);
    const line = this.lineFor(e);
    if (line !== undefined) this.print(line);
    else if (this.mode === 'tty') this.draw();
  }

  /** A line the user should keep (a warning, the summary): printed above the live line. */
  print(s: string): void {
    this.clear();
    this.io.err(s);
    if (this.mode === 'tty') this.draw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private lineFor(e: RunEvent): string | undefined {
    const plain = this.mode === 'plain';
    const total = this.state?.started?.budget.trials;
    switch (e.type) {
      case 'run-started':
        return `${e.resumed ? 'resuming' : 'starting'} ${e.name}: ${e.strategy} search${e.pruner ? ` with ${e.pruner}` : ''}, ${plural(e.budget.trials, 'trial')}${
          e.budget.minutes ? ` or ${e.budget.minutes} min` : ''
        }, ${plural(e.parallel, 'worker')} on ${e.backend}`;
      case 'log':
        return e.level === 'info' ? e.message : `${e.level}: ${e.message}`;
      case 'trial-started':
        this.started.add(e.trial);
        return plain ? `trial ${e.trial} started (${this.started.size}${total ? ` of ${total}` : ''}): ${describe(e.config.arch)}` : undefined;
      case 'trial-assigned':
        return plain ? `trial ${e.trial} taken by ${e.host} (pid ${e.pid})` : undefined;
      case 'workers':
        return `queue workers connected: ${e.connected} (${plural(e.slots, 'slot')})`;
      case 'trial-promoted':
        return `trial ${e.trial} promoted to rung ${e.rung}: continues from epoch ${e.fromEpoch} to ${e.epochs}`;
      case 'epoch': {
        if (!plain) return undefined;
        const t = this.state?.trials.get(e.trial);
        const m = e.metrics;
        const of = t ? `/${plannedEpochs(t)}` : '';
        const acc = m.val_accuracy !== undefined ? `val_accuracy ${formatValue(m.val_accuracy)}, ` : '';
        return `trial ${e.trial} epoch ${e.epoch + 1}${of}: ${acc}val_loss ${formatValue(m.val_loss)}`;
      }
      case 'supernet-epoch': {
        const m = e.metrics;
        const acc = m.val_accuracy !== undefined ? `val_accuracy ${formatValue(m.val_accuracy)}, ` : '';
        // The leading operation of each edge or choice, with its softmax weight: where alpha is heading.
        const lead = e.alpha.map((r) => {
          const k = r.weights.indexOf(Math.max(...r.weights));
          return `${r.label} ${r.ops[k]} ${r.weights[k].toFixed(2)}`;
        });
        return `supernet epoch ${e.epoch + 1}/${e.epochs}: ${acc}val_loss ${formatValue(m.val_loss)} (${formatDuration(e.durationMs)}); leading: ${lead.join(', ')}`;
      }
      case 'trial-completed':
        return `trial ${e.trial}: ${this.metric()} ${formatValue(e.value)} after ${plural(e.epochs, 'epoch')} (${formatDuration(e.durationMs)}${this.where(e.trial)})${this.bestMark(e.trial)}`;
      case 'trial-pruned':
        return `trial ${e.trial} pruned after ${plural(e.epoch + 1, 'epoch')}: ${e.reason}`;
      case 'trial-failed':
        return `trial ${e.trial} failed${e.retry ? ' (will retry)' : ''}: ${e.error}`;
      case 'trial-cut':
        return `trial ${e.trial} cut by the time budget after ${e.epochs} of ${plural(e.plannedEpochs, 'epoch')}${
          e.value !== undefined ? `: ${this.metric()} ${formatValue(e.value)}` : ''
        }`;
      default:
        return undefined;
    }
  }

  private metric(): string {
    return this.state?.started?.objective.metric ?? 'value';
  }

  /** `, on gpu-2 (pid 311)` for a trial a queue worker trained; nothing for a local one. */
  private where(trial: number): string {
    const t = this.state?.trials.get(trial);
    return t?.remote ? `, on ${t.host} (pid ${t.pid})` : '';
  }

  private bestMark(trial: number): string {
    return this.state?.best()?.trial === trial ? '  (best so far)' : '';
  }

  /** The live line: `trials 3/20 | #4 epoch 2/5, #5 epoch 1/5 | best 0.9123 (#2) | 0:42 elapsed | ETA 3:10`. */
  liveLine(): string | undefined {
    const s = this.state;
    if (!s?.started) return undefined;
    const c = s.counts();
    const now = this.now();
    const running = [...s.trials.values()].filter((t) => t.status === 'running');
    const parts = [`trials ${c.done}/${s.started.budget.trials}`];
    if (running.length) parts.push(running.map(runningText).join(', '));
    const best = s.best();
    parts.push(`best ${best ? `${formatValue(best.value)} (#${best.trial})` : '-'}`);
    parts.push(`${clock(this.timing.elapsedMs(now))} elapsed`);
    const eta = this.timing.etaMs(s, now);
    parts.push(`ETA ${eta === undefined ? '?' : clock(eta)}`);
    return parts.join(' | ');
  }

  private draw() {
    const text = this.liveLine();
    if (text === undefined || !this.io.write) return;
    const width = Math.max(20, (this.io.columns ?? 80) - 1);
    // Never wider than the terminal: a wrapped line cannot be redrawn in place.
    const fitted = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.io.write(`\r${fitted}\x1b[K`);
    this.drawn = true;
  }

  private clear() {
    if (this.drawn && this.io.write) this.io.write('\r\x1b[K');
    this.drawn = false;
  }
}

function runningText(t: TrialState): string {
  return `#${t.trial} epoch ${Math.min(epochsDone(t) + 1, plannedEpochs(t))}/${plannedEpochs(t)}`;
}
