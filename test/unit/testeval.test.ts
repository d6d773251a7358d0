// How the end-of-run test scoring spreads the kept trials over the workers (testeval.ts), with links that answer
// when the test says so: every idle worker scores at once (none idles while another has two queued), the jobs
// that would leave workers idle at the end are scored in parts on several, a worker that dies loses only the job
// it held, and a job nobody could take comes back for the resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluateRequest, ModelArtifactsMessage, ToWorker } from '../../src/shared/protocol';
import type { WorkerLink } from '../../src/engine/transport';
import { combineParts, partsPerJob, TestEvaluations, type EvalJob } from '../../src/engine/testeval';

const weights: ModelArtifactsMessage = { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) };
const job = (trial: number): EvalJob => ({ trial, batchSize: 32, weights });

class Link implements WorkerLink {
  ready = true;
  exited = false;
  readonly asked: number[] = [];
  readonly parts: string[] = [];
  constructor(readonly id: number) {}
  send(m: ToWorker): void {
    if (m.method !== 'evaluate') return;
    const p = (m as EvaluateRequest).params;
    this.asked.push(p.trial);
    this.parts.push(p.part ? `${p.trial}:${p.part.index}/${p.part.of}` : `${p.trial}`);
  }
  kill(): void {}
  close(): void {}
}

/** Lets pending promise callbacks run (the scheduler sends the next job after an answer's await). */
const settle = () => new Promise((r) => setImmediate(r));

test('every idle worker scores at once: with 3 jobs on 2 workers, in halves, both start before any answer', async () => {
  const t = new TestEvaluations();
  const a = new Link(1);
  const b = new Link(2);
  const scored: { trial: number; samples: number; accuracy?: number }[] = [];
  const done = t.run([a, b], [job(7), job(3), job(9)], (r) => scored.push(r));
  await settle();
  assert.deepEqual([a.parts, b.parts], [['7:0/2'], ['7:1/2']], 'each worker holds a part; none waits behind the other');
  // The one that answers first takes the next part in the queue.
  t.onEvaluation(b, { trial: 7, samples: 5, accuracy: 0.4, loss: 2 });
  await settle();
  assert.deepEqual([a.parts, b.parts], [['7:0/2'], ['7:1/2', '3:0/2']]);
  assert.equal(scored.length, 0, 'half a job is not a score');
  t.onEvaluation(a, { trial: 7, samples: 5, accuracy: 0.8, loss: 1 });
  await settle();
  assert.deepEqual(a.parts, ['7:0/2', '3:1/2']);
  for (const [w, next] of [
    [a, '9:0/2'],
    [b, '9:1/2'],
  ] as const) {
    t.onEvaluation(w, { trial: 3, samples: 5, accuracy: 1, loss: 0.5 });
    await settle();
    assert.equal(w.parts.at(-1), next);
  }
  t.onEvaluation(a, { trial: 9, samples: 5, accuracy: 0.2, loss: 1 });
  t.onEvaluation(b, { trial: 9, samples: 5, accuracy: 0.2, loss: 1 });
  assert.deepEqual(await done, []);
  assert.deepEqual(scored, [
    { trial: 7, samples: 10, accuracy: 0.6, loss: 1.5 },
    { trial: 3, samples: 10, accuracy: 1, loss: 0.5 },
    { trial: 9, samples: 10, accuracy: 0.2, loss: 1 },
  ]);
});

test('parts per job: the fewest equal parts that give every worker the same share', () => {
  assert.deepEqual(partsPerJob(4, 2), [1, 1, 1, 1]);
  assert.deepEqual(partsPerJob(5, 2), [2, 2, 2, 2, 2]);
  assert.deepEqual(partsPerJob(1, 4), [4]);
  assert.deepEqual(partsPerJob(6, 8), [4, 4, 4, 4, 4, 4]);
  assert.deepEqual(partsPerJob(5, 8), Array(5).fill(8));
  assert.deepEqual(partsPerJob(3, 1), [1, 1, 1]);
  assert.deepEqual(partsPerJob(0, 2), []);
  // Every worker gets the same number of parts: the total divides evenly.
  for (const [j, w] of [
    [5, 2],
    [6, 8],
    [7, 3],
    [1, 1],
  ])
    assert.equal(partsPerJob(j, w).reduce((s, p) => s + p, 0) % w, 0, `${j} jobs on ${w} workers`);
});

test("parts' scores combine by samples: hits counted exactly, an error wins", () => {
  const parts = [
    { trial: 1, samples: 3333, accuracy: Math.fround(2001 / 3333), loss: 0.5 },
    { trial: 1, samples: 3334, accuracy: Math.fround(1999 / 3334), loss: 0.7 },
    { trial: 1, samples: 3333, accuracy: Math.fround(3000 / 3333), loss: 0.3 },
  ];
  const r = combineParts(parts);
  assert.equal(r.accuracy, 7000 / 10000);
  assert.ok(Math.abs(r.loss! - (0.5 * 3333 + 0.7 * 3334 + 0.3 * 3333) / 10000) < 1e-12);
  assert.deepEqual(combineParts([parts[0], { trial: 1, samples: 0, error: 'out of memory' }]), { trial: 1, samples: 3333, error: 'out of memory' });
  // An empty part (a test set smaller than the parts) has no score and weighs nothing.
  assert.deepEqual(
    combineParts([
      { trial: 2, samples: 0 },
      { trial: 2, samples: 1, accuracy: 1, loss: 0.25 },
    ]),
    { trial: 2, samples: 1, accuracy: 1, loss: 0.25 },
  );
  assert.deepEqual(
    combineParts([
      { trial: 3, samples: 0 },
      { trial: 3, samples: 0 },
    ]),
    { trial: 3, samples: 0 },
  );
});

test('a lost part loses its job whole: no score from the other half, and the job comes back for the resume', async () => {
  const t = new TestEvaluations();
  const a = new Link(1);
  const b = new Link(2);
  const scored: number[] = [];
  const done = t.run([a, b], [job(4)], (r) => scored.push(r.trial));
  await settle();
  assert.deepEqual([a.parts, b.parts], [['4:0/2'], ['4:1/2']]);
  t.onEvaluation(a, { trial: 4, samples: 5, accuracy: 1, loss: 0 });
  b.exited = true;
  t.onExit(b);
  assert.deepEqual(
    (await done).map((j) => j.trial),
    [4],
  );
  assert.deepEqual(scored, []);
});

test('a worker that dies loses only its current job; the queue goes to the others', async () => {
  const t = new TestEvaluations();
  const a = new Link(1);
  const b = new Link(2);
  const scored: number[] = [];
  const done = t.run([a, b], [job(1), job(2), job(3), job(4)], (r) => scored.push(r.trial));
  await settle();
  a.exited = true;
  t.onExit(a);
  await settle();
  for (const trial of [2, 3, 4]) {
    assert.equal(b.asked[b.asked.length - 1], trial);
    t.onEvaluation(b, { trial, samples: 10, loss: 1 });
    await settle();
  }
  assert.deepEqual(
    (await done).map((j) => j.trial),
    [1],
    'only the dead worker job is lost',
  );
  assert.deepEqual(scored, [2, 3, 4]);
});
