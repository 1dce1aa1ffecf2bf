import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowGateway } from '../../src/platform/temporal/workflow-gateway.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import { eventually, startPlatform, type TestPlatform } from '../support/platform.ts';
import { wonAuctionHelpers } from '../support/won-auctions.ts';

/**
 * A webhook's signal may reach the saga before the webhook's own transaction commits. The
 * saga then reads the payment's record to close the window; found CI once: the capture
 * not yet written, the window closed as "cancelled", the auction `unpaid` and the buyer's
 * capture refunded as a late one. The race is made certain here: the signal is delivered,
 * then its call is held two seconds before the webhook's transaction may go on.
 */
let platform: TestPlatform;
const h = wonAuctionHelpers(() => platform);

const slowAfterCaptureSignals = (gateway: WorkflowGateway): WorkflowGateway => ({
  ...gateway,
  start: (saga, input, options) => gateway.start(saga, input, options),
  signalWithStart: (saga, input, signal, arg, options) => gateway.signalWithStart(saga, input, signal, arg, options),
  query: (workflowId, query, options) => gateway.query(workflowId, query, options),
  describe: (workflowId) => gateway.describe(workflowId),
  checkHealth: () => gateway.checkHealth(),
  async signal(workflowId, signal, arg) {
    await gateway.signal(workflowId, signal, arg);
    if (signal.name === payingForWonItemSaga.signals.chargeCaptured.name) await new Promise((resolve) => setTimeout(resolve, 2_000));
  },
});

beforeAll(async () => {
  platform = await startPlatform({ apiWorkflows: slowAfterCaptureSignals });
}, 120_000);
afterAll(() => platform?.stop());

describe('a capture whose signal outruns its webhook', () => {
  it('is kept: the saga waits for the record, the auction is paid, nothing is refunded', async () => {
    const { winner, paymentId, sagaId, auctionId } = await h.wonAuction({ fulfilment: 'service' });
    expect((await h.charge(paymentId, winner, 'tok_visa')).status).toBe(202);
    await eventually(
      () => platform.api.call('GET', `/sagas/${sagaId}`, { as: winner }),
      (r) => r.body.status === 'completed',
    );
    expect((await platform.api.call('GET', `/auctions/${auctionId}`)).body.status).toBe('paid');
    expect((await platform.api.call('GET', `/payments/${paymentId}`, { as: winner })).body.status).toBe('captured');
  });
});
