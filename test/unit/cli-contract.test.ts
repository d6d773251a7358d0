// The CLI <-> extension contract (src/shared/cli.ts): the extension's command lines parse with the CLI's own
// parser, what the CLI prints with --json reads back through the guards, refusals are exit codes and `error`
// lines rather than wording, and docs/ARCHITECTURE.md names every part of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERROR_KINDS, EXIT, FLAG, isCliError, isRunSummary, parseCliLine, type CliError } from '../../src/shared/cli';
import { parseCommandLine } from '../../src/cli/main';
import { wantsEarlyWorker } from '../../src/cli/entry';
import { cli } from '../helpers/cli';
import { selfCommand } from '../../src/cli/self';
import { exportArgs, resumeArgs, runArgs } from '../../src/extension/cli';

const root = path.join(__dirname, '..', '..');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nas-contract-'));
}

test("the extension's command lines are ones the CLI accepts, with the meaning intended", () => {
  const run = parseCommandLine(runArgs('/w/a.nas.json', '/w/runs/r1', { parallel: 2, backend: 'wasm' }));
  assert.equal(run.command, 'run');
  assert.deepEqual(run.positional, ['/w/a.nas.json']);
  assert.deepEqual(run.flags, { [FLAG.json]: true, [FLAG.runDir]: '/w/runs/r1', [FLAG.parallel]: 2, [FLAG.backend]: 'wasm' });
  const resume = parseCommandLine(resumeArgs('/w/runs/r1', { parallel: null, backend: 'auto' }, true));
  assert.deepEqual(resume.flags, { [FLAG.json]: true, [FLAG.force]: true });
  assert.deepEqual(parseCommandLine(exportArgs('/r', 3, '/o')).flags, { [FLAG.trial]: '3', [FLAG.out]: '/o' });
  assert.deepEqual(parseCommandLine(exportArgs('/r', 'best', '/o')).flags, { [FLAG.best]: true, [FLAG.out]: '/o' });
});

test('--json lines read back through the guards; anything else is not a line of the contract', () => {
  const started = { type: 'log', time: '2026-01-01T00:00:00Z', level: 'info', message: 'x' };
  assert.deepEqual(parseCliLine(JSON.stringify(started)), started);
  const summary = { type: 'summary', reason: 'budget', runDir: '/r', trials: { completed: 1, failed: 0, pruned: 0, running: 0, done: 1 }, best: null };
  assert.ok(isRunSummary(parseCliLine(JSON.stringify(summary))));
  const error: CliError = { type: 'error', kind: 'spec-changed', message: 'm', details: ['a: 1 -> 2'] };
  assert.ok(isCliError(parseCliLine(JSON.stringify(error))));
  for (const bad of ['', 'run folder: x', '{"type":"summary"}', '{"type":"error","kind":"nonsense","message":"m"}', '{"type":"trial-sta', '[1]']) {
    assert.equal(parseCliLine(bad), undefined, bad);
  }
});

test('a usage error is one short message (no wall of help), exit 2, and an error line with --json', async () => {
  const r = await cli('run', 'x.nas.json', '--max-trails', '3', '--json');
  assert.equal(r.code, EXIT.usage);
  assert.match(r.err, /unknown option --max-trails/);
  assert.match(r.err, /usage: nas-studio run SPEC/);
  assert.ok(r.err.split('\n').length <= 3, `usage errors stay short:\n${r.err}`);
  const line = parseCliLine(r.lines.at(-1) ?? '');
  assert.ok(isCliError(line) && line.kind === 'usage', r.out);
  const help = await cli('help');
  assert.equal(help.code, EXIT.ok);
  for (const c of ['check', 'run', 'resume', 'export', 'bench']) assert.match(help.out, new RegExp(`^  ${c} `, 'm'));
});

