// A throwaway folder holding test/fixtures/specs/tiny.nas.json, edited: the smallest search a test can run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';
import type { NasSpec } from '../../src/shared/spec';

const tinyText = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'specs', 'tiny.nas.json'), 'utf8');

/** A new temporary folder (named from `prefix`) with the tiny spec after `edit`, as the file `tiny.nas.json`. */
export function tinyWorkspace(prefix: string, edit: (spec: NasSpec) => void = () => {}): { dir: string; file: string; spec: NasSpec; text: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const spec = jsonc.parse(tinyText) as NasSpec;
  edit(spec);
  const text = JSON.stringify(spec, null, 2);
  const file = path.join(dir, 'tiny.nas.json');
  fs.writeFileSync(file, text);
  return { dir, file, spec, text };
}
