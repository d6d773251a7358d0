// Without --queue nothing about Redis is loaded: neither BullMQ nor ioredis nor the queue's own code, in the
// TypeScript sources (this process) or in the built CLI (dist/queue.js stays unread). Each check has its
// counterpart with --queue, so it can tell the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../src/shared/cli';
import { cli } from '../helpers/cli';

const root = path.join(__dirname, '..', '..');
const QUEUE_CODE = /node_modules[\\/](bullmq|ioredis)[\\/]|engine[\\/]queue[\\/]|[\\/]dist[\\/]queue\.js$/;

function loaded(): string[] {
  return Object.keys(require.cache).filter((k) => QUEUE_CODE.test(k));
}

test('a run without --queue loads nothing of the queue (sources)', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-lazy-'));
  const file = path.join(dir, 'tiny.nas.json');
  fs.copyFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), file);
  const r = await cli('run', file, '--max-trials', '1', '--json', '--run-dir', path.join(dir, 'run'));
  assert.equal(r.code, EXIT.ok, r.err);
  assert.deepEqual(loaded(), []);
  // A bad queue URL is refused by the queue's own parser: by then the queue is loaded.
  assert.equal((await cli('run', file, '--queue', 'http://nowhere')).code, EXIT.usage);
  assert.ok(loaded().length > 0, 'the check sees the queue once it is loaded');
  fs.rmSync(dir, { recursive: true, force: true });
});

const built = path.join(root, 'dist', 'cli.js');

test(
  'a run without --queue loads nothing of the queue (built CLI)',
  { timeout: 120_000, skip: fs.existsSync(built) ? undefined : 'dist/cli.js is not built' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-lazy-dist-'));
    const file = path.join(dir, 'tiny.nas.json');
    fs.copyFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), file);
    // Preloaded into the CLI: lists the modules it loaded as it exits.
    const hook = path.join(dir, 'modules.cjs');
    const list = path.join(dir, 'modules.json');
    fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--require', hook, built, ...args], { cwd: dir, encoding: 'utf8' });
      return { code: r.status, modules: (JSON.parse(fs.readFileSync(list, 'utf8')) as string[]).filter((k) => QUEUE_CODE.test(k)), err: r.stderr };
    };
    const plain = run('run', file, '--max-trials', '1', '--run-dir', path.join(dir, 'run'));
    assert.equal(plain.code, EXIT.ok, plain.err);
    assert.deepEqual(plain.modules, []);
    const queued = run('run', file, '--queue', 'http://nowhere');
    assert.equal(queued.code, EXIT.usage, queued.err);
    assert.deepEqual(queued.modules, [path.join(root, 'dist', 'queue.js')]);
    fs.rmSync(dir, { recursive: true, force: true });
  },
);
