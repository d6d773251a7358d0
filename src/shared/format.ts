// How numbers and times read, everywhere: the CLI, the export README, the editor and the results panel. One
// place, so a value prints the same in the terminal, in a notification and in the leaderboard.

const DASH = '—';

/** Objective values (accuracies, losses): four significant digits tell trials apart without float noise. */
export function formatValue(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return DASH;
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Whole numbers with thousands separators: 7,884; a count too large to read goes to 1.23e+12. */
export function formatInt(n: number | bigint | undefined): string {
  if (n === undefined) return DASH;
  if (typeof n === 'bigint') {
    // core/space.ts caps a search space's size at 1e+300 (a capped count means "at least").
    if (n >= 10n ** 300n) return '1e+300 or more';
    const s = n.toString();
    return s.length <= 9 ? Number(n).toLocaleString('en-US') : `${s[0]}.${s.slice(1, 3)}e+${s.length - 1}`;
  }
  return Math.round(n).toLocaleString('en-US');
}

/** Weight counts in a narrow column: 7,884 / 120k / 1.2M. */
export function formatCompact(n: number | undefined): string {
  if (n === undefined) return DASH;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e5) return `${Math.round(n / 1e3)}k`;
  return formatInt(n);
}

/** Large quantities with SI prefixes, three digits: 950, 1.23k, 45.6M, 789G. */
export function formatSi(n: number): string {
  if (n < 1e3) return String(Math.round(n));
  const units = ['k', 'M', 'G', 'T', 'P'];
  let u = -1;
  let v = n;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${units[u]}`;
}

/** A clock for live lines: 0:42, 12:05, 1:02:03. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A measured duration: 850 ms, 4.2 s, 42 s, 3m 05s, 2h 10m. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m - h * 60).padStart(2, '0')}m`;
}

/** An approximate duration (an estimate): under 1 s, 42 s, 10 min, 3.0 h, 2 days. */
export function formatApprox(seconds: number): string {
  if (seconds < 1) return 'under 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const min = seconds / 60;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
  return `${Math.round(h / 24)} days`;
}

/** "1 trial", "3 trials". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
