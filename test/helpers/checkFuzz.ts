// What the checker's fuzz tests share (fuzz.test.ts: random damage; fuzz-hostile.test.ts: hostile input): the
// examples to mutate, every value's place in a spec, one check through the CLI entry point, and what any check
// must give whatever its input.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as jsonc from 'jsonc-parser';
import { main } from '../../src/cli/main';

const root = path.join(__dirname, '..', '..');

/** The example specs, by file name. */
export function exampleSpecs(): { name: string; text: string }[] {
  return fs
    .readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.nas.json'))
    .map((f) => ({ name: f, text: fs.readFileSync(path.join(root, 'examples', f), 'utf8') }));
}

/** The path of every value below `node` (the root itself excluded): the places a mutation can hit. */
export function valuePaths(node: jsonc.Node, at: jsonc.JSONPath = [], out: jsonc.JSONPath[] = []): jsonc.JSONPath[] {
  if (at.length) out.push(at);
  if (node.type === 'object') for (const p of node.children ?? []) if (p.children?.[1]) valuePaths(p.children[1], [...at, p.children[0].value as string], out);
  if (node.type === 'array') (node.children ?? []).forEach((c, i) => valuePaths(c, [...at, i], out));
  return out;
}

export interface CheckOutcome {
  code: number;
  cpuMs: number;
  wallMs: number;
  diagnostics: { severity: string; line: number; column: number; message: string }[];
}

/** `check --json FILE` in-process. A throw fails the test with the input that caused it (when it is a small file). */
export async function checkJson(file: string): Promise<CheckOutcome> {
  const out: string[] = [];
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  let code: number;
  try {
    code = await main(
      ['check', '--json', file],
      (s) => out.push(s),
      (s) => out.push(s),
    );
  } catch (e) {
    const text = fs.statSync(file).isFile() && fs.statSync(file).size < 1e6 ? fs.readFileSync(file, 'utf8') : '(not shown)';
    throw new Error(`the check of ${file} threw ${(e as Error).stack}\n--- input ---\n${text.slice(0, 3000)}`);
  }
  const c = process.cpuUsage(c0);
  const report = JSON.parse(out.join('\n'));
  return { code, cpuMs: (c.user + c.system) / 1000, wallMs: Date.now() - t0, diagnostics: report.files?.[0]?.diagnostics ?? [] };
}

/** Whatever the input: exit 0 or 1, every finding located inside the file (`text`; undefined for a special
 *  file) with a message and no stack trace, and an exit 1 names an error. */
export function assertLocated(what: string, text: string | undefined, r: CheckOutcome): void {
  assert.ok(r.code === 0 || r.code === 1, `${what}: exit ${r.code}`);
  const lines = text === undefined ? Infinity : text.split(/\r\n|\r|\n/).length;
  for (const d of r.diagnostics) {
    assert.ok(d.line >= 1 && d.line <= lines + 1 && d.column >= 1, `${what}: "${d.message.slice(0, 200)}" at ${d.line}:${d.column}`);
    assert.ok(d.message.length > 0, `${what}: a finding without a message`);
    assert.doesNotMatch(d.message, /\n\s+at /, `${what}: ${d.message.slice(0, 300)}`);
  }
  if (r.code === 1)
    assert.ok(
      r.diagnostics.some((d) => d.severity === 'error'),
      `${what}: exit 1 with no error`,
    );
}
