import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { correlationMiddleware } from '../../src/platform/http/correlation.ts';
import { problem, problemResponse } from '../../src/platform/http/problem.ts';
import { correlationLogFields, currentMessageContext } from '../../src/platform/messages/message-context.ts';

const app = new Hono();
app.use('*', correlationMiddleware());
app.get('/context', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, 1)); // still inside after an await
  return c.json({ context: currentMessageContext() ?? null, log: correlationLogFields() });
});
app.get('/refused', () => problemResponse(problem(409, 'Conflict', 'no')));
app.get('/broken', () => {
  throw new Error('boom');
});
app.get('/moved', () => Response.redirect('http://example.test/elsewhere', 302));
app.onError(() => problemResponse(problem(500, 'Internal error', 'boom')));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('correlation middleware', () => {
  it("runs the request in the caller's correlation id, without causation, and echoes it", async () => {
    const response = await app.request('/context', { headers: { 'x-correlation-id': 'test-123' } });
    expect(response.headers.get('x-correlation-id')).toBe('test-123');
    expect(await response.json()).toEqual({ context: { correlationId: 'test-123' }, log: { correlationId: 'test-123' } });
  });

  it('takes x-request-id when there is no x-correlation-id', async () => {
    const response = await app.request('/context', { headers: { 'x-request-id': 'lb:7f.3_a-b' } });
    expect(response.headers.get('x-correlation-id')).toBe('lb:7f.3_a-b');
  });

  it('makes a new id when none is sent, or what is sent is not a short plain token', async () => {
    for (const sent of [undefined, '', 'a'.repeat(129), 'two words', 'x\u0085y', 'é', '<script>', 'a/b']) {
      const response = await app.request('/context', { headers: sent === undefined ? {} : { 'x-correlation-id': sent } });
      const id = response.headers.get('x-correlation-id');
      expect(id, `sent ${JSON.stringify(sent)}`).toMatch(UUID);
      expect(((await response.json()) as { context: unknown }).context).toEqual({ correlationId: id });
    }
    expect((await app.request('/context', { headers: { 'x-correlation-id': 'a'.repeat(128) } })).headers.get('x-correlation-id')).toBe(
      'a'.repeat(128),
    );
  });

  it('gives each request its own id', async () => {
    const [a, b] = await Promise.all([app.request('/context'), app.request('/context')]);
    expect(a.headers.get('x-correlation-id')).not.toBe(b.headers.get('x-correlation-id'));
  });

  it('echoes the id on problem answers and errors too', async () => {
    const refused = await app.request('/refused', { headers: { 'x-correlation-id': 'on-409' } });
    expect([refused.status, refused.headers.get('x-correlation-id')]).toEqual([409, 'on-409']);
    const broken = await app.request('/broken', { headers: { 'x-correlation-id': 'on-500' } });
    expect([broken.status, broken.headers.get('x-correlation-id')]).toEqual([500, 'on-500']);
    // Response.redirect's headers are immutable: the answer is copied to carry the id.
    const moved = await app.request('/moved', { headers: { 'x-correlation-id': 'on-302' } });
    expect([moved.status, moved.headers.get('location'), moved.headers.get('x-correlation-id')]).toEqual([
      302,
      'http://example.test/elsewhere',
      'on-302',
    ]);
  });

  it('leaves code outside a request without context', () => {
    expect(currentMessageContext()).toBeUndefined();
    expect(correlationLogFields()).toEqual({});
  });
});
