// Checks of the `search` section beyond the schema: strategy settings that do nothing, pruners that cannot prune,
// objectives that contradict each other or the task. Called from check.ts's checkStrategy.
import type { Diagnostic } from '../shared/diagnostic';
import type { NasSpec } from '../shared/spec';
import { PRUNER_DEFAULTS, TPE_DEFAULTS } from './defaults';
import type { ParsedDoc } from './json';
import { defaultMetric, isTrainingMetric, objectiveDirection } from './objectives';
import { maxEpochsOf } from './pruners';
import { hyperbandBrackets } from './pruners/hyperband';
import { dartsDiagnostics } from './strategies/dartsCheck';
import { scaledStartup } from './strategies/tpe';
import { toDiag } from './semantic';

export function searchDiagnostics(doc: ParsedDoc, spec: NasSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const search = spec.search ?? {};
  const strategy = search.strategy ?? 'random';
  const warn = (at: (string | number)[], message: string, severity: 'warning' | 'error' = 'warning', atKey = false) =>
    out.push(
      toDiag(doc, { severity, code: 'strategy', path: at.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join(''), at, atKey, message }),
    );

  // Settings of a strategy the search does not use.
  for (const key of ['evolution', 'tpe', 'reinforce', 'darts'] as const) {
    if (search[key] !== undefined && strategy !== key) warn(['search', key], `search.${key} is ignored: the strategy is ${strategy}`, 'warning', true);
  }
  if (strategy === 'tpe') {
    const trials = search.budget?.trials;
    // Under a time budget the start-up scales to the trials the run holds, which budget.trials caps.
    const scaled = search.tpe?.startupTrials === undefined && search.budget?.minutes !== undefined && trials !== undefined;
    const startup = scaled ? scaledStartup(trials, TPE_DEFAULTS.startupTrials) : (search.tpe?.startupTrials ?? TPE_DEFAULTS.startupTrials);
    if (trials !== undefined && startup >= trials)
      warn(
        ['search', 'tpe', 'startupTrials'],
        `all ${trials} trials are random start-up trials (startupTrials ${startup}): TPE never uses its model; lower startupTrials or raise the budget`,
      );
  }

  if (strategy === 'darts') out.push(...dartsDiagnostics(doc, spec));

  // Pruners.
  const pruner = search.pruner ?? {};
  const type = pruner.type ?? PRUNER_DEFAULTS.type;
  const multiFidelity = type === 'asha' || type === 'hyperband';
  if (multiFidelity) {
    const maxEpochs = maxEpochsOf(spec);
    const minEpochs = pruner.minEpochs ?? PRUNER_DEFAULTS.minEpochs;
    const eta = pruner.reductionFactor ?? PRUNER_DEFAULTS.reductionFactor;
    if (minEpochs >= maxEpochs) {
      warn(
        ['search', 'pruner', pruner.minEpochs !== undefined ? 'minEpochs' : 'type'],
        `the first rung (${minEpochs} epoch${minEpochs === 1 ? '' : 's'}) is already the full training (${maxEpochs}): ${type} never stops a trial early`,
      );
    } else if (type === 'hyperband' && hyperbandBrackets(minEpochs, eta, maxEpochs).length === 1) {
      warn(
        ['search', 'pruner', 'type'],
        `with ${maxEpochs} epochs, minEpochs ${minEpochs} and reductionFactor ${eta} there is only one bracket: hyperband is asha here`,
      );
    }
  }
  for (const key of ['warmupEpochs', 'minTrials'] as const) {
    if (pruner[key] !== undefined && type !== 'median') warn(['search', 'pruner', key], `${key} is only used by the median pruner`, 'warning', true);
  }
  for (const key of ['minEpochs', 'reductionFactor'] as const) {
    if (pruner[key] !== undefined && !multiFidelity) warn(['search', 'pruner', key], `${key} is only used by the asha and hyperband pruners`, 'warning', true);
  }

  // Objectives.
  const objectives = search.objectives;
  if (objectives?.length) {
    if (search.objective !== undefined) warn(['search', 'objective'], 'use either `objective` or `objectives`, not both', 'error', true);
    const seen = new Set<string>();
    const split = (spec.dataset as { validationSplit?: number } | null | undefined)?.validationSplit;
    objectives.forEach((o, i) => {
      const at = ['search', 'objectives', i, 'metric'];
      if (seen.has(o.metric)) warn(at, `${o.metric} is listed twice`, 'error');
      seen.add(o.metric);
      if (spec.task?.type === 'regression' && o.metric.endsWith('accuracy'))
        warn(at, `${o.metric} is not defined for regression: use val_loss or loss`, 'error');
      if (split === 0 && o.metric.startsWith('val_')) warn(at, `validationSplit 0 leaves no validation data for ${o.metric}`, 'error');
      if (o.direction && o.direction !== objectiveDirection(o.metric))
        warn(['search', 'objectives', i, 'direction'], `${o.direction} ${o.metric} looks for the worst networks`);
    });
    if (!objectives.some((o) => isTrainingMetric(o.metric))) {
      warn(
        ['search', 'objectives'],
        `no training metric among the objectives: pruning and each trial's best epoch use ${defaultMetric(spec)}`,
        'warning',
        true,
      );
    }
    if (objectives.length > 1 && strategy === 'reinforce') {
      const primary = objectives.find((o) => isTrainingMetric(o.metric))?.metric ?? defaultMetric(spec);
      warn(['search', 'strategy'], `reinforce optimises one objective (${primary}); the others only shape the Pareto front in the results`);
    }
  }
  return out;
}
