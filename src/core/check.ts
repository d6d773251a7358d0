// The checker shared by the CLI, the engine and the editor: syntax, schema, parameter bounds, strategy fit,
// data and shapes, all reported at once with exact ranges, plus a summary of the space.
import * as path from 'node:path';
import type { Diagnostic } from '../shared/diagnostic';
import type { NasSpec } from '../shared/spec';
import { analyzableSpec } from './analyzable';
import { analyze, type Analysis } from './analyze';
import { DataError } from './data/errors';
import { checkSize, FILE_LIMITS, type FileAccess, withFile } from './data/files';
import { probeDataset } from './data/dataset';
import { EVOLUTION_DEFAULTS, SEARCH_DEFAULTS } from './defaults';
import { formatInt } from '../shared/format';
import { capFindings, collapseRepeats } from './findingLimits';
import { parse, valueRange, keyRange, formatPath, type JsonPath, type ParsedDoc } from './json';
import { domainOf, isParam, numericExtremes } from './params';
import { validateSchema } from './schema';
import { checkParams, forEachParam, toDiag } from './semantic';
import { searchDiagnostics } from './checkSearch';
import { testSetDiagnostics } from './checkTestSet';
import { defaultMetric } from './objectives';
import { spaceSize, type SpaceSize } from './space';
import { dartsShapeDiagnostics, type SupernetEstimate } from './strategies/dartsCheck';
import { derivedSpec } from './strategies/dartsSpace';

export interface CheckOptions {
  /** Absolute path of the spec: dataset paths are relative to its folder. */
  file?: string;
  /** Read dataset headers to learn shapes (default true). The editor may turn it off for speed. */
  probeData?: boolean;
  /** Where the files a spec names may be read from: the editor confines an untrusted workspace to itself. */
  access?: FileAccess;
}

export interface Summary {
  size: SpaceSize;
  /** Parameters the search decides, counting each block repetition once. */
  parameters: number;
  inputShape?: number[];
  /** Text: the input holds token ids below this. */
  vocabulary?: number;
  outputs?: number;
  samples?: number;
  minParams?: number;
  maxParams?: number;
  minFlops?: number;
  maxFlops?: number;
  /** `darts`: the supernet that holds every candidate (its size, FLOPs and training memory). */
  supernet?: SupernetEstimate;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** The parsed spec when it has no errors (warnings allowed). */
  spec?: NasSpec;
  summary?: Summary;
  doc: ParsedDoc;
}

