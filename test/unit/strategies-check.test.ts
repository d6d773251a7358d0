// The checker's view of the `search` section: strategies, pruners and objectives, with exact positions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../src/core/check';

function spec(search: object, training: object = { epochs: 9 }, extra: object = {}): string {
  return JSON.stringify(
    {
      dataset: { source: 'synthetic', generator: 'blobs', samples: 200, features: 4, classes: 3 },
      architecture: {
        type: 'sequential',
        layers: [
          { type: 'dense', units: { choice: [4, 8] } },
          { type: 'dropout', rate: { float: [0, 0.5] } },
        ],
      },
      training,
      search,
      ...extra,
    },
    null,
    2,
  );
}

function diags(text: string) {
  return checkText(text, { probeData: false }).diagnostics.map((d) => ({ severity: d.severity, path: d.path, message: d.message, line: d.range.start.line }));
}

function find(text: string, path: string) {
  return diags(text).filter((d) => d.path === path);
}

describe('checker: strategies', () => {
  it('accepts every strategy, pruner and objective the schema lists', () => {
    for (const strategy of ['random', 'evolution', 'tpe', 'reinforce']) {
      for (const type of ['none', 'median', 'asha', 'hyperband']) {
        const pruner = type === 'median' ? { type } : type === 'none' ? { type } : { type, minEpochs: 1, reductionFactor: 3 };
        const d = diags(spec({ strategy, pruner, budget: { trials: 30 } }));
        assert.deepEqual(
          d.filter((x) => x.severity === 'error'),
          [],
          `${strategy} + ${type}`,
        );
      }
    }
    const ok = diags(
      spec({
        strategy: 'evolution',
        objectives: [{ metric: 'val_accuracy' }, { metric: 'params' }, { metric: 'latency' }],
        evolution: { inheritWeights: true },
      }),
    );
    assert.deepEqual(ok, []);
  });

  it('reports grid search over a continuous range, at the range', () => {
    const text = spec({ strategy: 'grid' });
    const d = find(text, 'architecture.layers[1].rate');
    assert.equal(d.length, 1);
    assert.match(d[0].message, /add a "step"/);
  });

  it('warns about settings of another strategy, and a TPE that never leaves its start-up', () => {
    const text = spec({ strategy: 'random', tpe: { startupTrials: 5 }, evolution: { inheritWeights: true } });
    assert.match(find(text, 'search.tpe')[0].message, /ignored: the strategy is random/);
    assert.match(find(text, 'search.evolution')[0].message, /ignored/);
    const tpe = spec({ strategy: 'tpe', budget: { trials: 8 } });
    assert.match(
      find(tpe, 'search.tpe.startupTrials')[0]?.message ??
        find(tpe, 'search.tpe')[0]?.message ??
        diags(tpe)
          .map((d) => d.message)
          .join('|'),
      /random start-up/,
    );
    // Under a time budget the start-up scales to the trials the run holds: 8 trials leave TPE 4 of its own;
    // an explicit startupTrials still warns, and 4 trials are all start-up.
    assert.deepEqual(diags(spec({ strategy: 'tpe', budget: { trials: 8, minutes: 10 } })), []);
    assert.match(
      find(spec({ strategy: 'tpe', tpe: { startupTrials: 10 }, budget: { trials: 8, minutes: 10 } }), 'search.tpe.startupTrials')[0].message,
      /random start-up/,
    );
    assert.match(find(spec({ strategy: 'tpe', budget: { trials: 4, minutes: 10 } }), 'search.tpe.startupTrials')[0].message, /all 4 trials/);
  });
});

describe('checker: pruners', () => {
  it('warns when ASHA cannot stop anything early, and when Hyperband has one bracket', () => {
    const full = spec({ pruner: { type: 'asha', minEpochs: 9 } });
    assert.match(find(full, 'search.pruner.minEpochs')[0].message, /never stops a trial early/);
    const one = spec({ pruner: { type: 'hyperband', minEpochs: 2, reductionFactor: 3 } }, { epochs: 4 });
    assert.match(find(one, 'search.pruner.type')[0].message, /only one bracket/);
    assert.deepEqual(diags(spec({ pruner: { type: 'hyperband' } }, { epochs: 27 })), []);
    // A searched epoch count: the largest value is the full budget.
    assert.deepEqual(diags(spec({ pruner: { type: 'asha', minEpochs: 3 } }, { epochs: { int: [2, 12] } })), []);
  });

  it('warns about settings another pruner uses', () => {
    const text = spec({ pruner: { type: 'asha', warmupEpochs: 2 } });
    assert.match(find(text, 'search.pruner.warmupEpochs')[0].message, /only used by the median pruner/);
    const med = spec({ pruner: { type: 'median', reductionFactor: 2 } });
    assert.match(find(med, 'search.pruner.reductionFactor')[0].message, /asha and hyperband/);
  });

  it('rejects an unknown pruner through the schema, with the choices', () => {
    const d = diags(spec({ pruner: { type: 'sha' } }));
    assert.ok(
      d.some((x) => x.severity === 'error' && x.path === 'search.pruner.type'),
      JSON.stringify(d),
    );
  });
});

describe('checker: objectives', () => {
  it('rejects objective and objectives together, duplicates, and accuracy for regression', () => {
    const both = spec({ objective: { metric: 'val_loss' }, objectives: [{ metric: 'val_accuracy' }] });
    assert.match(find(both, 'search.objective')[0].message, /either/);
    const dup = spec({ objectives: [{ metric: 'params' }, { metric: 'val_accuracy' }, { metric: 'params' }] });
    assert.match(find(dup, 'search.objectives[2].metric')[0].message, /twice/);
    const reg = JSON.stringify({
      dataset: { source: 'synthetic', generator: 'blobs', samples: 100 },
      task: { type: 'regression' },
      architecture: { type: 'sequential', layers: [{ type: 'dense', units: 4 }] },
      search: { objectives: [{ metric: 'val_loss' }, { metric: 'accuracy' }] },
    });
    assert.match(find(reg, 'search.objectives[1].metric')[0].message, /not defined for regression/);
    // A regression spec with no objective at all is fine: it is ranked by val_loss.
    const plain = JSON.stringify({
      dataset: { source: 'synthetic', generator: 'blobs', samples: 100 },
      task: { type: 'regression' },
      architecture: { type: 'sequential', layers: [{ type: 'dense', units: 4 }] },
    });
    assert.deepEqual(
      diags(plain).filter((d) => d.severity === 'error'),
      [],
    );
  });

  it('warns about upside-down directions, no training metric, and REINFORCE with several objectives', () => {
    const text = spec({ strategy: 'reinforce', objectives: [{ metric: 'params', direction: 'maximize' }, { metric: 'latency' }] });
    assert.match(find(text, 'search.objectives[0].direction')[0].message, /worst networks/);
    assert.match(find(text, 'search.objectives')[0].message, /no training metric/);
    assert.match(find(text, 'search.strategy')[0].message, /reinforce optimises one objective/);
  });
});
