// bench/netSpec.ts: the compact layer strings `bench --profile --net` takes for networks outside the suite (a
// race trial read off its journal). They must build the network they say, or refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/shared/cli';
import { isNetSpec, parseNetSpec } from '../../bench/netSpec';
import { conv, dense, flatten, maxPool, sequential, SUITE, suiteNet } from '../../bench/suite';
import { archCost } from '../../src/core/shapes';

test('a race trial spec builds that network: convs, pools, a flatten before the first dense, dropout, batch', () => {
  const net = parseNetSpec('c32k3-p-c64k5s2-p-d256-o0.2@64');
  assert.equal(net.batch, 64);
  const want = sequential(conv(32, 3), maxPool, conv(64, 5, 2), maxPool, flatten, dense(256), { type: 'dropout', rate: 0.2 });
  assert.deepEqual(net.arch, want);
  assert.deepEqual(net.arch.kind === 'sequential' && net.arch.layers[2], { ...conv(64, 5, 2), source: 'architecture.layers[2]', strides: 2 });
  // conv 1->32 3x3, conv 32->64 5x5, dense 3*3*64 -> 256, the builder's dense-10 head.
  const params = 9 * 32 + 32 + 25 * 32 * 64 + 64 + 576 * 256 + 256 + 256 * 10 + 10;
  assert.equal(archCost(net.arch, [28, 28, 1], 10).params, params);
});

test('the suite reference CNN spelled as a spec is the same network, batch 128 by default', () => {
  const spec = parseNetSpec('c32k3-p-c64k3-p-d128');
  const ref = suiteNet('reference');
  assert.equal(spec.batch, 128);
  assert.deepEqual(spec.arch, ref.arch);
});

test('suite names are not specs; bad specs are refused with the reason', () => {
  for (const n of SUITE) assert.equal(isNetSpec(n.name), false, n.name);
  assert.equal(isNetSpec('c16k5-p-d64@128'), true);
  assert.equal(isNetSpec('d512-o0.2-d256'), true);
  assert.throws(() => parseNetSpec('c32k3-q-d128'), /unknown layer 'q'/);
  assert.throws(() => parseNetSpec('c32k3-p-d128@0'), /batch after '@'/);
  assert.throws(() => parseNetSpec('c32k3-o1.5'), /unknown layer 'o1.5'/);
});

test('the built CLI reports an unknown --net as a usage error (exit 2), not an internal error', (t) => {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  if (!fs.existsSync(cli)) return t.skip('dist/cli.js not built');
  const r = spawnSync(process.execPath, [cli, 'bench', '--profile', '--only', 'wasm', '--net', 'nope'], { encoding: 'utf8' });
  assert.equal(r.status, EXIT.usage, r.stderr);
  assert.match(r.stderr, /--net: no suite network 'nope'/);
  assert.doesNotMatch(r.stderr, /internal error/);
});
