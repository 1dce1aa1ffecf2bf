import { createServer } from 'node:http';
import { freePort } from '../../src/platform/launch/free-port.ts';

/** A server that answers every request 200 and does nothing with it: where lost webhooks go. */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
