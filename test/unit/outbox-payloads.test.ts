import { describe, expect, it } from 'vitest';
import { subscribeAuctionHandlers } from '../../src/auctions/handlers.ts';
import { subscribeBitcoinHandlers } from '../../src/bitcoin/handlers.ts';
import type { Email, EmailSender } from '../../src/notifications/email.ts';
import { emailsFor } from '../../src/notifications/emails.ts';
import { subscribeNotificationHandlers } from '../../src/notifications/handlers.ts';
import { subscribePaymentHandlers } from '../../src/payments/handlers.ts';
import { InvalidMessagePayload } from '../../src/platform/bus/event-handlers.ts';
import { MessageBus } from '../../src/platform/bus/message-bus.ts';
import type { Message } from '../../src/platform/db/outbox.ts';
import type { UnitOfWork } from '../../src/platform/db/unit-of-work.ts';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';

const AUCTION = '5d0c6b1e-3f2a-4b8c-9d7e-1a2b3c4d5e6f';
const PAYMENT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const WITHDRAWAL = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const envelope = (aggregateType: string, aggregateId: string) => ({ aggregateType, aggregateId, aggregateVersion: 3 });

/** A bus whose handlers get a stand-in unit of work (no database: these handlers only call out, or read a voucher code). */
function testBus(): MessageBus {
  const uow = { sql: { query: async () => ({ rows: [{ code: 'VOUCHER-42' }] }) } } as unknown as UnitOfWork;
  return new MessageBus([(_message, context, next) => next({ ...context, uow })]);
}

/** A workflow gateway that records what it is asked to start. */
function recordingWorkflows() {
  const started: { workflowType: string; input: unknown }[] = [];
  const gateway = {
    start: async (contract: { workflowType: string }, input: unknown) => {
      started.push({ workflowType: contract.workflowType, input });
      return { workflowId: 'w', started: true };
    },
    signalWithStart: async () => ({ delivered: true }),
  } as unknown as WorkflowGateway;
  return { gateway, started };
}

const message = (type: string, payload: Record<string, unknown>): Message => ({ id: crypto.randomUUID(), type, payload });

async function failure(run: Promise<unknown>): Promise<InvalidMessagePayload> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof InvalidMessagePayload)) throw new Error(`expected InvalidMessagePayload, got ${String(error)}`);
  return error;
}

