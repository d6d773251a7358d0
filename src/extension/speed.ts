// This machine's training throughput, per backend, learnt from the searches it ran. Kept in globalState:
// it belongs to the machine and the user, not to a workspace.
import * as vscode from 'vscode';
import { blend, defaultRate, type Measurement, type Throughput } from './estimate';

const KEY = 'nasStudio.throughput';
const LAST_BACKEND = 'nasStudio.lastBackend';

type Table = Record<string, Throughput>;

export class MachineSpeed implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly memento: vscode.Memento) {}

  /** The backend a search will most likely get: the one asked for, else the one the last search got. */
  backendFor(setting: string): string {
    if (setting !== 'auto') return setting;
    return this.memento.get<string>(LAST_BACKEND) ?? 'wasm';
  }

  throughput(backend: string): Throughput {
    const t = this.memento.get<Table>(KEY, {})[backend];
    return t && t.flopsPerSecond > 0 ? t : { flopsPerSecond: defaultRate(backend), trials: 0 };
  }

  async record(m: Measurement): Promise<void> {
    if (!(m.flopsPerSecond > 0) || !m.backend) return;
    const table = { ...this.memento.get<Table>(KEY, {}) };
    const old = table[m.backend];
    table[m.backend] = blend(old && old.trials > 0 ? old : undefined, m);
    await this.memento.update(KEY, table);
    await this.memento.update(LAST_BACKEND, m.backend);
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
