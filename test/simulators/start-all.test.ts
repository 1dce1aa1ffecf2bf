import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpLightningNode } from '../../src/bitcoin/lightning-node.ts';
import { Money } from '../../src/kernel/money.ts';
import { HttpPaymentProvider } from '../../src/payments/payment-provider.ts';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { HttpCarrier } from '../../src/fulfilment/carrier.ts';
import { startSimulators, type RunningSimulators } from '../../src/simulators/start-all.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const secrets = {
  payments: 'all-payments-secret-0123456789',
  carrier: 'all-carrier-secret-0123456789',
  lightning: 'all-lightning-secret-0123456789',
};
let receiver: WebhookReceiver;
let simulators: RunningSimulators;
let ports: { payments: number; carrier: number; lightning: number };

beforeAll(async () => {
  // The receiver stands in for the API: each route knows only its own sender's secret.
  receiver = await startWebhookReceiver({
    '/webhooks/payments': secrets.payments,
    '/webhooks/carrier': secrets.carrier,
    '/webhooks/lightning': secrets.lightning,
  });
  ports = { payments: await freePort(), carrier: await freePort(), lightning: await freePort() };
  simulators = await startSimulators({ apiBaseUrl: `${receiver.url}/`, ports, secrets, webhookDelayMs: 1 });
});
afterAll(async () => {
  await simulators?.close();
  await receiver.close();
});

describe('startSimulators', () => {
  it('serves all three on the given ports, each signing webhooks to its own route with its own secret', async () => {
    expect(simulators.urls).toEqual({
      payments: `http://127.0.0.1:${ports.payments}`,
      carrier: `http://127.0.0.1:${ports.carrier}`,
      lightning: `http://127.0.0.1:${ports.lightning}`,
    });
    const paymentId = crypto.randomUUID();
    await new HttpPaymentProvider(simulators.urls.payments).charge({
      paymentId,
      amount: Money.of('1.00', 'USD'),
      cardToken: 'tok_chargeDeclined',
      idempotencyKey: 'k',
    });
    const deliveryId = crypto.randomUUID();
    const { trackingNumber } = await new HttpCarrier(simulators.urls.carrier).bookShipment({ deliveryId, address: 'Somewhere 1' });
    await fetch(`${simulators.urls.carrier}/shipments/${trackingNumber}/events`, {
      method: 'POST',
      body: JSON.stringify({ type: 'package.lost' }),
    });
    const invoice = (await (
      await fetch(`${simulators.urls.lightning}/invoices`, { method: 'POST', body: JSON.stringify({ amountSats: 42 }) })
    ).json()) as { invoice: string };
    await new HttpLightningNode(simulators.urls.lightning).payInvoice({ invoice: invoice.invoice, withdrawalId: 'w1' });

    await expect
      .poll(() => receiver.received.map((event) => `${event.path} ${event.type}`).sort())
      .toEqual(['/webhooks/carrier package.lost', '/webhooks/lightning payment.succeeded', '/webhooks/payments payment.failed']);
    expect(receiver.rejected).toEqual([]);
  });

  it('stops listening on close', async () => {
    const more = await startSimulators({ apiBaseUrl: receiver.url, ports: { payments: 0, carrier: 0, lightning: 0 }, secrets });
    const url = more.urls.carrier;
    expect((await fetch(`${url}/shipments`)).status).toBe(200);
    await more.close();
    await expect(fetch(`${url}/shipments`)).rejects.toThrow();
  });

  it('leaves nothing listening when a port is taken', async () => {
    await expect(
      startSimulators({ apiBaseUrl: receiver.url, ports: { payments: 0, carrier: 0, lightning: ports.lightning }, secrets }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
