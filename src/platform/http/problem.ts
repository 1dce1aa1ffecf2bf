import { HTTPException } from 'hono/http-exception';
import { DomainError, InvalidInput, type FieldError } from '../../kernel/errors.ts';

/** RFC 9457 problem details, as docs/README.md describes them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const BY_KIND: Record<DomainError['kind'], { status: number; title: string; slug: string }> = {
  invalid_input: { status: 400, title: 'Invalid request', slug: 'invalid-request' },
  unauthorized: { status: 401, title: 'Unauthorized', slug: 'unauthorized' },
  forbidden: { status: 403, title: 'Forbidden', slug: 'forbidden' },
  not_found: { status: 404, title: 'Not found', slug: 'not-found' },
  conflict: { status: 409, title: 'Conflict', slug: 'conflict' },
  business_rule: { status: 422, title: 'Business rule violated', slug: 'business-rule-violated' },
};

export function problem(status: number, title: string, detail: string, errors?: FieldError[]): Problem {
  const slug = Object.values(BY_KIND).find((k) => k.status === status)?.slug ?? `http-${status}`;
  return { type: `/problems/${slug}`, title, status, detail, ...(errors && errors.length > 0 ? { errors } : {}) };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/**
 * Maps any error to a problem. Domain errors carry their own status; Hono's own
 * (malformed JSON) keep theirs; anything else is a 500 whose detail says nothing about
 * internals: the stack goes to the log, never to the client.
 */
export function problemFromError(error: unknown): Problem {
  if (error instanceof DomainError) {
    const { status, title } = BY_KIND[error.kind];
    return problem(status, title, error.message, error instanceof InvalidInput ? error.errors : undefined);
  }
  if (error instanceof HTTPException) {
    return problem(error.status, error.status === 400 ? 'Invalid request' : 'Error', error.message);
  }
  return problem(500, 'Internal server error', 'The server could not complete the request. It has been logged.');
}