export function checkText(text: string, opts: CheckOptions = {}): CheckResult {
  const doc = parse(text);
  const diags: Diagnostic[] = [...doc.diagnostics];
  if (doc.value === undefined || diags.some((d) => d.code === 'syntax')) {
    if (doc.value === undefined && diags.length === 0)
      diags.push({ severity: 'error', code: 'syntax', message: 'the file is empty: a spec is a JSON object', path: '', range: valueRange(doc, []) });
    return { diagnostics: sortDiags(diags), doc };
  }
  const schemaDiags = validateSchema(doc);
  // A loop, not push(...): 300,000 findings (a choice listing values twice) overflowed the stack as arguments.
  for (const d of [schemaDiags, checkParams(doc)].flat()) diags.push(d);
  const spec = doc.value as NasSpec;
  const broken = (prefix: string) =>
    diags.some(
      (d) => d.severity === 'error' && (d.path === prefix || d.path.startsWith(prefix + '.') || d.path.startsWith(prefix + '[') || d.path === '(root)'),
    );
  let summary: Summary | undefined;
  const hasArchitecture = typeof spec === 'object' && !!spec && !!spec.architecture && typeof spec.architecture === 'object';
  if (hasArchitecture && !broken('architecture') && !broken('training') && !broken('search')) {
    // darts scales a cell space's channels and cells rather than searching them: they are not counted.
    const searched = spec.search?.strategy === 'darts' ? derivedSpec(spec) : spec;
    const size = spaceSize(searched);
    let parameters = 0;
    forEachParam({ architecture: searched.architecture, training: searched.training }, () => parameters++);
    summary = { size, parameters };
    diags.push(...checkStrategy(doc, spec, size));
  }
  // Data and shapes are checked despite errors elsewhere: one mistake must not hide another.
  // A misspelt "dataset" key is reported as unknown (with its suggestion), so check presence here too.
  const hasData = hasArchitecture && !!spec.dataset && typeof spec.dataset === 'object';
  const data = !hasData || broken('dataset') || broken('task') ? undefined : probe(doc, spec, opts, diags);
  if (data) {
    if (summary) Object.assign(summary, { inputShape: data.inputShape, outputs: data.outputs, samples: data.samples });
    if (summary && data.vocabulary !== undefined) summary.vocabulary = data.vocabulary;
    const backbone = (spec.training as { backbone?: { path?: unknown } } | undefined)?.backbone;
    if (backbone && typeof backbone.path === 'string') {
      // The head sees the backbone's features, whose shape a layers-model file does not record; checking the
      // head against the raw input would report errors that are not there.
      diags.push(...checkBackbone(doc, backbone.path, opts));
    } else {
      const target = analyzableSpec(spec, diags);
      if (target) {
        const a = analyze(target.spec, data.inputShape, data.outputs, { vocabulary: data.vocabulary });
        // A place that already has an error (its value is what is wrong) gets no second finding from shapes.
        const flagged = new Set(diags.filter((d) => d.severity === 'error').map((d) => d.path));
        diags.push(...analysisDiags(doc, a).filter((d) => !flagged.has(d.path)));
        if (summary && target.exact) Object.assign(summary, { minParams: a.minParams, maxParams: a.maxParams, minFlops: a.minFlops, maxFlops: a.maxFlops });
        if (spec.search?.strategy === 'darts' && summary && !broken('architecture')) {
          const d = dartsShapeDiagnostics(doc, spec, data.inputShape, data.outputs, { vocabulary: data.vocabulary });
          diags.push(...d.diagnostics);
          if (d.estimate) summary.supernet = d.estimate;
        }
      }
    }
    if (!broken('training')) checkTraining(doc, spec, data.samples, diags);
  }
  const sorted = sortDiags(diags);
  return { diagnostics: sorted, spec: sorted.some((d) => d.severity === 'error') ? undefined : spec, summary, doc };
}

/**
 * A value quoted in a message is cut when it is very long (a hostile spec's 100,000-character string): enough
 * to find it, not a copy of it in every diagnostic.
 */
function shortened(message: string): string {
  return message.length <= 1000 ? message : message.replace(/\S{200,}/g, (w) => `${w.slice(0, 60)}... (${w.length} characters)`).slice(0, 2000);
}

function sortDiags(all: Diagnostic[]): Diagnostic[] {
  const d = collapseRepeats(all);
  for (const x of d) {
    x.message = shortened(x.message);
    for (const r of x.related ?? []) r.message = shortened(r.message);
  }
  return capFindings(d.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character));
}

function analysisDiags(doc: ParsedDoc, a: Analysis): Diagnostic[] {
  const rangeOf = (path: JsonPath) => (path.at(-1) === 'type' ? valueRange(doc, path) : keyRange(doc, path));
  return a.problems.map((p) => ({
    severity: p.severity,
    code: p.code,
    message: p.message,
    path: formatPath(p.path),
    range: rangeOf(p.path),
    ...(p.cases ? { related: p.cases.map((c) => ({ message: c.message, path: formatPath(c.path), range: rangeOf(c.path) })) } : {}),
  }));
}

