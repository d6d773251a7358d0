// A virtual list: only the rows in view (plus a few) exist in the DOM, recycled as the list scrolls, so 5,000
// trials cost the same as 30. Rows have a fixed height (the math is in virtualWindow.ts). Keyboard: the
// viewport takes focus and moves an active row with the arrows, Page keys, Home and End; the active row is
// announced through aria-activedescendant, since the focused element must survive row recycling.
import { computeWindow, navigate, pageSize, scrollToReveal } from './virtualWindow';

export interface VirtualListOptions<T> {
  /** The scrolling element; the list fills it. */
  viewport: HTMLElement;
  /** The element that takes focus and keys and names the active row (the grid); the viewport by default. */
  focusTarget?: HTMLElement;
  rowHeight: number;
  createRow: () => HTMLElement;
  renderRow: (row: HTMLElement, item: T, index: number, active: boolean) => void;
  /** A row was chosen by click or key: the owner decides what that selects. */
  onActivate: (item: T, index: number) => void;
}

export class VirtualList<T> {
  private items: readonly T[] = [];
  private readonly pool: HTMLElement[] = [];
  private readonly content: HTMLElement;
  private active = -1;
  private frame = 0;
  private readonly focus: HTMLElement;

  constructor(private readonly o: VirtualListOptions<T>) {
    this.content = document.createElement('div');
    this.content.className = 'vlist-content';
    this.content.setAttribute('role', 'rowgroup');
    o.viewport.appendChild(this.content);
    this.focus = o.focusTarget ?? o.viewport;
    this.focus.tabIndex = 0;
    o.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.focus.addEventListener('keydown', (e) => this.onKey(e));
    o.viewport.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (!row || !this.content.contains(row)) return;
      const i = Number(row.dataset.index);
      if (i >= 0 && i < this.items.length) this.activate(i, false);
    });
    new ResizeObserver(() => this.schedule()).observe(o.viewport);
  }

  /** New contents; `activeIndex` keeps the selection where the owner says it now is (after a sort, say). */
  setItems(items: readonly T[], activeIndex: number): void {
    this.items = items;
    this.active = activeIndex < items.length ? activeIndex : -1;
    this.focus.setAttribute('aria-rowcount', String(items.length + 1));
    this.focus.dataset.rowCount = String(items.length);
    this.render();
  }

  /** Scroll so that row `index` shows (e.g. a trial picked in a chart). */
  reveal(index: number): void {
    if (index < 0 || index >= this.items.length) return;
    const v = this.o.viewport;
    v.scrollTop = scrollToReveal(index, v.scrollTop, v.clientHeight, this.o.rowHeight);
    this.render();
  }

  private schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private activate(index: number, reveal: boolean) {
    this.active = index;
    if (reveal) this.reveal(index);
    else this.render();
    this.o.onActivate(this.items[index], index);
  }

  private onKey(e: KeyboardEvent) {
    // A key already handled below (a header sorting on Enter) is not a row command.
    if (e.defaultPrevented) return;
    const v = this.o.viewport;
    if ((e.key === 'Enter' || e.key === ' ') && this.active >= 0) {
      e.preventDefault();
      this.activate(this.active, true);
      return;
    }
    const next = navigate(e.key, this.active, this.items.length, pageSize(v.clientHeight, this.o.rowHeight));
    if (next === undefined) return;
    e.preventDefault();
    this.activate(next, true);
  }

  private render() {
    const v = this.o.viewport;
    const { start, end, totalHeight } = computeWindow({
      scrollTop: v.scrollTop,
      viewportHeight: v.clientHeight,
      rowHeight: this.o.rowHeight,
      count: this.items.length,
    });
    this.content.style.height = `${totalHeight}px`;
    const needed = end - start;
    while (this.pool.length < needed) {
      const row = this.o.createRow();
      row.classList.add('vlist-row');
      this.pool.push(row);
      this.content.appendChild(row);
    }
    // Rows beyond the window leave the DOM rather than hide: a query for rows then sees only what is shown.
    while (this.pool.length > needed) this.pool.pop()!.remove();
    let activeId = '';
    for (let k = 0; k < needed; k++) {
      const row = this.pool[k];
      const i = start + k;
      row.dataset.index = String(i);
      row.id = `vrow-${i}`;
      row.setAttribute('aria-rowindex', String(i + 2)); // the header is row 1
      row.style.transform = `translateY(${i * this.o.rowHeight}px)`;
      const isActive = i === this.active;
      if (isActive) activeId = row.id;
      this.o.renderRow(row, this.items[i], i, isActive);
    }
    if (activeId) this.focus.setAttribute('aria-activedescendant', activeId);
    else this.focus.removeAttribute('aria-activedescendant');
  }
}
