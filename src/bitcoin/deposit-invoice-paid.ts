import { Account, satoshis } from '../accounting/domain.ts';
import { addAccount, findAccount } from '../accounting/repository.ts';
import type { Clock } from '../kernel/clock.ts';
import type { UnitOfWork } from '../platform/db/unit-of-work.ts';
import type { Logger } from '../platform/log.ts';
import { depositPostingIdOf } from './deposit-invoice.ts';
import { findDepositInvoiceByHash, markDepositInvoicePaid } from './deposit-invoice-store.ts';
import type { InvoicePaidEvent } from './lightning-webhook-events.ts';

/**
 * The node's `invoice.paid`, in the webhook's unit of work: the account of the deposit
 * invoice with this payment hash is credited what was received, once per payment hash.
 *
 * - The invoice moves open to paid with a guarded UPDATE, in the same transaction as the
 *   credit: a second report of the payment (another event id, another amount, or one
 *   racing this one, which waits on the row lock) finds it paid and credits nothing.
 * - The posting id is derived from the payment hash, so even a second credit that got
 *   past the guard would be refused by the ledger's primary key.
 * - What was received is credited, even when it is not what the invoice asked (the node
 *   is the authority on what arrived); the difference is logged for an operator.
 * - A payment after `expiresAt` is still money that arrived: credited.
 * - A hash we never issued credits nothing; the event is acknowledged and logged.
 */
export async function receiveDepositPayment(
  deps: { logger: Logger; clock: Clock },
  uow: UnitOfWork,
  event: InvoicePaidEvent,
): Promise<void> {
  const { logger } = deps;
  const { paymentHash, amountSats } = event.data;
  const received = satoshis(amountSats);
  const invoice = await findDepositInvoiceByHash(uow.sql, paymentHash);
  if (!invoice) {
    logger.warn(
      { id: event.id, paymentHash, received: received.toString() },
      'invoice.paid for no deposit invoice of ours; nothing credited',
    );
    return;
  }
  const postingId = await depositPostingIdOf(paymentHash);
  const paidAt = deps.clock.now();
  const paid = await markDepositInvoicePaid(uow.sql, { paymentHash, received, postingId, paidAt });
  if (!paid) {
    const log = invoice.received && !invoice.received.equals(received) ? logger.warn.bind(logger) : logger.info.bind(logger);
    log(
      { id: event.id, depositInvoiceId: invoice.id, paymentHash, received: received.toString(), credited: invoice.received?.toString() },
      'invoice.paid for a deposit invoice already credited; nothing credited again',
    );
    return;
  }
  if (!received.equals(paid.amount)) {
    logger.warn(
      { id: event.id, depositInvoiceId: paid.id, paymentHash, asked: paid.amount.toString(), received: received.toString() },
      'a deposit invoice was paid another amount than it asked; crediting what was received',
    );
  }
  if (paid.expiresAt.getTime() <= paidAt.getTime()) {
    logger.info(
      { id: event.id, depositInvoiceId: paid.id, expiresAt: paid.expiresAt.toISOString() },
      'a deposit invoice was paid after it expired; credited',
    );
  }
  let account = await findAccount(uow, paid.accountId);
  if (!account) {
    // The first credit opens the account; its id is the customer's.
    account = Account.open(paid.customerId);
    addAccount(uow, account);
  }
  account.deposit(postingId, received);
}