function probe(
  doc: ParsedDoc,
  spec: NasSpec,
  opts: CheckOptions,
  diags: Diagnostic[],
): { inputShape: number[]; outputs: number; samples?: number; vocabulary?: number } | undefined {
  const task = spec.task ?? {};
  const regression = task.type === 'regression';
  let inputShape = task.inputShape as number[] | undefined;
  let classes = task.classes;
  let samples: number | undefined;
  let vocabulary: number | undefined;
  const canRead = spec.dataset.source === 'synthetic' || opts.file !== undefined;
  if (opts.probeData !== false && canRead) {
    try {
      const baseDir = opts.file ? path.dirname(opts.file) : process.cwd();
      // probeDataset enforces a declared task.inputShape and task.classes against the data itself.
      // The data is checked despite errors elsewhere: a seed the schema rejected (an object) must not reach the split.
      const seed = typeof spec.search?.seed === 'number' ? spec.search.seed : SEARCH_DEFAULTS.seed;
      const found = probeDataset(spec.dataset, spec.task, baseDir, seed, opts.access);
      diags.push(...testSetDiagnostics(doc, spec, baseDir, found.inputShape, opts.access));
      samples = found.samples;
      vocabulary = found.vocabulary;
      inputShape = found.inputShape;
      if (!regression) classes = found.classes ?? classes;
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      const at = dataField(spec, err.message);
      diags.push({ severity: 'error', code: 'dataset', path: formatPath(at), range: valueRange(doc, at), message: err.message });
      return undefined;
    }
  }
  if (opts.probeData === false || !canRead) diags.push(...testSetDiagnostics(doc, spec, undefined, undefined));
  if (!inputShape) return undefined;
  if (!regression && classes === undefined) return undefined;
  return { inputShape, outputs: regression ? 1 : (classes as number), samples, vocabulary };
}

