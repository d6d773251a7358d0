// Two lenses at the top of a spec: the action (run it, or stop and watch the search already running) and what
// running it means: the size of the space, the range of network sizes, and how long it should take here.
// (A CodeLens tooltip is plain text, hence no Markdown.)
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NasSpec } from '../shared/spec';
import { formatApprox, formatSi, formatInt } from '../shared/format';
import type { Summary } from '../core/check';
import { getConfig } from './config';
import { COMMANDS } from './ids';
import { estimate, formatEstimate, resolveParallel, workloadOf } from './estimate';
import { runsRootFor } from './cli';
import { latestRunOf } from './runFolder';
import type { MachineSpeed } from './speed';
import type { SpecAnalyses } from './specs';
import { samePath, type RunSupervisor } from './supervisor';

export class SpecCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly analyses: SpecAnalyses,
    private readonly supervisor: RunSupervisor,
    private readonly speed: MachineSpeed,
    refreshOn: vscode.Event<unknown>[],
  ) {
    this.disposables = [this.emitter, ...refreshOn.map((e) => e(() => this.emitter.fire()))];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.analyses.latest(doc);
    const root = result?.doc.root;
    // On the line of the opening brace, below any leading comment.
    const top = new vscode.Range(doc.positionAt(root?.offset ?? 0), doc.positionAt(root?.offset ?? 0));
    const lenses: vscode.CodeLens[] = [];
    const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    const live = file ? this.supervisor.liveRunOf(file) : undefined;
    const errors = result?.diagnostics.filter((d) => d.severity === 'error').length ?? 0;
    if (live) {
      const p = live.tracker.progress();
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(debug-stop) Stop search',
          command: COMMANDS.stop,
          arguments: [live.runDir],
          tooltip: 'Stop the running search; finished trials are kept and it can be resumed',
        }),
      );
      lenses.push(new vscode.CodeLens(top, { title: `$(graph) Results: ${p.done}/${p.total} trials`, command: COMMANDS.open, arguments: [live.runDir] }));
    } else if (errors > 0) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: `$(error) ${errors} error${errors > 1 ? 's' : ''} to fix before running`,
          command: 'workbench.actions.view.problems',
          tooltip: 'Show them in the Problems panel',
        }),
      );
    } else if (!vscode.workspace.isTrusted) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(shield) Run search (needs a trusted workspace)',
          command: COMMANDS.run,
          arguments: [doc.uri],
          tooltip: 'Running a search starts processes on this machine: trust the workspace first',
        }),
      );
    } else {
      lenses.push(
        new vscode.CodeLens(top, {
          title: '▶ Run search',
          command: COMMANDS.run,
          arguments: [doc.uri],
          tooltip: 'Save the spec and run the search in the background',
        }),
      );
    }
    if (result?.spec && result.summary) lenses.push(new vscode.CodeLens(top, this.summaryLens(result.spec, result.summary, doc.uri)));
    const previous =
      !live && file
        ? latestRunOf(runsRootFor(file, getConfig(doc.uri).resultsFolder, vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath), file, samePath)
        : undefined;
    if (previous)
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(history) Last results',
          command: COMMANDS.open,
          arguments: [previous],
          tooltip: `Open ${path.basename(previous)}`,
        }),
      );
    return lenses;
  }

  private summaryLens(spec: NasSpec, s: Summary, uri: vscode.Uri): vscode.Command {
    const parts = [`${formatInt(s.size.architectures)} architecture${s.size.architectures === 1n ? '' : 's'}`];
    if (s.size.continuous.length) parts[0] += ` × ${s.size.continuous.length} continuous`;
    if (s.minParams !== undefined && s.maxParams !== undefined) parts.push(`${formatSi(s.minParams)}-${formatSi(s.maxParams)} weights`);
    const tip = ['What this search explores:', `- ${s.parameters} decision${s.parameters === 1 ? '' : 's'} per trial`];
    if (s.minFlops !== undefined) tip.push(`- ${formatSi(s.minFlops)}-${formatSi(s.maxFlops!)} FLOPs per sample (forward pass)`);
    if (s.size.continuous.length) tip.push(`- continuous: ${s.size.continuous.join(', ')}`);
    if (s.supernet) {
      // darts trains one supernet holding every candidate first (src/core/strategies/dartsCheck.ts).
      const mb = Math.max(1, Math.round(s.supernet.memoryBytes / 1024 ** 2));
      parts.push(`supernet ${formatSi(s.supernet.params)} weights, ~${mb} MB`);
      tip.push(`- darts supernet: ${formatSi(s.supernet.params)} weights, ${formatSi(s.supernet.flops)} FLOPs per sample, about ${mb} MB to train`);
    }
    const cfg = getConfig(uri);
    const cores = os.availableParallelism();
    const parallel = resolveParallel(cfg.parallel, spec, cores);
    const w = workloadOf(spec, s, parallel);
    if (w) {
      const backend = this.speed.backendFor(cfg.backend);
      const t = this.speed.throughput(backend);
      const e = estimate(w, t.flopsPerSecond, cores);
      parts.push(`${formatEstimate(e)} for ${w.trials} trial${w.trials === 1 ? '' : 's'} (estimate)`);
      tip.push(
        '',
        'Estimated duration (a rough guide):',
        `- ${w.trials} trials × ${w.epochs[0] === w.epochs[1] ? w.epochs[0] : `${w.epochs[0]}-${w.epochs[1]}`} epochs × ${w.samples.train.toLocaleString('en-US')} training samples, ${w.parallel} worker${w.parallel > 1 ? 's' : ''} on ${cores} core${cores > 1 ? 's' : ''}`,
        ...(w.supernetFlops ? [`- darts: before them, the supernet trains on one worker: ~${formatApprox(w.supernetFlops / t.flopsPerSecond)}`] : []),
        `- ${(t.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s per worker on ${backend}: ${t.trials ? `measured on this machine over ${t.trials} trials` : 'a cautious default until a search has run here'}`,
        e.cappedByBudget ? `- capped by the time budget of ${w.minutes} min` : '- early stopping and pruning make it shorter',
      );
    }
    return { title: parts.join(' · '), command: COMMANDS.check, arguments: [uri], tooltip: tip.join('\n') };
  }

  refresh(): void {
    this.emitter.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
