import { describe, expect, it } from 'vitest';
import { refuseUpgrade } from '../../../companion/server/upgrade.js';

const PORT = 47653;

describe('refuseUpgrade', () => {
  it('accepts 127.0.0.1 and localhost with our port, without an Origin', () => {
    expect(refuseUpgrade({ host: '127.0.0.1:47653' }, PORT)).toBeUndefined();
    expect(refuseUpgrade({ host: 'LOCALHOST:47653' }, PORT)).toBeUndefined();
  });

  it('refuses any other Host: names, other ports, no port, no Host', () => {
    for (const host of ['evil.example:47653', 'localhost.evil.example:47653', '127.0.0.1:47654', '127.0.0.1', '[::1]:47653', '0.0.0.0:47653', undefined]) {
      expect(refuseUpgrade({ host }, PORT), String(host)).toMatch(/^Host '.*' is not 127\.0\.0\.1:47653 or localhost:47653$/);
    }
  });

  it('refuses browser origins: web pages, null, files and extensions', () => {
    for (const origin of ['http://localhost:3000', 'https://example.com', 'HTTPS://EXAMPLE.COM', 'null', 'file://', 'chrome-extension://abc', 'moz-extension://x', 'safari-web-extension://y']) {
      expect(refuseUpgrade({ host: '127.0.0.1:47653', origin }, PORT), origin).toMatch(/belongs to a browser$/);
    }
  });

  it('refuses the schemes of browsers’ own pages, isolated apps and web-view shells', () => {
    const origins = [
      'chrome://settings', 'chrome-untrusted://x', 'isolated-app://abc', 'vscode-webview://x', 'vscode-file://vscode-app', 'tauri://localhost',
      'about:blank', 'data:text/html;base64', 'blob:https://a/1', 'edge://x', 'devtools://devtools', 'app://bundle', 'capacitor://localhost',
      'ionic://localhost', 'qrc://x', 'ms-appx-web://x', 'resource://x', 'filesystem:https://a', 'view-source:https://a', 'Chrome-Extension://abc',
    ];
    for (const origin of origins) expect(refuseUpgrade({ host: '127.0.0.1:47653', origin }, PORT), origin).toMatch(/belongs to a browser$/);
  });

  it('refuses several Origin headers and an Origin naming several origins', () => {
    expect(refuseUpgrade({ host: '127.0.0.1:47653', origin: ['uxp://a', 'uxp://a'] }, PORT)).toBe('2 Origin headers');
    for (const origin of ['https://a.example, uxp://b', 'uxp://b https://a.example', 'uxp://b,https://a.example']) {
      expect(refuseUpgrade({ host: '127.0.0.1:47653', origin }, PORT), origin).toMatch(/names more than one origin$/);
    }
  });

  it('refuses several Host headers', () => {
    expect(refuseUpgrade({ host: ['127.0.0.1:47653', 'evil.example'] }, PORT)).toBe('2 Host headers');
  });

  it('accepts no Origin and the same single values as one header or a list of one', () => {
    expect(refuseUpgrade({ host: ['127.0.0.1:47653'], origin: [] }, PORT)).toBeUndefined();
    expect(refuseUpgrade({ host: ['127.0.0.1:47653'], origin: ['uxp://painterly'] }, PORT)).toBeUndefined();
  });

  it('accepts non-web origins and exact origins on the allow list', () => {
    expect(refuseUpgrade({ host: '127.0.0.1:47653', origin: 'uxp://painterly' }, PORT)).toBeUndefined();
    expect(refuseUpgrade({ host: '127.0.0.1:47653', origin: 'null' }, PORT, ['null'])).toBeUndefined();
    expect(refuseUpgrade({ host: '127.0.0.1:47653', origin: 'http://a' }, PORT, ['http://b'])).toBeDefined();
  });

  it('clips a long header in its reason', () => {
    const reason = refuseUpgrade({ host: 'x'.repeat(500) }, PORT)!;
    expect(reason.length).toBeLessThan(200);
  });

  it('keeps terminal escapes out of its reason (it is printed on the console)', () => {
    const reason = refuseUpgrade({ host: '127.0.0.1:47653', origin: 'https://a\u001b[2J\u0007' }, PORT)!;
    expect(reason).toBe("Origin 'https://a?[2J?' belongs to a browser");
  });
});
