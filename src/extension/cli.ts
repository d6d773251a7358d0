// The command lines the extension runs. The extension host never loads the training engine: every search,
// resume and export is the bundled CLI in a child process, run by VS Code's own Node (Electron as Node) unless
// the user names another one.
import * as path from 'node:path';
import { FLAG } from '../shared/cli';
import { RUNS_DIR } from '../core/rundir';
import type { NasStudioConfig } from './config';

export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface Host {
  extensionPath: string;
  /** process.execPath: Electron in desktop VS Code, plain Node in code-server and remote hosts. */
  execPath: string;
  env: NodeJS.ProcessEnv;
}

export function cliLaunch(host: Host, nodePath: string | undefined, cliArgs: string[]): Launch {
  const cli = path.join(host.extensionPath, 'dist', 'cli.js');
  const env: NodeJS.ProcessEnv = { ...host.env };
  // The engine's own tty detection must not draw a progress line into a file.
  delete env.FORCE_COLOR;
  if (nodePath) {
    delete env.ELECTRON_RUN_AS_NODE;
    return { command: nodePath, args: [cli, ...cliArgs], env };
  }
  env.ELECTRON_RUN_AS_NODE = '1';
  return { command: host.execPath, args: [cli, ...cliArgs], env };
}

type RunFlags = Pick<NasStudioConfig, 'parallel' | 'backend'> & Partial<Pick<NasStudioConfig, 'queue'>>;

const flag = (name: string) => `--${name}`;

function common(cfg: RunFlags): string[] {
  const out: string[] = [];
  if (cfg.parallel !== null) out.push(flag(FLAG.parallel), String(cfg.parallel));
  if (cfg.backend !== 'auto') out.push(flag(FLAG.backend), cfg.backend);
  if (cfg.queue) out.push(flag(FLAG.queue), cfg.queue);
  return out;
}

/** A new run in the folder the extension chose, so it follows the run from the first moment. */
export function runArgs(specFile: string, runDir: string, cfg: RunFlags): string[] {
  return ['run', specFile, flag(FLAG.json), flag(FLAG.runDir), runDir, ...common(cfg)];
}

/** `takeOver`: take over a lock held by another host's process (the user judged it gone). */
export function resumeArgs(runDir: string, cfg: RunFlags, force = false, takeOver = false): string[] {
  return ['resume', runDir, flag(FLAG.json), ...common(cfg), ...(force ? [flag(FLAG.force)] : []), ...(takeOver ? [flag(FLAG.takeOver)] : [])];
}

export function exportArgs(runDir: string, trial: number | 'best', outDir: string): string[] {
  return ['export', runDir, ...(trial === 'best' ? [flag(FLAG.best)] : [flag(FLAG.trial), String(trial)]), flag(FLAG.out), outDir];
}

/** Where runs of a spec go: the `resultsFolder` setting (relative to the workspace folder), else beside the spec. */
export function runsRootFor(specFile: string, resultsFolder: string | undefined, workspaceFolder: string | undefined): string {
  if (!resultsFolder) return path.join(path.dirname(specFile), RUNS_DIR);
  return path.resolve(workspaceFolder ?? path.dirname(specFile), resultsFolder);
}

/** The last `n` meaningful lines of a process's stderr, for telling the user why it died. */
export function lastLines(text: string, n = 5): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n);
}
