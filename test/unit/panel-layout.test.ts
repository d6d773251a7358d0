// The panel's leaderboard and trial detail side by side never overlap: the leaderboard's grid column is at least as
// wide as its rows' columns (the Worker column once made the rows 912 px in a 770 px column, and the Note header was
// drawn over the detail's "Trial #24 — best" title), and the page goes to one column before that minimum no longer fits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const webview = path.join(__dirname, '..', '..', 'webview');
const css = fs.readFileSync(path.join(webview, 'panel.css'), 'utf8');

/** The declarations of the first rule whose selector is exactly `selector` (inside a media query or not). */
function rule(selector: string, text = css): string {
  const m = new RegExp(`(?:^|[}\\s])${selector.replace(/[.]/g, '\\.')}\\s*\\{([^}]*)\\}`, 'm').exec(text);
  assert.ok(m, `no ${selector} rule in panel.css`);
  return m[1];
}

function prop(decls: string, name: string): string {
  const m = new RegExp(`(?:^|;|\\s)${name}:\\s*([^;]+);`).exec(decls);
  assert.ok(m, `no ${name} in ${decls}`);
  return m[1].trim();
}

const px = (s: string) => Number(/^(\d+)px$/.exec(s)?.[1] ?? NaN);

test('the leaderboard column of the panel is as wide as the leaderboard rows, and the layout stacks before it is not', () => {
  // Each leaderboard column has a width: fixed ones in px, the last (Note) a minmax(px, 1fr).
  const widths = prop(rule('.lb-row'), 'grid-template-columns').match(/minmax\([^)]*\)|\S+/g)!;
  const columns = [...fs.readFileSync(path.join(webview, 'leaderboard.ts'), 'utf8').matchAll(/\{ key: '\w+', label: /g)].length;
  assert.equal(widths.length, columns, `${columns} leaderboard columns, ${widths.length} widths in .lb-row`);
  const rowMin = widths.reduce((sum, w) => sum + (w.startsWith('minmax(') ? px(w.slice(7).split(',')[0].trim()) : px(w)), 0);
  assert.ok(Number.isFinite(rowMin), widths.join(' '));

  const bottom = rule('.bottom');
  const [board, detail] = [...prop(bottom, 'grid-template-columns').matchAll(/minmax\((\d+)px,/g)].map((m) => Number(m[1]));
  const border = 2; // .leaderboard's 1px border on both sides
  assert.ok(board >= rowMin + border, `the leaderboard column's minimum ${board}px is narrower than its rows (${rowMin + border}px)`);

  // Side by side only where both minimums, the gap and the page's padding fit.
  const stack = /@media \(max-width: (\d+)px\)\s*\{\s*\.bottom\s*\{/.exec(css);
  assert.ok(stack, 'no media query that stacks .bottom');
  const gap = px(prop(bottom, 'gap'));
  const pagePadding = px(prop(rule('body'), 'padding').split(/\s+/)[1]);
  assert.ok(
    Number(stack[1]) >= board + gap + detail + 2 * pagePadding,
    `stacks below ${stack[1]}px, side by side needs ${board + gap + detail + 2 * pagePadding}px`,
  );
});
