import type pg from 'pg';
import { assertAccountOwner } from '../accounting/use-cases.ts';
import { newId } from '../kernel/ids.ts';
import type { Money } from '../kernel/money.ts';
import { assertDepositInvoiceAmount, DEPOSIT_INVOICE_EXPIRY_SECONDS } from './deposit-invoice.ts';
import { findDepositInvoice, insertDepositInvoice, type DepositInvoiceRecord } from './deposit-invoice-store.ts';
import { decodeInvoice } from './invoice.ts';
import type { IssuedInvoice, LightningNode } from './lightning-node.ts';

/** The lightning node did not give us an invoice (down, slow, or refusing): nothing was stored; try again (503). */
export class LightningNodeUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the lightning node could not issue an invoice: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LightningNodeUnavailable';
  }
}

/**
 * Asks our lightning node for an invoice that credits the caller's own account (403
 * otherwise) when paid, and stores it, open. The amount is SAT, more than zero and at
 * most `MAX_DEPOSIT_INVOICE` (400 naming `amount.…`), all checked before the node is
 * asked, so a refused request leaves nothing anywhere.
 *
 * With an Idempotency-Key the invoice's id comes from the key: a rerun of a request whose
 * first try stored its invoice but never answered gets that invoice, not a second one.
 */
export async function issueDepositInvoice(
  deps: { pool: pg.Pool; node: LightningNode },
  input: { customerId: string; accountId: string; amount: Money; invoiceId?: string },
): Promise<DepositInvoiceRecord> {
  assertAccountOwner(input.accountId, input.customerId);
  assertDepositInvoiceAmount(input.amount);
  const id = input.invoiceId ?? newId();
  if (input.invoiceId) {
    const earlier = await findDepositInvoice(deps.pool, id);
    if (earlier) return earlier;
  }
  let issued: IssuedInvoice;
  try {
    issued = await deps.node.createInvoice({
      // Safe as a number: at most MAX_DEPOSIT_INVOICE satoshis.
      amountSats: Number(input.amount.minorUnits),
      // Public in the invoice: the invoice's id, never the customer's.
      memo: `deposit ${id}`,
      expirySeconds: DEPOSIT_INVOICE_EXPIRY_SECONDS,
    });
  } catch (error) {
    throw new LightningNodeUnavailable(error);
  }
  assertIssuedAsAsked(issued, input.amount);
  // A second insert under the same id (a rerun racing its first try) stores nothing; both answer the stored row.
  await insertDepositInvoice(deps.pool, { id, accountId: input.accountId, customerId: input.customerId, amount: input.amount, ...issued });
  const stored = await findDepositInvoice(deps.pool, id);
  if (!stored) throw new Error(`deposit invoice ${id} vanished after it was stored`);
  return stored;
}

/**
 * We hand this invoice to a payer and credit by its payment hash, so it must be what we
 * asked for: a BOLT11 invoice for exactly this amount whose hash is the one the node named.
 */
function assertIssuedAsAsked(issued: IssuedInvoice, amount: Money): void {
  let decoded: ReturnType<typeof decodeInvoice>;
  try {
    decoded = decodeInvoice(issued.invoice);
  } catch (error) {
    throw new Error(`the lightning node issued an invoice we cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (decoded.paymentHash !== issued.paymentHash || decoded.amountMsat !== amount.minorUnits * 1000n) {
    throw new Error(
      `the lightning node issued an invoice for ${decoded.amountMsat} msat with hash ${decoded.paymentHash}, ` +
        `not ${amount.minorUnits} SAT with hash ${issued.paymentHash}`,
    );
  }
}
