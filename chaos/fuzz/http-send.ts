import http from 'node:http';

/**
 * One HTTP request over node:http, which sends what it is given: the path as written
 * (`..` and broken escapes included; fetch would normalise them away), any header bytes,
 * a body with Content-Length or chunked. An answer that comes while the body is still
 * being sent (a 413 that closes the connection) is kept, not lost to the write error.
 * Never throws: a failure or a hang past the timeout is an outcome like an answer.
 */
export type HttpOutcome =
  | { kind: 'answered'; status: number; contentType: string; body: string }
  | { kind: 'failed'; reason: 'network-error' | 'timeout'; error: string };

export interface HttpRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  chunked?: boolean;
}

/**
 * How a lost answer reads: a server may answer and close before it read the whole body (a
 * 413 before reading, a GET that ignores its body), and Node's client can then lose that
 * answer to the reset while it is still sending (nodejs/node#12339, #38467). The fuzz
 * tells this apart from a crash by asking the API whether it is still up (run-fuzz.ts).
 */
export const LOST_WHILE_SENDING = /^(EPIPE|ECONNRESET) /;

export function sendHttp(request: HttpRequest, timeoutMs = 10_000): Promise<HttpOutcome> {
  const { hostname, port } = new URL(request.origin);
  return new Promise((resolve) => {
    let done = false;
    let answering = false;
    const finish = (outcome: HttpOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.destroy();
      resolve(outcome);
    };
    const headers = { ...request.headers };
    if (request.body !== undefined && !request.chunked) headers['content-length'] = String(Buffer.byteLength(request.body));
    let client: http.ClientRequest;
    try {
      client = http.request({ hostname, port, method: request.method, path: request.path, headers, agent: false });
    } catch (error) {
      // Only our own side refuses like this (a header node will not send): say so plainly.
      resolve({ kind: 'failed', reason: 'network-error', error: `the client refused the request: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(
      () => finish({ kind: 'failed', reason: 'timeout', error: `no complete answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    client.on('response', (response) => {
      answering = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const answered = () =>
        finish({
          kind: 'answered',
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
      response.on('end', answered);
      // The server may close right after a refusal; what arrived of the answer still counts.
      response.on('aborted', answered);
      response.on('error', answered);
    });
    client.on('error', (error) => {
      if (!answering)
        finish({ kind: 'failed', reason: 'network-error', error: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` });
    });
    if (request.body === undefined) client.end();
    else if (request.chunked) {
      // Two writes without Content-Length: node sends Transfer-Encoding: chunked. Split as
      // bytes, so a character cut in two still arrives whole.
      const bytes = Buffer.from(request.body, 'utf8');
      const half = Math.floor(bytes.length / 2);
      client.write(bytes.subarray(0, half));
      client.end(bytes.subarray(half));
    } else client.end(request.body);
  });
}
