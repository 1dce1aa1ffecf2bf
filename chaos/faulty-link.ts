import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../src/platform/launch/free-port.ts';

/**
 * What a call through the link meets: the outside service answering normally, answering
 * 500 without acting, or hanging (the call is held, then its connection dropped without
 * an answer, so the caller cannot tell whether anything happened).
 */
export type LinkTrouble = 'none' | 'errors' | 'hangs';

/**
 * A proxy between the platform and one simulator (payment provider, carrier, lightning
 * node) that can be told to misbehave for a while. The simulator behind it stays
 * honest: its records are what the money invariants are checked against.
 */
export interface FaultyLink {
  url: string;
  /** Misbehave from now until `untilMs` (epoch ms); a later call replaces the window. */
  trouble(kind: Exclude<LinkTrouble, 'none'>, forMs: number): void;
  heal(): void;
  calls: { forwarded: number; failed: number; hung: number };
  close(): Promise<void>;
}

export async function startFaultyLink(upstream: string): Promise<FaultyLink> {
  let kind: LinkTrouble = 'none';
  let until = 0;
  const hanging = new Set<ServerResponse>();
  const calls = { forwarded: 0, failed: 0, hung: 0 };
  const current = (): LinkTrouble => (Date.now() < until ? kind : 'none');

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch(() => response.destroy());
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const trouble = current();
    if (trouble === 'errors') {
      calls.failed++;
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"injected failure"}');
      return;
    }
    if (trouble === 'hangs') {
      calls.hung++;
      hanging.add(response);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
      hanging.delete(response);
      response.destroy();
      return;
    }
    calls.forwarded++;
    const answer = await fetch(`${upstream}${request.url}`, {
      method: request.method,
      headers: forwardable(request),
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
  }

  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    trouble(troubleKind, forMs) {
      kind = troubleKind;
      until = Date.now() + forMs;
    },
    heal() {
      until = 0;
      for (const response of hanging) response.destroy();
    },
    calls,
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function forwardable(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'idempotency-key', 'accept']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}
