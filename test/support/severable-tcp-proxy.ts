import { createConnection, createServer, type Socket } from 'node:net';
import { freePort } from '../../src/platform/launch/free-port.ts';

/**
 * A TCP proxy that can be cut: `sever()` drops every open connection and refuses new
 * ones until `restore()`, which is what a client sees while its database restarts.
 */
export interface SeverableTcpProxy {
  port: number;
  sever(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startSeverableTcpProxy(upstreamHost: string, upstreamPort: number): Promise<SeverableTcpProxy> {
  const port = await freePort();
  const open = new Set<Socket>();
  let severed = false;
  const server = createServer((client) => {
    if (severed) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: upstreamHost, port: upstreamPort });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    sever() {
      severed = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      severed = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
