// The orchestrator: runs the strategy, hands trials to worker processes, writes every event to the journal
// before acting on it, keeps the best trials' weights, and survives crashes of its workers. It never loads
// tfjs itself, so the CLI and the editor can run it cheaply.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrialConfig } from '../shared/arch';
import { NO_TEST_SET, type Direction, type EpochMetrics, type MetricName, type Objective, type RunEvent, type RunFinishReason } from '../shared/events';
import type { BackendRequest, Checkpoint, FromWorker, ModelArtifactsMessage, OptimizerStateMessage, Ready, TrialResult } from '../shared/protocol';
import type { RunCliOptions } from '../shared/cli';
import type { NasSpec } from '../shared/spec';
import { SEARCH_DEFAULTS, BUDGET_DEFAULTS, BACKBONE_DEFAULTS } from '../core/defaults';
import { Journal, readJournal } from '../core/journal';
import { MODEL_FILE, replaceFolder, WEIGHTS_FILE, writeModelFiles } from '../core/modelfiles';
import { objectivesOf, primaryObjective } from '../core/objectives';
import { createPruner, type Pruner, type Scheduler } from '../core/pruners';
import { firstSegment, nextPromotion, rungStart, stopsAtRung } from '../core/pruners/schedule';
import { trialsThatFit } from '../core/budgetFit';
import { EpochCost } from '../core/epochCost';
import { archCost } from '../core/shapes';
import { analyzeRun } from '../core/runanalysis';
import { RunState } from '../core/runstate';
import { activeTime } from '../core/timing';
import { newRunId, readLock, runPaths, specHash, trialDir, type RunPaths } from '../core/rundir';
import { acquireLock, type Lock, lockBlocks, LockHeld, lockState, releaseLock } from '../core/runlock';
import { createStrategy } from '../core/strategies';
import { DartsStrategy } from '../core/strategies/darts';
import type { Strategy } from '../core/strategies/strategy';
import { describeTestSet } from '../core/data/testset';
import { cutFromJournal, cutFromResult, plannedEpochs } from './cut';
import { defaultWorkerEntry, ForkTransport, type WorkerEntry } from './pool';
import type { LinkEvents, WorkerExit, WorkerLink, WorkerTransport } from './transport';
import { DEFAULT_CUT_GRACE_MS, DEFAULT_SILENCE_MS, Watchdog } from './watchdog';
import { TestEvaluations } from './testeval';
import { SupernetPhase } from './supernetPhase';

export interface RunOptions {
  spec: NasSpec;
  specText: string;
  /** Absolute path of the spec file; dataset paths are relative to its folder. */
  specFile: string;
  /** An existing run folder to resume. */
  resumeDir?: string;
  /** Resume even though another host's process holds the run's lock (the user says that process is gone). */
  takeOverLock?: boolean;
  /** Where run folders go (default: `.nas-studio/runs` beside the spec). */
  runsDir?: string;
  /** The exact folder of a new run (the caller named it); overrides runsDir. */
  runDir?: string;
  /** The command-line options of this launch, kept in run.json so a resume keeps them. */
  cliOptions?: RunCliOptions;
  maxTrials?: number;
  minutes?: number;
  parallel?: number;
  backend?: BackendRequest;
  nodePath?: string;
  workerEntry?: WorkerEntry;
  /** How trials reach workers (default: processes forked on this machine). */
  transport?: WorkerTransport;
  onEvent?: (e: RunEvent) => void;
  /** Watchdog limits in seconds: a busy worker's longest silence, and its grace after the budget ran out. */
  watchdog?: { silenceSeconds?: number; graceSeconds?: number };
}

export interface RunOutcome {
  runDir: string;
  state: RunState;
  reason: RunFinishReason;
  message?: string;
}

interface Pending {
  trial: number;
  config: TrialConfig;
  /** Multi-fidelity: the rung this segment trains to and its epochs in all; fromEpoch > 0 continues a checkpoint. */
  rung?: number;
  epochs?: number;
  fromEpoch?: number;
}

/** Checkpoints (weights + optimizer state) of trials that may continue or be inherited from: `<run>/checkpoints/NNNN/`. */
const CHECKPOINTS = 'checkpoints';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';

export class RunError extends Error {}

