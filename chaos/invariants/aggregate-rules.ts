import { auctionClosingSaga } from '../../workflows/auction-closing.contract.ts';
import { bitcoinWithdrawalSaga } from '../../workflows/bitcoin-withdrawal.contract.ts';
import { campaignSaga } from '../../workflows/campaign.contract.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { payingForWonItemSaga } from '../../workflows/paying-for-won-item.contract.ts';
import { serviceFulfilmentSaga } from '../../workflows/service-fulfilment.contract.ts';
import { unwantedCaptureRefundSaga } from '../../workflows/unwanted-capture-refund.contract.ts';
import type { SagaState } from './saga-status.ts';
import type { NodePayment } from './simulator-records.ts';
import { either, everySaga, fact, saga, type StatusRules } from './status-rules.ts';

/**
 * The rule table: for each aggregate kind, which status needs which saga state (and which
 * facts around it) once the platform is quiescent. A status is either terminal, with the
 * sagas that led there closed, or waiting legitimately, with the saga that will move it
 * on still running. A status missing from a table is itself a violation: a new status
 * must come with its rule. Each `why` names the code path that leaves the status there.
 */
export interface AggregateKind<R> {
  /** The row's name in the verdict. */
  row: string;
  /** How a violation names one record: "payment 1234…". */
  noun: string;
  /** Reads every record, with the columns the rules use (camelCase aliases). */
  select: string;
  /** The key into `rules`: the status, refined where one status has two legitimate shapes. */
  stateOf(record: R): string;
  rules: StatusRules<R>;
}

interface Identified {
  id: string;
  status: string;
}

export interface AuctionRecord extends Identified {
  winnerId: string | null;
  fulfilment: 'delivery' | 'service';
  deliveryId: string | null;
  serviceId: string | null;
}

export interface PaymentRecord extends Identified {
  auctionId: string;
  providerChargeId: string | null;
  unwantedChargeIds: string[];
}

export interface DeliveryRecord extends Identified {
  paymentId: string;
}

export interface ServiceRecord extends Identified {
  paymentId: string;
}

export interface WithdrawalRecord extends Identified {
  paymentHash: string;
}

const closingSaga = (...allowed: SagaState[]) => saga<AuctionRecord>('closing saga', (a) => auctionClosingSaga.workflowId(a.id), allowed);
const payingSagaOfAuction = (...allowed: SagaState[]) =>
  saga<AuctionRecord>('paying saga', (a) => payingForWonItemSaga.workflowId(a.id), allowed);

export const AUCTIONS: AggregateKind<AuctionRecord> = {
  row: 'auctions: status consistent with their sagas',
  noun: 'auction',
  select: `SELECT id::text AS id, status, winner_id AS "winnerId", fulfilment,
             delivery_id::text AS "deliveryId", service_id::text AS "serviceId" FROM auctions`,
  stateOf: (a) => (a.status === 'ended' && !a.winnerId ? 'ended-without-bids' : a.status),
  rules: {
    open: {
      why: "the closing saga sleeps on its durable timer until endsAt (or the seller's early end) and is what ends the auction",
      requires: [closingSaga('running')],
    },
    ended: {
      why:
        'with a winner, the closing saga (or the early-end route, then the woken closing saga) ended it and started the paying ' +
        'saga as a child that outlives it; only the paying saga moves it on, to paid or unpaid',
      requires: [closingSaga('completed'), payingSagaOfAuction('running')],
    },
    'ended-without-bids': {
      why: 'without a winner the closing saga ends the auction and completes; nothing follows, so no paying saga may exist',
      requires: [closingSaga('completed'), payingSagaOfAuction('not found')],
    },
    paid: {
      why:
        "marking the auction paid is the paying saga's step after the capture; it then starts the fulfilment saga (which " +
        'attaches its delivery or service to the auction) and completes',
      requires: [
        closingSaga('completed'),
        payingSagaOfAuction('completed'),
        fact('its delivery or service attached', (a) =>
          (a.fulfilment === 'delivery' ? a.deliveryId : a.serviceId) ? undefined : `no ${a.fulfilment} is attached`,
        ),
      ],
    },
    unpaid: {
      why: 'the payment window elapsed (the paying saga voids open charges, marks it unpaid and completes), or the paying saga was cancelled and compensated',
      requires: [closingSaga('completed'), payingSagaOfAuction('completed', 'cancelled')],
    },
    refunded: {
      why:
        'the buyer got the money back: the order saga refunds a rejected, cancelled, lost or returned order or a cancelled ' +
        'voucher and marks the auction refunded (its paying saga completed at the hand-over), or a paying saga cancelled ' +
        'after the capture refunds it as its compensation',
      requires: [closingSaga('completed'), payingSagaOfAuction('completed', 'cancelled')],
    },
  },
};

