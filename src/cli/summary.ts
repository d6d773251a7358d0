// What `run` and `resume` print when the search ends: the `summary` line of the contract with --json, else a
// short report (outcome, best trial, what mattered) and the commands to go on with.
import * as path from 'node:path';
import type { ConcreteArch } from '../shared/arch';
import type { RunSummary } from '../shared/cli';
import { clock, formatInt, formatValue, plural } from '../shared/format';
import { paramLabel, typesFromTrials } from '../core/paramLabel';
import type { RunState } from '../core/runstate';
import { RunTiming } from '../core/timing';
import type { RunOutcome } from '../engine/orchestrator';
import type { Io } from './report';

export function summaryLine(outcome: RunOutcome): RunSummary {
  const s = outcome.state;
  const best = s.best();
  return {
    type: 'summary',
    reason: outcome.reason,
    ...(outcome.message ? { message: outcome.message } : {}),
    runDir: outcome.runDir,
    trials: s.counts(),
    best: best ? { trial: best.trial, value: best.value as number, metric: s.started?.objective.metric, params: best.params, config: best.config } : null,
    ...(s.analysis ? { analysis: s.analysis } : {}),
  };
}

/**
 * The human summary. `self` is the command as the user ran it (`node dist/cli.js`, `npx nas-studio`,
 * `nas-studio`), so the printed next steps work when pasted.
 */
export function printSummary(outcome: RunOutcome, io: Io, self: string, timing?: RunTiming): void {
  const s = outcome.state;
  const c = s.counts();
  const rel = path.relative(process.cwd(), outcome.runDir) || outcome.runDir;
  const took = timing ? ` in ${clock(timing.elapsedMs())}` : '';
  const cut = c.cut ? `, ${c.cut} cut by the time budget` : '';
  io.out(`\n${reasonText(outcome)}: ${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed${cut}${took}`);
  const best = s.best();
  if (best) {
    io.out(`best: trial ${best.trial}, ${s.started?.objective.metric} = ${formatValue(best.value)} (${formatInt(best.params)} weights)`);
    io.out(`  ${describe(best.config.arch)}`);
  }
  for (const line of analysisLines(s)) io.out(line);
  io.out(`results: ${rel}`);
  if (outcome.reason === 'stopped' || outcome.reason === 'time' || outcome.reason === 'error') io.out(`resume with: ${self} resume ${quoteArg(rel)}`);
  if (best) io.out(`export with: ${self} export ${quoteArg(rel)} --best --out model/`);
}

/**
 * The Pareto front and the parameters that mattered most, when this launch ended with an analysis (an earlier
 * launch's is stale: RunState drops it when a resume starts), and the epochs trained over the whole run.
 */
export function analysisLines(state: RunState, topParams = 6): string[] {
  const a = state.analysis;
  const out: string[] = [];
  if (a?.front?.length) {
    const show = (m: string, v: number) => (Number.isNaN(v) ? '-' : m === 'params' ? formatInt(v) : `${formatValue(v)}${m === 'latency' ? ' ms' : ''}`);
    out.push(
      `Pareto front (${a.objectives.map((o) => `${o.metric} ${o.direction === 'maximize' ? 'max' : 'min'}`).join(', ')}): ${plural(a.front.length, 'trial')}`,
    );
    for (const p of a.front) {
      const crowd = p.crowding === null ? 'edge' : p.crowding.toFixed(2);
      out.push(`  trial ${String(p.trial).padStart(3)}: ${p.values.map((v, i) => show(a.objectives[i].metric, v)).join(', ')}  (crowding ${crowd})`);
    }
  }
  if (a?.importance?.length) {
    const typeAt = typesFromTrials(state);
    const rows = a.importance.slice(0, topParams).map((i) => ({ label: i.label ?? paramLabel(i.param, typeAt), share: i.importance }));
    const width = Math.max(...rows.map((r) => r.label.length));
    out.push('parameter importance (fANOVA):');
    for (const r of rows) out.push(`  ${r.label.padEnd(width)}  ${(100 * r.share).toFixed(1).padStart(5)}%`);
  }
  const promoted = a?.promotions ? `, ${plural(a.promotions, 'promotion')}` : '';
  out.push(`epochs trained: ${state.epochsTrained()}${promoted}`);
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

/** An architecture on one line: conv2d(16,3x3) > maxpool(2) > flatten > dense(64,relu). */
export function describe(arch: ConcreteArch): string {
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

/** A path as a shell reads it back. */
export function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