export class Orchestrator {
  readonly paths: RunPaths;
  readonly state: RunState;
  private journal!: Journal;
  /** This launch's lock, released at the end only if it is still ours. */
  private lock?: Lock;
  /** Another host's lock this resume was asked to take over. */
  private takenOver?: Lock;
  private readonly strategy: Strategy;
  /** `darts`: the supernet trained before the first trial. */
  private readonly supernet?: SupernetPhase;
  private readonly pruner: Pruner;
  private readonly metric: MetricName;
  private readonly direction: Direction;
  private readonly objectives: Objective[];
  private readonly scheduler?: Scheduler;
  private readonly inheritWeights: boolean;
  private readonly measureLatency: boolean;
  private readonly budgetTrials: number;
  private readonly budgetMs?: number;
  private readonly parallel: number;
  private readonly retries: number;
  private readonly keepTop: number;
  private readonly seed: number;
  private readonly workers = new Map<number, WorkerLink>();
  private readonly queue: Pending[] = [];
  private readonly transport: WorkerTransport;
  private readonly linkEvents: LinkEvents = { message: (w, m) => this.onMessage(w, m), exit: (w, e) => this.onExit(w, e) };
  private nextWorkerId = 0;
  private launchStart = Date.now();
  private priorActiveMs = 0;
  private stopping: RunOutcome['reason'] | undefined;
  private stopMessage?: string;
  private timer?: NodeJS.Timeout;
  private finish?: (o: RunOutcome) => void;
  private ready?: Ready['params'];
  private initFailures = 0;
  private readonly trialStartMs = new Map<number, number>();
  /** Seconds per epoch as this run measures them, and when each running trial's segment started or last reported an epoch. */
  private readonly epochCost = new EpochCost();
  private readonly epochClock = new Map<number, number>();
  private readonly flopsCache = new Map<string, number | undefined>();
  /** Said once: a trial was not started because its first epoch could not end in the time left. */
  private notedNoFit = false;
  private readonly tests = new TestEvaluations();
  /** Between the end of the search and the closing of the journal: the test set is being scored. */
  private concluding = false;
  private readonly watchdog: Watchdog;
  /** Workers this orchestrator killed, and why: their trials are recorded as cut or hung, not retried. */
  private readonly killed = new Map<number, 'budget' | 'hung'>();

  constructor(private readonly opts: RunOptions) {
    const spec = opts.spec;
    const search = spec.search ?? {};
    const primary = primaryObjective(spec);
    this.metric = primary.metric;
    this.direction = primary.direction;
    this.objectives = objectivesOf(spec);
    this.measureLatency = this.objectives.some((o) => o.metric === 'latency');
    const minutes = opts.minutes ?? search.budget?.minutes;
    this.budgetMs = minutes === undefined ? undefined : minutes * 60_000;
    this.transport = opts.transport ?? new ForkTransport(opts.workerEntry ?? defaultWorkerEntry(), opts.nodePath);
    const par = opts.parallel ?? search.parallel ?? SEARCH_DEFAULTS.parallel;
    this.parallel = Math.max(1, par === 'auto' ? this.transport.autoParallel() : par);
    this.retries = search.retries ?? SEARCH_DEFAULTS.retries;
    this.keepTop = search.keepTop ?? SEARCH_DEFAULTS.keepTop;
    this.seed = search.seed ?? SEARCH_DEFAULTS.seed;
    this.strategy = createStrategy({
      spec,
      seed: this.seed,
      direction: this.direction,
      ...(this.objectives.length > 1 ? { objectives: this.objectives } : {}),
      ...(this.budgetMs !== undefined
        ? {
            budget: {
              trialsThatFit: () => this.trialsThatFit(),
              epochSeconds: (config: TrialConfig) => this.epochSeconds(undefined, config),
              secondsLeft: () => this.secondsLeft(),
            },
          }
        : {}),
    });
    const budgetTrials = opts.maxTrials ?? search.budget?.trials ?? BUDGET_DEFAULTS.trials;
    this.budgetTrials = Math.min(budgetTrials, this.strategy.plannedTrials?.() ?? budgetTrials);
    const darts: Strategy = this.strategy;
    if (darts instanceof DartsStrategy) {
      this.supernet = new SupernetPhase(darts, {
        state: () => this.state,
        runDir: () => this.paths.dir,
        seed: this.seed,
        emit: (e) => this.emit(e),
        note: (level, message) => this.note(level, message),
        fail: (message) => this.fail(message),
        deadlineMs: () => (this.budgetMs !== undefined ? Math.max(0, this.budgetMs - this.elapsedMs()) : undefined),
      });
    }
    this.pruner = createPruner(spec);
    this.scheduler = this.pruner.scheduler;
    this.inheritWeights = !!search.evolution?.inheritWeights && typeof this.strategy.parentOf === 'function';
    const wd = opts.watchdog ?? {};
    this.watchdog = new Watchdog({
      silenceMs: wd.silenceSeconds !== undefined ? wd.silenceSeconds * 1000 : DEFAULT_SILENCE_MS,
      graceMs: wd.graceSeconds !== undefined ? wd.graceSeconds * 1000 : DEFAULT_CUT_GRACE_MS,
    });
    if (opts.resumeDir) {
      this.paths = runPaths(path.resolve(opts.resumeDir));
      // refused early, before anything is touched; run() takes the lock itself, exclusively
      const lock = readLock(this.paths);
      if (lock && lock.pid !== process.pid && lockBlocks(lock, !!opts.takeOverLock)) throw new RunError(new LockHeld(lock, this.paths.dir).message);
      if (lock && lockState(lock) === 'elsewhere') this.takenOver = lock;
      const { events, tornTail } = readJournal(this.paths.journal);
      this.state = RunState.from(events);
      if (tornTail) this.note('warn', 'the journal ended in a torn line (the previous run was killed mid-write); it was ignored');
      this.priorActiveMs = activeTime(events);
    } else {
      const root = opts.runsDir ?? path.join(path.dirname(opts.specFile), '.nas-studio', 'runs');
      const id = newRunId(spec.name ?? path.basename(opts.specFile).replace(/\.nas\.json$/, ''));
      this.paths = runPaths(opts.runDir ? path.resolve(opts.runDir) : path.join(root, id));
      this.state = new RunState();
    }
  }

  get runDir(): string {
    return this.paths.dir;
  }

