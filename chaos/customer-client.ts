import { issueToken } from '../src/platform/http/auth.ts';

export interface Answer {
  status: number;
  body: any;
  /** Set on the 409 that says the same Idempotency-Key is still running: ask again later. */
  retryAfter?: string;
}

/** What the load saw, for the report: answers by status, and the ones no customer should get. */
export interface LoadTally {
  requests: number;
  byStatus: Record<string, number>;
  /** Answers outside what the call allows (a 400 to a valid request, a 404 for one's own id). */
  surprises: string[];
  /** Calls that never got an answer a customer could act on, even after retrying through the faults. */
  gaveUp: string[];
}

export function newTally(): LoadTally {
  return { requests: 0, byStatus: {}, surprises: [], gaveUp: [] };
}

const RETRY_FOR_MS = 90_000;

/**
 * A customer's side of the HTTP API. Like a real client it retries a call that got no
 * answer, a 5xx (the API may be restarting, Postgres may be down) or a 409 with
 * `Retry-After` (its earlier try is still running), with the same Idempotency-Key, so a
 * retried effect happens once. Each call names the statuses it
 * accepts; anything else is a surprise for the report.
 */
export class CustomerClient {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    private readonly apiUrl: string,
    private readonly authSecret: string,
    readonly tally: LoadTally,
  ) {}

  async call(as: string | undefined, method: 'GET' | 'POST', path: string, options: { body?: unknown; accept: number[] }): Promise<Answer> {
    const idempotencyKey = method === 'POST' ? crypto.randomUUID() : undefined;
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.once(as, method, path, options.body, idempotencyKey);
      this.tally.requests++;
      const key = answer ? String(answer.status) : 'no answer';
      this.tally.byStatus[key] = (this.tally.byStatus[key] ?? 0) + 1;
      const askAgain = answer !== undefined && answer.status === 409 && answer.retryAfter !== undefined;
      if (answer && answer.status < 500 && !askAgain) {
        if (!options.accept.includes(answer.status)) {
          this.tally.surprises.push(
            `${method} ${path} as ${as ?? 'nobody'}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
          );
        }
        return answer;
      }
      if (Date.now() > deadline) {
        this.tally.gaveUp.push(
          `${method} ${path}: ${answer ? `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}` : 'no answer'}`,
        );
        return answer ?? { status: 0, body: undefined };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 3_000)));
    }
  }

  private async once(
    as: string | undefined,
    method: string,
    path: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<Answer | undefined> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (as) headers.authorization = `Bearer ${await this.token(as)}`;
    try {
      const response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text for the report
      }
      return { status: response.status, body: parsed, retryAfter: response.headers.get('retry-after') ?? undefined };
    } catch {
      return undefined;
    }
  }

  token(customerId: string): Promise<string> {
    let token = this.tokens.get(customerId);
    if (!token) {
      token = issueToken(this.authSecret, customerId, '6h');
      this.tokens.set(customerId, token);
    }
    return token;
  }
}
