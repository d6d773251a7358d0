// Shared by the build (scripts/gen-validator.mjs, plain Node, which cannot import TypeScript) and the run-time
// fallback in src/core/schema.ts, so both validators gather errors the same linear way. CommonJS so that both
// the .mjs script and the bundled TypeScript can import it.
'use strict';

/**
 * ajv gathers a referenced schema's errors with `vErrors = vErrors.concat(callee.errors)`, a new array per call:
 * a list of 10,000 bad layers took seconds and 20,000 half a minute (quadratic) before the checker saw the
 * errors. Appending in place gives the same errors in the same order.
 */
const CONCAT = /vErrors = vErrors === null \? ([\w.]+)\.errors : vErrors\.concat\(\1\.errors\);/g;
const HELPER = 'function appendErrors(all, more) { if (all === null) return more.slice(); for (const e of more) all.push(e); return all; }\n';

/**
 * `code` (ajv's standalone module or the body of one compiled function) with every concat replaced by an
 * in-place append, and how many it replaced: 0 is normal for one small function, but for a whole schema it
 * means ajv changed how it collects errors.
 */
function linearErrors(code) {
  let replaced = 0;
  const body = code.replace(CONCAT, (_m, callee) => {
    replaced++;
    return `vErrors = appendErrors(vErrors, ${callee}.errors);`;
  });
  if (replaced === 0) return { code, replaced };
  // After a "use strict" directive, which must stay first.
  const strict = body.startsWith('"use strict";') ? '"use strict";' : '';
  return { code: strict + HELPER + body.slice(strict.length), replaced };
}

module.exports = { linearErrors };
