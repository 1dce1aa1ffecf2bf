import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSender, type WebhookEvent } from '../../src/simulators/webhook-sender.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const SECRET = 'sender-test-secret-0123456789';
let receiver: WebhookReceiver;

beforeEach(async () => {
  receiver = await startWebhookReceiver(SECRET);
});
afterEach(async () => {
  await receiver.close();
});

describe('webhook sender', () => {
  it('sends a signed { id, type, data } event that the platform verifier accepts', async () => {
    const sender = createWebhookSender({ url: `${receiver.url}/hook`, secret: SECRET, delayMs: 5 });
    const [id] = sender.send({ type: 'thing.happened', data: { thingId: 't1' } });
    await sender.idle();
    expect(id).toMatch(/^evt_[0-9a-f-]{36}$/);
    expect(receiver.received).toEqual([{ path: '/hook', id, type: 'thing.happened', data: { thingId: 't1' } }]);
    expect(receiver.rejected).toEqual([]);
  });

  it('is refused by a receiver holding another secret', async () => {
    const given: string[] = [];
    const sender = createWebhookSender({
      url: receiver.url,
      secret: 'some-other-secret-0123456789',
      delayMs: 0,
      maxAttempts: 2,
      backoffMs: 5,
      onGiveUp: (_event, failure) => given.push(failure),
    });
    sender.send({ type: 'thing.happened', data: {} });
    await sender.idle();
    expect(receiver.received).toEqual([]);
    expect(receiver.rejected).toEqual(['signature does not match', 'signature does not match']);
    expect(given).toEqual(['HTTP 401']);
  });

  it('retries with backoff until the receiver answers 2xx, keeping the event id', async () => {
    receiver.failNext(3);
    const sender = createWebhookSender({ url: receiver.url, secret: SECRET, delayMs: 0, backoffMs: 10 });
    const [id] = sender.send({ type: 'thing.happened', data: { n: 1 } });
    await sender.idle();
    expect(receiver.attempts).toBe(4);
    expect(receiver.received.map((event) => event.id)).toEqual([id]);
  });

  it('gives up after the last attempt and says so', async () => {
    receiver.failNext(100);
    const abandoned: { event: WebhookEvent; failure: string }[] = [];
    const sender = createWebhookSender({
      url: receiver.url,
      secret: SECRET,
      delayMs: 0,
      maxAttempts: 3,
      backoffMs: 5,
      onGiveUp: (event, failure) => abandoned.push({ event, failure }),
    });
    sender.send({ type: 'thing.happened', data: {} });
    await sender.idle();
    expect(receiver.attempts).toBe(3);
    expect(abandoned).toEqual([{ event: expect.objectContaining({ type: 'thing.happened' }), failure: 'HTTP 500' }]);
  });

  it('delivers a sequence in order, each event happening just before it is sent', async () => {
    receiver.failNext(2); // the first event is retried; the second must still come after it
    const happened: string[] = [];
    const sender = createWebhookSender({ url: receiver.url, secret: SECRET, delayMs: 0, backoffMs: 5 });
    sender.send(
      { type: 'first', data: {}, happen: () => happened.push(`first after ${receiver.received.length}`) },
      { type: 'second', data: {}, happen: () => happened.push(`second after ${receiver.received.length}`) },
    );
    await sender.idle();
    expect(receiver.received.map((event) => event.type)).toEqual(['first', 'second']);
    expect(happened).toEqual(['first after 0', 'second after 1']);
  });

  it('drops an event whose happen returns false, and the rest of its send, but not other sends', async () => {
    const happened: string[] = [];
    const sender = createWebhookSender({ url: receiver.url, secret: SECRET, delayMs: 0 });
    const ids = sender.send(
      { type: 'first', data: {}, happen: () => happened.push('first') },
      { type: 'voided', data: {}, happen: () => false },
      { type: 'after', data: {}, happen: () => happened.push('after') },
    );
    sender.send({ type: 'other', data: {}, happen: () => true });
    await sender.idle();
    expect(ids).toHaveLength(3);
    expect(receiver.received.map((event) => event.type).sort()).toEqual(['first', 'other']);
    expect(happened).toEqual(['first']);
  });

  it('sends every event twice with the same id when asked to duplicate', async () => {
    const sender = createWebhookSender({ url: receiver.url, secret: SECRET, delayMs: 0, duplicate: true });
    const ids = sender.send({ type: 'a', data: {} }, { type: 'b', data: {} });
    await sender.idle();
    expect(receiver.received.map((event) => event.id)).toEqual([ids[0], ids[0], ids[1], ids[1]]);
  });

  it('waits the delay before the first attempt, and close() drops what has not started', async () => {
    const sender = createWebhookSender({ url: receiver.url, secret: SECRET, delayMs: 60_000, onGiveUp: () => {} });
    sender.send({ type: 'later', data: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.attempts).toBe(0);
    const started = Date.now();
    await sender.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(receiver.attempts).toBe(0);
  });
});
