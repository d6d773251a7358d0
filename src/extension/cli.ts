// The command lines the extension runs. The extension host never loads the training engine: every search,
// resume and export is the bundled CLI in a child process, run by VS Code's own Node (Electron as Node) unless
// the user names another one.
import * as path from 'node:path';
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

type RunFlags = Pick<NasStudioConfig, 'parallel' | 'backend'>;

function common(cfg: RunFlags): string[] {
  const out: string[] = [];
  if (cfg.parallel !== null) out.push('--parallel', String(cfg.parallel));
  if (cfg.backend !== 'auto') out.push('--backend', cfg.backend);
  return out;
}

export function runArgs(specFile: string, runsRoot: string, cfg: RunFlags): string[] {
  return ['run', specFile, '--json', '--out', runsRoot, ...common(cfg)];
}

export function resumeArgs(runDir: string, cfg: RunFlags, force = false): string[] {
  return ['resume', runDir, '--json', ...common(cfg), ...(force ? ['--force'] : [])];
}

export function exportArgs(runDir: string, trial: number | 'best', outDir: string): string[] {
  return ['export', runDir, ...(trial === 'best' ? ['--best'] : ['--trial', String(trial)]), '--out', outDir];
}

/** Where runs of a spec go: the `resultsFolder` setting (relative to the workspace folder), else beside the spec. */
export function runsRootFor(specFile: string, resultsFolder: string | undefined, workspaceFolder: string | undefined): string {
  if (!resultsFolder) return path.join(path.dirname(specFile), '.nas-studio', 'runs');
  return path.resolve(workspaceFolder ?? path.dirname(specFile), resultsFolder);
}

/** The exit code the CLI uses for a search stopped by a signal. */
export const EXIT_STOPPED = 130;

/** The last `n` meaningful lines of a process's stderr, for telling the user why it died. */
export function lastLines(text: string, n = 5): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

/** The resume was refused because the spec changed: the CLI can be told to go on anyway. */
export function resumeNeedsForce(stderr: string): boolean {
  return /changed since this run started/.test(stderr) && /--force/.test(stderr);
}
