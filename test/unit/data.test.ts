// Data loading: IDX and CSV parsing with user-facing errors, the synthetic generators, and the seeded
// subset/split/normalisation that every worker must reproduce exactly.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Dataset, Task } from '../../src/shared/spec';
import { DataError } from '../../src/core/data/errors';
import { encodeIdx, readIdx, readIdxHeader } from '../../src/core/data/idx';
import { parseCsv, readCsvHeader } from '../../src/core/data/csv';
import { blobs, shapes } from '../../src/core/data/synthetic';
import { loadDataset, probeDataset, splitIndices } from '../../src/core/data/dataset';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-data-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Asserts `fn` throws a DataError whose message matches. */
function throwsData(fn: () => unknown, message: RegExp): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  assert.match(caught.message, message);
  return caught;
}

const counts = (y: ArrayLike<number>, k: number) => {
  const c = new Array(k).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]]++;
  return c;
};

// 5 images of 3x4, pixel value = 10 * sample + position; labels 0..4 mod 3
const pixels = Array.from({ length: 5 * 12 }, (_, i) => (Math.floor(i / 12) * 10 + (i % 12)) % 256);
const labelValues = [0, 1, 2, 0, 1];

describe('IDX', () => {
  const plain = write('img.idx', encodeIdx('uint8', [5, 3, 4], pixels));
  const gz = write('img.idx.bin', zlib.gzipSync(encodeIdx('uint8', [5, 3, 4], pixels)));

  it('round-trips uint8 files, plain and gzipped (detected by content)', () => {
    for (const f of [plain, gz]) {
      const r = readIdx(f);
      assert.equal(r.type, 'uint8');
      assert.deepEqual(r.dims, [5, 3, 4]);
      assert.ok(r.data instanceof Uint8Array);
      assert.deepEqual(Array.from(r.data), pixels);
      const h = readIdxHeader(f);
      assert.deepEqual([h.type, h.dims, h.headerBytes, h.gzipped], ['uint8', [5, 3, 4], 16, f === gz]);
    }
  });

  it("writes the format's own bytes: two zeros, type code, rank, big-endian dimensions and data", () => {
    // Pinned byte for byte (MNIST's images begin 00 00 08 03), so round-trips through encodeIdx prove the reader.
    assert.deepEqual([...encodeIdx('uint8', [2, 1], [7, 255])], [0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 1, 7, 255]);
    assert.deepEqual([...encodeIdx('float32', [1], [1.5])], [0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]);
    assert.deepEqual([...encodeIdx('int16', [1, 1, 1], [-2])], [0, 0, 0x0b, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xfe]);
  });

  it('round-trips the wider types, big-endian', () => {
    const cases = [
      ['int8', [-128, -1, 0, 127]],
      ['int16', [-32768, -2, 300, 32767]],
      ['int32', [-2147483648, -5, 70000, 2147483647]],
      ['float32', [-1.5, 0, 0.25, Math.fround(3e10)]],
      ['float64', [-1e-300, 0, Math.PI, 1e300]],
    ] as const;
    for (const [type, values] of cases) {
      const f = write(`w-${type}.idx`, zlib.gzipSync(encodeIdx(type, [2, 2], values)));
      const r = readIdx(f);
      assert.equal(r.type, type);
      assert.deepEqual(Array.from(r.data), values, type);
    }
  });

  it('reads only the start of a large gzipped file for the header', () => {
    const big = write(
      'big.idx.gz',
      zlib.gzipSync(
        encodeIdx(
          'uint8',
          [2000, 28, 28],
          new Uint8Array(2000 * 784).map((_, i) => i * 7),
        ),
      ),
    );
    const h = readIdxHeader(big);
    assert.deepEqual(h.dims, [2000, 28, 28]);
  });

  it('rejects a bad magic number', () => {
    const f = write('bad.idx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 9]));
    const e = throwsData(() => readIdx(f), /^corrupt IDX header in .*bad\.idx: magic 0x504b0304 is not an IDX file$/);
    assert.equal(e.file, f);
    throwsData(() => readIdxHeader(f), /is not an IDX file/);
    const code = write('badtype.idx', Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 1, 9]));
    throwsData(() => readIdxHeader(code), /unknown data type code 0x07/);
  });

  it('reports truncated files with sizes', () => {
    const whole = encodeIdx('uint8', [5, 3, 4], pixels);
    const cut = write('cut.idx', whole.subarray(0, 16 + 20));
    throwsData(() => readIdx(cut), /cut\.idx is truncated: header says 5x3x4 = 60 bytes, file has 20$/);
    throwsData(() => readIdxHeader(cut), /is truncated: header says 5x3x4 = 60 bytes, file has 20$/);
    const gzWhole = zlib.gzipSync(whole);
    const gzCut = write('cut.idx.gz', gzWhole.subarray(0, gzWhole.length - 12));
    throwsData(() => readIdx(gzCut), /cut\.idx\.gz is truncated/);
    throwsData(() => readIdxHeader(gzCut), /cut\.idx\.gz is truncated/);
    const gzShort = write('short.idx.gz', zlib.gzipSync(whole.subarray(0, 16 + 20)));
    throwsData(() => readIdx(gzShort), /is truncated: header says 5x3x4 = 60 bytes, uncompressed data has 20$/);
    throwsData(() => readIdxHeader(gzShort), /is truncated or corrupt/);
    throwsData(() => readIdx(write('tiny.idx', Buffer.from([0, 0]))), /too short to be an IDX file/);
  });

  it('says which file is missing, by the name the user gave', () => {
    const e = throwsData(() => readIdx(path.join(dir, 'nope.idx'), 'data/nope.idx'), /^file not found: data\/nope\.idx$/);
    assert.equal(e.file, path.join(dir, 'nope.idx'));
  });
});

