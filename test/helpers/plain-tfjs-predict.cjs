// Loads an exported model the way a user of plain @tensorflow/tfjs would, through the export's own load.js
// (which registers NAS Studio's layers from nas-layers.js when the model has any), and prints its predictions:
//   node plain-tfjs-predict.cjs MODEL_DIR INPUT.json   (INPUT: { "shape": [...], "values": [...] })
// Prints { "backend": ..., "predictions": [...] } as one JSON line. No NAS Studio code is loaded.
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [dir, inputFile] = process.argv.slice(2);
  const model = await require(path.resolve(dir, 'load.js')).load(path.resolve(dir), tf);
  const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const y = model.predict(tf.tensor(input.values, input.shape));
  process.stdout.write(JSON.stringify({ backend: tf.getBackend(), predictions: Array.from(y.dataSync()) }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
