// `nas-studio run` and `nas-studio resume`: a live progress line in a terminal, JSON lines with --json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../shared/events';
import type { BackendRequest } from '../shared/protocol';
import type { NasSpec } from '../shared/spec';
import { checkText } from '../core/check';
import { canonical, comparablePart, diffPaths, runPaths } from '../core/rundir';
import type { RunState } from '../core/runstate';
import { Orchestrator, RunError, type RunOutcome } from '../engine/orchestrator';
import { UsageError } from './args';
import { formatDiagnostic } from './format';
import { testFields, testLines, testSummary } from './testlines';

export interface RunCliOptions {
  maxTrials?: number;
  minutes?: number;
  parallel?: number;
  backend?: string;
  out?: string;
  json: boolean;
  force?: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  tty: boolean;
}

function loadSpec(file: string, io: Io): { spec: NasSpec; text: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`${file}:1:1: error: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    return undefined;
  }
  const r = checkText(text, { file: path.resolve(file) });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !r.spec) {
    for (const d of errors) io.err(formatDiagnostic(file, d));
    io.err(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was run`);
    return undefined;
  }
  return { spec: r.spec, text };
}

export async function runCommand(file: string, o: RunCliOptions, io: Io): Promise<number> {
  if (o.backend && !BACKENDS.includes(o.backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);
  const loaded = loadSpec(file, io);
  if (!loaded) return 1;
  return drive({ spec: loaded.spec, specText: loaded.text, specFile: path.resolve(file), runsDir: o.out ? path.resolve(o.out) : undefined }, o, io);
}

export async function resumeCommand(dir: string, o: RunCliOptions, io: Io): Promise<number> {
  if (o.backend && !BACKENDS.includes(o.backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);
  const p = runPaths(path.resolve(dir));
  if (!fs.existsSync(p.journal)) {
    io.err(`nas-studio: ${dir} is not a run folder (no journal.jsonl)`);
    return 1;
  }
  const meta = JSON.parse(fs.readFileSync(p.meta, 'utf8')) as { specFile: string };
  const snapshot = loadSpec(p.spec, io);
  if (!snapshot) return 1;
  // The spec file may have been edited since: use it if old trials stay comparable, refuse otherwise.
  let use = snapshot;
  if (fs.existsSync(meta.specFile)) {
    const current = loadSpec(meta.specFile, io);
    if (!current) return 1;
    const a = comparablePart(snapshot.spec);
    const b = comparablePart(current.spec);
    if (canonical(a) !== canonical(b)) {
      const changes = diffPaths(a, b);
      if (!o.force) {
        io.err(`nas-studio: ${meta.specFile} changed since this run started, so its finished trials are not comparable:`);
        for (const c of changes) io.err(`  ${c}`);
        io.err('Run it as a new search, or resume anyway with --force (the changed spec is used from now on).');
        return 1;
      }
      io.err(`nas-studio: continuing with the changed spec (--force): ${changes.join('; ')}`);
    }
    use = current;
  }
  return drive({ spec: use.spec, specText: use.text, specFile: meta.specFile, resumeDir: p.dir }, o, io);
}

async function drive(
  base: { spec: NasSpec; specText: string; specFile: string; runsDir?: string; resumeDir?: string },
  o: RunCliOptions,
  io: Io,
): Promise<number> {
  const progress = new Progress(io, o.json);
  let orch: Orchestrator;
  try {
    orch = new Orchestrator({
      ...base,
      maxTrials: o.maxTrials,
      minutes: o.minutes,
      parallel: o.parallel,
      backend: o.backend as BackendRequest | undefined,
      onEvent: (e) => progress.event(e),
    });
  } catch (e) {
    if (e instanceof RunError || (e as Error).name === 'JournalError') {
      io.err(`nas-studio: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
  progress.attach(orch.state);
  if (!o.json) io.err(`run folder: ${path.relative(process.cwd(), orch.runDir) || orch.runDir}`);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    io.err(`\n${sig}: stopping (the journal is kept; press again to quit at once)`);
    orch.stop(`interrupted by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome: RunOutcome;
  try {
    outcome = await orch.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.close();
  }
  const best = outcome.state.best();
  const rel = path.relative(process.cwd(), outcome.runDir) || outcome.runDir;
  if (o.json) {
    io.out(
      JSON.stringify({
        type: 'summary',
        reason: outcome.reason,
        message: outcome.message,
        runDir: outcome.runDir,
        trials: outcome.state.counts(),
        best: best
          ? {
              trial: best.trial,
              value: best.value,
              metric: outcome.state.started?.objective.metric,
              params: best.params,
              config: best.config,
              ...testFields(best),
            }
          : null,
        test: testSummary(outcome.state),
        ...(outcome.state.analysis ? { analysis: outcome.state.analysis } : {}),
      }),
    );
  } else {
    const c = outcome.state.counts();
    io.out(`\n${reasonText(outcome)}: ${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed${c.cut ? `, ${c.cut} cut by the time budget` : ''}`);
    if (best) {
      const test =
        best.test?.accuracy !== undefined
          ? `, test_accuracy = ${fmt(best.test.accuracy)}`
          : best.test?.loss !== undefined
            ? `, test_loss = ${fmt(best.test.loss)}`
            : '';
      io.out(
        `best: trial ${best.trial}, ${outcome.state.started?.objective.metric} = ${fmt(best.value)}${test} (${best.params?.toLocaleString('en-US')} weights)`,
      );
      io.out(describe(best.config.arch));
    }
    for (const line of testLines(outcome.state)) io.out(line);
    for (const line of analysisLines(outcome.state)) io.out(line);
    io.out(`results: ${rel}`);
    if (outcome.reason === 'stopped' || outcome.reason === 'time' || outcome.reason === 'error') io.out(`resume with: nas-studio resume ${rel}`);
    if (best) io.out(`export with: nas-studio export ${rel} --best --out model/`);
  }
  if (outcome.reason === 'error') {
    io.err(`nas-studio: ${outcome.message}`);
    return 1;
  }
  return outcome.reason === 'stopped' ? 130 : 0;
}

/** The Pareto front, the parameters that mattered most, and the epochs spent, from the run's analysis. */
export function analysisLines(state: RunState, topParams = 6): string[] {
  const a = state.analysis;
  if (!a) return [];
  const out: string[] = [];
  if (a.front?.length) {
    const unit = (m: string) => (m === 'latency' ? ' ms' : '');
    const show = (m: string, v: number) => (Number.isNaN(v) ? '-' : m === 'params' ? Math.round(v).toLocaleString('en-US') : `${fmt(v)}${unit(m)}`);
    out.push(
      `Pareto front (${a.objectives.map((o) => `${o.metric} ${o.direction === 'maximize' ? 'max' : 'min'}`).join(', ')}): ${a.front.length} trial${a.front.length === 1 ? '' : 's'}`,
    );
    for (const p of a.front) {
      const crowd = p.crowding === null ? 'edge' : p.crowding.toFixed(2);
      out.push(`  trial ${String(p.trial).padStart(3)}: ${p.values.map((v, i) => show(a.objectives[i].metric, v)).join(', ')}  (crowding ${crowd})`);
    }
  }
  if (a.importance?.length) {
    out.push('parameter importance (fANOVA):');
    for (const i of a.importance.slice(0, topParams)) out.push(`  ${(i.label ?? i.param).padEnd(40)} ${(100 * i.importance).toFixed(1).padStart(5)}%`);
  }
  const promoted = a.promotions ? `, ${a.promotions} promotion${a.promotions === 1 ? '' : 's'}` : '';
  out.push(`epochs trained: ${a.epochs}${promoted}`);
  return out;
}

function reasonText(o: RunOutcome): string {
  switch (o.reason) {
    case 'budget':
      return 'finished (trial budget reached)';
    case 'time':
      return 'finished (time budget reached)';
    case 'exhausted':
      return 'finished (every configuration tried)';
    case 'stopped':
      return `stopped (${o.message ?? 'by the user'})`;
    case 'error':
      return 'failed';
  }
}

export function describe(arch: import('../shared/arch').ConcreteArch): string {
  if (arch.kind === 'cell') {
    return `cell: ${arch.edges.map((e) => `${e.from}->${e.to}:${e.op}`).join(' ')}; ${arch.channels} channels, ${arch.cells} cells x ${arch.stages} stages`;
  }
  return arch.layers
    .map((l) => {
      switch (l.type) {
        case 'dense':
          return `dense(${l.units},${l.activation})`;
        case 'conv2d':
        case 'separableConv2d':
          return `${l.type}(${l.filters},${l.kernelSize}x${l.kernelSize}${l.strides > 1 ? `/${l.strides}` : ''})`;
        case 'depthwiseConv2d':
          return `depthwise(${l.kernelSize}x${l.kernelSize})`;
        case 'maxPooling2d':
        case 'averagePooling2d':
          return `${l.type === 'maxPooling2d' ? 'maxpool' : 'avgpool'}(${l.poolSize})`;
        case 'dropout':
          return `dropout(${l.rate})`;
        case 'lstm':
        case 'gru':
        case 'simpleRnn':
          return `${l.bidirectional ? 'bi' : ''}${l.type}(${l.units}${l.returnSequences ? ',seq' : ''})`;
        case 'conv1d':
          return `conv1d(${l.filters},${l.kernelSize}${l.strides > 1 ? `/${l.strides}` : ''}${l.dilationRate > 1 ? `@${l.dilationRate}` : ''})`;
        case 'embedding':
          return `embedding(${l.outputDim})`;
        case 'transformerEncoder':
          return `transformer(${l.heads}h,ffn${l.feedForward})`;
        case 'activation':
          return l.activation;
        default:
          return l.type;
      }
    })
    .join(' > ');
}

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : Number(v.toPrecision(4)).toString();
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The live line: trials done / budget, running, best so far, elapsed, ETA. */
class Progress {
  private state?: RunState;
  private start = Date.now();
  private timer?: NodeJS.Timeout;
  private lastLen = 0;

  constructor(
    private readonly io: Io,
    private readonly json: boolean,
  ) {}

  attach(state: RunState) {
    this.state = state;
    if (!this.json && this.io.tty) this.timer = setInterval(() => this.draw(), 1000);
  }

  event(e: RunEvent) {
    if (this.json) {
      this.io.out(JSON.stringify(e));
      return;
    }
    if (e.type === 'log' && e.level !== 'info') this.line(`${e.level}: ${e.message}`);
    else if (e.type === 'run-started')
      this.line(
        `${e.resumed ? 'resuming' : 'starting'} ${e.name}: ${e.strategy} search${e.pruner ? ` with ${e.pruner}` : ''}, ${e.budget.trials} trials${e.budget.minutes ? ` or ${e.budget.minutes} min` : ''}, ${e.parallel} worker${e.parallel > 1 ? 's' : ''} on ${e.backend}`,
      );
    else if (e.type === 'log') this.line(e.message);
    else if (e.type === 'trial-failed') this.line(`trial ${e.trial} failed${e.retry ? ' (will retry)' : ''}: ${e.error}`);
    else if (e.type === 'trial-completed' && !this.io.tty)
      this.line(`trial ${e.trial}: ${fmt(e.value)} after ${e.epochs} epoch${e.epochs > 1 ? 's' : ''} (${(e.durationMs / 1000).toFixed(1)} s)`);
    else if (e.type === 'trial-pruned' && !this.io.tty) this.line(`trial ${e.trial} pruned: ${e.reason}`);
    else if (e.type === 'trial-cut' && !this.io.tty)
      this.line(`trial ${e.trial} cut by the time budget after ${e.epochs} of ${e.plannedEpochs} epochs${e.value !== undefined ? `: ${fmt(e.value)}` : ''}`);
    else if (e.type === 'trial-promoted' && !this.io.tty) this.line(`trial ${e.trial} promoted to rung ${e.rung}: ${e.fromEpoch} -> ${e.epochs} epochs`);
    if (this.io.tty) this.draw();
  }

  private line(s: string) {
    if (this.io.tty && this.lastLen) process.stderr.write('\r' + ' '.repeat(this.lastLen) + '\r');
    this.lastLen = 0;
    this.io.err(s);
  }

  private draw() {
    const s = this.state;
    if (!s?.started) return;
    const c = s.counts();
    const total = s.started.budget.trials;
    const elapsed = Date.now() - this.start;
    const best = s.best();
    const rate = c.done > 0 ? elapsed / c.done : undefined;
    const eta = rate ? rate * Math.max(0, total - c.done) : undefined;
    const text = `[${c.done}/${total}] running ${c.running} | best ${best ? `${fmt(best.value)} (#${best.trial})` : '-'} | ${clock(elapsed)} elapsed | ETA ${eta === undefined ? '?' : clock(eta)}`;
    process.stderr.write('\r' + text.padEnd(this.lastLen));
    this.lastLen = text.length;
  }

  close() {
    if (this.timer) clearInterval(this.timer);
    if (this.io.tty && this.lastLen) process.stderr.write('\n');
  }
}
