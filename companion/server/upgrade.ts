// Who may open a WebSocket: checked on the HTTP upgrade request, before any WebSocket exists.
// Host guards against DNS rebinding; Origin keeps web pages and web views out (CORS does not
// apply to WebSockets, so any page can reach a loopback port). UXP's WebSocket sends no Origin
// or a value of its own (undocumented: the companion logs it, and --allow-origin admits an exact
// value should Photoshop turn out to send a browser-like one). An upgrade that carries the valid
// pairing token (shared/pairing.ts) is admitted whatever its Origin: a web page cannot know the
// token, and this way the panel works whatever UXP turns out to send.

export interface UpgradeRequestInfo {
  /** The Host header(s): a request with more than one is refused. */
  host?: string | readonly string[];
  /** The Origin header(s): a request with more than one, or one naming several origins, is refused. */
  origin?: string | readonly string[];
}

/**
 * URL schemes whose pages, extensions or web views send an Origin: web pages and files,
 * browsers' own and extension pages (Chromium, Firefox, Safari, Edge and their forks), isolated
 * web apps, and the app schemes of web-view shells (Electron, Tauri, VS Code, Capacitor/Ionic,
 * Qt WebEngine, WebView2, Android web views). Opaque origins (sandboxed frames, data: URLs,
 * file pages) arrive as `null`.
 */
export const BROWSER_SCHEMES: ReadonlySet<string> = new Set([
  // web pages and what they embed
  'http', 'https', 'file', 'ftp', 'about', 'data', 'blob', 'javascript', 'filesystem', 'view-source', 'ws', 'wss',
  // browsers' own pages and extensions
  'chrome', 'chrome-extension', 'chrome-untrusted', 'chrome-search', 'chrome-devtools', 'devtools', 'isolated-app',
  'edge', 'brave', 'opera', 'vivaldi', 'browser', 'moz-extension', 'resource', 'safari-web-extension', 'safari-extension',
  'webkit-extension', 'ms-browser-extension', 'extension', 'applewebdata',
  // web-view shells and app frameworks
  'vscode-webview', 'vscode-file', 'vscode-resource', 'tauri', 'asset', 'ipc', 'app', 'electron', 'capacitor', 'ionic',
  'qrc', 'ms-appx', 'ms-appx-web', 'ms-local-stream', 'res', 'android-app', 'content', 'wails', 'nw',
]);

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Why the upgrade is refused, or undefined when it may go ahead.
 * `allowedOrigins` lists exact Origin values to let through even if they look like a browser's
 * (an escape hatch for a Photoshop that turns out to send one). `paired`: the upgrade carried the
 * valid token, so only Host is checked.
 */
export function refuseUpgrade(req: UpgradeRequestInfo, port: number, allowedOrigins: readonly string[] = [], paired = false): string | undefined {
  const hosts = asList(req.host);
  if (hosts.length > 1) return `${hosts.length} Host headers`;
  const host = (hosts[0] ?? '').trim().toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return `Host '${clip(hosts[0])}' is not 127.0.0.1:${port} or localhost:${port}`;
  }
  const origins = asList(req.origin);
  if (origins.length === 0 || paired) return undefined;
  if (origins.length > 1) return `${origins.length} Origin headers`;
  const origin = origins[0].trim();
  if (allowedOrigins.includes(origin)) return undefined;
  // One origin is one token; a space or comma means a list (RFC 6454 §7) or joined headers.
  if (/[\s,]/.test(origin)) return `Origin '${clip(origin)}' names more than one origin`;
  if (origin.toLowerCase() === 'null') return `Origin 'null' belongs to a browser`;
  const scheme = SCHEME.exec(origin)?.[1].toLowerCase();
  if (scheme !== undefined && BROWSER_SCHEMES.has(scheme)) return `Origin '${clip(origin)}' belongs to a browser`;
  return undefined;
}

function asList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

/** A header value fit for a log line: printable ASCII only (no terminal escapes), at most 80 characters. */
export function clip(s: string | undefined): string {
  if (s === undefined) return '';
  const printable = s.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 80)}…` : printable;
}
