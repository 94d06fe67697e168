// The pairing token can also travel in the WebSocket upgrade, in Sec-WebSocket-Protocol (the one
// header a browser-style WebSocket such as UXP's can set). A companion that finds the valid token
// there admits the connection as paired at once, so connections that never pair cannot crowd a
// real client out. `hello` still carries the token and is still required; a companion that does
// not look at the header (or a wrong token in it) leaves pairing to `hello` alone.

/** The subprotocol the companion selects (never the token, so the token is not echoed back). */
export const SUBPROTOCOL = 'painterly.v1';
const TOKEN_PREFIX = 'painterly.token.';
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** The subprotocols a client offers: ours, and the token when it has the token's form. */
export function upgradeProtocols(token: string): string[] {
  return TOKEN_PATTERN.test(token) ? [SUBPROTOCOL, `${TOKEN_PREFIX}${token}`] : [SUBPROTOCOL];
}

/** The token offered in the upgrade, if any. */
export function tokenFromProtocols(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) if (p.startsWith(TOKEN_PREFIX)) return p.slice(TOKEN_PREFIX.length);
  return undefined;
}
