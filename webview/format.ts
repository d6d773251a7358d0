// Number and time formatting shared by the views. Pure (no DOM) so tests and the SVG builders can use it.

export { formatValue, formatCompact as formatCount, formatDuration } from '../src/shared/format';
import { paramLabel, typesFromTrials } from '../src/core/paramLabel';
import type { RunState } from '../src/core/runstate';
import { formatValue } from '../src/shared/format';

/** A parameter's chosen value as the spec would spell it. */
export function formatParam(v: number | string | boolean | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatValue(v);
  return String(v);
}

/** Parameter keys are exact JSON paths into the spec; people read "block #1, conv2d #1: kernelSize". The
 *  element types come from the run's own trials, so every view of one run names a parameter the same way. */
export function paramLabeler(state: RunState): (key: string) => string {
  const typeAt = typesFromTrials(state);
  return (key) => paramLabel(key, typeAt);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For text that goes into generated SVG/HTML: journal contents are data, never markup. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