test('run, check and resume word a missing or wrong path the same way', async () => {
  const dir = tmp();
  const missing = path.join(dir, 'gone.nas.json');
  const run = await cli('run', missing);
  const check = await cli('check', missing);
  assert.equal(run.code, EXIT.failed);
  assert.equal(check.code, EXIT.failed);
  assert.equal(run.err, `nas-studio: cannot read ${missing}: no such file`);
  assert.equal(check.err, run.err);
  const resume = await cli('resume', path.join(dir, 'gone'));
  assert.equal(resume.code, EXIT.failed);
  assert.equal(resume.err, `nas-studio: cannot read ${path.join(dir, 'gone')}: no such folder`);
  // A folder where a spec goes, a spec where a run folder goes: said plainly, no EISDIR.
  assert.equal((await cli('run', dir)).err, `nas-studio: cannot read ${dir}: it is a folder, not a file`);
  fs.writeFileSync(missing, '{}');
  assert.match((await cli('resume', missing)).err, /is a file; give the run folder/);
  assert.match((await cli('resume', dir)).err, /is not a run folder \(it has no journal\.jsonl\)/);
  const json = await cli('run', path.join(dir, 'nope.nas.json'), '--json');
  const line = parseCliLine(json.lines.at(-1) ?? '');
  assert.ok(isCliError(line) && line.kind === 'unreadable', json.out);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a spec with errors: its findings in the compiler format, one count line, an error line listing them', async () => {
  const file = path.join(
    root,
    'test/fixtures/bad',
    fs.readdirSync(path.join(root, 'test/fixtures/bad')).find((f) => f.endsWith('.nas.json'))!,
  );
  const r = await cli('run', file, '--json');
  assert.equal(r.code, EXIT.failed);
  const line = parseCliLine(r.lines.at(-1) ?? '');
  assert.ok(isCliError(line) && line.kind === 'spec-invalid', r.out);
  assert.ok(line.details?.length && line.details.every((d) => d.startsWith(`${file}:`)), JSON.stringify(line.details));
  assert.match(r.err, /nothing was run/);
});

test('hints name the command as it was run', () => {
  const dir = tmp();
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const cli = path.join(dir, 'dist', 'cli.js');
  fs.mkdirSync(path.dirname(cli));
  fs.writeFileSync(cli, '');
  assert.equal(selfCommand(cli, { PATH: '' }, dir), 'node dist/cli.js');
  // Through an npm bin link: on PATH after `npm link`, else (after `npm ci` in a clone) through npx.
  const link = path.join(dir, 'node_modules', '.bin', 'nas-studio');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(cli, link);
  assert.equal(selfCommand(link, { PATH: bin }, dir), 'npx nas-studio');
  fs.symlinkSync(cli, path.join(bin, 'nas-studio'));
  assert.equal(selfCommand(link, { PATH: bin }, dir), 'nas-studio');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('docs/ARCHITECTURE.md names every exit code, error kind and --json line type', () => {
  const doc = fs.readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The CLI contract'), doc.indexOf('## The editor'));
  assert.ok(section.length > 100, 'ARCHITECTURE.md has a "The CLI contract" section');
  for (const [name, code] of Object.entries(EXIT)) assert.match(section, new RegExp(`\\b${code}\\b`), `exit code ${name} (${code})`);
  for (const k of ERROR_KINDS) assert.ok(section.includes('ERROR_KINDS') || section.includes(k), k);
  for (const t of ['summary', 'error', 'run-started', 'CheckReport', '--run-dir']) assert.ok(section.includes(t), t);
});

test('dist/cli.js forks a worker ahead only for a local run or resume (entry.ts reads the command line unparsed)', () => {
  assert.equal(wantsEarlyWorker(['run', 'a.nas.json', '--json']), true);
  assert.equal(wantsEarlyWorker(['resume', 'runs/x', '--parallel', '2']), true);
  assert.equal(wantsEarlyWorker(['run', 'a.nas.json', '--queue', 'redis://h:6379']), false);
  assert.equal(wantsEarlyWorker(['resume', 'runs/x', '--queue=redis://h:6379']), false);
  for (const other of [[], ['check', 'a.nas.json'], ['export', 'runs/x', '--best'], ['worker', '--queue', 'redis://h'], ['bench'], ['help']])
    assert.equal(wantsEarlyWorker(other), false, other.join(' '));
});
