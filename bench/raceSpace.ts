// The race's search space (issue 10), shared by the race itself (bench/race.ts) and its simulation
// (bench/raceSim.ts): 1-3 conv blocks (filters 16/32/64, kernel 3/5, same padding, ReLU, max-pool 2), dense
// 64/128/256, dropout [0, 0.5], Adam with a log-uniform learning rate in [1e-4, 1e-2], batch 64/128, 4 epochs.
import type { NasSpec } from '../src/shared/spec';

export function raceArchitecture(): Pick<NasSpec, 'task' | 'architecture' | 'training'> {
  return {
    task: { type: 'classification', classes: 10, inputShape: [28, 28, 1] },
    architecture: {
      type: 'sequential',
      layers: [
        {
          type: 'block',
          repeat: { int: [1, 3] },
          layers: [
            { type: 'conv2d', filters: { choice: [16, 32, 64] }, kernelSize: { choice: [3, 5] }, padding: 'same', activation: 'relu' },
            { type: 'maxPooling2d', poolSize: 2, padding: 'valid' },
          ],
        },
        { type: 'flatten' },
        { type: 'dense', units: { choice: [64, 128, 256] }, activation: 'relu' },
        { type: 'dropout', rate: { float: [0, 0.5] } },
      ],
    },
    training: { optimizer: 'adam', learningRate: { float: [1e-4, 1e-2], log: true }, batchSize: { choice: [64, 128] }, epochs: 4 },
  } as Pick<NasSpec, 'task' | 'architecture' | 'training'>;
}
