// Writes a model in the standard tfjs layers-model format (model.json + weights.bin), the format tfjs-node's
// file:// loader and the browser's http loader read. Shared by the worker side (modelio) and the
// orchestrator, which keeps weights sent by workers without loading tfjs.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface ModelParts {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer | Uint8Array;
}

export function writeModelFiles(dir: string, parts: ModelParts, extra: Record<string, unknown> = {}): void {
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'NAS Studio',
    convertedBy: null,
    ...extra,
    modelTopology: parts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: parts.weightSpecs }],
  };
  fs.mkdirSync(dir, { recursive: true });
  // Weights first and model.json last, each through a rename: a crash mid-save never leaves a model.json that
  // points at half a weights.bin.
  const data = parts.weightData instanceof Uint8Array ? parts.weightData : new Uint8Array(parts.weightData);
  writeAtomic(path.join(dir, WEIGHTS_FILE), data);
  writeAtomic(path.join(dir, MODEL_FILE), JSON.stringify(modelJson));
}

/**
 * Puts the complete folder `tmp` in the place of `dir`. A folder cannot be renamed over a non-empty one, so the
 * old one steps aside first; between the two renames (microseconds) a crash leaves no `dir`, never a mixed one.
 */
export function replaceFolder(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`;
  fs.rmSync(old, { recursive: true, force: true });
  let moved = false;
  try {
    fs.renameSync(dir, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.renameSync(tmp, dir);
  if (moved) fs.rmSync(old, { recursive: true, force: true });
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
