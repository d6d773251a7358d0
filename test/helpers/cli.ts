// Runs the `nas-studio` command in-process, capturing what it prints.
import { main } from '../../src/cli/main';

export async function cli(...args: string[]): Promise<{ code: number; out: string; lines: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), lines: out, err: err.join('\n') };
}
