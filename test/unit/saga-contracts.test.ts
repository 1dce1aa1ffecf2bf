import { describe, expect, expectTypeOf, it } from 'vitest';
import * as bundle from '../../workflows/index.ts';
import { auctionClosingSaga } from '../../workflows/auction-closing.contract.ts';
import { bitcoinWithdrawalSaga } from '../../workflows/bitcoin-withdrawal.contract.ts';
import { campaignSaga } from '../../workflows/campaign.contract.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { diagnosticPingSaga } from '../../workflows/diagnostic-ping.contract.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import type { SagaWorkflow } from '../../workflows/saga-contract.ts';
import { serviceFulfilmentSaga } from '../../workflows/service-fulfilment.contract.ts';
import { unwantedCaptureRefundSaga } from '../../workflows/unwanted-capture-refund.contract.ts';

/**
 * Each contract names a workflow the bundle serves, with that workflow's exact input and
 * result types (checked by tsc, which `npm test` runs first), and keeps the ids and signal
 * names that running sagas already carry: changing one would orphan them.
 */
describe('saga contracts', () => {
  it('match the workflow functions the worker serves, type for type', () => {
    expectTypeOf(bundle.auctionClosing).toEqualTypeOf<SagaWorkflow<typeof auctionClosingSaga>>();
    expectTypeOf(bundle.payingForWonItem).toEqualTypeOf<SagaWorkflow<typeof payingForWonItemSaga>>();
    expectTypeOf(bundle.deliveryFulfilment).toEqualTypeOf<SagaWorkflow<typeof deliveryFulfilmentSaga>>();
    expectTypeOf(bundle.serviceFulfilment).toEqualTypeOf<SagaWorkflow<typeof serviceFulfilmentSaga>>();
    expectTypeOf(bundle.bitcoinWithdrawal).toEqualTypeOf<SagaWorkflow<typeof bitcoinWithdrawalSaga>>();
    expectTypeOf(bundle.unwantedCaptureRefund).toEqualTypeOf<SagaWorkflow<typeof unwantedCaptureRefundSaga>>();
    expectTypeOf(bundle.diagnosticPing).toEqualTypeOf<SagaWorkflow<typeof diagnosticPingSaga>>();
    expectTypeOf(bundle.campaign).toEqualTypeOf<SagaWorkflow<typeof campaignSaga>>();

    const served = Object.entries(bundle).filter(([, value]) => typeof value === 'function');
    const contracts = [
      auctionClosingSaga,
      payingForWonItemSaga,
      deliveryFulfilmentSaga,
      serviceFulfilmentSaga,
      bitcoinWithdrawalSaga,
      unwantedCaptureRefundSaga,
      diagnosticPingSaga,
      campaignSaga,
    ];
    expect(contracts.map((c) => c.workflowType).sort()).toEqual(served.map(([name]) => name).sort());
  });

  it('keep the workflow ids running sagas were started under', () => {
    expect(auctionClosingSaga.workflowId('a1')).toBe('auction-closing-a1');
    expect(payingForWonItemSaga.workflowId('a1')).toBe('paying-for-won-item-a1');
    expect(deliveryFulfilmentSaga.workflowId('d1')).toBe('delivery-fulfilment-d1');
    expect(serviceFulfilmentSaga.workflowId('s1')).toBe('service-fulfilment-s1');
    expect(bitcoinWithdrawalSaga.workflowId('w1')).toBe('bitcoin-withdrawal-w1');
    expect(unwantedCaptureRefundSaga.workflowId('ch_1')).toBe('unwanted-capture-refund-ch_1');
    expect(diagnosticPingSaga.workflowId('p1')).toBe('diagnostic-ping-p1');
    expect(campaignSaga.workflowId('c1')).toBe('campaign-c1');
    expect(
      payingForWonItemSaga.idOf({
        auctionId: 'a1',
        winnerId: 'w',
        sellerId: 's',
        title: 't',
        amount: { amount: '1.00', currency: 'USD' },
        fulfilment: 'service',
      }),
    ).toBe('paying-for-won-item-a1');
  });

  it('keep the signal names running sagas listen for', () => {
    const names = (signals: Record<string, { name: string }>) => Object.values(signals).map((s) => s.name);
    expect(names(auctionClosingSaga.signals)).toEqual(['endAuctionNow']);
    expect(names(payingForWonItemSaga.signals)).toEqual(['chargeRequested', 'paymentCaptured', 'paymentFailed']);
    expect(names(deliveryFulfilmentSaga.signals)).toEqual(['packageEvent', 'orderChanged']);
    expect(names(serviceFulfilmentSaga.signals)).toEqual(['voucherChanged']);
    expect(names(bitcoinWithdrawalSaga.signals)).toEqual(['lightningPaymentSucceeded', 'lightningPaymentFailed']);
    expect(names(diagnosticPingSaga.signals)).toEqual(['acknowledgePing']);
    expect(names(campaignSaga.signals)).toEqual(['campaignCancelled']);
  });

  it('start every saga listed under the customers who may see it', () => {
    expect(
      payingForWonItemSaga.searchAttributes({
        auctionId: 'a1',
        winnerId: 'w',
        sellerId: 's',
        title: 't',
        amount: { amount: '1.00', currency: 'USD' },
        fulfilment: 'delivery',
      }),
    ).toEqual({ AuctionId: 'a1', CustomerId: ['w', 's'] });
    expect(
      bitcoinWithdrawalSaga.searchAttributes({
        withdrawalId: 'w1',
        accountId: 'c',
        customerId: 'c',
        amount: { amount: '10', currency: 'SAT' },
        paymentHash: 'h',
      }),
    ).toEqual({ WithdrawalId: 'w1', CustomerId: ['c'] });
    expect(campaignSaga.searchAttributes({ campaignId: 'c1', ownerId: 'o', endsAt: '2030-01-01T00:00:00Z' })).toEqual({
      CampaignId: 'c1',
      CustomerId: ['o'],
    });
  });
});
