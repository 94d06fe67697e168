// A loopback TCP proxy that makes a browser's WebSocket look like UXP's to the companion.
// Chromium sends `Origin: null` from a file:// page, and the companion refuses browser origins
// by design (docs/protocol.md, security rules). Photoshop's UXP WebSocket sends no web Origin,
// so the proxy drops the Origin header and names the companion's port in Host, as a panel
// connecting directly would. Nothing else in the stream is touched.
import net from 'node:net';

export interface OriginProxy {
  port: number;
  url: string;
  /** Origin values removed from upgrade requests. */
  strippedOrigins: string[];
  close(): Promise<void>;
}

const HEAD_END = '\r\n\r\n';

export async function startOriginProxy(targetPort: number): Promise<OriginProxy> {
  const strippedOrigins: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const kept = lines.filter((line, i) => {
        if (i > 0 && /^origin:/i.test(line)) {
          strippedOrigins.push(line.slice(line.indexOf(':') + 1).trim());
          return false;
        }
        return true;
      });
      const rewritten = kept.map((line, i) => (i > 0 && /^host:/i.test(line) ? `Host: 127.0.0.1:${targetPort}` : line));
      const upstream = net.connect(targetPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.write(Buffer.concat([Buffer.from(rewritten.join('\r\n') + HEAD_END, 'latin1'), head.subarray(end + HEAD_END.length)]));
      client.pipe(upstream);
      upstream.pipe(client);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    strippedOrigins,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
