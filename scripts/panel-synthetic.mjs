// A made-up run journal of any size, for looking at (and timing) the results panel with thousands of trials
// without training them. Deterministic: the same N gives the same events.
export function synthesize(n, { parallel = 8, seed = 7 } = {}) {
  let s = seed;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const t0 = Date.parse('2026-01-01T10:00:00Z');
  const iso = (ms) => new Date(ms).toISOString();
  const events = [
    {
      type: 'run-started',
      time: iso(t0),
      runId: 'synthetic',
      name: `synthetic: ${n} trials`,
      specHash: '0',
      specFile: '/tmp/synthetic.nas.json',
      backend: 'wasm',
      strategy: 'random',
      objective: { metric: 'val_accuracy', direction: 'maximize' },
      budget: { trials: n },
      parallel,
      resumed: false,
      inputShape: [16, 16, 1],
      outputs: 4,
    },
  ];
  const free = Array.from({ length: parallel }, () => t0);
  const timed = [];
  for (let trial = 0; trial < n; trial++) {
    const w = free.indexOf(Math.min(...free));
    const start = free[w];
    const repeat = pick([0, 1, 2]);
    const units = pick([32, 64, 128]);
    const dropout = rand() < 0.5;
    const lr = 10 ** (-4 + 2 * rand());
    const optimizer = pick(['adam', 'sgd', 'rmsprop']);
    const layers = [];
    for (let r = 0; r < repeat; r++) {
      layers.push({
        type: 'conv2d',
        source: `architecture.layers[0].repeat[${r}]`,
        filters: 8 * (r + 1),
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        activation: 'relu',
      });
      layers.push({ type: 'maxPooling2d', source: `architecture.layers[0].repeat[${r}]`, poolSize: 2, strides: 2, padding: 'valid' });
    }
    layers.push({ type: 'flatten', source: 'architecture.layers[1]' }, { type: 'dense', source: 'architecture.layers[2]', units, activation: 'relu' });
    if (dropout) layers.push({ type: 'dropout', source: 'architecture.layers[3]', rate: 0.25 });
    const params = {
      'architecture.layers[0].repeat': repeat,
      'architecture.layers[2].units': units,
      'architecture.layers[3].optional': dropout,
      'training.learningRate': lr,
      'training.optimizer': optimizer,
    };
    const config = { arch: { kind: 'sequential', layers }, training: { optimizer, learningRate: lr, batchSize: 64, epochs: 4 }, params };
    const quality =
      0.35 + 0.2 * repeat + 0.05 * Math.log2(units / 32) - 0.08 * Math.abs(Math.log10(lr) + 2.7) + (optimizer === 'sgd' ? -0.1 : 0) + 0.08 * (rand() - 0.5);
    const final = Math.max(0.2, Math.min(0.99, quality));
    const fate = rand();
    const epochs = fate < 0.1 ? 2 : 4;
    const epochMs = 400 + 1500 * rand() * (1 + repeat);
    const ev = [{ type: 'trial-started', time: start, trial, attempt: 1, worker: w, config }];
    if (fate > 0.98) {
      ev.push({
        type: 'trial-failed',
        time: start + 300,
        trial,
        error: 'worker 3 exited with code 134: out of memory while allocating a 64 MiB tensor',
        durationMs: 300,
        retry: false,
      });
      free[w] = start + 300;
    } else {
      let best = 0;
      for (let e = 0; e < epochs; e++) {
        const v = final * (1 - 0.5 * Math.exp(-1.3 * (e + 1))) + 0.02 * (rand() - 0.5);
        best = Math.max(best, v);
        ev.push({
          type: 'epoch',
          time: start + (e + 1) * epochMs,
          trial,
          epoch: e,
          metrics: { loss: 1.4 - v, val_loss: 1.45 - v, accuracy: v + 0.02, val_accuracy: v },
        });
      }
      const end = start + epochs * epochMs + 50;
      const weights = 1000 + units * ((16 * 16) / 4 ** repeat) * Math.max(1, 8 * repeat) + units * 4;
      if (epochs === 2)
        ev.push({
          type: 'trial-pruned',
          time: end,
          trial,
          epoch: 1,
          value: best,
          reason: 'median pruner: below the median of trials at epoch 2',
          params: Math.round(weights),
          durationMs: end - start,
        });
      else
        ev.push({
          type: 'trial-completed',
          time: end,
          trial,
          value: best,
          bestEpoch: 3,
          metrics: ev[ev.length - 1].metrics,
          epochs,
          params: Math.round(weights),
          durationMs: end - start,
          stopReason: 'epochs',
        });
      free[w] = end;
    }
    timed.push(...ev);
  }
  timed.sort((a, b) => a.time - b.time || a.trial - b.trial);
  for (const e of timed) events.push({ ...e, time: iso(e.time) });
  const last = Date.parse(events[events.length - 1].time);
  events.push({ type: 'run-finished', time: iso(last + 10), reason: 'budget' });
  return events;
}