/** The dataset field a data error is about, so the underline lands on the file name that is wrong. */
function dataField(spec: NasSpec, message: string): JsonPath {
  for (const key of ['inputShape', 'classes']) if (message.includes(`task.${key}`) && spec.task?.[key as 'classes'] !== undefined) return ['task', key];
  const ds = spec.dataset as unknown as Record<string, unknown>;
  const columns = Array.isArray(ds.columns) ? (ds.columns as unknown[]) : [];
  const named = columns.findIndex((c) => message.includes(`"${String(c)}"`) || message.includes(`column ${String(c)} `));
  if (named >= 0) return ['dataset', 'columns', named];
  for (const key of ['text', 'label']) if (ds[key] !== undefined && message.includes(`"${String(ds[key])}"`)) return ['dataset', key];
  if (ds.window !== undefined && message.includes('list the feature columns')) return ['dataset', 'window'];
  for (const [key, words] of [
    ['window', 'one window'],
    ['maxLength', 'maxLength'],
    ['normalize', 'normalize'],
  ] as const) {
    if (ds[key] !== undefined && message.includes(words)) return ['dataset', key];
  }
  for (const key of ['labels', 'images', 'path']) {
    if (typeof ds[key] === 'string' && message.includes(String(ds[key]).replace(/^\.\//, ''))) return ['dataset', key];
  }
  for (const key of ['images', 'path', 'generator']) if (ds[key] !== undefined) return ['dataset', key];
  return ['dataset', 'source'];
}

function checkBackbone(doc: ParsedDoc, file: string, opts: CheckOptions): Diagnostic[] {
  const at = ['training', 'backbone', 'path'];
  const base = opts.file ? path.dirname(opts.file) : process.cwd();
  const abs = path.resolve(base, file);
  const modelJson = abs.endsWith('.json') ? abs : path.join(abs, 'model.json');
  const shown = path.relative(base, modelJson) || modelJson;
  try {
    // only opened: a regular file, allowed, of a plausible size; the worker reads it (and its weights) at the run
    withFile(modelJson, shown, opts.access, (f) => checkSize(f, FILE_LIMITS.modelJson, 'a model.json'));
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    const message = err.message.startsWith('file not found') ? `backbone model not found: ${shown}` : `backbone: ${err.message}`;
    return [{ severity: 'error', code: 'dataset', path: formatPath(at), range: valueRange(doc, at), message }];
  }
  return [
    {
      severity: 'info',
      code: 'shape',
      path: formatPath(at),
      range: valueRange(doc, at),
      message: "shape and size checks of the head are skipped: its input is the backbone's output",
    },
  ];
}

function checkStrategy(doc: ParsedDoc, spec: NasSpec, size: SpaceSize): Diagnostic[] {
  const out: Diagnostic[] = [];
  const search = spec.search ?? {};
  const strategy = search.strategy ?? 'random';
  if (strategy === 'grid') {
    forEachParam({ architecture: spec.architecture, training: spec.training }, (p, at) => {
      if (isParam(p) && domainOf(p).kind === 'float' && (p as { step?: number }).step === undefined) {
        out.push(
          toDiag(doc, {
            severity: 'error',
            code: 'strategy',
            path: formatPath(at),
            at: [...at, 'float'],
            message: 'grid search cannot enumerate a continuous range: add a "step" or list values with "choice"',
          }),
        );
      }
    });
    const trials = search.budget?.trials;
    if (size.continuous.length === 0 && trials !== undefined && BigInt(trials) < size.configurations) {
      out.push(
        toDiag(doc, {
          severity: 'warning',
          code: 'strategy',
          path: 'search.budget.trials',
          at: ['search', 'budget', 'trials'],
          message: `grid search covers only ${formatInt(trials)} of the ${formatInt(size.configurations)} configurations, in a fixed order: the rest are never tried`,
        }),
      );
    }
  }
  if (strategy === 'evolution') {
    const pop = search.evolution?.population ?? EVOLUTION_DEFAULTS.population;
    const s = search.evolution?.sampleSize ?? EVOLUTION_DEFAULTS.sampleSize;
    if (s > pop)
      out.push(
        toDiag(doc, {
          severity: 'error',
          code: 'strategy',
          path: 'search.evolution.sampleSize',
          at: ['search', 'evolution', 'sampleSize'],
          message: `the tournament size ${s} exceeds the population ${pop}`,
        }),
      );
  }
  out.push(...searchDiagnostics(doc, spec));
  // With `objectives`, searchDiagnostics checks each of them instead.
  const metric = search.objectives?.length ? undefined : (search.objective?.metric ?? defaultMetric(spec));
  if (metric === undefined) return out;
  if (spec.task?.type === 'regression' && metric.endsWith('accuracy')) {
    out.push(
      toDiag(doc, {
        severity: 'error',
        code: 'strategy',
        path: 'search.objective.metric',
        at: ['search', 'objective', 'metric'],
        message: `${metric} is not defined for regression: use val_loss or loss`,
      }),
    );
  }
  const split = (spec.dataset as { validationSplit?: number } | null | undefined)?.validationSplit;
  if (split === 0 && metric.startsWith('val_')) {
    out.push(
      toDiag(doc, {
        severity: 'error',
        code: 'dataset',
        path: 'dataset.validationSplit',
        at: ['dataset', 'validationSplit'],
        message: `validationSplit 0 leaves no validation data, but the objective is ${metric}`,
      }),
    );
  }
  const direction = search.objective?.direction;
  if (direction && direction !== (metric.endsWith('loss') ? 'minimize' : 'maximize')) {
    out.push(
      toDiag(doc, {
        severity: 'warning',
        code: 'strategy',
        path: 'search.objective.direction',
        at: ['search', 'objective', 'direction'],
        message: `${direction} ${metric} looks for the worst networks`,
      }),
    );
  }
  return out;
}

function checkTraining(doc: ParsedDoc, spec: NasSpec, samples: number | undefined, diags: Diagnostic[]) {
  if (samples === undefined) return;
  const t = spec.training ?? {};
  const ds = spec.dataset as { validationSplit?: number; subset?: number; test?: { fraction?: number } };
  const train = Math.floor(Math.min(samples, ds.subset ?? samples) * (1 - (ds.validationSplit ?? 0.2) - (ds.test?.fraction ?? 0)));
  const batches = isParam(t.batchSize) ? domainOf(t.batchSize) : undefined;
  const maxBatch =
    typeof t.batchSize === 'number' ? t.batchSize : batches?.kind === 'int' ? batches.hi : batches?.kind === 'choice' ? numericExtremes(batches)[1] : undefined;
  if (maxBatch !== undefined && maxBatch > train) {
    diags.push(
      toDiag(doc, {
        severity: 'warning',
        code: 'dataset',
        path: 'training.batchSize',
        at: ['training', 'batchSize'],
        message: `a batch of ${maxBatch} is larger than the ${train} training samples: each epoch is one partial batch`,
      }),
    );
  }
}
