// Who may open a WebSocket: checked on the HTTP upgrade request, before any WebSocket exists.
// Host guards against DNS rebinding; Origin keeps web pages (which can reach loopback
// WebSockets, as CORS does not apply to them) out. UXP sends no Origin or a non-web one.

export interface UpgradeRequestInfo {
  host?: string;
  origin?: string;
}

/** Origins a browser sends on behalf of a page or an extension. */
const BROWSER_ORIGIN = /^(https?|chrome-extension|moz-extension|safari-web-extension|ms-browser-extension|file):/i;

/**
 * Why the upgrade is refused, or undefined when it may go ahead.
 * `allowedOrigins` lists exact Origin values to let through even if they look like a browser's
 * (an escape hatch for a Photoshop that turns out to send one).
 */
export function refuseUpgrade(req: UpgradeRequestInfo, port: number, allowedOrigins: readonly string[] = []): string | undefined {
  const host = (req.host ?? '').trim().toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return `Host '${clip(req.host)}' is not 127.0.0.1:${port} or localhost:${port}`;
  }
  if (req.origin !== undefined) {
    const origin = req.origin.trim();
    if (allowedOrigins.includes(origin)) return undefined;
    // 'null' is what sandboxed frames and file: pages send: a browser as well.
    if (origin.toLowerCase() === 'null' || BROWSER_ORIGIN.test(origin)) {
      return `Origin '${clip(origin)}' belongs to a browser`;
    }
  }
  return undefined;
}

function clip(s: string | undefined): string {
  if (s === undefined) return '';
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
