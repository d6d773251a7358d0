// The windowing math of the virtual list, apart from the DOM so it can be tested: which rows to render for a
// scroll position, and where to scroll to bring a row into view. Rows have one fixed height, which is what
// keeps this O(1) for any number of rows.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows rendered beyond each edge so fast scrolling does not show blank space before the next frame. */
  overscan?: number;
}

export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last to render (exclusive); start === end when there is nothing to render. */
  end: number;
  /** Height of the scrollable content: every row, rendered or not. */
  totalHeight: number;
}

export function computeWindow({ scrollTop, viewportHeight, rowHeight, count, overscan = 4 }: WindowInput): RowWindow {
  const totalHeight = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, totalHeight: 0 };
  // A list that shrank under the scroll position reports a scrollTop past the end until the browser clamps it.
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) - first;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, totalHeight };
}

/** The scrollTop that shows row `index` entirely, moving as little as possible (like scrollIntoView 'nearest'). */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** Rows a PageUp/PageDown moves: one screenful less a row, so the row under the cursor stays in context. */
export function pageSize(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
}

/** The next active index for a navigation key, or undefined when the key is not one the list handles. */
export function navigate(key: string, index: number, count: number, page: number): number | undefined {
  if (count <= 0) return undefined;
  const clamp = (i: number) => Math.min(count - 1, Math.max(0, i));
  const from = index < 0 ? -1 : index;
  switch (key) {
    case 'ArrowDown':
      return clamp(from + 1);
    case 'ArrowUp':
      return clamp(from < 0 ? 0 : from - 1);
    case 'PageDown':
      return clamp(from + page);
    case 'PageUp':
      return clamp(from - page);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
