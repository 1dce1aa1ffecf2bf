import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMetrics, type Registry } from './metrics-registry.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` for a process without an HTTP port of its own (the worker, the relay).
 * `alsoServe` appends another exposition, such as the Temporal SDK's own metrics, which
 * its Rust core serves on a loopback port of its own: one scrape target per process.
 * Port 0 takes any free port (the tests run several workers side by side).
 */
export function startMetricsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  alsoServe?: () => Promise<string>;
}): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    void (async () => {
      try {
        const { body, contentType } = await renderMetrics(options.registry);
        const more = options.alsoServe ? await options.alsoServe().catch(() => '') : '';
        response.writeHead(200, { 'content-type': contentType }).end(more ? `${body}\n${more}` : body);
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`);
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`metrics port ${options.port} is already in use`) : error),
    );
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://localhost:${port}/metrics`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Reads another Prometheus exposition over HTTP (the Temporal core's), to serve beside ours. */
export function scrapeFrom(url: string): () => Promise<string> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  };
}
