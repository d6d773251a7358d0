// Number and time formatting shared by the views. Pure (no DOM) so tests and the SVG builders can use it.

/** Objective values are accuracies or losses: four significant digits tell trials apart without noise. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Weight counts: 7,884 / 1.2M — the leaderboard column is narrow. */
export function formatCount(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e5) return `${Math.round(n / 1e3)}k`;
  return n.toLocaleString('en-US');
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m - h * 60).padStart(2, '0')}m`;
}

/** A parameter's chosen value as the spec would spell it. */
export function formatParam(v: number | string | boolean | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatValue(v);
  return String(v);
}

/** Parameter keys are JSON paths into the spec; the section prefix is noise on a narrow axis. */
export function shortParamName(key: string): string {
  return key.replace(/^(architecture|training|search)\./, '');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For text that goes into generated SVG/HTML: journal contents are data, never markup. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
