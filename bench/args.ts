// What the in-process benchmarks (supernetStep, evalSpeed, search) read the same way: `--name value` options and
// the process's CPU time.

/** The value after `--name` on the command line, or `dflt` when it is absent or empty. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

/** This process's user + system CPU time in milliseconds: unlike wall time, not inflated by waiting for a core. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