const payingSagaOfPayment = (...allowed: SagaState[]) =>
  saga<PaymentRecord>('paying saga', (p) => payingForWonItemSaga.workflowId(p.auctionId), allowed);
/** A capture the payment did not keep is refunded by its own saga, keyed by the charge; it ends once the refund is asked for. */
const unwantedCapturesRefunded = everySaga<PaymentRecord>(
  'unwanted-capture refund sagas',
  (p) => p.unwantedChargeIds.map(unwantedCaptureRefundSaga.workflowId),
  ['completed'],
);
const AWAITING_THE_WINNER = [payingSagaOfPayment('running')];

export const PAYMENTS: AggregateKind<PaymentRecord> = {
  row: 'payments: status consistent with their sagas and the provider',
  noun: 'payment',
  select: `SELECT id::text AS id, status, auction_id::text AS "auctionId", provider_charge_id AS "providerChargeId",
             unwanted_charge_ids AS "unwantedChargeIds" FROM payments`,
  stateOf: (p) => p.status,
  rules: {
    new: {
      why: 'the paying saga opened it and waits, beside the window timer, for the winner to charge a card',
      requires: AWAITING_THE_WINNER,
    },
    charging: {
      why: 'an attempt is at the provider (a held card stays so); the paying saga hears its outcome or closes the window on it',
      requires: AWAITING_THE_WINNER,
    },
    charged: {
      why: 'the provider took the card and will capture; the paying saga waits for it beside the window timer',
      requires: AWAITING_THE_WINNER,
    },
    failed: {
      why: 'the last attempt failed; the winner may try again until the window closes, which the running saga will do',
      requires: AWAITING_THE_WINNER,
    },
    captured: {
      why:
        'the capture was recorded before the window closed: the paying saga marks the auction paid, hands over to fulfilment ' +
        'and completes; the provider keeps that charge captured (a refund would have made the payment refunded)',
      requires: [
        payingSagaOfPayment('completed'),
        fact('its charge captured at the provider', (p, facts) => {
          const charge = facts.chargesOf(p.id).find((c) => c.chargeId === p.providerChargeId);
          return charge?.status === 'captured'
            ? undefined
            : `the provider lists charge ${p.providerChargeId} as ${charge?.status ?? 'absent'}`;
        }),
        unwantedCapturesRefunded,
      ],
    },
    refunded: {
      why:
        "money went back through the provider, whose answer marks the payment: an order saga's refund (in full for a " +
        'rejected, cancelled, lost or returned order or a cancelled voucher; 90% for an expired one), the unwanted-capture ' +
        "refund saga's for a late capture, or a cancelled paying saga's compensation",
      requires: [
        payingSagaOfPayment('completed', 'cancelled'),
        fact('a refund at the provider', (p, facts) =>
          facts.chargesOf(p.id).some((c) => c.refunds.length > 0) ? undefined : 'the provider lists no refund for it',
        ),
        unwantedCapturesRefunded,
      ],
    },
    cancelled: {
      why:
        'the window closed without a capture: the paying saga voided every charge the provider still held and completed (or ' +
        'was cancelled and compensated alike); a capture after that would have been refunded and made the payment refunded',
      requires: [
        payingSagaOfPayment('completed', 'cancelled'),
        fact('no charge open or captured at the provider', (p, facts) => {
          const open = facts.chargesOf(p.id).filter((c) => ['pending', 'charged', 'captured'].includes(c.status));
          return open.length === 0 ? undefined : `the provider holds ${open.map((c) => `${c.chargeId} ${c.status}`).join(', ')}`;
        }),
      ],
    },
  },
};

