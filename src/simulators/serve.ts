import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

/** Anything with a fetch handler; a `Simulator` also gets its webhooks drained on close. */
export interface Servable {
  fetch: (request: Request) => Response | Promise<Response>;
  close?: () => Promise<void>;
}

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a simulator over real HTTP on Node. Port 0 picks a free port; the URL names
 * the one bound. `hostname` defaults to loopback; a container needs `0.0.0.0`.
 */
export async function startSimulator(app: Servable, port: number, hostname = '127.0.0.1'): Promise<RunningSimulator> {
  const server = serve({ fetch: app.fetch, port, hostname });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
  return {
    url: `http://${host}:${bound}`,
    async close() {
      // Stop taking requests first, so no new webhook starts while the pending ones drain.
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await app.close?.();
    },
  };
}