describe('IDX datasets', () => {
  write('ds-images.idx', zlib.gzipSync(encodeIdx('uint8', [5, 3, 4], pixels)));
  write('ds-labels.idx', encodeIdx('uint8', [5], labelValues));
  write('ds-labels4.idx', encodeIdx('uint8', [4], labelValues.slice(0, 4)));
  const spec = (extra: object = {}) => ({ source: 'idx', images: 'ds-images.idx', labels: 'ds-labels.idx', ...extra }) as Dataset;

  it('loads images as [rows, cols, 1], scaled to 0..1 by default', () => {
    const d = loadDataset(spec({ validationSplit: 0.4 }), undefined, dir, 1);
    assert.deepEqual(d.inputShape, [3, 4, 1]);
    assert.equal(d.classes, 3);
    assert.equal(d.count, 5);
    assert.deepEqual(Array.from(d.y), labelValues);
    assert.ok(d.x.every((v, i) => Math.abs(v - pixels[i] / 255) < 1e-6));
    assert.equal(d.train.length + d.val.length, 5);
    assert.equal(d.val.length, 2);
  });

  it('rejects a label count that differs from the image count', () => {
    throwsData(() => loadDataset(spec({ labels: 'ds-labels4.idx' }), undefined, dir, 1), /^ds-images\.idx has 5 samples but ds-labels4\.idx has 4 labels$/);
    throwsData(() => probeDataset(spec({ labels: 'ds-labels4.idx' }), undefined, dir), /has 5 samples but ds-labels4\.idx has 4 labels/);
  });

  it('checks labels against task.classes and the declared input shape', () => {
    throwsData(() => loadDataset(spec(), { classes: 2 }, dir, 1), /label values up to 2, but task\.classes is 2/);
    assert.equal(loadDataset(spec(), { classes: 10 }, dir, 1).classes, 10);
    throwsData(
      () => loadDataset(spec(), { inputShape: [4, 3, 2] }, dir, 1),
      /task\.inputShape \[4, 3, 2\] does not match the data: samples in ds-images\.idx have shape \[3, 4, 1\]/,
    );
    // same number of values: a reshape, e.g. images as flat vectors for a dense net
    assert.deepEqual(loadDataset(spec(), { inputShape: [12] }, dir, 1).inputShape, [12]);
  });

  it('probes headers without loading', () => {
    assert.deepEqual(probeDataset(spec({ subset: 3 }), undefined, dir), { inputShape: [3, 4, 1], classes: 3, samples: 3 });
    assert.deepEqual(probeDataset(spec(), { type: 'regression' }, dir), { inputShape: [3, 4, 1], classes: 1, samples: 5 });
    throwsData(() => probeDataset(spec({ images: 'missing.idx' }), undefined, dir), /^file not found: missing\.idx$/);
  });
});