  /** Runs to the budget, a stop, or an error. Resolves once the journal is closed. */
  async run(): Promise<RunOutcome> {
    fs.mkdirSync(this.paths.trials, { recursive: true });
    if (!this.opts.resumeDir) {
      fs.writeFileSync(this.paths.spec, this.opts.specText);
      fs.writeFileSync(
        this.paths.meta,
        JSON.stringify(
          {
            runId: path.basename(this.paths.dir),
            specFile: this.opts.specFile,
            specHash: specHash(this.opts.spec),
            created: new Date().toISOString(),
            ...(this.opts.cliOptions ? { options: this.opts.cliOptions } : {}),
          },
          null,
          2,
        ) + '\n',
      );
    }
    try {
      this.lock = acquireLock(this.paths.lock, undefined, { takeOver: this.opts.takeOverLock });
    } catch (err) {
      if (err instanceof LockHeld) throw new RunError(err.message);
      throw err;
    }
    this.journal = new Journal(this.paths.journal);
    // The journal keeps who took the run over from whom: the other host's process, if it was alive after all,
    // wrote into the same folder.
    if (this.takenOver)
      this.note('warn', `took over the lock of process ${this.takenOver.pid} on ${this.takenOver.host} (since ${this.takenOver.started}), as asked`);
    const done = new Promise<RunOutcome>((resolve) => (this.finish = resolve));
    // Trials that were running when the last launch ended are started again with the same config (a promoted
    // segment from the checkpoint at its rung), unless the transport re-attached them: they still train elsewhere.
    const unfinished = this.state.unfinished().map((t) => t.trial);
    let attached: WorkerLink[] = [];
    try {
      attached = await this.transport.start({
        runDir: this.paths.dir,
        unfinished,
        events: this.linkEvents,
        newId: () => this.nextWorkerId++,
        report: (e) => this.emit(e),
        note: (level, message) => this.note(level, message),
      });
    } catch (e) {
      this.fail(`the workers cannot be reached through ${this.transport.name}: ${(e as Error).message}`);
    }
    if (!this.stopping) {
      for (const w of attached) {
        this.workers.set(w.id, w);
        this.trialStartMs.set(w.trial!, Date.now());
        this.init(w);
      }
      for (const t of unfinished) if (!attached.some((w) => w.trial === t)) this.queue.push(this.segmentOf(t));
      this.launchStart = Date.now();
      this.timer = setInterval(() => this.tick(), 250);
      const wanted = Math.min(this.parallel, Math.max(1, this.remainingWork()));
      for (let i = attached.length; i < wanted; i++) this.spawn();
    }
    const outcome = await done;
    await this.transport.close();
    return outcome;
  }

  /** Ends the run now: workers are killed, unfinished trials stay unfinished in the journal for a resume. */
  stop(message = 'stopped by the user'): void {
    if (this.stopping === 'stopped') return;
    this.stopping = 'stopped';
    this.stopMessage = message;
    for (const w of this.workers.values()) w.kill();
    this.maybeFinish();
  }

  private remainingWork(): number {
    return this.queue.length + Math.max(0, this.budgetTrials - this.state.nextIndex());
  }

  /** Trials the time budget holds at this run's pace (budget-aware strategies scale their phases by it). */
  private trialsThatFit(): number | undefined {
    const c = this.state.counts();
    const fit = trialsThatFit({ ended: this.state.trials.size - c.running, running: c.running, elapsedMs: this.elapsedMs(), budgetMs: this.budgetMs ?? 0 });
    // The trial budget caps what the time holds.
    return fit === undefined ? undefined : Math.min(fit, this.budgetTrials);
  }

  private elapsedMs(): number {
    return this.priorActiveMs + (Date.now() - this.launchStart);
  }

  /** What is left of the time budget, in seconds; undefined without one. */
  private secondsLeft(): number | undefined {
    return this.budgetMs === undefined ? undefined : Math.max(0, this.budgetMs - this.elapsedMs()) / 1000;
  }

  /** Forward FLOPs per sample of a config (the checker's estimate); undefined where the shapes do not work out. */
  private flopsOf(config: TrialConfig): number | undefined {
    if (!this.ready) return undefined;
    const key = JSON.stringify(config.arch);
    if (!this.flopsCache.has(key)) {
      let flops: number | undefined;
      try {
        flops = archCost(config.arch, this.ready.inputShape, this.ready.outputs).flops;
      } catch {
        flops = undefined;
      }
      this.flopsCache.set(key, flops);
    }
    return this.flopsCache.get(key);
  }

  /** An epoch of this trial (or of a new config) on this run's workers, as measured so far; undefined before any. */
  private epochSeconds(trial: number | undefined, config: TrialConfig): number | undefined {
    return this.epochCost.epochSeconds(trial, this.flopsOf(config));
  }

  /**
   * Under a time budget, whether an epoch of this work can end before the budget does. A segment that cannot
   * train even one epoch is lost whole (the epoch under way is dropped at the cut), so other work goes first.
   */
  private epochFits(trial: number | undefined, config: TrialConfig): boolean {
    const left = this.secondsLeft();
    const s = left === undefined ? undefined : this.epochSeconds(trial, config);
    return s === undefined || s <= left!;
  }

  /** `finish`: false from a handler that records something first and then calls maybeFinish itself. */
  private checkTime(finish = true) {
    if (this.budgetMs !== undefined && !this.stopping && this.elapsedMs() >= this.budgetMs) {
      this.stopping = 'time';
      this.watchdog.budgetEnded();
      // Running trials stop between batches and report their full epochs (each is recorded as cut).
      for (const w of this.workers.values()) w.send({ method: 'stop' });
      if (finish) this.maybeFinish();
    }
  }

