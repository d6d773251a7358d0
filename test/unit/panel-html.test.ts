// The results panel's page and its Content Security Policy: only the nonce'd bundle may run, styles come from
// the extension or carry the nonce, and nothing loads from anywhere else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, renderPanelHtml } from '../../src/extension/panel/html';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const NONCE = 'abc123XYZ+/=';

function page(title = 'NAS: run') {
  return renderPanelHtml({ cspSource: SOURCE, nonce: NONCE, scriptUri: `${SOURCE}/ext/dist/webview.js`, styleUri: `${SOURCE}/ext/dist/webview.css`, title });
}

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page declares a CSP');
  const content = m[1].replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return new Map(
    content
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
}

describe('panel HTML and CSP', () => {
  it("denies everything by default and lets scripts run only with the page's nonce", () => {
    const csp = cspOf(page());
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${NONCE}'`]);
  });

  it('allows styles, images and fonts from the extension only, and no unsafe-* source anywhere', () => {
    const csp = cspOf(page());
    assert.deepEqual(csp.get('style-src'), [SOURCE, `'nonce-${NONCE}'`]);
    assert.deepEqual(csp.get('img-src'), [SOURCE, 'data:']);
    assert.deepEqual(csp.get('font-src'), [SOURCE]);
    assert.doesNotMatch(contentSecurityPolicy(SOURCE, NONCE), /unsafe-|\*/);
  });

  it('puts the nonce on every script tag and has no inline script', () => {
    const html = page();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(scripts.length >= 1);
    for (const tag of scripts) {
      assert.match(tag, new RegExp(`nonce="${NONCE.replace(/[+/=]/g, (c) => `\\${c}`)}"`), tag);
      assert.match(tag, /\ssrc="[^"]+"/, `${tag} loads a file rather than running inline code`);
    }
    assert.doesNotMatch(html, /<script\b[^>]*>[^<]+<\/script>/, 'no script body');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /\sstyle=/i, 'no inline style attributes');
  });

  it('declares the CSP before anything that loads, and tells the toolkit the style nonce', () => {
    const html = page();
    const csp = html.indexOf('Content-Security-Policy');
    assert.ok(csp > 0 && csp < html.indexOf('<link') && csp < html.indexOf('<script'));
    assert.match(html, new RegExp(`<meta property="csp-nonce" content="${NONCE.replace(/[+/=]/g, (c) => `\\${c}`)}">`));
  });

  it('loads the bundle and its stylesheet from the given URIs and escapes the title', () => {
    const html = page('NAS: <b>"x"</b>');
    assert.match(html, /<script nonce="[^"]+" src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/[^"]+\/dist\/webview\.css">/);
    assert.match(html, /<title>NAS: &lt;b&gt;&quot;x&quot;&lt;\/b&gt;<\/title>/);
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = createNonce();
    const b = createNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.match(a, /^[A-Za-z0-9+/]+=*$/, 'a valid CSP base64 nonce');
  });
});
