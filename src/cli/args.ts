// A tiny argument parser: the CLI's flags are few and known, and usage errors must say exactly what is wrong.
import { CliFailure } from './report';

export class UsageError extends CliFailure {
  constructor(message: string) {
    super('usage', message);
  }
}

export interface FlagSpec {
  [name: string]: 'boolean' | 'string' | 'number';
}

export function parseArgs(argv: string[], flags: FlagSpec): { positional: string[]; flags: Record<string, string | number | boolean> } {
  const positional: string[] = [];
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const raw = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} needs a positive number, not '${raw}'`);
      out[name] = n;
    } else out[name] = raw;
  }
  return { positional, flags: out };
}
