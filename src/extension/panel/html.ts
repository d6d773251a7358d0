// The results panel's page: an empty shell that loads the bundled webview script. Pure (no 'vscode') so the
// CSP can be tested without an editor.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource: the origin the webview serves local resources from. */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri of dist/webview.js and dist/webview.css. */
  scriptUri: string;
  styleUri: string;
  title: string;
}

/** 128 random bits, base64: unguessable per page load, so only the page's own script runs. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce on styles is for the toolkit: FAST probes :focus-visible support with a <style> element that it
    // tags with the nonce it finds in <meta property="csp-nonce">. Everything else is the bundled stylesheet or
    // constructable stylesheets / CSSOM, which CSP does not gate, so no 'unsafe-inline' is needed.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]);

export function renderPanelHtml(o: PanelHtmlOptions): string {
  const nonce = esc(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.styleUri)}">
<title>${esc(o.title)}</title>
</head>
<body>
<div id="app" class="loading"></div>
<script nonce="${nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>
`;
}
