// The SIMD kernel module's bytes, generated once at build time (src/engine/kernels/simd/module.ts simdModuleBytes)
// so that worker processes do not generate them again on their first convolution (~130-160 ms of CPU each).
// scripts/build.mjs embeds them as base64 in the bundles that train; test/unit/prebuilt-kernels.test.ts checks them.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** base64 of the module simdModuleBytes() returns, run from the sources under `root`. */
export async function prebuiltSimdBase64(root) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-kernels-'));
  try {
    const outfile = path.join(dir, 'gen.cjs');
    await esbuild.build({
      entryPoints: [path.join(root, 'src/engine/kernels/simd/module.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'warning',
    });
    const { simdModuleBytes } = createRequire(import.meta.url)(outfile);
    return Buffer.from(simdModuleBytes()).toString('base64');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
