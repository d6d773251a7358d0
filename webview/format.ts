// Number and time formatting shared by the views. Pure (no DOM) so tests and the SVG builders can use it.

export { formatValue, formatCompact as formatCount, formatDuration } from '../src/shared/format';
import { formatValue } from '../src/shared/format';

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