  /** The budget, hung workers, and workers that outlive the budget's grace period. */
  private tick() {
    this.checkTime();
    const busy = [...this.workers.values()].filter((w) => w.trial !== undefined && !w.exited && !this.killed.has(w.id));
    const hung = new Set(this.watchdog.hung(busy.map((w) => w.id)));
    const late = this.stopping === 'time' && this.watchdog.graceOver();
    for (const w of busy) {
      if (!hung.has(w.id) && !late) continue;
      this.killed.set(w.id, hung.has(w.id) ? 'hung' : 'budget');
      w.kill();
    }
  }

  private emit(e: RunEvent) {
    // Which machine took a trial, how many queue workers are connected: nothing is decided on them, and a flush
    // per trial blocked this loop a few ms more with --queue.
    this.journal.append(e, e.type !== 'trial-assigned' && e.type !== 'workers');
    this.state.apply(e);
    this.opts.onEvent?.(e);
  }

  private note(level: 'info' | 'warn' | 'error', message: string) {
    const e: RunEvent = { type: 'log', time: now(), level, message };
    if (this.journal) this.emit(e);
    else this.opts.onEvent?.(e);
  }

  private spawn() {
    const w = this.transport.open(this.nextWorkerId++, this.linkEvents);
    this.workers.set(w.id, w);
    this.init(w);
  }

  private init(w: WorkerLink) {
    const baseDir = path.dirname(this.opts.specFile);
    const bb = this.opts.spec.training?.backbone;
    const backbone = bb
      ? {
          path: path.resolve(baseDir, bb.path),
          trainable: bb.trainable ?? BACKBONE_DEFAULTS.trainable,
          ...(bb.outputLayer ? { outputLayer: bb.outputLayer } : {}),
        }
      : undefined;
    w.send({
      method: 'init',
      params: {
        dataset: this.opts.spec.dataset,
        task: this.opts.spec.task,
        baseDir,
        seed: this.seed,
        backend: this.opts.backend ?? 'auto',
        ...(backbone ? { backbone } : {}),
      },
    });
  }

  private onMessage(w: WorkerLink, m: FromWorker) {
    // The journal is closed once the run ended; a late message (a worker that became ready) changes nothing.
    // While the run concludes, the test-set scores come in as messages.
    if (!this.finish && !this.concluding) return;
    this.watchdog.heard(w.id);
    switch (m.method) {
      case 'ready':
        w.ready = true;
        this.tests.onReady(w);
        if (!this.ready) {
          this.ready = m.params;
          this.emit({
            type: 'run-started',
            time: now(),
            launched: new Date(this.launchStart).toISOString(),
            runId: path.basename(this.paths.dir),
            name: this.opts.spec.name ?? path.basename(this.opts.specFile),
            specHash: specHash(this.opts.spec),
            specFile: this.opts.specFile,
            backend: m.params.backend,
            strategy: this.strategy.name,
            objective: { metric: this.metric, direction: this.direction },
            ...(this.objectives.length > 1 ? { objectives: this.objectives } : {}),
            ...(this.pruner.name !== 'none' ? { pruner: this.pruner.name } : {}),
            budget: { trials: this.budgetTrials, ...(this.budgetMs !== undefined ? { minutes: this.budgetMs / 60_000 } : {}) },
            parallel: this.parallel,
            resumed: !!this.opts.resumeDir,
            inputShape: m.params.inputShape,
            outputs: m.params.outputs,
            ...(describeTestSet(this.opts.spec.dataset) ? { test: describeTestSet(this.opts.spec.dataset) } : {}),
            samples: m.params.samples,
            host: os.hostname(),
          });
          if (m.params.reason) this.note('info', `backend ${m.params.backend}: ${m.params.reason}`);
        }
        this.dispatch(w);
        break;
      case 'init-failed':
        this.fail(`a worker could not start: ${m.params.error}`);
        break;
      case 'epoch': {
        const last = this.epochClock.get(m.params.trial);
        const timed = this.state.trials.get(m.params.trial);
        if (last !== undefined && timed) this.epochCost.observe(m.params.trial, this.flopsOf(timed.config), (Date.now() - last) / 1000);
        this.epochClock.set(m.params.trial, Date.now());
        // A queue may deliver again what a killed orchestrator had journaled already: each epoch is journaled once.
        if (this.state.trials.get(m.params.trial)?.history[m.params.epoch] === undefined)
          this.emit({ type: 'epoch', time: now(), trial: m.params.trial, epoch: m.params.epoch, metrics: m.params.metrics });
        const d = this.decidePrune(m.params.trial, m.params.epoch);
        w.send({ method: 'decision', params: { trial: m.params.trial, epoch: m.params.epoch, decision: d.prune ? 'prune' : 'continue', reason: d.reason } });
        break;
      }
      case 'result':
        this.onResult(w, m.params);
        break;
      case 'progress':
        break;
      case 'log':
        this.note(m.params.level, `worker ${w.id}: ${m.params.message}`);
        break;
      case 'evaluation':
        this.tests.onEvaluation(w, m.params);
        break;
      case 'supernet-epoch':
        this.supernet?.onEpoch(w, m.params);
        break;
      case 'supernet-result':
        this.supernet?.onResult(w, m.params);
        this.dispatchIdle();
        this.maybeFinish();
        break;
    }
  }

