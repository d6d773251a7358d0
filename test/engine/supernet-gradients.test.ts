// The supernet's backward pass (supernet/gradients.ts): tfjs's tape and gradients, memory released as it goes.
// It must give tf.variableGrads' values bit for bit, on wasm and cpu, for alpha alone, weights alone and both, leave
// no tensor behind, and hold less memory at its peak than tfjs's pass does.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { CellSupernet } from '../../src/shared/supernet';
import { initBackend } from '../../src/engine/backend';
import { CellNet } from '../../src/engine/supernet/cellNet';
import { variableGrads } from '../../src/engine/supernet/gradients';

before(async () => {
  await initBackend('wasm');
});

const space: CellSupernet = {
  kind: 'cell',
  nodes: 4,
  channels: 4,
  cells: 1,
  stages: 2,
  operations: ['none', 'skip', 'conv1x1', 'conv3x3', 'sepConv3x3', 'avgPool3x3', 'maxPool3x3'],
  // Every pair of nodes, the later one's inputs together: (0,1), (0,2), (1,2), (0,3), ...
  edges: [1, 2, 3].flatMap((to) =>
    Array.from({ length: to }, (_, from) => ({ name: `architecture.edge[${from}->${to}]`, label: `edge ${from} → ${to}`, ops: [], from, to })),
  ),
};

/** The loss of a batch through a fresh cell supernet, and the variable sets a DARTS step differentiates. */
function setup() {
  const net = new CellNet(space, [8, 8, 1], 3, 7);
  const x = tf.randomNormal([6, 8, 8, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
  const loss = () => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar;
  // A first pass makes the network's lasting constants (batch norm's gamma and beta), so counts below see only the step.
  tf.tidy(loss);
  const sets = { alpha: net.alphas, weights: net.weights, both: [...net.alphas, ...net.weights] };
  return { net, loss, sets, dispose: () => (tf.dispose([x, y]), net.dispose()) };
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`supernet gradients on ${backend}`, () => {
    it("are tf.variableGrads' own, bit for bit, and leave no tensor behind", async () => {
      assert.ok(await tf.setBackend(backend));
      const { loss, sets, dispose } = setup();
      for (const [label, vars] of Object.entries(sets)) {
        const before = tf.memory().numTensors;
        const ours = variableGrads(loss, vars);
        assert.equal(tf.memory().numTensors, before + 1 + ours.grads.filter((g) => g).length, `${label}: only the loss and the gradients are left`);
        const theirs = tf.variableGrads(loss, vars);
        assert.equal(ours.value.dataSync()[0], theirs.value.dataSync()[0], `${label}: loss`);
        vars.forEach((v, i) => {
          const g = ours.grads[i];
          assert.ok(g, `${label}: a gradient for ${v.name}`);
          assert.deepEqual(Array.from(g.dataSync()), Array.from(theirs.grads[v.name].dataSync()), `${label}: ${v.name}`);
        });
        tf.dispose([ours.value, theirs.value, ...ours.grads.filter((g): g is tf.Tensor => g !== null), ...Object.values(theirs.grads)]);
        assert.equal(tf.memory().numTensors, before, `${label}: no tensor left`);
      }
      dispose();
    });

    it('holds less memory at its peak than tfjs does', async () => {
      assert.ok(await tf.setBackend(backend));
      const { loss, sets, dispose } = setup();
      const peak = async (f: () => { value: tf.Tensor; grads: unknown }) => {
        const before = tf.memory().numBytes;
        let out: { value: tf.Tensor; grads: unknown } | undefined;
        const info = await tf.profile(() => {
          out = f();
        });
        tf.dispose(out as unknown as tf.TensorContainer);
        return info.peakBytes - before;
      };
      const ours = await peak(() => variableGrads(loss, sets.weights));
      const theirs = await peak(() => tf.variableGrads(loss, sets.weights));
      assert.ok(ours < 0.8 * theirs, `peak ${ours} bytes against tfjs's ${theirs}`);
      dispose();
    });
  });
}
