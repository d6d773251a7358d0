// The DARTS search inside a run: before the first trial, one worker trains the supernet while the others
// wait. Each epoch's alpha is journaled (`supernet-epoch`) after its checkpoint is on disk, so a resumed run
// continues the supernet from its last epoch (weights, alpha, both optimizers) and a finished one derives its
// trials from the journal alone. The orchestrator calls in at four points: dispatch, messages, exits, busy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../shared/events';
import type { OptimizerStateMessage, SupernetCheckpoint, SupernetEpochReport, SupernetResult } from '../shared/protocol';
import { plural } from '../shared/format';
import { mixedChoices } from '../shared/supernet';
import type { RunState } from '../core/runstate';
import type { DartsStrategy } from '../core/strategies/darts';
import type { WorkerLink } from './transport';

export interface PhaseHost {
  state(): RunState;
  runDir(): string;
  readonly seed: number;
  emit(e: RunEvent): void;
  note(level: 'info' | 'warn' | 'error', message: string): void;
  fail(message: string): void;
  /** What is left of the time budget, if there is one. */
  deadlineMs(): number | undefined;
}

const DIR = 'supernet';
const PARTS = ['variables', 'weightsOptimizer', 'alphaOptimizer'] as const;
/** A supernet whose worker dies this often (out of memory, say) fails the run instead of looping. */
const MAX_CRASHES = 2;

export class SupernetPhase {
  private worker?: WorkerLink;
  private crashes = 0;
  private epochStart = Date.now();

  constructor(
    private readonly strategy: DartsStrategy,
    private readonly host: PhaseHost,
  ) {}

  /** A worker trains the supernet now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Called for an idle worker before any trial: true while the supernet holds the trials up (it was just
   * given to `w`, or another worker trains it); false once alpha is learnt and trials can be derived.
   */
  blocks(w: WorkerLink): boolean {
    if (this.strategy.searched) return false;
    const config = this.strategy.supernetConfig();
    const epochs = this.host.state().supernet;
    if (epochs.length >= config.training.epochs) {
      const last = epochs[epochs.length - 1];
      this.strategy.learnt(last.alpha);
      this.host.note(
        'info',
        `darts: the supernet trained ${plural(epochs.length, 'epoch')}; retraining ${this.strategy.derivedCount > 1 ? `the ${this.strategy.derivedCount} derived architectures` : 'the derived architecture'} from scratch`,
      );
      return false;
    }
    if (this.worker) return true;
    let fromEpoch = epochs.length;
    const checkpoint = fromEpoch > 0 ? this.readCheckpoint() : undefined;
    if (fromEpoch > 0 && !checkpoint) {
      this.host.note('warn', `darts: the supernet checkpoint is missing, so the supernet trains again from its first epoch`);
      fromEpoch = 0;
    }
    this.worker = w;
    this.epochStart = Date.now();
    const deadlineMs = this.host.deadlineMs();
    w.send({
      method: 'supernet',
      params: { config, seed: this.host.seed, fromEpoch, ...(checkpoint ? { checkpoint } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}) },
    });
    return true;
  }

  onEpoch(w: WorkerLink, p: SupernetEpochReport['params']): void {
    if (w !== this.worker) return;
    if (p.checkpoint) this.writeCheckpoint(p.checkpoint);
    const config = this.strategy.supernetConfig();
    const rows = mixedChoices(config.space);
    const now = Date.now();
    this.host.emit({
      type: 'supernet-epoch',
      time: new Date(now).toISOString(),
      epoch: p.epoch,
      epochs: config.training.epochs,
      metrics: p.metrics,
      alpha: rows.map((r, i) => ({ name: r.name, label: r.label, ops: r.ops, weights: p.alpha[i] })),
      durationMs: now - this.epochStart,
    });
    this.epochStart = now;
  }

  onResult(w: WorkerLink, p: SupernetResult['params']): void {
    if (w !== this.worker) return;
    this.worker = undefined;
    if (p.status === 'failed') this.host.fail(`the darts supernet failed: ${p.error ?? 'unknown error'}`);
  }

  /** A worker that died while training the supernet: the next idle worker continues from the checkpoint. */
  onExit(w: WorkerLink, why: string): void {
    if (w !== this.worker) return;
    this.worker = undefined;
    if (++this.crashes >= MAX_CRASHES) this.host.fail(`the worker training the darts supernet ${why} ${this.crashes} times`);
    else this.host.note('warn', `darts: the worker training the supernet ${why}; it continues from its last epoch`);
  }

  private writeCheckpoint(c: SupernetCheckpoint): void {
    const dir = path.join(this.host.runDir(), DIR);
    const tmp = path.join(dir, 'next');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const meta: Record<string, Omit<OptimizerStateMessage, 'data'>> = {};
    for (const part of PARTS) {
      const m = c[part];
      if (!m) continue;
      fs.writeFileSync(path.join(tmp, `${part}.bin`), new Uint8Array(m.data));
      meta[part] = { className: m.className, specs: m.specs };
    }
    fs.writeFileSync(path.join(tmp, 'checkpoint.json'), JSON.stringify(meta));
    // Swapped in whole, so a crash mid-write leaves the previous epoch's checkpoint intact.
    const current = path.join(dir, 'checkpoint');
    fs.rmSync(current, { recursive: true, force: true });
    fs.renameSync(tmp, current);
  }

  private readCheckpoint(): SupernetCheckpoint | undefined {
    const dir = path.join(this.host.runDir(), DIR, 'checkpoint');
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as Record<string, Omit<OptimizerStateMessage, 'data'>>;
      const out: Partial<SupernetCheckpoint> = {};
      for (const part of PARTS) {
        if (!meta[part]) continue;
        const b = fs.readFileSync(path.join(dir, `${part}.bin`));
        out[part] = { ...meta[part], data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
      }
      return out.variables ? (out as SupernetCheckpoint) : undefined;
    } catch {
      return undefined;
    }
  }
}