describe('outbox messages parsed at the handler', () => {
  const unwantedCapture = {
    ...envelope('Payment', PAYMENT),
    auctionId: AUCTION,
    payerId: 'alice',
    title: 'Bike',
    providerChargeId: 'ch_1',
    amount: { amount: '10.00', currency: 'USD' },
    reason: 'after-window',
  };

  it('hands a payload that fits to the handler, typed, and the handler acts on it', async () => {
    const bus = testBus();
    const { gateway, started } = recordingWorkflows();
    subscribePaymentHandlers(bus, gateway, 'queue');
    await bus.dispatch(message('UnwantedCaptureRecorded', unwantedCapture));
    expect(started).toEqual([
      {
        workflowType: 'unwantedCaptureRefund',
        input: { paymentId: PAYMENT, providerChargeId: 'ch_1', auctionId: AUCTION, payerId: 'alice' },
      },
    ]);
  });

  it('fails a payload with a missing field, naming the message type and the field, before the handler acts', async () => {
    const bus = testBus();
    const { gateway, started } = recordingWorkflows();
    subscribePaymentHandlers(bus, gateway, 'queue');
    const { providerChargeId: _, ...withoutCharge } = unwantedCapture;
    const bad = message('UnwantedCaptureRecorded', withoutCharge);
    const error = await failure(bus.dispatch(bad));
    expect(error.messageType).toBe('UnwantedCaptureRecorded');
    expect(error.messageId).toBe(bad.id);
    expect(error.issues.map((i) => i.path)).toEqual(['providerChargeId']);
    expect(error.message).toMatch(/^invalid payload of UnwantedCaptureRecorded message [0-9a-f-]+: providerChargeId: /);
    expect(started).toEqual([]);
  });

  it('fails an ill-typed field, nested fields by their dotted path', async () => {
    const bus = testBus();
    const { gateway, started } = recordingWorkflows();
    subscribeAuctionHandlers(bus, gateway, 'queue');
    subscribeBitcoinHandlers(bus, gateway, 'queue');

    const created = {
      ...envelope('Auction', AUCTION),
      sellerId: 'bob',
      title: 'Bike',
      startingPrice: { amount: '5.00', currency: 'USD' },
      endsAt: Date.now(),
      fulfilment: 'delivery',
    };
    const auction = await failure(bus.dispatch(message('AuctionCreated', created)));
    expect(auction.messageType).toBe('AuctionCreated');
    expect(auction.issues.map((i) => i.path)).toEqual(['endsAt']);

    const requested = {
      ...envelope('Withdrawal', WITHDRAWAL),
      accountId: 'carol',
      customerId: 'carol',
      amount: { amount: '1000', currency: 'GBP' },
      paymentHash: 'ab'.repeat(32),
    };
    const withdrawal = await failure(bus.dispatch(message('WithdrawalRequested', requested)));
    expect(withdrawal.message).toContain('WithdrawalRequested');
    expect(withdrawal.issues.map((i) => i.path)).toEqual(['amount.currency']);

    const noAggregate = await failure(bus.dispatch(message('AuctionEnded', { sellerId: 'bob' })));
    expect(noAggregate.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['aggregateType', 'aggregateId', 'aggregateVersion', 'winnerId', 'title', 'endsAt']),
    );
    expect(started).toEqual([]);

    await bus.dispatch(message('AuctionCreated', { ...created, endsAt: new Date(0).toISOString() }));
    expect(started).toEqual([
      { workflowType: 'auctionClosing', input: { auctionId: AUCTION, sellerId: 'bob', endsAt: '1970-01-01T00:00:00.000Z' } },
    ]);
  });

  it('e-mails from a payload that fits, and refuses one that does not, naming the field', async () => {
    const started = {
      ...envelope('Payment', PAYMENT),
      auctionId: AUCTION,
      payerId: 'alice',
      payeeId: 'bob',
      amount: { amount: '12.50', currency: 'EUR' },
      title: 'Bike',
      payableUntil: new Date(0).toISOString(),
    };
    const good = message('PaymentStarted', started);
    expect(emailsFor(good).map((e) => [e.to, e.kind, e.dedupKey])).toEqual([
      ['alice', 'auction-won', `${good.id}:alice`],
      ['bob', 'auction-sold', `${good.id}:bob`],
    ]);
    expect(emailsFor(message('ChargeRequested', {}))).toEqual([]);

    const { payeeId: _, ...withoutPayee } = started;
    const error = (() => {
      try {
        emailsFor(message('PaymentStarted', { ...withoutPayee, amount: { amount: 12.5, currency: 'EUR' } }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidMessagePayload);
    expect((error as InvalidMessagePayload).issues.map((i) => i.path).sort()).toEqual(['amount.amount', 'payeeId']);
  });

  it("the notification handler adds the voucher's code, read from its record, never from the event", async () => {
    const bus = testBus();
    const sent: Email[] = [];
    const sender: EmailSender = { send: async (_sql, email) => void sent.push(email) };
    subscribeNotificationHandlers(bus, sender);
    const issued = message('VoucherIssued', {
      ...envelope('ServiceTransaction', AUCTION),
      auctionId: AUCTION,
      buyerId: 'alice',
      sellerId: 'bob',
      paymentId: PAYMENT,
      title: 'Massage',
    });
    await bus.dispatch(issued);
    expect(sent).toEqual([
      expect.objectContaining({
        to: 'alice',
        kind: 'voucher-issued',
        body: 'Your voucher code for "Massage" is VOUCHER-42.',
        data: { serviceId: AUCTION, code: 'VOUCHER-42' },
      }),
    ]);
    const error = await failure(bus.dispatch(message('VoucherIssued', { ...envelope('ServiceTransaction', AUCTION), title: 'Massage' })));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['auctionId', 'buyerId', 'paymentId', 'sellerId']);
  });
});
