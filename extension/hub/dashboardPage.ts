// The dashboard's HTML document, shared by the hub (browser, served at /) and the VS Code webview.
// Everything runs from one bundled module script; the CSP allows only that script (by nonce: the
// chunks it imports carry the same nonce), our own styles and fonts, and the connections the host
// names. No inline script or style.

export interface DashboardPageOptions {
  /** URL of dashboard.js (the hub: '/dashboard.js'; VS Code: an asWebviewUri). */
  scriptUri: string;
  /** Stylesheets in order; the one ending in codicon.css gets the id the icon component looks for. */
  styleUris: string[];
  /** Fresh per page load: at least 128 random bits, base64 or hex. */
  nonce: string;
  /** Source expression for our own files: "'self'" on the hub, webview.cspSource in VS Code. */
  cspSource: string;
  /** Where the page may connect: "'self' ws://HOST:PORT" on the hub, "'none'" in VS Code. */
  connectSrc: string;
}

export function dashboardCsp(o: Pick<DashboardPageOptions, 'nonce' | 'cspSource' | 'connectSrc'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `connect-src ${o.connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderDashboardPage(opts: DashboardPageOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(opts.nonce)) throw new Error('dashboard page: the nonce must be 16+ base64/hex characters');
  const links = opts.styleUris.map((uri) => {
    const id = /codicon\.css(\?|#|$)/.test(uri) ? ' id="vscode-codicon-stylesheet"' : '';
    return `    <link rel="stylesheet" href="${escapeAttr(uri)}"${id}>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(dashboardCsp(opts))}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Gunicorn Live</title>
    <link rel="icon" href="data:,">
${links.join('\n')}
  </head>
  <body>
    <div id="app" class="app" aria-busy="true">
      <p class="boot">Loading the dashboard…</p>
      <noscript>The Gunicorn Live dashboard needs JavaScript.</noscript>
    </div>
    <script type="module" nonce="${escapeAttr(opts.nonce)}" src="${escapeAttr(opts.scriptUri)}"></script>
  </body>
</html>
`;
}