  private decidePrune(trial: number, epoch: number) {
    const values = (this.state.trials.get(trial)?.history ?? []).map((h) => metricOf(h, this.metric));
    const curves = [...this.state.trials.values()].map((t) => ({ trial: t.trial, status: t.status, values: t.history.map((h) => metricOf(h, this.metric)) }));
    return this.pruner.decide(trial, epoch, values, curves, this.direction);
  }

  private dispatch(w: WorkerLink) {
    if (w.trial !== undefined || !w.ready || this.stopping) {
      this.maybeFinish();
      return;
    }
    // darts: no trial before the supernet has learnt alpha (this worker may be the one training it).
    if (this.supernet?.blocks(w)) return;
    let next = this.queue.shift();
    // Multi-fidelity: promoting a stopped trial comes before starting a new one.
    if (!next && this.scheduler) {
      const p = nextPromotion(this.scheduler, this.state.trials.values(), this.metric, this.direction, (c) =>
        this.epochFits(c.trial, this.state.trials.get(c.trial)!.config),
      );
      if (p) next = { trial: p.trial, config: this.state.trials.get(p.trial)!.config, rung: p.rung, epochs: p.epochs, fromEpoch: p.fromEpoch };
    }
    if (!next && this.state.nextIndex() < this.budgetTrials) {
      const index = this.state.nextIndex();
      const config = this.strategy.ask(index, this.state.order);
      if (config && !this.epochFits(undefined, config)) return this.noFit(config);
      if (config) next = { trial: index, config, ...(this.scheduler ? firstSegment(this.scheduler, index, config) : {}) };
      else if (!this.anyBusy()) this.stopping = 'exhausted';
    }
    if (!next) {
      this.maybeFinish();
      return;
    }
    this.start(w, next);
  }

  /**
   * The next trial's first epoch cannot end before the budget does: the worker waits (a promotion may still come
   * from another worker's result), and once no worker has anything to do the run ends now instead of at the deadline.
   */
  private noFit(config: TrialConfig) {
    const left = this.secondsLeft() ?? 0;
    if (!this.notedNoFit) {
      this.notedNoFit = true;
      const s = this.epochSeconds(undefined, config) ?? 0;
      this.note(
        'info',
        `trial ${this.state.nextIndex()} not started: its first epoch (about ${Math.round(s)} s here) cannot end in the ${Math.round(left)} s left of the budget`,
      );
    }
    if (!this.anyBusy()) {
      this.note('info', `the search ends ${Math.round(left)} s before its time budget: no trial's next epoch fits in what is left`);
      this.stopping = 'time';
    }
    this.maybeFinish();
  }

  /** Sends one segment of a trial to a worker: a fresh start, or a continuation from its checkpoint. */
  private start(w: WorkerLink, next: Pending) {
    const prev = this.state.trials.get(next.trial);
    let resume: { history: EpochMetrics[]; checkpoint: Checkpoint } | undefined;
    if (next.fromEpoch) {
      const checkpoint = this.readCheckpoint(next.trial);
      if (checkpoint && prev && prev.history.length >= next.fromEpoch) resume = { history: prev.history.slice(0, next.fromEpoch), checkpoint };
      else this.note('warn', `trial ${next.trial}: its checkpoint is missing, so it trains again from scratch to ${next.epochs} epochs`);
    }
    w.trial = next.trial;
    this.trialStartMs.set(next.trial, Date.now());
    this.epochClock.set(next.trial, Date.now());
    this.watchdog.heard(w.id);
    const segment = next.rung !== undefined ? { rung: next.rung, epochs: next.epochs } : {};
    let inherit: ModelArtifactsMessage | undefined;
    if (resume) {
      // A promotion (or the retry of one) is a fresh attempt at that segment.
      const attempt = prev?.status === 'running' ? prev.attempts + 1 : 1;
      this.emit({
        type: 'trial-promoted',
        time: now(),
        trial: next.trial,
        rung: next.rung!,
        fromEpoch: next.fromEpoch!,
        epochs: next.epochs!,
        worker: w.id,
        attempt,
      });
    } else {
      // The strategy names the parent when it proposes the trial; a trial started again (retry, resume) keeps it.
      const parent = this.inheritWeights && !next.fromEpoch ? (this.strategy.parentOf?.(next.trial) ?? prev?.parent) : undefined;
      inherit = parent !== undefined ? this.readWeights(parent) : undefined;
      const attempt = (prev?.attempts ?? 0) + 1;
      this.emit({
        type: 'trial-started',
        time: now(),
        trial: next.trial,
        attempt,
        worker: w.id,
        pid: w.pid,
        config: next.config,
        ...segment,
        ...(inherit ? { parent } : {}),
      });
    }
    // A segment that stops at a rung hands back what it needs to continue; one that ends the trial, its best weights.
    const wantCheckpoint = next.epochs !== undefined && next.epochs < next.config.training.epochs;
    w.send({
      method: 'train',
      params: {
        trial: next.trial,
        config: next.config,
        seed: this.seed * 100_003 + next.trial,
        objective: { metric: this.metric, direction: this.direction },
        wantWeights: !wantCheckpoint,
        ...(next.epochs !== undefined ? { epochs: next.epochs } : {}),
        ...(wantCheckpoint ? { wantCheckpoint } : {}),
        ...(resume ? { resume } : {}),
        ...(inherit ? { inherit } : {}),
        // Latency is an objective of finished trials only, not of every rung.
        ...(this.measureLatency && !wantCheckpoint ? { measureLatency: true } : {}),
        ...(this.budgetMs !== undefined ? { deadlineMs: Math.max(0, this.budgetMs - this.elapsedMs()) } : {}),
        ...(this.pruner.alwaysContinues ? { alwaysContinue: true } : {}),
      },
    });
  }

