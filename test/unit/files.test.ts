// Issue 14, item 1 and 6: a spec may name any path. Special files (/dev/zero, a named pipe, a directory, a huge
// sparse file) get a located error within a second instead of a crash or a hang; an untrusted workspace's spec
// reads nothing outside it; a model.json's weight paths stay inside its folder.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';
import { readCsvHeader } from '../../src/core/data/csv';
import { DataError } from '../../src/core/data/errors';
import { FILE_LIMITS, openRegular, readBounded } from '../../src/core/data/files';
import { encodeIdx, readIdxHeader } from '../../src/core/data/idx';
import { readArtifacts } from '../../src/engine/modelio';
import { main } from '../../src/cli/main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-files-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const fifo = path.join(dir, 'pipe.csv');
execFileSync('mkfifo', [fifo]);
const sparse = path.join(dir, 'huge.csv');
fs.closeSync(fs.openSync(sparse, 'w'));
fs.truncateSync(sparse, 10 * 1024 ** 3);
const sparseIdx = path.join(dir, 'huge-idx');
fs.writeFileSync(sparseIdx, encodeIdx('uint8', [1, 1], [0]).subarray(0, 4)); // magic only
fs.truncateSync(sparseIdx, 10 * 1024 ** 3);
fs.mkdirSync(path.join(dir, 'folder.csv'));
const secret = path.join(dir, 'outside', 'secret.csv');
fs.mkdirSync(path.dirname(secret));
fs.writeFileSync(secret, 'password,label\nhunter2-the-secret,1\n');
const project = path.join(dir, 'project');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'ok.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n');

function csvSpec(p: string): string {
  return JSON.stringify(
    {
      dataset: { source: 'csv', path: p },
      architecture: { type: 'sequential', layers: [{ type: 'dense', units: 4 }] },
      training: { epochs: 1 },
      search: { budget: { trials: 1 } },
    },
    null,
    2,
  );
}

function idxSpec(images: string, labels: string): string {
  return JSON.stringify({
    dataset: { source: 'idx', images, labels },
    architecture: { type: 'sequential', layers: [{ type: 'dense', units: 4 }] },
    training: { epochs: 1 },
    search: { budget: { trials: 1 } },
  });
}

// The first check compiles the schema validator and loads modules: seconds on a busy machine, and not what is timed.
checkText(csvSpec('ok.csv'), { file: path.join(project, 'x.nas.json') });

