// Chart colours from VS Code's theme variables. Canvas charts cannot use CSS variables directly, so the values
// are read once per theme and the charts are rebuilt when VS Code switches theme: it changes the body class
// (vscode-light / vscode-dark / vscode-high-contrast[-light]) and rewrites the variables on <html>.

export interface Palette {
  fg: string;
  muted: string;
  grid: string;
  blue: string;
  orange: string;
  red: string;
  green: string;
  purple: string;
  yellow: string;
  font: string;
  highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readPalette(): Palette {
  const s = getComputedStyle(document.body);
  const light = document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
  const fg = cssVar(s, '--vscode-editor-foreground', light ? '#333333' : '#cccccc');
  const family = cssVar(s, '--vscode-font-family', 'sans-serif');
  const size = cssVar(s, '--vscode-font-size', '12px');
  return {
    fg,
    muted: cssVar(s, '--vscode-descriptionForeground', fg),
    grid: cssVar(s, '--vscode-charts-lines', light ? 'rgba(0,0,0,0.15)' : 'rgba(255,255,255,0.15)'),
    blue: cssVar(s, '--vscode-charts-blue', '#3794ff'),
    orange: cssVar(s, '--vscode-charts-orange', '#d18616'),
    red: cssVar(s, '--vscode-charts-red', '#f14c4c'),
    green: cssVar(s, '--vscode-charts-green', '#89d185'),
    purple: cssVar(s, '--vscode-charts-purple', '#b180d7'),
    yellow: cssVar(s, '--vscode-charts-yellow', '#cca700'),
    font: `${size} ${family}`,
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls `cb` after a theme change; returns the function that stops watching. */
export function onThemeChange(cb: () => void): () => void {
  let pending = 0;
  // VS Code touches the class and the variables in one go: coalesce them into one rebuild.
  const fire = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      cb();
    });
  };
  const obs = new MutationObserver(fire);
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => obs.disconnect();
}

/** A colour with transparency: theme colours arrive as #rrggbb (sometimes #rrggbbaa) or rgb(). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim());
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = [...h].map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r},${g},${b},${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(color.trim());
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map((x) => x.trim());
    return `rgba(${r},${g},${b},${alpha})`;
  }
  return color;
}