  /** What to run again for a trial whose segment did not end (a crash, a stop): the same segment. */
  private segmentOf(trial: number): Pending {
    const t = this.state.trials.get(trial)!;
    if (t.rung === undefined || !this.scheduler) return { trial, config: t.config };
    const fromEpoch = rungStart(this.scheduler, trial, t.config, t.rung);
    return { trial, config: t.config, rung: t.rung, epochs: t.segmentEpochs, ...(fromEpoch > 0 ? { fromEpoch } : {}) };
  }

  /** Offers work to every idle worker: one result can make several promotions possible. */
  private dispatchIdle() {
    for (const w of this.workers.values()) if (w.ready && w.trial === undefined && !w.exited) this.dispatch(w);
  }

  private anyBusy(): boolean {
    if (this.supernet?.running) return true;
    for (const w of this.workers.values()) if (w.trial !== undefined) return true;
    return false;
  }

  private onResult(w: WorkerLink, r: TrialResult['params']) {
    if (w.trial !== r.trial) return;
    w.trial = undefined;
    if (r.numTensors !== r.baselineTensors) this.note('warn', `trial ${r.trial} left ${r.numTensors - r.baselineTensors} tensors behind in worker ${w.id}`);
    const t = now();
    const st = this.state.trials.get(r.trial);
    const extra = { ...(st?.rung !== undefined ? { rung: st.rung } : {}), ...(r.inherited ? { inheritedLayers: r.inherited.layers } : {}) };
    const epochs = r.history.length;
    // Only the budget stops a trial this way (its own deadline may come a moment before our timer says so).
    if (r.stopReason === 'stopped') this.checkTime(false);
    if (r.stopReason === 'stopped' && st && epochs < plannedEpochs(st)) {
      this.emit(cutFromResult(st, r, t));
      this.keepWeights(r.trial, r.weights);
    } else if (r.status === 'failed') {
      this.emit({ type: 'trial-failed', time: t, trial: r.trial, error: r.error ?? 'unknown error', durationMs: r.durationMs, retry: false });
    } else if (r.status === 'pruned') {
      this.emit({
        type: 'trial-pruned',
        time: t,
        trial: r.trial,
        epoch: epochs - 1,
        value: r.value ?? NaN,
        reason: r.pruneReason ?? 'pruned',
        params: r.params,
        durationMs: r.durationMs,
        ...extra,
      });
    } else if (this.scheduler && st && r.stopReason === 'epochs' && stopsAtRung(this.scheduler, r.trial, st.config, epochs)) {
      // The end of a rung short of the full budget: the trial stops here unless it is promoted later.
      if (r.checkpoint) this.writeCheckpoint(r.trial, r.checkpoint);
      const reason = `stopped at rung ${st.rung ?? 0} after ${epochs} epoch${epochs === 1 ? '' : 's'}; continues if it ranks in the top 1/${this.scheduler.eta} there`;
      this.emit({
        type: 'trial-pruned',
        time: t,
        trial: r.trial,
        epoch: epochs - 1,
        value: r.value ?? NaN,
        reason,
        params: r.params,
        durationMs: r.durationMs,
        ...extra,
      });
      // A paused trial ranks on what it reached: if the run ends before its promotion, its model is a result.
      this.keepWeights(r.trial, r.weights);
    } else {
      this.emit({
        type: 'trial-completed',
        time: t,
        trial: r.trial,
        value: r.value ?? NaN,
        bestEpoch: r.bestEpoch,
        metrics: r.history[r.bestEpoch],
        epochs,
        params: r.params,
        durationMs: r.durationMs,
        // A stop that came with the last planned epoch stopped nothing.
        stopReason: r.stopReason === 'stopped' ? 'epochs' : (r.stopReason ?? 'epochs'),
        ...extra,
        ...(r.latencyMs !== undefined ? { latencyMs: r.latencyMs } : {}),
      });
      // A segment meant to stop at a rung may end the trial early (early stopping): its checkpoint has the weights.
      // A promoted segment sends none when it did not beat the trial's earlier epochs (their weights stand).
      const weights = r.weights ?? (st?.promotions ? undefined : r.checkpoint?.weights);
      this.keepWeights(r.trial, weights);
      // A possible parent keeps its weights where children can find them.
      if (this.inheritWeights && weights) this.writeCheckpoint(r.trial, { weights });
    }
    this.collectCheckpoints();
    this.dispatch(w);
    this.dispatchIdle();
    this.maybeFinish();
  }

  // ---- Checkpoints: the state a trial continues from (promotion) or a child starts from (inheritance) ----

  private checkpointDir(trial: number): string {
    return path.join(this.paths.dir, CHECKPOINTS, String(trial).padStart(4, '0'));
  }

