// The canvas charts, on uPlot: fast enough for 5,000 points redrawn several times a second, and small. Each
// chart is rebuilt (not restyled) when the theme or its series set changes, because uPlot takes colours and
// series at construction; data-only changes go through setData, which is cheap.
import uPlot from 'uplot';
import type { CurveSeries, ObjectiveSeries, XMode } from './model';
import { formatValue } from './format';
import { type Palette, withAlpha } from './theme';

const INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

abstract class Chart<D> {
  protected plot?: uPlot;
  protected data?: D;
  private key = '';
  private readonly resizeObserver: ResizeObserver;

  constructor(
    protected readonly el: HTMLElement,
    protected palette: Palette,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(el);
  }

  protected abstract options(data: D, width: number, height: number): uPlot.Options;
  protected abstract aligned(data: D): uPlot.AlignedData;
  /** What forces a rebuild rather than setData: the series set, axis modes, labels. */
  protected abstract shapeKey(data: D): string;

  update(data: D): void {
    this.data = data;
    const key = this.shapeKey(data);
    if (!this.plot || key !== this.key) this.rebuild(key);
    else this.plot.setData(this.aligned(data));
  }

  setPalette(p: Palette): void {
    this.palette = p;
    if (this.data) this.rebuild(this.shapeKey(this.data));
  }

  private rebuild(key: string) {
    if (!this.data) return;
    this.key = key;
    this.plot?.destroy();
    const { width, height } = this.size();
    this.plot = new uPlot(this.options(this.data, width, height), this.aligned(this.data), this.el);
  }

  private size() {
    // uPlot's height is the plotting area plus axes; the legend sits below it, inside el.
    return { width: Math.max(120, this.el.clientWidth), height: 220 };
  }

  private resize() {
    if (!this.plot) return;
    const { width, height } = this.size();
    if (Math.abs(this.plot.width - width) > 1) this.plot.setSize({ width, height });
  }

  protected axis(label?: string, integer = false): uPlot.Axis {
    const p = this.palette;
    const axis: uPlot.Axis = { stroke: p.fg, font: p.font, labelFont: p.font, label, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } };
    // Trials and epochs are counted: "epoch 2.5" means nothing.
    if (integer) axis.incrs = INTEGER_INCRS;
    return axis;
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }
}

function pointSize(n: number): number {
  return n > 2000 ? 3 : n > 300 ? 4 : 7;
}

export interface ObjectiveData {
  series: ObjectiveSeries;
  mode: XMode;
  metric: string;
}

/** Every trial's objective as a point (completed and pruned apart) and the best so far as a step line. */
export class ObjectiveChart extends Chart<ObjectiveData> {
  constructor(
    el: HTMLElement,
    palette: Palette,
    private readonly onPick: (trial: number) => void,
  ) {
    super(el, palette);
    // A click picks the trial under the cursor; a drag zooms, and must not also pick.
    let down: { x: number; y: number } | undefined;
    el.addEventListener('mousedown', (e) => (down = { x: e.clientX, y: e.clientY }));
    el.addEventListener('click', (e) => {
      const moved = down ? Math.hypot(e.clientX - down.x, e.clientY - down.y) : 0;
      const idx = this.plot?.cursor.idx;
      if (moved < 4 && idx !== undefined && idx !== null && this.data) this.onPick(this.data.series.trials[idx]);
    });
  }

  protected shapeKey(d: ObjectiveData): string {
    return `${d.mode}|${d.metric}|${pointSize(d.series.x.length)}|${hasPruned(d)}`;
  }

  protected aligned(d: ObjectiveData): uPlot.AlignedData {
    return hasPruned(d) ? [d.series.x, d.series.completed, d.series.pruned, d.series.best] : [d.series.x, d.series.completed, d.series.best];
  }

  protected options(d: ObjectiveData, width: number, height: number): uPlot.Options {
    const p = this.palette;
    const size = pointSize(d.series.x.length);
    // Thousands of points overlap: smaller and fainter dots keep the density readable.
    const alpha = p.highContrast ? 1 : size < 5 ? 0.35 : 0.55;
    const points = (color: string, size: number): uPlot.Series.Points => ({
      show: true,
      size,
      stroke: color,
      fill: withAlpha(color, alpha),
      width: size < 5 ? 0 : 1,
    });
    const trials = () => this.data?.series.trials ?? [];
    return {
      width,
      height,
      scales: { x: { time: d.mode === 'time' } },
      axes: [d.mode === 'time' ? this.axis() : this.axis('trial', true), this.axis(d.metric)],
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      series: [
        {
          label: 'trial',
          // The legend names the trial under the cursor, whatever the x axis is.
          value: (_u, _v, _s, idx) => (idx === null || idx === undefined ? '—' : `#${trials()[idx]}`),
        },
        { label: 'completed', stroke: p.blue, paths: () => null, points: points(p.blue, size), value: (_u, v) => formatValue(v ?? undefined) },
        // Only when something was pruned: a "pruned: —" legend entry in a run without pruning reads as a fault.
        ...(hasPruned(d)
          ? [
              {
                label: 'pruned',
                stroke: p.orange,
                paths: () => null,
                points: points(p.orange, Math.max(3, size - 1)),
                value: (_u: uPlot, v: number | null) => formatValue(v ?? undefined),
              },
            ]
          : []),
        {
          label: 'best so far',
          stroke: p.green,
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: false },
          spanGaps: true,
          value: (_u, v) => formatValue(v ?? undefined),
        },
      ],
    };
  }
}

function hasPruned(d: ObjectiveData): boolean {
  return d.series.pruned.some((v) => v !== null);
}

export interface CurvesData {
  curves: CurveSeries;
}

/** Validation metric per epoch of the running trials (or the top ones of a finished run), best dashed. */
export class CurvesChart extends Chart<CurvesData> {
  protected shapeKey(d: CurvesData): string {
    return `${d.curves.metric}|${d.curves.curves.map((c) => `${c.trial}${c.best ? '*' : ''}`).join(',')}`;
  }

  protected aligned(d: CurvesData): uPlot.AlignedData {
    return [d.curves.epochs, ...d.curves.curves.map((c) => c.values)];
  }

  protected options(d: CurvesData, width: number, height: number): uPlot.Options {
    const p = this.palette;
    const cycle = [p.blue, p.orange, p.purple, p.red, p.yellow];
    let next = 0;
    return {
      width,
      height,
      scales: { x: { time: false } },
      axes: [this.axis('epoch', true), this.axis(d.curves.metric)],
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'epoch', value: (_u, v) => (v === null || v === undefined ? '—' : String(v)) },
        ...d.curves.curves.map((c): uPlot.Series => {
          const color = c.best ? p.green : cycle[next++ % cycle.length];
          return {
            label: `#${c.trial}${c.best ? ' (best)' : c.running ? ' (running)' : ''}`,
            stroke: color,
            width: c.best ? 2 : 1.5,
            dash: c.best ? [6, 4] : undefined,
            points: { show: true, size: 4, fill: color },
            spanGaps: true,
            value: (_u, v) => formatValue(v ?? undefined),
          };
        }),
      ],
    };
  }
}
