// The progress notification of a search started from this window: it fills as trials finish, and its Cancel
// button stops the search (the journal is kept, the run can be resumed).
import * as vscode from 'vscode';
import type { RunRecord } from './runRecord';
import type { RunSupervisor } from './supervisor';
import { formatValue } from '../shared/format';

export function showRunProgress(supervisor: RunSupervisor, r: RunRecord): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `NAS: ${r.name}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        let reported = 0;
        const update = () => {
          const p = r.tracker.progress();
          const pct = p.total ? (100 * p.done) / p.total : 0;
          const message =
            r.status === 'starting'
              ? 'starting workers...'
              : r.status === 'stopping'
                ? 'stopping...'
                : `${p.done}/${p.total} trials${p.best ? `, best ${formatValue(p.best.value)}` : ''}`;
          progress.report({ increment: Math.max(0, pct - reported), message });
          reported = Math.max(reported, pct);
          if (!r.live) finish();
        };
        const unsubscribe = r.subscribe(update);
        const cancel = token.onCancellationRequested(() => void supervisor.stop(r.runDir));
        const finish = () => {
          unsubscribe();
          cancel.dispose();
          resolve();
        };
        update();
      }),
  );
}
