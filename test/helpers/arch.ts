// Architectures written by hand in tests: layers without the `source` the sampler gives each one.
import type { ConcreteArch, ConcreteLayer } from '../../src/shared/arch';

/** A concrete layer as a test writes it: no `source`. */
export type LayerSpec = ConcreteLayer extends infer T ? (T extends unknown ? Omit<T, 'source'> : never) : never;

/** A sequential architecture of these layers, each with the source a spec's top-level list would give it. */
export const seq = (...layers: LayerSpec[]): ConcreteArch => ({
  kind: 'sequential',
  layers: layers.map((l, i) => ({ ...l, source: `architecture.layers[${i}]` }) as ConcreteLayer),
});
