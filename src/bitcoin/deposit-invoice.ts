import { InvalidInput } from '../kernel/errors.ts';
import { Money } from '../kernel/money.ts';
import { sha256, toHex } from '../kernel/sha256.ts';

/**
 * A deposit invoice: an invoice of our lightning node that credits one customer's SAT
 * account when someone pays it (the node's `invoice.paid`). Pure rules, no I/O.
 *
 * Stored, it is `open` until paid, then `paid`, once, with what was received. `expired`
 * is never stored: it is how an open invoice past its `expiresAt` reads, so a payment
 * that arrives late (the network settled it anyway) still finds it open and is credited.
 */
export type DepositInvoiceStatus = 'open' | 'paid' | 'expired';

/**
 * The most one deposit invoice may ask for: 0.1 BTC. Far above what a marketplace
 * balance needs, and below the 0.167 BTC a standard (non-wumbo) lightning channel can
 * carry at all, so every invoice we hand out can actually be paid over lightning.
 */
export const MAX_DEPOSIT_INVOICE = Money.fromMinorUnits(10_000_000n, 'SAT');

/** How long a deposit invoice can be paid: one hour, the node's and BOLT11's default. */
export const DEPOSIT_INVOICE_EXPIRY_SECONDS = 3600;

/** A deposit invoice asks for SAT, more than zero, at most `MAX_DEPOSIT_INVOICE` (400 naming `amount.…` otherwise). */
export function assertDepositInvoiceAmount(amount: Money): void {
  if (amount.currency !== 'SAT') {
    throw new InvalidInput('deposit invoices are in SAT', [{ path: 'amount.currency', message: 'must be SAT' }]);
  }
  if (amount.isZero()) {
    throw new InvalidInput('a deposit invoice must ask for more than zero', [{ path: 'amount.amount', message: 'must be more than zero' }]);
  }
  if (amount.isGreaterThan(MAX_DEPOSIT_INVOICE)) {
    throw new InvalidInput(`a deposit invoice asks for at most ${MAX_DEPOSIT_INVOICE}`, [
      { path: 'amount.amount', message: `must be at most ${MAX_DEPOSIT_INVOICE.amount}` },
    ]);
  }
}

/** How an invoice reads now: a stored `open` past its expiry is `expired`. */
export function depositInvoiceStatus(stored: 'open' | 'paid', expiresAt: Date, now: Date): DepositInvoiceStatus {
  if (stored === 'paid') return 'paid';
  return expiresAt.getTime() <= now.getTime() ? 'expired' : 'open';
}

/**
 * The id of the ledger posting that credits the payment of the invoice with this payment
 * hash: derived from the hash alone, so however many times and by however many webhooks
 * the payment is reported, there is one id it can be credited under, and the ledger's
 * primary key refuses a second. A UUID in RFC 9562's version-8 layout over SHA-256.
 */
export async function depositPostingIdOf(paymentHash: string): Promise<string> {
  const digest = await sha256(`deposit-invoice:${paymentHash}`);
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = toHex(digest.subarray(0, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