  /**
   * Weights and optimizer state belong together: both are written into a fresh folder, which then replaces the
   * old checkpoint, so a crash never pairs one segment's weights with another's optimizer state.
   */
  private writeCheckpoint(trial: number, c: Checkpoint) {
    const dir = this.checkpointDir(trial);
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    writeModelFiles(tmp, c.weights, { userDefinedMetadata: { trial, checkpoint: true } });
    if (c.optimizer) {
      fs.writeFileSync(path.join(tmp, OPTIMIZER_BIN), new Uint8Array(c.optimizer.data));
      fs.writeFileSync(path.join(tmp, OPTIMIZER_JSON), JSON.stringify({ className: c.optimizer.className, specs: c.optimizer.specs }));
    }
    replaceFolder(tmp, dir);
  }

  private readCheckpoint(trial: number): Checkpoint | undefined {
    const dir = this.checkpointDir(trial);
    const weights = readModelParts(dir);
    if (!weights) return undefined;
    let optimizer: OptimizerStateMessage | undefined;
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, OPTIMIZER_JSON), 'utf8')) as Omit<OptimizerStateMessage, 'data'>;
      const b = fs.readFileSync(path.join(dir, OPTIMIZER_BIN));
      optimizer = { ...meta, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    } catch {
      // No optimizer state (Adamax, or a parent's weights): the optimizer starts afresh.
    }
    return { weights, ...(optimizer ? { optimizer } : {}) };
  }

  /** A trial's trained weights for a child to inherit: its checkpoint, else its kept top-k weights. */
  private readWeights(trial: number): ModelArtifactsMessage | undefined {
    return readModelParts(this.checkpointDir(trial)) ?? readModelParts(trialDir(this.paths, trial));
  }

  /** Removes checkpoints nobody can use any more: not paused, not running, not a possible parent. */
  private collectCheckpoints(all = false) {
    const root = path.join(this.paths.dir, CHECKPOINTS);
    if (!fs.existsSync(root)) return;
    const keep = new Set<number>();
    if (!all) {
      for (const t of this.state.trials.values()) {
        if (t.status === 'running' || (this.scheduler && t.status === 'pruned' && t.rung !== undefined)) keep.add(t.trial);
      }
      if (this.inheritWeights) for (const k of this.strategy.parentCandidates?.(this.state.order) ?? []) keep.add(k);
    }
    for (const name of fs.readdirSync(root)) {
      if (!keep.has(Number(name))) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
    if (all) fs.rmSync(root, { recursive: true, force: true });
  }

  /**
   * Keeps the weights of the top k ranked trials on disk; older ones are removed as better ones arrive.
   * `weights` undefined: the segment that ended did not beat the trial's earlier best, whose weights (kept when
   * that segment ended) still stand. A running trial (promoted) keeps its weights: it ranks again when it stops.
   */
  private keepWeights(trial: number, weights: ModelArtifactsMessage | undefined) {
    const top = this.state
      .ranked()
      .slice(0, this.keepTop)
      .map((t) => t.trial);
    if (weights && top.includes(trial)) {
      writeModelFiles(trialDir(this.paths, trial), weights, { userDefinedMetadata: { trial } });
      this.emit({ type: 'weights', time: now(), trial, saved: true });
    }
    for (const t of this.state.trials.values()) {
      if (t.hasWeights && t.status !== 'running' && !top.includes(t.trial)) this.dropWeights(t.trial);
    }
  }

  private dropWeights(trial: number) {
    fs.rmSync(trialDir(this.paths, trial), { recursive: true, force: true });
    this.emit({ type: 'weights', time: now(), trial, saved: false });
  }

  private onExit(w: WorkerLink, { why, output }: WorkerExit) {
    this.workers.delete(w.id);
    this.tests.onExit(w);
    if (!this.finish) return;
    this.supernet?.onExit(w, why);
    this.watchdog.forget(w.id);
    const killed = this.killed.get(w.id);
    const st = w.trial !== undefined ? this.state.trials.get(w.trial) : undefined;
    if (killed && st && st.status === 'running' && this.stopping !== 'stopped') {
      const durationMs = Date.now() - (this.trialStartMs.get(st.trial) ?? Date.now());
      if (killed === 'budget') {
        const cut = cutFromJournal(st, this.metric, this.direction, durationMs, now());
        this.emit(cut);
        // Weights kept from an earlier segment no longer match when the best epoch was in the killed one.
        const from = this.scheduler && st.rung !== undefined ? rungStart(this.scheduler, st.trial, st.config, st.rung) : 0;
        if (st.hasWeights && cut.bestEpoch >= from) this.dropWeights(st.trial);
      } else {
        const error = `the worker stopped responding (silent for over ${Math.round(this.watchdog.limits.silenceMs / 1000)} s) and was killed by the watchdog`;
        this.emit({ type: 'trial-failed', time: now(), trial: st.trial, error, durationMs, retry: false });
      }
      w.trial = undefined;
    } else if (w.trial !== undefined && this.stopping !== 'stopped') {
      const trial = w.trial;
      const retry = (st?.attempts ?? 1) <= this.retries;
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      const error = `the worker process ${why} during training${tail ? ` (${tail})` : ''}`;
      this.emit({ type: 'trial-failed', time: now(), trial, error, durationMs: Date.now() - (this.trialStartMs.get(trial) ?? Date.now()), retry });
      if (retry && st) this.queue.unshift(this.segmentOf(trial));
    } else if (!w.ready && !this.stopping) {
      this.initFailures++;
      if (this.initFailures >= 2) {
        this.fail(`worker processes die while starting (${why}): ${output.trim().split('\n').slice(-5).join(' | ') || 'no output'}`);
        return;
      }
    }
    if (!this.stopping && this.workers.size < this.parallel && this.remainingWork() > 0) this.spawn();
    this.dispatchIdle();
    this.maybeFinish();
  }

  private fail(message: string) {
    if (this.stopping === 'error') return;
    this.stopping = 'error';
    this.stopMessage = message;
    for (const w of this.workers.values()) w.kill();
    this.maybeFinish();
  }

  private maybeFinish() {
    if (!this.finish) return;
    if (!this.stopping) {
      if (this.remainingWork() > 0 || this.anyBusy()) return;
      if (this.scheduler && nextPromotion(this.scheduler, this.state.trials.values(), this.metric, this.direction)) return;
      this.stopping = this.state.nextIndex() >= this.budgetTrials ? 'budget' : 'exhausted';
    }
    if (this.stopping !== 'stopped' && this.stopping !== 'error' && this.anyBusy()) return;
    if (this.stopping === 'stopped' || this.stopping === 'error') {
      for (const w of this.workers.values()) if (!w.exited) return;
    }
    const finish = this.finish;
    this.finish = undefined;
    if (this.timer) clearInterval(this.timer);
    void this.conclude(finish);
  }

  /** The end of a run: the test set's one look at the kept trials, the analysis, `run-finished`. */
  private async conclude(finish: (o: RunOutcome) => void) {
    const reason = this.stopping as RunOutcome['reason'];
    if (reason !== 'error') {
      this.concluding = true;
      try {
        await this.evaluateTestSet();
      } catch (e) {
        this.note('warn', `the test-set evaluation failed: ${(e as Error).message}`);
      }
      this.concluding = false;
    }
    for (const w of this.workers.values()) w.close();
    const best = this.state.best();
    if (reason === 'budget' || reason === 'exhausted' || reason === 'time') {
      try {
        this.emit(analyzeRun(this.state, this.opts.spec, this.objectives, now()));
      } catch (e) {
        this.note('warn', `the run analysis failed: ${(e as Error).message}`);
      }
    }
    // A finished search needs no checkpoints; a stopped one keeps them for its resume.
    if (reason === 'budget' || reason === 'exhausted') this.collectCheckpoints(true);
    this.emit({
      type: 'run-finished',
      time: now(),
      reason,
      ...(this.stopMessage ? { message: this.stopMessage } : {}),
      ...(best ? { best: { trial: best.trial, value: best.value as number } } : {}),
    });
    this.journal.close();
    if (this.lock) releaseLock(this.paths.lock, this.lock);
    finish({ runDir: this.paths.dir, state: this.state, reason, message: this.stopMessage });
  }

  /**
   * Scores the kept weights of the ranked trials on the test set, those not scored yet: a resumed run scores only
   * what changed. The workers still up do it (after a stop they were killed, so one is started for it).
   */
  private async evaluateTestSet() {
    const test = describeTestSet(this.opts.spec.dataset);
    if (!test) {
      if (this.state.ranked().length) this.note('info', NO_TEST_SET);
      return;
    }
    const jobs = this.state
      .ranked()
      .filter((t) => t.hasWeights && !t.test)
      .flatMap((t) => {
        const weights = readModelParts(trialDir(this.paths, t.trial));
        return weights ? [{ trial: t.trial, batchSize: t.config.training.batchSize, weights }] : [];
      });
    if (!jobs.length) return;
    let workers = [...this.workers.values()].filter((w) => w.ready && !w.exited && w.trial === undefined);
    if (!workers.length) {
      this.spawn();
      workers = [...this.workers.values()].filter((w) => !w.exited);
      workers = (await Promise.all(workers.map(async (w) => ((await this.tests.ready(w)) ? [w] : [])))).flat();
    }
    this.note('info', `scoring ${jobs.length} kept trial${jobs.length === 1 ? '' : 's'} on the test set (${test})`);
    const lost = await this.tests.run(workers, jobs, (r) =>
      this.emit({
        type: 'test-evaluated',
        time: now(),
        trial: r.trial,
        samples: r.samples,
        ...(r.loss !== undefined ? { test_loss: r.loss } : {}),
        ...(r.accuracy !== undefined ? { test_accuracy: r.accuracy } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      }),
    );
    if (lost.length) this.note('warn', `trials ${lost.map((j) => j.trial).join(', ')} were not scored on the test set (no worker could); a resume scores them`);
  }
}

function now(): string {
  return new Date().toISOString();
}

export function metricOf(m: EpochMetrics | undefined, metric: MetricName): number {
  const v = m?.[metric];
  return typeof v === 'number' ? v : NaN;
}

/** A layers-model folder read back as parts (no tfjs needed); undefined when it is missing or unreadable. */
function readModelParts(dir: string): ModelArtifactsMessage | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), 'utf8')) as {
      modelTopology: unknown;
      weightsManifest: { paths: string[]; weights: unknown[] }[];
    };
    const b = fs.readFileSync(path.join(dir, WEIGHTS_FILE));
    return {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
    };
  } catch {
    return undefined;
  }
}