describe('CSV', () => {
  it('handles quotes, commas, quotes and newlines inside quotes, CRLF and a BOM', () => {
    const text = '\ufeffa,"b, with comma",label\r\n1,2,"say ""hi"""\r\n3,"4",x\r\n"5",6,"multi\r\nline"\r\n\r\n';
    const t = parseCsv(text, 'q.csv');
    assert.deepEqual(t.names, ['a', 'b, with comma', 'label']);
    assert.deepEqual(t.featureNames, ['a', 'b, with comma']);
    assert.equal(t.rows, 3);
    assert.deepEqual(Array.from(t.x), [1, 2, 3, 4, 5, 6]);
    // classes in sorted order of the distinct values
    assert.deepEqual(t.classNames, ['multi\r\nline', 'say "hi"', 'x']);
    assert.deepEqual(Array.from(t.y), [1, 2, 0]);
  });

  it('takes the label column by name or index, with another delimiter, with or without a header', () => {
    const text = 'y;f1;f2\ncat;1;2\ndog;3;4\ncat;5;6\n';
    for (const label of ['y', 0]) {
      const t = parseCsv(text, 'l.csv', { delimiter: ';', label });
      assert.equal(t.labelIndex, 0);
      assert.deepEqual(t.featureNames, ['f1', 'f2']);
      assert.deepEqual(Array.from(t.x), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(t.classNames, ['cat', 'dog']);
      assert.deepEqual(Array.from(t.y), [0, 1, 0]);
    }
    const noHeader = parseCsv('1,2,9\n3,4,10\n5,6,9\n', 'n.csv', { header: false });
    assert.equal(noHeader.rows, 3);
    assert.deepEqual(noHeader.featureNames, ['column 1', 'column 2']);
    // numeric labels sort as numbers: 9 before 10
    assert.deepEqual(noHeader.classNames, ['9', '10']);
    assert.deepEqual(Array.from(noHeader.y), [0, 1, 0]);
    throwsData(() => parseCsv(text, 'l.csv', { delimiter: ';', label: 'Y ' }), /no column named "Y " \(did you mean "y"\?\)/);
    throwsData(() => parseCsv(text, 'l.csv', { delimiter: ';', label: 3 }), /label column 3 does not exist/);
  });

  it('reads regression targets as numbers', () => {
    const t = parseCsv('a,t\n1,0.5\n2,-3\n', 'r.csv', {}, 'regression');
    assert.ok(t.y instanceof Float32Array);
    assert.deepEqual(Array.from(t.y), [0.5, -3]);
    throwsData(() => parseCsv('a,t\n1,0.5\n2,big\n', 'r.csv', {}, 'regression'), /^r\.csv:3:2: 'big' is not a number$/);
  });

  it('reports ragged rows with their line, counting newlines inside quotes', () => {
    const e = throwsData(() => parseCsv('a,b,c\n1,2,"x\ny"\n4,5\n', 'data.csv'), /^data\.csv:4: 2 fields, expected 3$/);
    assert.equal(e.line, 4);
  });

  it('reports a non-numeric feature with line and column', () => {
    const e = throwsData(() => parseCsv('a,b,c,y\n1,2,3,0\n4,5,abc,1\n', 'data.csv'), /^data\.csv:3:3: 'abc' is not a number$/);
    assert.deepEqual([e.line, e.column], [3, 3]);
    throwsData(() => parseCsv('a,b\n,1\n', 'data.csv'), /^data\.csv:2:1: empty value is not a number$/);
    throwsData(() => parseCsv('a,b\n"1,1\n', 'data.csv'), /^data\.csv:2: a quoted field is never closed$/);
    throwsData(() => parseCsv('a,b\n1,2\n3, \n', 'data.csv'), /^data\.csv:3:2: the label is empty$/);
  });

  it('reads just the header cheaply', () => {
    const f = write('h.csv', 'x1,x2,"x,3",label\n' + '1,2,3,a\n'.repeat(20000));
    const h = readCsvHeader(f, { label: 'x1' });
    assert.deepEqual(h, { columns: 4, names: ['x1', 'x2', 'x,3', 'label'], labelIndex: 0, featureNames: ['x2', 'x,3', 'label'] });
  });

  it('loads a CSV dataset, standardised by default, and probes it', () => {
    write('t.csv', 'f,g,kind\n' + Array.from({ length: 40 }, (_, i) => `${i},${2 * i},${i % 2 ? 'odd' : 'even'}`).join('\n'));
    const spec = { source: 'csv', path: 't.csv' } as Dataset;
    const d = loadDataset(spec, undefined, dir, 3);
    assert.deepEqual([d.inputShape, d.classes, d.classNames, d.count], [[2], 2, ['even', 'odd'], 40]);
    assert.deepEqual(probeDataset(spec, undefined, dir), { inputShape: [2], classes: 2, samples: 40 });
    throwsData(
      () => probeDataset(spec, { classes: 3, inputShape: [3] }, dir),
      /task\.inputShape \[3\] does not match the data: samples in t\.csv have shape \[2\]/,
    );
    write('t3.csv', 'f,kind\n1,a\n2,b\n3,c\n');
    throwsData(
      () => loadDataset({ source: 'csv', path: 't3.csv' } as Dataset, { classes: 2 }, dir, 0),
      /t3\.csv has 3 distinct labels, but task\.classes is 2/,
    );
  });
});

describe('synthetic generators', () => {
  it('shapes: deterministic under a seed, balanced, images in 0..255', () => {
    const a = shapes({ samples: 400, seed: 5 });
    const b = shapes({ samples: 400, seed: 5 });
    const c = shapes({ samples: 400, seed: 6 });
    assert.deepEqual(a.x, b.x);
    assert.deepEqual(a.y, b.y);
    assert.notDeepEqual(a.x, c.x);
    assert.deepEqual(a.inputShape, [16, 16, 1]);
    assert.equal(a.x.length, 400 * 256);
    assert.deepEqual(counts(a.y, 4), [100, 100, 100, 100]);
    assert.ok(a.x.every((v) => v >= 0 && v <= 255 && Number.isInteger(v)));
    // each image holds a shape: some bright pixels
    for (let i = 0; i < 400; i++) assert.ok(Math.max(...a.x.subarray(i * 256, i * 256 + 256)) > 120, `image ${i} is blank`);
    const small = shapes({ samples: 30, seed: 1, classes: 2, imageSize: 8, noise: 0 });
    assert.deepEqual(small.inputShape, [8, 8, 1]);
    assert.deepEqual(small.classNames, ['square', 'disc']);
    throwsData(() => shapes({ samples: 10, seed: 1, classes: 5 }), /at most 4|2 to 4/);
  });

  it('shapes: the classes differ in shape, not just brightness', () => {
    // without noise, the mean fraction of lit pixels within the bounding box differs by class
    const g = shapes({ samples: 400, seed: 2, noise: 0 });
    const fill = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      const img = g.x.subarray(i * 256, i * 256 + 256);
      const hi = Math.max(...img);
      let minR = 16,
        maxR = -1,
        minC = 16,
        maxC = -1,
        lit = 0;
      img.forEach((v, p) => {
        if (v === hi) {
          lit++;
          minR = Math.min(minR, Math.floor(p / 16));
          maxR = Math.max(maxR, Math.floor(p / 16));
          minC = Math.min(minC, p % 16);
          maxC = Math.max(maxC, p % 16);
        }
      });
      fill[g.y[i]] += lit / ((maxR - minR + 1) * (maxC - minC + 1)) / 100;
    }
    assert.ok(fill[0] > 0.99, `squares fill their box: ${fill}`);
    assert.ok(fill[1] > 0.7 && fill[1] < 0.9, `discs fill about pi/4: ${fill}`);
    assert.ok(fill[2] < 0.6 && fill[3] < 0.65, `plus and triangle fill less: ${fill}`);
  });

  it('blobs: deterministic, balanced, and the classes are separated', () => {
    const a = blobs({ samples: 600, seed: 9 });
    assert.deepEqual(a.x, blobs({ samples: 600, seed: 9 }).x);
    assert.notDeepEqual(a.x, blobs({ samples: 600, seed: 10 }).x);
    assert.deepEqual(a.inputShape, [8]);
    assert.deepEqual(counts(a.y, 3), [200, 200, 200]);
    // nearest class mean classifies clearly better than chance, worse than perfectly (not trivial)
    const d = 8;
    const means = [0, 1, 2].map((k) => {
      const m = new Float64Array(d);
      for (let i = 0; i < 600; i++) if (a.y[i] === k) for (let j = 0; j < d; j++) m[j] += a.x[i * d + j] / 200;
      return m;
    });
    let right = 0;
    for (let i = 0; i < 600; i++) {
      const dist = means.map((m) => m.reduce((s, v, j) => s + (a.x[i * d + j] - v) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === a.y[i]) right++;
    }
    assert.ok(right / 600 > 0.55 && right / 600 < 0.995, `nearest-mean accuracy ${right / 600}`);
    const r = blobs({ samples: 50, seed: 1, features: 3, regression: true });
    assert.equal(r.classes, 1);
    assert.ok(r.y instanceof Float32Array && r.y.length === 50);
  });
});

describe('subset, split and normalisation', () => {
  const synth = { source: 'synthetic', generator: 'blobs', samples: 500, features: 4 } as Dataset;

  it('splits deterministically from the seed into disjoint, complete, stratified parts', () => {
    const a = loadDataset(synth, undefined, dir, 7);
    const b = loadDataset(synth, undefined, dir, 7);
    const c = loadDataset(synth, undefined, dir, 8);
    assert.deepEqual([a.train, a.val], [b.train, b.val]);
    assert.notDeepEqual(a.val, c.val);
    const raw = { ...synth, normalize: 'none' } as Dataset;
    assert.deepEqual(loadDataset(raw, undefined, dir, 7).x, loadDataset(raw, undefined, dir, 8).x, 'the data itself comes from the dataset seed');
    assert.equal(a.val.length, 100);
    const all = [...a.train, ...a.val].sort((p, q) => p - q);
    assert.deepEqual(
      all,
      Array.from({ length: 500 }, (_, i) => i),
    );
    const valCounts = counts(
      Array.from(a.val, (i) => a.y[i]),
      3,
    );
    const total = counts(a.y, 3);
    valCounts.forEach((v, k) => assert.ok(Math.abs(v - total[k] * 0.2) <= 1, `class ${k}: ${v} of ${total[k]}`));
    const none = loadDataset({ ...synth, validationSplit: 0 } as Dataset, undefined, dir, 7);
    assert.deepEqual([none.train.length, none.val.length], [500, 0]);
    const { train, val } = splitIndices(new Float32Array(10), 0, 0.3, 1);
    assert.deepEqual([train.length, val.length], [7, 3]);
  });

  it('standardises with training statistics only', () => {
    const raw = blobs({ samples: 500, features: 4, seed: 1 });
    const d = loadDataset(synth, undefined, dir, 7);
    for (let j = 0; j < 4; j++) {
      const stats = (idx: Int32Array, x: Float32Array) => {
        let s = 0,
          q = 0;
        for (const i of idx) {
          s += x[i * 4 + j];
          q += x[i * 4 + j] ** 2;
        }
        const m = s / idx.length;
        return { mean: m, sd: Math.sqrt(q / idx.length - m * m) };
      };
      const t = stats(d.train, d.x);
      assert.ok(Math.abs(t.mean) < 1e-4 && Math.abs(t.sd - 1) < 1e-3, `feature ${j} on train: ${JSON.stringify(t)}`);
      // the same affine map applies to validation samples: recover it from two train samples
      const raw0 = stats(d.train, raw.x);
      for (const i of d.val.slice(0, 5)) {
        assert.ok(Math.abs(d.x[i * 4 + j] - (raw.x[i * 4 + j] - raw0.mean) / raw0.sd) < 1e-3);
      }
      const v = stats(d.val, d.x);
      assert.ok(Math.abs(v.mean) > 1e-6, 'validation statistics are not used');
    }
    const none = loadDataset({ ...synth, normalize: 'none' } as Dataset, undefined, dir, 7);
    assert.deepEqual(none.x, raw.x);
    const scaled = loadDataset({ ...synth, normalize: 'scale' } as Dataset, undefined, dir, 7);
    assert.ok(scaled.x.every((v) => Math.abs(v) <= 1.5) && Array.from(d.train).some((i) => Math.abs(scaled.x[i * 4]) > 0.999));
  });

  it('subsets with a seeded shuffle', () => {
    const full = loadDataset({ ...synth, normalize: 'none' } as Dataset, undefined, dir, 7);
    const a = loadDataset({ ...synth, normalize: 'none', subset: 50 } as Dataset, undefined, dir, 7);
    const b = loadDataset({ ...synth, normalize: 'none', subset: 50 } as Dataset, undefined, dir, 7);
    const c = loadDataset({ ...synth, normalize: 'none', subset: 50 } as Dataset, undefined, dir, 8);
    assert.equal(a.count, 50);
    assert.equal(a.x.length, 200);
    assert.deepEqual(a.x, b.x);
    assert.notDeepEqual(a.x, c.x);
    assert.equal(a.train.length + a.val.length, 50);
    // every kept sample is one of the originals, with its label
    const key = (x: Float32Array, i: number) => Array.from(x.subarray(i * 4, i * 4 + 4)).join();
    const orig = new Map(Array.from({ length: 500 }, (_, i) => [key(full.x, i), full.y[i]]));
    for (let i = 0; i < 50; i++) assert.equal(orig.get(key(a.x, i)), a.y[i]);
    assert.equal(loadDataset({ ...synth, subset: 5000 } as Dataset, undefined, dir, 7).count, 500);
  });

  it('scales synthetic images by 255 and reports task mismatches', () => {
    const d = loadDataset({ source: 'synthetic', samples: 40 } as Dataset, undefined, dir, 1);
    assert.deepEqual([d.inputShape, d.classes, d.task], [[16, 16, 1], 4, 'classification']);
    assert.ok(d.x.every((v) => v >= 0 && v <= 1));
    assert.deepEqual(probeDataset({ source: 'synthetic', samples: 40 } as Dataset, { classes: 3 } as Task, dir), {
      inputShape: [16, 16, 1],
      classes: 3,
      samples: 40,
    });
    throwsData(() => loadDataset({ source: 'synthetic', classes: 4 } as Dataset, { classes: 3 }, dir, 1), /task\.classes is 3/);
    throwsData(() => probeDataset({ source: 'synthetic' } as Dataset, { type: 'regression' }, dir), /shapes generator makes classification data/);
    throwsData(() => loadDataset({ ...synth, validationSplit: 0.999 } as Dataset, undefined, dir, 1), /leaves no training samples/);
  });
});
