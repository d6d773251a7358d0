// The contract between the run supervisor (commands, child processes) and the results panel: the panel asks
// for a run's events and sends the user's actions back through this interface, never touching processes.
import type * as vscode from 'vscode';
import type { RunEvent } from '../shared/events';
import type { RunStatus } from '../shared/panel';

export interface RunSnapshot {
  runDir: string;
  status: RunStatus;
  canResume: boolean;
  /** Every event of the journal so far, in order. */
  events: RunEvent[];
}

export interface RunController {
  /** The run's events and state, read from its folder (journal and lock) if no live process is known. */
  snapshot(runDir: string): RunSnapshot;
  /** New events and status changes of a run; the panel batches them. */
  onDidChange(runDir: string, listener: (change: { events: RunEvent[]; status?: RunStatus; canResume?: boolean; message?: string }) => void): vscode.Disposable;
  stop(runDir: string): Promise<void>;
  resume(runDir: string): Promise<void>;
  exportTrial(runDir: string, trial: number): Promise<void>;
  revealTrial(runDir: string, trial: number): Promise<void>;
}
