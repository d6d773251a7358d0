// Saves and loads LayersModels as a folder holding model.json + weights.bin: the standard tfjs layers-model
// format, so tfjs-node's file:// loader and the browser's http loader read it too. Plain @tensorflow/tfjs has
// no file handler in Node, hence this one.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FILE_LIMITS, isWithin, readBounded } from '../core/data/files';
import { MODEL_FILE, WEIGHTS_FILE, writeModelFiles } from '../core/modelfiles';

export { MODEL_FILE, WEIGHTS_FILE };

/** Writes artifacts (from model.save or received from a worker) into dir. */
export async function writeArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('cannot save a model whose topology is binary (a graph model)');
  const weights = artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const extra: Record<string, unknown> = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
  };
  // the optional fields of tfjs's own getModelJSONForModelArtifacts, which tf.io does not export
  for (const key of ['signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature', 'trainingConfig'] as const) {
    if (artifacts[key] != null) extra[key] = artifacts[key];
  }
  writeModelFiles(dir, { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs ?? [], weightData: weights }, extra);
}

/**
 * A weights path of a model.json, resolved inside the model's folder. The manifest is data (a backbone may come
 * from anywhere): a path such as `../../home/me/.ssh/id_rsa` would otherwise turn any file into weights that
 * an export then copies.
 */
function weightsFile(dir: string, p: unknown, modelPath: string): string {
  const file = typeof p === 'string' && p !== '' && !path.isAbsolute(p) ? path.resolve(dir, p) : undefined;
  if (!file || !isWithin(file, [dir])) {
    throw new Error(`${modelPath} lists the weights file ${JSON.stringify(p)}, which is not inside the model's folder`);
  }
  return file;
}

/** Reads a layers-model folder back into artifacts; every weights file the manifest lists, in order. */
export async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelPath = path.join(dir, MODEL_FILE);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(readBounded(modelPath, modelPath, FILE_LIMITS.modelJson, 'a model.json').toString('utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`cannot read ${modelPath}: ${(e as Error).message}`);
  }
  if (json.modelTopology == null) throw new Error(`${modelPath} has no modelTopology`);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    let total = 0;
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        const file = weightsFile(dir, p, modelPath);
        // the cap is for all weight files together: each may take what the others left
        const b = readBounded(file, p, FILE_LIMITS.weights - total, 'weights');
        total += b.byteLength;
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      }
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
}

/** An IOHandler for a folder, usable with model.save and tf.loadLayersModel. */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      await writeArtifacts(dir, artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => readArtifacts(dir),
  };
}

/** The model's topology and weights in memory (for sending from a worker), without the optimizer. */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!captured) throw new Error('tfjs did not hand over the model artifacts');
  return captured;
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(folderHandler(dir));
}

export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(folderHandler(dir));
}
