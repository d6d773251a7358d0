// Loads an exported model the way a user of plain @tensorflow/tfjs would (no NAS Studio code but the loader
// that ships with the export) and prints its predictions. Usage:
//   node plain-tfjs-predict.cjs MODEL_DIR INPUT.json   (INPUT: { "shape": [...], "values": [...] })
// Prints { "backend": ..., "predictions": [...] } as one JSON line.
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [dir, inputFile] = process.argv.slice(2);
  const loader = path.join(dir, 'nas-layers.js');
  if (fs.existsSync(loader)) require(loader).register(tf);
  // Plain tfjs has no file:// handler in Node; fromMemory takes the same two files tfjs-node would read.
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const y = model.predict(tf.tensor(input.values, input.shape));
  process.stdout.write(JSON.stringify({ backend: tf.getBackend(), predictions: Array.from(y.dataSync()) }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
