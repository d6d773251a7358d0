// The status bar item of the live search: trials done out of the budget, the best value so far and the time
// left. With several live searches it shows the newest and counts the others.
import * as vscode from 'vscode';
import { clock, formatValue } from '../shared/format';
import { COMMANDS } from './ids';
import type { RunRecord } from './runRecord';
import type { RunSupervisor } from './supervisor';

/** How long a finished search stays in the status bar. */
const LINGER_MS = 60_000;

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nasStudio.run', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private ticker?: NodeJS.Timeout;
  private last?: { record: RunRecord; until: number };

  constructor(private readonly supervisor: RunSupervisor) {
    this.item.name = 'NAS Studio search';
    this.subscription = supervisor.onDidChangeRuns(() => this.update());
    this.update();
  }

  update(): void {
    const live = this.supervisor.liveRuns();
    const shown = live[0] ?? (this.last && Date.now() < this.last.until ? this.last.record : undefined);
    if (live[0]) this.last = { record: live[0], until: Infinity };
    else if (this.last && this.last.until === Infinity) this.last.until = Date.now() + LINGER_MS;
    if (!shown) {
      if (this.supervisor.starting) this.render('$(loading~spin) NAS: starting search...', 'Waiting for the search process to make its run folder');
      else this.item.hide();
      this.setTicking(this.supervisor.starting);
      return;
    }
    const p = shown.tracker.progress();
    const others = live.length > 1 ? ` (+${live.length - 1})` : '';
    const best = p.best ? ` · best ${formatValue(p.best.value)}` : '';
    const icon = shown.status === 'stopping' ? '$(loading~spin)' : shown.live ? '$(beaker)' : shown.status === 'finished' ? '$(pass)' : '$(debug-pause)';
    const eta = shown.live && p.etaMs !== undefined ? ` · ETA ${clock(p.etaMs)}` : '';
    const state = shown.status === 'stopping' ? ' · stopping' : shown.live ? '' : ` · ${shown.status}`;
    // A search through a queue (`nasStudio.queue`): the `nas-studio worker` processes serving it.
    const w = shown.tracker.state.workers;
    const workers = w && shown.live ? ` · $(server) ${w.connected}` : '';
    const tip = new vscode.MarkdownString(
      [
        `**${p.name}**: ${shown.status}`,
        `- trials: ${p.done} of ${p.total} done, ${p.running} running`,
        p.best ? `- best ${p.best.metric}: ${formatValue(p.best.value)} (trial ${p.best.trial})` : '- no completed trial yet',
        p.etaMs !== undefined && shown.live ? `- about ${clock(p.etaMs)} left at this pace` : '',
        w ? `- queue: ${w.connected} worker${w.connected === 1 ? '' : 's'} connected, ${w.slots} slot${w.slots === 1 ? '' : 's'}` : '',
        live.length > 1 ? `- ${live.length - 1} more search${live.length > 2 ? 'es' : ''} running` : '',
        '',
        'Click to open the results.',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
    this.render(`${icon} NAS ${p.done}/${p.total}${best}${eta}${workers}${state}${others}`, tip, {
      command: COMMANDS.open,
      title: 'Open Results',
      arguments: [shown.runDir],
    });
    this.setTicking(shown.live || !!this.last);
  }

  private render(text: string, tooltip: string | vscode.MarkdownString, command?: vscode.Command) {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.show();
  }

  /** The ETA counts down between events, and a finished run's item must go away on time. */
  private setTicking(on: boolean) {
    if (on && !this.ticker) this.ticker = setInterval(() => this.update(), 1000);
    if (!on && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    this.setTicking(false);
    this.subscription.dispose();
    this.item.dispose();
  }
}
