// A compact description of a sequential network for `bench --net` / `bench --profile --net`, so that any network a
// search trains (e.g. one read off a race's journal) can be profiled or raced against PyTorch without a new suite
// entry. Layers are joined by '-', the batch follows '@' (default 128):
//   c32k5 (conv 32 filters 5x5, 'same', ReLU; c32k3s2 for stride 2), p (max-pool 2), a (average-pool 2),
//   bn (batch normalisation), g (global average pool), d256 (dense 256, ReLU; a flatten goes in before the first
//   dense that follows a spatial layer), o0.3 (dropout 0.3).
// Example: c32k3-p-c64k5-p-d256-o0.2@128 (a race trial).
import { avgPool, bn, conv, dense, flatten, maxPool, sequential, type Layer, type SuiteNet } from './suite';

const TOKENS: Array<[RegExp, (m: RegExpMatchArray) => Layer]> = [
  [/^c(\d+)k(\d+)(?:s(\d+))?$/, (m) => conv(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : 1)],
  [/^p$/, () => maxPool],
  [/^a$/, () => avgPool],
  [/^bn$/, () => bn],
  [/^g$/, () => ({ type: 'globalAveragePooling2d' })],
  [/^d(\d+)$/, (m) => dense(Number(m[1]))],
  [/^o(0(?:\.\d+)?)$/, (m) => ({ type: 'dropout', rate: Number(m[1]) })],
];

/** Whether `s` reads as a layer spec rather than a suite network's name. */
export const isNetSpec = (s: string): boolean => /^c\d+k\d+/.test(s) || /^d\d+/.test(s);

export function parseNetSpec(spec: string): SuiteNet {
  const [body, batchText, ...rest] = spec.split('@');
  const batch = batchText === undefined ? 128 : Number(batchText);
  if (rest.length || !Number.isInteger(batch) || batch < 1) throw new Error(`'${spec}': the batch after '@' must be a whole number`);
  const layers: Layer[] = [];
  let spatial = true;
  for (const token of body.split('-')) {
    const rule = TOKENS.find(([re]) => re.test(token));
    if (!rule) throw new Error(`'${spec}': unknown layer '${token}' (c32k3, c32k3s2, p, a, bn, g, d128, o0.2)`);
    const layer = rule[1](token.match(rule[0])!);
    // Dense layers read a flat vector; global pooling already yields one.
    if (layer.type === 'dense' && spatial) layers.push(flatten);
    if (layer.type === 'dense' || layer.type === 'globalAveragePooling2d') spatial = false;
    layers.push(layer);
  }
  return { name: spec, description: `${body}, batch ${batch}`, arch: sequential(...layers), batch };
}
