// Runs searches as child processes of the CLI and follows every run through its folder. The extension host
// never loads the training engine. The child's output goes to files, not pipes, and it gets its own process
// group: a window reload kills the extension host, and a child writing into a closed pipe would die with it.
// After the reload the run is found again by its lock and followed through its journal.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXIT, parseCliLine, type CliError } from '../shared/cli';
import { formatValue } from '../shared/format';
import type { RunController, RunSnapshot } from './runController';
import { parse } from '../core/json';
import { newRunId, processAlive, readLock, readMeta, RUNS_DIR, type Lock } from '../core/rundir';
import { cliLaunch, exportArgs, lastLines, resumeArgs, runArgs, runsRootFor, type Host } from './cli';
import { getConfig } from './config';
import { measureRun } from './estimate';
import { elsewhereNote, TAKE_OVER, takeOverPrompt } from './foreignLock';
import { liveness, runDirs } from './runFolder';
import { RunRecord, type RunChange } from './runRecord';
import type { MachineSpeed } from './speed';
import { LineTail } from './tail';
import { ensureTrusted } from './trust';
import { revealTrial } from './reveal';

const POLL_MS = 400;
/** What the editor's Stop sends: SIGINT is how the CLI knows a person stopped it (Ctrl+C in a terminal). */
const STOP_SIGNAL = 'SIGINT';
/** A stopped search ends its epoch's bookkeeping in well under this; a second signal makes the CLI quit at once. */
const STOP_GRACE_MS = 10_000;

/** A child process this window started, from spawn until it exits. Its run folder is known from the start:
 *  the extension names it (`run --run-dir`), or it is the folder being resumed. */
interface Launch {
  child: ChildProcess;
  pid: number;
  stdout: LineTail;
  stderrFile: string;
  stderr: LineTail;
  stderrLines: string[];
  record: RunRecord;
  kind: 'run' | 'resume';
  stopRequested: boolean;
  /** The CLI's `error` line: why it refused (the contract in src/shared/cli.ts). */
  failure?: CliError;
  /** A resume that takes over another host's lock: a refusal's "Resume Anyway" must take it over too. */
  takeOver: boolean;
}

export interface SupervisorHooks {
  openResults(runDir: string): void;
}