/** Checks `text` as a spec in `project`, timed; returns the dataset error, which must be located on `field`. */
function datasetError(text: string, field = 'dataset.path', access?: { confineTo: string[] }) {
  const t0 = process.hrtime.bigint();
  const r = checkText(text, { file: path.join(project, 'x.nas.json'), ...(access ? { access } : {}) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const d = r.diagnostics.find((x) => x.code === 'dataset' && x.severity === 'error');
  assert.ok(d, `expected a dataset error, got ${JSON.stringify(r.diagnostics.map((x) => x.message))}`);
  assert.equal(d.path, field);
  assert.ok(d.range.start.line > 0 || d.range.start.character > 0, 'the error points into the file, not at its start');
  // A hang guard, not a speed target: a blocked read never returns, a full read of these files takes far longer.
  assert.ok(ms < 5000, `checked in ${ms.toFixed(0)} ms`);
  return d;
}

describe('special files named by a spec', () => {
  it('/dev/zero: a located error, not an out-of-memory crash', () => {
    const d = datasetError(csvSpec('/dev/zero'));
    assert.match(d.message, /\/dev\/zero is a device, not a regular file/);
  });

  it('a named pipe: a located error, not a reader blocked forever', () => {
    const d = datasetError(csvSpec(fifo));
    assert.match(d.message, /is a named pipe, not a regular file/);
  });

  it('a directory', () => {
    const d = datasetError(csvSpec(path.join(dir, 'folder.csv')));
    assert.match(d.message, /is a directory/);
  });

  it('a 10 GB sparse CSV file: refused for its size before any of it is read', () => {
    const d = datasetError(csvSpec(sparse));
    assert.match(d.message, /is 10\.0 GiB: larger than the 500\.0 MiB NAS Studio reads as a CSV file/);
  });

  it('a 10 GB sparse IDX file and /dev/zero as labels', () => {
    const d = datasetError(idxSpec(sparseIdx, path.join(project, 'ok.csv')), 'dataset.images');
    assert.match(d.message, /huge-idx/);
    datasetError(idxSpec(sparseIdx.replace('huge-idx', 'nope'), '/dev/zero'), 'dataset.images');
    const e = datasetError(idxSpec(path.join(project, 'ok.csv'), '/dev/zero'), 'dataset.images');
    assert.match(e.message, /ok\.csv/);
  });

  it('a backbone model.json that is a pipe', () => {
    const bb = path.join(dir, 'bb');
    fs.mkdirSync(bb);
    execFileSync('mkfifo', [path.join(bb, 'model.json')]);
    const spec = JSON.parse(csvSpec('ok.csv')) as { training: Record<string, unknown> };
    spec.training.backbone = { path: bb };
    const t0 = Date.now();
    const r = checkText(JSON.stringify(spec), { file: path.join(project, 'x.nas.json') });
    assert.ok(Date.now() - t0 < 5000);
    const d = r.diagnostics.find((x) => x.path === 'training.backbone.path');
    assert.equal(d?.severity, 'error');
    assert.match(d.message, /named pipe, not a regular file/);
  });

  it('nas-studio check and run on /dev/zero or a pipe as the spec: exit 1 with one line', async () => {
    for (const [cmd, f, words] of [
      ['check', '/dev/zero', /cannot read \/dev\/zero: it is a device, not a regular file/],
      ['run', fifo, /it is a named pipe, not a regular file/],
    ] as const) {
      const err: string[] = [];
      const t0 = Date.now();
      assert.equal(
        await main(
          [cmd, f],
          () => {},
          (s) => err.push(s),
        ),
        1,
      );
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(err.length, 1);
      assert.match(err[0], words);
    }
  });

  it('the low-level readers refuse them too', () => {
    assert.throws(() => openRegular('/dev/zero'), DataError);
    assert.throws(() => openRegular(fifo), /named pipe/);
    assert.throws(() => readIdxHeader('/dev/zero'), /device/);
    assert.throws(() => readBounded(sparse, 'huge.csv', FILE_LIMITS.csv, 'a CSV file'), /10\.0 GiB/);
  });
});

describe('bounded reads', () => {
  it('a CSV whose first row never ends is reported after 1 MiB, not read whole', () => {
    const f = path.join(dir, 'one-line.csv');
    fs.writeFileSync(f, Buffer.alloc(3 * 1024 * 1024, 'a'));
    assert.throws(() => readCsvHeader(f), /first row is longer than 1\.0 MiB/);
  });

  it('an IDX header declaring more data than the cap', () => {
    const f = path.join(dir, 'big-header');
    const h = Buffer.alloc(12);
    h[2] = 0x0d; // float32
    h[3] = 2;
    h.writeUInt32BE(1 << 20, 4);
    h.writeUInt32BE(1 << 10, 8);
    fs.writeFileSync(f, h);
    assert.throws(() => readIdxHeader(f, 'big-header'), /big-header: its header declares 1048576x1024 values \(4\.0 GiB\), more than the 1\.0 GiB/);
  });

  it('a value shown in a message is cut short', () => {
    const f = path.join(project, 'long.csv');
    fs.writeFileSync(f, `a,label\n${'z'.repeat(5000)},x\n1,y\n`);
    const d = datasetError(csvSpec('long.csv'));
    assert.ok(d.message.length < 200, d.message);
  });
});

describe('an untrusted workspace', () => {
  const confined = { confineTo: [project] };

  it('reads files inside it', () => {
    const r = checkText(csvSpec('ok.csv'), { file: path.join(project, 'x.nas.json'), access: confined });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(r.summary?.samples, 4);
  });

  it('reads nothing outside it, and shows none of it', () => {
    for (const p of ['../outside/secret.csv', secret]) {
      const d = datasetError(csvSpec(p), 'dataset.path', confined);
      assert.match(d.message, /outside the workspace/);
      assert.doesNotMatch(d.message, /hunter2/);
    }
    // trusted, the same spec reads it
    const r = checkText(csvSpec('../outside/secret.csv'), { file: path.join(project, 'x.nas.json') });
    assert.ok(r.diagnostics.some((d) => /hunter2/.test(d.message)));
  });

  it('a link inside the workspace that leads out counts as outside', () => {
    fs.symlinkSync(secret, path.join(project, 'link.csv'));
    const d = datasetError(csvSpec('link.csv'), 'dataset.path', confined);
    assert.match(d.message, /outside the workspace/);
  });
});

describe('model.json weight paths', () => {
  function modelDir(paths: string[]): string {
    const m = fs.mkdtempSync(path.join(dir, 'model-'));
    fs.writeFileSync(
      path.join(m, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightsManifest: [{ paths, weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
      }),
    );
    fs.writeFileSync(path.join(m, 'weights.bin'), Buffer.alloc(8));
    return m;
  }

  it('reads weights inside the folder', async () => {
    const a = await readArtifacts(modelDir(['weights.bin']));
    assert.equal(a.weightData instanceof ArrayBuffer ? a.weightData.byteLength : -1, 8);
  });

  it('refuses a path that leads out of the folder, absolute or relative', async () => {
    for (const p of ['../outside/secret.csv', secret, '/dev/zero', '']) {
      await assert.rejects(readArtifacts(modelDir([p])), /is not inside the model's folder/);
    }
  });

  it('refuses a special file inside the folder', async () => {
    const m = modelDir(['pipe.bin']);
    execFileSync('mkfifo', [path.join(m, 'pipe.bin')]);
    await assert.rejects(readArtifacts(m), /named pipe/);
  });
});
