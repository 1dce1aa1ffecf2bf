import { createServer, type Server } from 'node:http';
import { freePort } from '../../src/platform/launch/free-port.ts';

/**
 * A proxy in front of a simulator that can catch a call in flight: `holdNext(path)`
 * forwards the next request to that path, then keeps the answer back until released,
 * so a test can kill the worker after the simulator acted but before the activity heard.
 */
export interface HoldingProxy {
  url: string;
  holdNext(path: string): { forwarded: Promise<void>; release(): void };
  close(): Promise<void>;
}

export async function startHoldingProxy(upstream: () => string): Promise<HoldingProxy> {
  const port = await freePort();
  const holds = new Map<string, { forwarded: () => void; released: Promise<void> }>();
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await fetch(`${upstream()}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(([k]) => ['content-type', 'idempotency-key'].includes(k)),
      ) as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = await answer.text();
    const hold = holds.get(request.url ?? '');
    if (hold) {
      holds.delete(request.url ?? '');
      hold.forwarded();
      await hold.released;
    }
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    holdNext(path) {
      let release!: () => void;
      let forwarded!: () => void;
      const promise = new Promise<void>((resolve) => (forwarded = resolve));
      holds.set(path, { forwarded, released: new Promise((resolve) => (release = resolve)) });
      return { forwarded: promise, release: () => release() };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
