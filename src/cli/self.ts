// The command to print in "resume with: ..." hints: the one the user ran, so it works when pasted. After
// `npm ci` in a clone, `nas-studio` is not on PATH, but `node dist/cli.js` and `npx nas-studio` are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quoteArg } from './summary';

export function selfCommand(script = process.argv[1] ?? '', env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const name = path.basename(script).replace(/\.(cmd|ps1)$/i, '');
  if (name === 'nas-studio') return onPath(script, env.PATH ?? '') ? 'nas-studio' : 'npx nas-studio';
  const rel = path.relative(cwd, script);
  return `node ${quoteArg(rel && !rel.startsWith('..') ? rel : script)}`;
}

/** Whether `nas-studio` on PATH is the very script that runs. */
function onPath(script: string, PATH: string): boolean {
  const real = realpath(script);
  for (const dir of PATH.split(path.delimiter)) {
    if (dir && realpath(path.join(dir, 'nas-studio')) === real) return true;
  }
  return false;
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