const deliverySaga = (...allowed: SagaState[]) =>
  saga<DeliveryRecord>('delivery saga', (d) => deliveryFulfilmentSaga.workflowId(d.id), allowed);
const paymentIs = (...allowed: string[]) =>
  fact<DeliveryRecord | ServiceRecord>(`its payment ${allowed.join(' or ')}`, (r, facts) => {
    const status = facts.paymentStatus(r.paymentId);
    return status !== undefined && allowed.includes(status) ? undefined : `payment ${r.paymentId} is ${status ?? 'absent'}`;
  });
const ORDER_UNDER_WAY = [deliverySaga('running')];
const REFUNDED_AND_DONE = (how: string) => ({
  why: `${how}; the delivery saga refunds the payment in full at the provider (whose answer marks it refunded), marks the auction refunded and completes`,
  requires: [deliverySaga('completed'), paymentIs('refunded')],
});

/**
 * The order after payment (issue 13): while it waits for someone (the seller, the carrier,
 * the buyer, a return) its saga runs; every end is reached by the saga, which then pays
 * the seller or refunds the buyer and completes.
 */
export const DELIVERIES: AggregateKind<DeliveryRecord> = {
  row: 'deliveries: status consistent with their sagas',
  noun: 'delivery',
  select: `SELECT id::text AS id, status, payment_id::text AS "paymentId" FROM delivery_transactions`,
  stateOf: (d) => d.status,
  rules: {
    pending: {
      why: "the delivery saga created it and waits for the seller's answer under SELLER_RESPONSE_WINDOW (silence rejects it)",
      requires: ORDER_UNDER_WAY,
    },
    accepted: {
      why: 'the seller accepted: the saga books the carrier and waits for package.shipped under the shipping deadline (the buyer may cancel)',
      requires: ORDER_UNDER_WAY,
    },
    shipped: {
      why: 'the delivery saga waits for package.delivered under the delivery deadline (twice, then the carrier decides)',
      requires: ORDER_UNDER_WAY,
    },
    delivered: {
      why: "the delivery saga waits for the buyer's confirmation or return claim under CONFIRMATION_WINDOW (reminding first); silence confirms",
      requires: ORDER_UNDER_WAY,
    },
    'return-requested': {
      why:
        'the buyer claimed a return (or cancelled a parcel that had already left, which comes back the same way): the saga books ' +
        "the return and waits for the carrier to report it back (or lost); overdue, the carrier's record decides",
      requires: ORDER_UNDER_WAY,
    },
    confirmed: {
      why:
        'confirmed by the buyer or the timer (or a return never handed over): the saga schedules the payout, pays it ' +
        'SETTLEMENT_DELAY later and completes; the payment stays captured',
      requires: [deliverySaga('completed'), paymentIs('captured')],
    },
    rejected: REFUNDED_AND_DONE('the seller rejected it, or did not answer in time'),
    cancelled: REFUNDED_AND_DONE('the buyer cancelled it before it shipped (the carrier booking is cancelled too)'),
    returned: REFUNDED_AND_DONE("the parcel (or the buyer's return) came back to the seller"),
    lost: REFUNDED_AND_DONE('the carrier lost the parcel or the return, or the last deadline passed with no word of it'),
  },
};

const serviceSaga = (...allowed: SagaState[]) =>
  saga<ServiceRecord>('service saga', (s) => serviceFulfilmentSaga.workflowId(s.id), allowed);

export const SERVICES: AggregateKind<ServiceRecord> = {
  row: 'vouchers: status consistent with their sagas',
  noun: 'voucher',
  select: 'SELECT id::text AS id, status, payment_id::text AS "paymentId" FROM service_transactions',
  stateOf: (s) => s.status,
  rules: {
    issued: {
      why: 'the service saga issued it and waits until VOUCHER_VALIDITY for the buyer to redeem or cancel it; then it expires it',
      requires: [serviceSaga('running')],
    },
    redeemed: {
      why: 'redeemed by the buyer: the saga schedules the payout, pays it SETTLEMENT_DELAY later and completes',
      requires: [serviceSaga('completed'), paymentIs('captured')],
    },
    cancelled: {
      why: 'cancelled by the buyer within VOUCHER_CANCEL_WINDOW: the saga refunds it in full, marks the auction refunded and completes',
      requires: [serviceSaga('completed'), paymentIs('refunded')],
    },
    expired: {
      why: 'unused at VOUCHER_VALIDITY: the saga refunds 90% (a partial refund marks the payment refunded), pays the seller the rest less the fee and completes',
      requires: [serviceSaga('completed'), paymentIs('refunded')],
    },
  },
};

