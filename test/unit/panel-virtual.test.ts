// The leaderboard's virtual list math: which rows exist in the DOM for a scroll position, how keys move the
// active row, where to scroll to show one. This is what keeps 5,000 trials cheap, so its edges matter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeWindow, navigate, pageSize, scrollToReveal } from '../../webview/virtualWindow';

describe('virtual list window', () => {
  const base = { rowHeight: 24, viewportHeight: 240, count: 5000, overscan: 4 };

  it('at the top renders the visible rows plus the overscan below', () => {
    assert.deepEqual(computeWindow({ ...base, scrollTop: 0 }), { start: 0, end: 14, totalHeight: 120_000 });
  });

  it('in the middle renders the visible rows plus the overscan on both sides', () => {
    // scrollTop 2400 = row 100 at the top; 10 rows visible.
    assert.deepEqual(computeWindow({ ...base, scrollTop: 2400 }), { start: 96, end: 114, totalHeight: 120_000 });
  });

  it('counts a row cut by the bottom edge as visible', () => {
    const w = computeWindow({ ...base, overscan: 0, scrollTop: 12 });
    assert.deepEqual([w.start, w.end], [0, 11]);
  });

  it('at the end stops at the last row', () => {
    const w = computeWindow({ ...base, scrollTop: 120_000 - 240 });
    assert.equal(w.end, 5000);
    assert.equal(w.start, 4990 - 4);
  });

  it('clamps a scroll position past the end (the list shrank under it)', () => {
    const w = computeWindow({ ...base, count: 20, scrollTop: 50_000 });
    assert.deepEqual(w, { start: 6, end: 20, totalHeight: 480 });
  });

  it('renders everything when the viewport is taller than the list, and nothing for no rows', () => {
    assert.deepEqual(computeWindow({ ...base, count: 3, scrollTop: 0 }), { start: 0, end: 3, totalHeight: 72 });
    assert.deepEqual(computeWindow({ ...base, count: 0, scrollTop: 0 }), { start: 0, end: 0, totalHeight: 0 });
  });

  it('keeps the rendered count bounded whatever the list size', () => {
    for (const count of [100, 5000, 1_000_000]) {
      const w = computeWindow({ ...base, count, scrollTop: (count * 24) / 2 });
      assert.ok(w.end - w.start <= 10 + 1 + 2 * 4, `${count} rows rendered ${w.end - w.start}`);
    }
  });
});

describe('virtual list navigation', () => {
  it('scrolls as little as possible to reveal a row', () => {
    assert.equal(scrollToReveal(5, 0, 240, 24), 0, 'already visible');
    assert.equal(scrollToReveal(20, 0, 240, 24), 21 * 24 - 240, 'below: bring it to the bottom edge');
    assert.equal(scrollToReveal(2, 240, 240, 24), 48, 'above: bring it to the top edge');
  });

  it('moves the active row with arrows, pages, Home and End, clamped to the list', () => {
    assert.equal(navigate('ArrowDown', -1, 10, 5), 0, 'the first ArrowDown enters the list');
    assert.equal(navigate('ArrowUp', -1, 10, 5), 0);
    assert.equal(navigate('ArrowDown', 9, 10, 5), 9);
    assert.equal(navigate('ArrowUp', 0, 10, 5), 0);
    assert.equal(navigate('PageDown', 3, 10, 5), 8);
    assert.equal(navigate('PageDown', 8, 10, 5), 9);
    assert.equal(navigate('PageUp', 3, 10, 5), 0);
    assert.equal(navigate('Home', 7, 10, 5), 0);
    assert.equal(navigate('End', 2, 10, 5), 9);
    assert.equal(navigate('x', 2, 10, 5), undefined, "other keys are not the list's");
    assert.equal(navigate('ArrowDown', 0, 0, 5), undefined, 'an empty list has nowhere to go');
  });

  it('pages by a screenful less one row, at least one', () => {
    assert.equal(pageSize(240, 24), 9);
    assert.equal(pageSize(10, 24), 1);
  });
});
