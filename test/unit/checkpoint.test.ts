// Issue 14, item 7: a checkpoint's weights and optimizer state belong together. A crash while a new checkpoint
// is written (here: the optimizer state cannot be written) leaves the previous checkpoint whole, both parts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
// the module object itself, whose writeFileSync the orchestrator calls: mocked below to fail mid-checkpoint
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { NasSpec } from '../../src/shared/spec';
import type { ModelArtifactsMessage, OptimizerStateMessage } from '../../src/shared/protocol';
import { Orchestrator } from '../../src/engine/orchestrator';

const root = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-ckpt-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Checkpoints {
  writeCheckpoint(trial: number, c: { weights: ModelArtifactsMessage; optimizer?: OptimizerStateMessage }): void;
  readCheckpoint(trial: number): { weights: ModelArtifactsMessage; optimizer?: OptimizerStateMessage } | undefined;
}

const part = (v: number) => ({
  weights: { modelTopology: { v }, weightSpecs: [{ name: 'w', shape: [1], dtype: 'float32' }], weightData: new Float32Array([v]).buffer },
  optimizer: { className: 'Adam', specs: [{ name: 'm', shape: [1], dtype: 'float32' as const }], data: new Float32Array([v * 10]).buffer },
});
const values = (c: ReturnType<Checkpoints['readCheckpoint']>) => [new Float32Array(c!.weights.weightData)[0], new Float32Array(c!.optimizer!.data)[0]];

test('a checkpoint write that fails midway leaves the previous checkpoint whole', (t) => {
  const spec = jsonc.parse(fs.readFileSync(path.join(root, 'test/fixtures/specs/tiny.nas.json'), 'utf8')) as NasSpec;
  const orch = new Orchestrator({ spec, specText: JSON.stringify(spec), specFile: path.join(dir, 'tiny.nas.json'), runDir: path.join(dir, 'run') });
  const c = orch as unknown as Checkpoints;
  c.writeCheckpoint(3, part(1));
  assert.deepEqual(values(c.readCheckpoint(3)), [1, 10]);
  c.writeCheckpoint(3, part(2));
  assert.deepEqual(values(c.readCheckpoint(3)), [2, 20]);
  const real = fsModule.writeFileSync;
  t.mock.method(fsModule, 'writeFileSync', (file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, o?: fs.WriteFileOptions) => {
    if (String(file).endsWith('optimizer.bin')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    return real(file, data, o);
  });
  assert.throws(() => c.writeCheckpoint(3, part(3)), /ENOSPC/);
  t.mock.restoreAll();
  assert.deepEqual(values(c.readCheckpoint(3)), [2, 20], 'weights and optimizer state of the same checkpoint');
});