const withdrawalSaga = (...allowed: SagaState[]) =>
  saga<WithdrawalRecord>('withdrawal saga', (w) => bitcoinWithdrawalSaga.workflowId(w.id), allowed);
const nodeSays = (...allowed: (NodePayment['status'] | 'absent')[]) =>
  fact<WithdrawalRecord>(`the node's payment ${allowed.join(' or ')}`, (w, facts) => {
    const status = facts.nodePayment(w.paymentHash)?.status ?? 'absent';
    return allowed.includes(status) ? undefined : `the node's payment is ${status}`;
  });

export const WITHDRAWALS: AggregateKind<WithdrawalRecord> = {
  row: 'withdrawals: status consistent with their sagas and the node',
  noun: 'withdrawal',
  select: 'SELECT id::text AS id, status, payment_hash AS "paymentHash" FROM withdrawals',
  stateOf: (w) => w.status,
  rules: {
    pending: {
      why:
        "the API stores it and starts the saga (the outbox handler starts it again should that call fail); the saga's first " +
        'step reserves and accepts or rejects it, and a saga cancelled before that step fails it',
      requires: [withdrawalSaga('running')],
    },
    accepted: {
      why:
        "funds are reserved and the invoice is at the node: the saga waits for the node's word, asking again while it says " +
        'pending (continuing as new); a saga cancelled while the node says pending keeps the reservation and leaves the ' +
        "node's webhook to settle or release it",
      requires: [either([withdrawalSaga('running')], [withdrawalSaga('cancelled'), nodeSays('pending')])],
    },
    paid: {
      why: "only the node's success settles it: the saga's last step, or the late webhook after a saga cancelled while pending",
      requires: [withdrawalSaga('completed', 'cancelled'), nodeSays('succeeded')],
    },
    rejected: {
      why: 'too little was available: the saga rejects it without paying anything and completes',
      requires: [withdrawalSaga('completed'), nodeSays('absent')],
    },
    failed: {
      why:
        "released only on a definite no: the node's failure, a node that never heard of the payment, or a saga cancelled " +
        'before it paid',
      requires: [withdrawalSaga('completed', 'cancelled'), nodeSays('failed', 'absent')],
    },
  },
};

export interface CampaignRecord extends Identified {
  /** What the escrow still holds, in satoshis (text). */
  escrow: string;
}

const campaignSagaOf = (...allowed: SagaState[]) => saga<CampaignRecord>('campaign saga', (c) => campaignSaga.workflowId(c.id), allowed);
const escrowEmpty = fact<CampaignRecord>('an empty escrow', (c) =>
  c.escrow === '0' ? undefined : `its escrow still holds ${c.escrow} SAT`,
);

export const CAMPAIGNS: AggregateKind<CampaignRecord> = {
  row: 'campaigns: status consistent with their sagas and escrows',
  noun: 'campaign',
  select: 'SELECT id::text AS id, status, escrow_minor::text AS escrow FROM campaigns',
  stateOf: (c) => c.status,
  rules: {
    open: {
      why: "the campaign saga sleeps on its durable timer until endsAt (or the owner's cancellation) and is what closes it",
      requires: [campaignSagaOf('running')],
    },
    succeeded: {
      why: 'the saga closed it with the goal met, released the whole escrow to the owner in one posting and completed',
      requires: [campaignSagaOf('completed'), escrowEmpty],
    },
    failed: {
      why: 'the saga closed it with the goal missed, refunded every donation and completed',
      requires: [campaignSagaOf('completed'), escrowEmpty],
    },
    cancelled: {
      why: 'the owner cancelled it through the API; the saga, woken (or started) by that, refunded every donation and completed',
      requires: [campaignSagaOf('completed'), escrowEmpty],
    },
  },
};