export class RunSupervisor implements RunController, vscode.Disposable {
  private readonly records = new Map<string, RunRecord>();
  private readonly launches = new Set<Launch>();
  /** Runs followed while live: our children, and runs of other windows or of this window before a reload. */
  private readonly followed = new Set<RunRecord>();
  /** The stderr files of runs this workspace started before a reload. */
  private readonly foreignStderr = new Map<RunRecord, LineTail>();
  private timer?: NodeJS.Timeout;
  private readonly emitter = new vscode.EventEmitter<RunRecord | undefined>();
  /** Something about a run's liveness or progress changed (status bar, CodeLens, context keys). */
  readonly onDidChangeRuns = this.emitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly speed: MachineSpeed,
    private readonly hooks: SupervisorHooks,
  ) {}

  // ---- RunController: what the results panel uses ------------------------------------------------------

  snapshot(runDir: string): RunSnapshot {
    const r = this.record(runDir);
    r.poll();
    return { runDir: r.runDir, status: r.status, canResume: r.canResume, events: [...r.events] };
  }

  onDidChange(runDir: string, listener: (change: RunChange) => void): vscode.Disposable {
    return new vscode.Disposable(this.record(runDir).subscribe(listener));
  }

  async stop(runDir: string): Promise<void> {
    const r = this.record(runDir);
    const launch = [...this.launches].find((l) => l.record === r);
    if (launch) {
      this.signal(launch.pid, launch);
    } else {
      const live = liveness(r.runDir);
      if (live.kind === 'elsewhere') {
        await this.offerTakeOver(r, live.lock);
        return;
      }
      if (live.kind !== 'running') {
        r.settle();
        return;
      }
      // liveness checked the lock's process start time: a pid reused by another process reads as dead
      this.signal(live.lock.pid, undefined, () => liveness(r.runDir).kind === 'running');
    }
    r.set({ status: 'stopping', canResume: false, message: 'stopping: running trials are abandoned, finished ones are kept' });
    this.emitter.fire(r);
  }

  /** `takeOver`: the user said the process on another host that holds the run's lock is gone. */
  async resume(runDir: string, force = false, takeOver = false): Promise<void> {
    if (!(await ensureTrusted('Resuming a search'))) return;
    const r = this.record(runDir);
    const launched = [...this.launches].some((l) => l.record === r);
    const live = launched ? undefined : liveness(r.runDir);
    if (live?.kind === 'elsewhere' && !takeOver) {
      await this.offerTakeOver(r, live.lock, force);
      return;
    }
    if (r.live && live?.kind !== 'elsewhere') {
      void vscode.window.showInformationMessage(`NAS Studio: ${r.name} is already running.`);
      return;
    }
    const cfg = getConfig(vscode.Uri.file(r.runDir));
    this.launch(resumeArgs(r.runDir, cfg, force, takeOver), cfg.nodePath, { kind: 'resume', record: r, cwd: r.runDir, takeOver });
  }

  /** Another host's lock holds the run: says whose and how old, and resumes with the lock taken over if asked. */
  private async offerTakeOver(r: RunRecord, lock: Lock, force = false): Promise<void> {
    const { message, detail } = takeOverPrompt(r.name, lock, os.hostname(), Date.now(), mtime(r.paths.journal));
    this.log.warn(`${r.name}: ${message.replace(/^NAS Studio: /, '')}`);
    const pick = await vscode.window.showWarningMessage(message, { modal: true, detail }, TAKE_OVER);
    if (pick === TAKE_OVER) await this.resume(r.runDir, force, true);
  }

  async exportTrial(runDir: string, trial: number | 'best'): Promise<void> {
    const r = this.record(runDir);
    r.poll();
    const t = trial === 'best' ? r.tracker.state.best() : r.tracker.state.trials.get(trial);
    if (!t) {
      void vscode.window.showWarningMessage(
        trial === 'best' ? `NAS Studio: ${r.name} has no completed trial to export yet.` : `NAS Studio: ${r.name} has no trial ${trial}.`,
      );
      return;
    }
    const meta = readMeta(r.runDir);
    const near = meta?.specFile ? path.dirname(meta.specFile) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: `Export trial ${t.trial} here`,
      title: `Export the model of trial ${t.trial} (${r.name})`,
      defaultUri: near ? vscode.Uri.file(near) : undefined,
    });
    if (!picked?.[0]) return;
    const out = path.join(picked[0].fsPath, `${slug(r.name)}-trial-${t.trial}`);
    const cfg = getConfig(picked[0]);
    const l = cliLaunch(this.host(), cfg.nodePath, exportArgs(r.runDir, t.trial, out));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting trial ${t.trial}...` },
      () =>
        new Promise<void>((resolve) => {
          execFile(l.command, l.args, { env: l.env, cwd: r.runDir, timeout: 120_000 }, (err, stdout, stderr) => {
            resolve();
            if (err) {
              const why = lastLines(stderr, 3).join(' ') || err.message;
              this.log.error(`export failed: ${why}`);
              void vscode.window.showErrorMessage(`NAS Studio: export failed: ${why.replace(/^nas-studio: /, '')}`);
              return;
            }
            this.log.info(stdout.trim());
            void vscode.window
              .showInformationMessage(
                `NAS Studio: exported trial ${t.trial} (model.json, weights.bin, architecture and README) to ${vscode.workspace.asRelativePath(out)}.`,
                'Reveal in Explorer',
              )
              .then((pick) => {
                if (pick) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.join(out, 'README.md')));
              });
          });
        }),
    );
  }

  async revealTrial(runDir: string, trial: number): Promise<void> {
    const r = this.record(runDir);
    r.poll();
    await revealTrial(r, trial);
  }

  // ---- Starting and following ----------------------------------------------------------------------------

  /** Starts a search of `specFile` in a run folder named here; returns that folder, or undefined if it could not start. */
  start(specFile: string): string | undefined {
    const uri = vscode.Uri.file(specFile);
    const cfg = getConfig(uri);
    const runsRoot = runsRootFor(specFile, cfg.resultsFolder, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
    const runDir = path.join(runsRoot, newRunId(specName(specFile)));
    const record = this.recordOf(runDir);
    const launch = this.launch(runArgs(specFile, runDir, cfg), cfg.nodePath, { kind: 'run', record, cwd: path.dirname(specFile) });
    return launch ? runDir : undefined;
  }

  /** The live runs, newest first. */
  liveRuns(): RunRecord[] {
    return [...this.followed].filter((r) => r.live).reverse();
  }

  /** Whether a launch of ours has not reported its run's start yet (the status bar says "starting"). */
  get starting(): boolean {
    return [...this.launches].some((l) => l.record.status === 'starting');
  }

  /** The live run of a spec, if any. */
  liveRunOf(specFile: string): RunRecord | undefined {
    return this.liveRuns().find((r) => samePath(specOf(r), specFile));
  }

  /** The record of a run folder; a run found live in another window (or before a reload) is followed. */
  record(runDir: string): RunRecord {
    const known = this.records.get(pathKey(runDir));
    if (known) return known;
    const r = this.recordOf(runDir);
    const live = liveness(r.runDir);
    if (live.kind === 'running' || live.kind === 'elsewhere') this.follow(r, r.events.length, true);
    // Followed as running, and nothing here can tell otherwise: the panel says whose lock it is and the way out.
    if (live.kind === 'elsewhere') r.set({ status: 'running', canResume: false, message: elsewhereNote(live.lock, os.hostname(), Date.now()) });
    return r;
  }

  private recordOf(runDir: string): RunRecord {
    const key = pathKey(runDir);
    let r = this.records.get(key);
    if (!r) {
      r = new RunRecord(path.resolve(runDir));
      this.records.set(key, r);
    }
    return r;
  }

  /**
   * After activation: runs whose lock names a live process are followed again (a reload, or another window);
   * runs whose process died without finishing are offered for resuming.
   */
  async reattach(): Promise<void> {
    const dirs = new Set<string>();
    const locks = await vscode.workspace.findFiles(`**/${RUNS_DIR.split(path.sep).join('/')}/*/lock.json`, '**/node_modules/**', 500);
    for (const u of locks) dirs.add(path.dirname(u.fsPath));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const custom = getConfig(folder.uri).resultsFolder;
      if (!custom) continue;
      for (const d of runDirs(path.resolve(folder.uri.fsPath, custom))) if (fs.existsSync(path.join(d, 'lock.json'))) dirs.add(d);
    }
    const dead: RunRecord[] = [];
    for (const dir of dirs) {
      const live = liveness(dir);
      if (live.kind === 'running') {
        const r = this.record(dir);
        this.attachStderr(r, live.lock.pid);
        this.log.info(`following the running search ${r.name} (process ${live.lock.pid}) in ${dir}`);
      } else if (live.kind === 'dead') {
        const r = this.record(dir);
        if (r.canResume) dead.push(r);
      }
    }
    for (const r of dead.slice(0, 3)) {
      this.log.warn(`the search ${r.name} in ${r.runDir} stopped when its process ${readLock(r.paths)?.pid} ended, without finishing`);
      void vscode.window
        .showWarningMessage(
          `NAS Studio: the search "${r.name}" stopped unexpectedly (its process is gone). Its finished trials are kept. Resume it?`,
          'Resume',
          'Open Results',
        )
        .then((pick) => {
          if (pick === 'Resume') void this.resume(r.runDir);
          else if (pick === 'Open Results') this.hooks.openResults(r.runDir);
        });
    }
  }

  private host(): Host {
    return { extensionPath: this.context.extensionPath, execPath: process.execPath, env: process.env };
  }

  private launch(
    args: string[],
    nodePath: string | undefined,
    o: { kind: 'run' | 'resume'; record: RunRecord; cwd: string; takeOver?: boolean },
  ): Launch | undefined {
    const l = cliLaunch(this.host(), nodePath, args);
    const logDir = path.join(this.context.logUri.fsPath, 'searches');
    fs.mkdirSync(logDir, { recursive: true });
    const base = path.join(logDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(3).toString('hex')}`);
    const outFile = `${base}.stdout.jsonl`;
    const errFile = `${base}.stderr.log`;
    const out = fs.openSync(outFile, 'a');
    const err = fs.openSync(errFile, 'a');
    let child: ChildProcess;
    try {
      this.log.info(`starting: ${[l.command, ...l.args].map(quote).join(' ')}`);
      child = spawn(l.command, l.args, {
        cwd: fs.existsSync(o.cwd) ? o.cwd : undefined,
        env: l.env,
        stdio: ['ignore', out, err],
        detached: true,
        windowsHide: true,
      });
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', (e) => {
        this.log.error(`could not start ${l.command}: ${e.message}`);
        const hint = nodePath ? ' Check the setting nasStudio.nodePath.' : '';
        void vscode.window.showErrorMessage(`NAS Studio: could not start the search process (${e.message}).${hint}`);
        resolve({ code: null, signal: null });
      });
    });
    if (child.pid === undefined) {
      void exited;
      return undefined;
    }
    const launch: Launch = {
      child,
      pid: child.pid,
      stdout: new LineTail(outFile),
      stderrFile: errFile,
      stderr: new LineTail(errFile),
      stderrLines: [],
      record: o.record,
      kind: o.kind,
      stopRequested: false,
      takeOver: !!o.takeOver,
    };
    this.launches.add(launch);
    o.record.poll();
    // A new run's events all belong to this launch; a resume's begin where the journal ends now.
    this.bind(launch, o.kind === 'run' ? 0 : o.record.events.length);
    void exited.then(({ code, signal }) => this.onExit(launch, code, signal));
    this.ensureTimer();
    this.emitter.fire(undefined);
    return launch;
  }

  /** `from`: where this launch's events begin in the journal (0 for a new run, its end for a resume). */
  private bind(launch: Launch, from: number) {
    const r = launch.record;
    void this.context.workspaceState.update(stderrKey(r.runDir), { pid: launch.pid, file: launch.stderrFile });
    this.follow(r, from, false);
  }

  private follow(r: RunRecord, from: number, alreadyRunning: boolean) {
    r.poll();
    r.beginLaunch(from, alreadyRunning);
    this.followed.add(r);
    this.ensureTimer();
    this.emitter.fire(r);
  }

  /** A re-attached run's stderr file, if this workspace started it before the reload. */
  private attachStderr(r: RunRecord, pid: number) {
    const saved = this.context.workspaceState.get<{ pid: number; file: string }>(stderrKey(r.runDir));
    if (saved?.pid === pid) this.foreignStderr.set(r, new LineTail(saved.file, fileSize(saved.file)));
  }

  private ensureTimer() {
    if (!this.timer) this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  private tick() {
    for (const launch of this.launches) this.pumpLaunch(launch);
    for (const r of [...this.followed]) {
      const fresh = r.poll();
      if (fresh.length) this.emitter.fire(r);
      if ([...this.launches].some((l) => l.record === r)) continue;
      // Not our child: its log lines come from the journal, and from its stderr file if we started it.
      for (const e of fresh) if (e.type === 'log') this.log[e.level === 'warn' ? 'warn' : e.level === 'error' ? 'error' : 'info'](`[${r.name}] ${e.message}`);
      for (const line of this.foreignStderr.get(r)?.read() ?? []) this.log.info(`[${r.name}] ${line}`);
      // Not our child: watch its lock. The orchestrator removes it when it finishes; a dead pid means a crash.
      const live = liveness(r.runDir);
      if (live.kind === 'running' || live.kind === 'elsewhere') continue;
      r.poll();
      this.ended(r, live.kind === 'dead' ? 'its process ended without finishing the journal' : undefined);
    }
    if (this.launches.size === 0 && ![...this.followed].some((r) => r.live)) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * Reads the child's stdout (the `--json` lines of the contract: events, then a summary or an error) and its
   * stderr (human text, for the log only: nothing is decided from it).
   */
  private pumpLaunch(launch: Launch) {
    const name = launch.record.name;
    for (const line of launch.stdout.read()) {
      const v = parseCliLine(line);
      if (!v) this.log.info(line);
      else if (v.type === 'log') this.log[v.level === 'warn' ? 'warn' : v.level === 'error' ? 'error' : 'info'](`[${name}] ${v.message}`);
      else if (v.type === 'error') {
        launch.failure = v;
        this.log.error(`[${name}] ${v.message}${v.details?.length ? `\n  ${v.details.join('\n  ')}` : ''}`);
      }
    }
    for (const line of launch.stderr.read()) {
      launch.stderrLines.push(line);
      if (launch.stderrLines.length > 50) launch.stderrLines.shift();
      this.log.info(`[${name}] ${line}`);
    }
  }

  private onExit(launch: Launch, code: number | null, signal: NodeJS.Signals | null) {
    this.pumpLaunch(launch);
    this.launches.delete(launch);
    const r = launch.record;
    const why = signal ? `killed by ${signal}` : `exit code ${code}`;
    this.log.info(`search process ${launch.pid} ended (${why})`);
    const stderr = launch.stderrLines.join('\n');
    r.poll();
    void this.context.workspaceState.update(stderrKey(r.runDir), undefined);
    if (code === null && signal === null) {
      // It could not even start (reported by the spawn error handler).
      r.settle('the search process could not be started');
      this.followed.delete(r);
      this.emitter.fire(r);
      return;
    }
    if (r.events.length === r.launchFrom && code !== EXIT.ok) {
      this.refused(launch, code, why, stderr);
      return;
    }
    // A stop that came before the CLI installed its signal handler ends it by the signal itself.
    const expected =
      code === EXIT.ok ||
      code === EXIT.stopped ||
      (code === EXIT.failed && r.tracker.state.finished?.reason === 'error') ||
      (launch.stopRequested && signal === STOP_SIGNAL);
    this.ended(r, expected ? undefined : `the search process ended unexpectedly (${why})`);
    const finished = r.tracker.state.finished;
    if (code === EXIT.ok) {
      const best = r.tracker.state.best();
      const counts = r.tracker.state.counts();
      const metric = r.tracker.state.started?.objective.metric ?? 'value';
      void vscode.window
        .showInformationMessage(
          `NAS Studio: "${r.name}" finished: ${counts.completed} trials completed${best ? `, best ${metric} ${formatValue(best.value as number)} (trial ${best.trial})` : ''}.`,
          'Open Results',
          'Export Best Model',
        )
        .then((p) => {
          if (p === 'Open Results') this.hooks.openResults(r.runDir);
          else if (p === 'Export Best Model') void this.exportTrial(r.runDir, 'best');
        });
    } else if (code === EXIT.stopped || (launch.stopRequested && finished?.reason === 'stopped')) {
      vscode.window.setStatusBarMessage(`$(debug-stop) NAS: "${r.name}" stopped; resume it any time`, 8000);
    } else {
      const detail = finished?.reason === 'error' && finished.message ? finished.message : lastLines(stderr, 4).join(' | ') || why;
      void vscode.window
        .showErrorMessage(`NAS Studio: the search "${r.name}" failed: ${detail}. Finished trials are kept in the journal.`, 'Resume', 'Show Log')
        .then((p) => {
          if (p === 'Resume') void this.resume(r.runDir);
          else if (p === 'Show Log') this.log.show(true);
        });
    }
  }

  /**
   * The CLI ended before this launch wrote a single event: it refused (the spec has errors, or changed since
   * the run began) or could not start. Its `error` line says why; stderr is only the fallback wording.
   */
  private refused(launch: Launch, code: number | null, why: string, stderr: string) {
    const r = launch.record;
    const f = launch.failure;
    const reason =
      f?.message ??
      (lastLines(stderr, 3)
        .join(' ')
        .replace(/nas-studio: /g, '') ||
        why);
    r.settle(`the search did not start: ${reason}`);
    this.followed.delete(r);
    if (launch.kind === 'run' && r.events.length === 0) this.records.delete(pathKey(r.runDir));
    this.emitter.fire(r);
    if (launch.stopRequested) return;
    if (code === EXIT.specChanged) {
      void vscode.window
        .showWarningMessage(
          `NAS Studio: the spec of "${r.name}" changed since the run started, so its finished trials may not be comparable with new ones.`,
          { modal: true, detail: `Changed:\n${(f?.details ?? []).join('\n')}\n\nResuming anyway uses the changed spec from now on.` },
          'Resume Anyway',
        )
        .then((p) => {
          if (p) void this.resume(r.runDir, true, launch.takeOver);
        });
      return;
    }
    const what = launch.kind === 'resume' ? `could not resume "${r.name}"` : 'the search did not start';
    const detail = f?.details?.length ? `: ${f.details.slice(0, 3).join('; ')}` : '';
    void vscode.window.showErrorMessage(`NAS Studio: ${what}: ${reason}${detail}`, 'Show Log').then((p) => p && this.log.show(true));
  }

  /** A followed run has no live process any more. */
  private ended(r: RunRecord, problem?: string) {
    const wasLive = this.followed.delete(r);
    this.foreignStderr.delete(r);
    r.settle(problem);
    if (problem) this.log.warn(`${r.name}: ${problem}`);
    if (wasLive) void this.learnSpeed(r);
    this.emitter.fire(r);
  }

  /** Folds the finished trials of this launch into the machine's throughput figure for estimates. */
  private async learnSpeed(r: RunRecord) {
    try {
      // Journals written before run-started carried its sample counts teach nothing.
      const samples = r.tracker.state.started?.samples;
      if (!samples) return;
      const m = measureRun(r.events, samples, cores(), r.launchFrom);
      if (!m) return;
      await this.speed.record(m);
      this.log.info(`throughput on ${m.backend}: ${(m.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s per worker over ${m.trials} trials`);
    } catch (e) {
      this.log.debug(`no throughput measurement from ${r.runDir}: ${(e as Error).message}`);
    }
  }

  /** `stillRunning`: for a run we did not launch, whether its lock still names a live process of that run. */
  private signal(pid: number, launch?: Launch, stillRunning?: () => boolean) {
    if (launch) launch.stopRequested = true;
    try {
      process.kill(pid, STOP_SIGNAL);
    } catch (e) {
      this.log.warn(`could not signal process ${pid}: ${(e as Error).message}`);
      return;
    }
    // The CLI quits at once on a second signal; give it time to write its last events first.
    setTimeout(() => {
      if (processAlive(pid) && (launch ? this.launches.has(launch) : (stillRunning?.() ?? false))) {
        this.log.warn(`process ${pid} is still running ${STOP_GRACE_MS / 1000} s after the stop; signalling again`);
        try {
          process.kill(pid, STOP_SIGNAL);
        } catch {
          // It ended in the meantime.
        }
      }
    }, STOP_GRACE_MS).unref?.();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // Searches keep running when the window closes or reloads; the next window follows them again.
    for (const l of this.launches) l.child.unref();
    this.emitter.dispose();
  }
}

/** The spec a run was started from: known from run.json before the first event. */
export function specOf(r: RunRecord): string | undefined {
  return readMeta(r.runDir)?.specFile ?? r.tracker.state.started?.specFile;
}

/** The spec's `name`, else its file name: what the run folder is named after. */
function specName(specFile: string): string {
  try {
    const v = parse(fs.readFileSync(specFile, 'utf8')).value as { name?: unknown } | undefined;
    if (typeof v?.name === 'string' && v.name.trim()) return v.name;
  } catch {
    // Unreadable now: the CLI will say so; the folder name does not matter then.
  }
  return path.basename(specFile).replace(/\.nas\.json$/i, '');
}

function stderrKey(runDir: string): string {
  return `nasStudio.stderr:${pathKey(runDir)}`;
}

function mtime(f: string): number | undefined {
  try {
    return fs.statSync(f).mtimeMs;
  } catch {
    return undefined;
  }
}

function fileSize(f: string): number {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}

function cores(): number {
  return os.availableParallelism();
}

/** Folder identity: Windows and macOS paths are case-insensitive by default. */
export function pathKey(p: string): string {
  return process.platform === 'linux' ? path.resolve(p) : path.resolve(p).toLowerCase();
}

export function samePath(a: string | undefined, b: string): boolean {
  return !!a && pathKey(a) === pathKey(b);
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'model'
  );
}
