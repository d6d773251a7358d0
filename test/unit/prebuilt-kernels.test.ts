// The build embeds the SIMD kernel module's bytes in the worker bundle (scripts/prebuiltKernels.mjs) so worker
// processes skip generating them. What it embeds must be exactly what module.ts generates from the same sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { simdModuleBytes } from '../../src/engine/kernels/simd/module';
// @ts-expect-error a plain .mjs build helper, without type declarations
import { prebuiltSimdBase64 } from '../../scripts/prebuiltKernels.mjs';

test('the build embeds the SIMD module the sources generate', async () => {
  const embedded = Buffer.from(await prebuiltSimdBase64(path.resolve(__dirname, '../..')), 'base64');
  const generated = simdModuleBytes();
  assert.ok(generated.length > 100_000, `a module of ${generated.length} bytes`);
  assert.ok(embedded.equals(Buffer.from(generated)), 'byte for byte');
  // It compiles (the project builds without DOM typings, where WebAssembly is declared).
  assert.ok((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(embedded));
});
