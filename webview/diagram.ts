// A trial's architecture as an SVG string: a sequential model as its stack of layers, a cell as the DAG of
// its nodes with the chosen operation on each edge. Pure (tests read the markup); styling is by class only,
// since the CSP allows no inline styles and the theme decides the colours.
import type { CellArch, ConcreteArch, ConcreteLayer, SequentialArch } from '../src/shared/arch';
import { escapeXml } from './format';

/** The fields a reader compares between trials, in the order Keras would print them. */
export function layerSummary(l: ConcreteLayer): string {
  const k = (n: number) => `${n}×${n}`;
  switch (l.type) {
    case 'dense':
      return `${l.units} units · ${l.activation}`;
    case 'conv2d':
      return `${l.filters} filters · ${k(l.kernelSize)} · stride ${l.strides} · ${l.padding} · ${l.activation}`;
    case 'separableConv2d':
      return `${l.filters} filters · ${k(l.kernelSize)} · ×${l.depthMultiplier} · stride ${l.strides} · ${l.padding} · ${l.activation}`;
    case 'depthwiseConv2d':
      return `${k(l.kernelSize)} · ×${l.depthMultiplier} · stride ${l.strides} · ${l.padding} · ${l.activation}`;
    case 'maxPooling2d':
    case 'averagePooling2d':
      return `${k(l.poolSize)} · stride ${l.strides} · ${l.padding}`;
    case 'dropout':
      return `rate ${l.rate}`;
    case 'activation':
      return l.activation;
    case 'globalAveragePooling2d':
    case 'batchNormalization':
    case 'flatten':
    case 'globalAveragePooling1d':
    case 'globalMaxPooling1d':
    case 'layerNormalization':
      return '';
    case 'embedding':
      return `${l.outputDim}-d vectors${l.inputDim !== undefined ? ` · vocabulary ${l.inputDim}` : ''}`;
    case 'lstm':
    case 'gru':
    case 'simpleRnn':
      return [`${l.units} units`, l.bidirectional ? 'bidirectional' : '', l.returnSequences ? 'all steps' : 'last step', l.activation]
        .filter(Boolean)
        .join(' · ');
    case 'conv1d':
      return [
        `${l.filters} filters`,
        `kernel ${l.kernelSize}`,
        `stride ${l.strides}`,
        l.dilationRate > 1 ? `dilation ${l.dilationRate}` : '',
        l.padding,
        l.activation,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'maxPooling1d':
    case 'averagePooling1d':
      return `${l.poolSize} · stride ${l.strides} · ${l.padding}`;
    case 'transformerEncoder':
      return [
        `${l.heads} heads${l.keySize !== undefined ? ` × ${l.keySize}` : ''}`,
        `ffn ${l.feedForward} ${l.activation}`,
        l.dropout > 0 ? `dropout ${l.dropout}` : '',
        l.normFirst ? 'pre-norm' : 'post-norm',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'positionalEmbedding':
      return l.kind;
  }
}

export interface DiagramContext {
  inputShape?: number[];
  outputs?: number;
}

export function archSvg(arch: ConcreteArch, ctx: DiagramContext = {}): string {
  return arch.kind === 'sequential' ? sequentialSvg(arch, ctx) : cellSvg(arch, ctx);
}

const W = 340;
const BOX_H = 38;
const GAP = 14;

function sequentialSvg(arch: SequentialArch, ctx: DiagramContext): string {
  const boxes: { cls: string; title: string; detail: string; tip: string }[] = [];
  if (ctx.inputShape) boxes.push({ cls: 'io', title: 'input', detail: ctx.inputShape.join(' × '), tip: 'input' });
  for (const l of arch.layers) boxes.push({ cls: `layer layer-${l.type}`, title: l.type, detail: layerSummary(l), tip: l.source });
  // The engine appends the classifier head; showing it makes the stack match the weight count.
  if (ctx.outputs) boxes.push({ cls: 'io', title: 'output', detail: `dense ${ctx.outputs} · softmax`, tip: 'output head' });
  const h = boxes.length * (BOX_H + GAP) - GAP + 4;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="arch arch-sequential" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Sequential model of ${arch.layers.length} layers">`,
  ];
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path class="arrow-head" d="M0 0L8 4L0 8z"/></marker></defs>',
  );
  boxes.forEach((b, i) => {
    const y = 2 + i * (BOX_H + GAP);
    parts.push(`<g class="box ${b.cls}" data-index="${i}"><title>${escapeXml(b.tip)}</title>`);
    parts.push(`<rect x="2" y="${y}" width="${W - 4}" height="${BOX_H}" rx="4"/>`);
    parts.push(`<text class="box-title" x="12" y="${y + 16}">${escapeXml(b.title)}</text>`);
    if (b.detail) parts.push(`<text class="box-detail" x="12" y="${y + 31}">${escapeXml(b.detail)}</text>`);
    parts.push('</g>');
    if (i < boxes.length - 1)
      parts.push(`<line class="edge" x1="${W / 2}" y1="${y + BOX_H}" x2="${W / 2}" y2="${y + BOX_H + GAP - 1}" marker-end="url(#arrow)"/>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Node positions on one row, edges as arcs whose height grows with the span so labels do not collide. */
function cellSvg(arch: CellArch, ctx: DiagramContext): string {
  const n = Math.max(2, arch.nodes);
  const spacing = 110;
  const r = 16;
  const lift = 34;
  const width = (n - 1) * spacing + 2 * 40;
  const x = (i: number) => 40 + i * spacing;
  // Neighbours are joined straight; longer edges alternate above and below the row, higher for longer spans.
  const geo = arch.edges.map((e) => {
    const span = e.to - e.from;
    const dir = span === 1 ? 0 : (e.from + span) % 2 === 0 ? -1 : 1;
    return { e, dir, peak: Math.ceil(span / 2) * lift };
  });
  const above = Math.max(0, ...geo.filter((g) => g.dir < 0).map((g) => g.peak));
  const below = Math.max(0, ...geo.filter((g) => g.dir > 0).map((g) => g.peak));
  const cy = 28 + above;
  const height = cy + Math.max(r, below + 16) + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="arch arch-cell" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Cell of ${arch.nodes} nodes and ${arch.edges.length} edges">`,
  ];
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path class="arrow-head" d="M0 0L8 4L0 8z"/></marker></defs>',
  );
  const labels: string[] = [];
  for (const { e, dir, peak } of geo) {
    const x1 = x(e.from) + (dir === 0 ? r : 0);
    const x2 = x(e.to) - (dir === 0 ? r : 0);
    const y1 = cy + dir * r;
    // A quadratic curve peaks halfway to its control point.
    const ctrlY = cy + dir * peak * 2;
    const mx = (x1 + x2) / 2;
    const my = (y1 + ctrlY) / 2;
    const d = dir === 0 ? `M${x1} ${cy}L${x2} ${cy}` : `M${x1} ${y1}Q${mx} ${ctrlY} ${x2} ${y1}`;
    // the op comes from a journal line: a class name of safe characters only, so no markup can ride in on it
    const cls = `op-${e.op.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    parts.push(`<path class="cell-edge ${cls}" d="${d}" marker-end="url(#arrow)"><title>${e.from} → ${e.to}: ${escapeXml(e.op)}</title></path>`);
    const ly = dir === 0 ? cy - 6 : my + (dir < 0 ? -4 : 12);
    labels.push(`<text class="edge-label ${cls}" x="${mx}" y="${ly}" text-anchor="middle" data-edge="${e.from}-${e.to}">${escapeXml(e.op)}</text>`);
  }
  // Labels after every edge so no line crosses over a label.
  parts.push(...labels);
  for (let i = 0; i < n; i++) {
    const name = i === 0 ? 'in' : i === n - 1 ? 'out' : String(i);
    parts.push(`<g class="cell-node"><circle cx="${x(i)}" cy="${cy}" r="${r}"/><text x="${x(i)}" y="${cy + 4}" text-anchor="middle">${name}</text></g>`);
  }
  const shape = ctx.inputShape ? ` · input ${ctx.inputShape.join('×')}` : '';
  parts.push(
    `<text class="cell-caption" x="${width / 2}" y="${height - 10}" text-anchor="middle">${arch.channels} channels · ${arch.cells} cell${arch.cells === 1 ? '' : 's'} × ${arch.stages} stage${arch.stages === 1 ? '' : 's'}${escapeXml(shape)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
