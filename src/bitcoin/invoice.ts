import { decode } from 'light-bolt11-decoder';
import { BusinessRuleViolation, InvalidInput } from '../kernel/errors.ts';
import type { Money } from '../kernel/money.ts';

/** BOLT11's default expiry when an invoice carries no `x` field. */
const DEFAULT_EXPIRY_SECONDS = 3600;

export interface DecodedInvoice {
  paymentHash: string;
  /** The amount asked for, in millisatoshis; undefined for an "any amount" invoice. */
  amountMsat: bigint | undefined;
  expiresAt: Date;
  description: string | undefined;
}

const invalid = (message: string) => new InvalidInput(`invalid invoice: ${message}`, [{ path: 'invoice', message }]);

/**
 * Reads a BOLT11 invoice with light-bolt11-decoder (checksum, bech32 and fields; the
 * node checks the signature when it pays). Anything that is not a mainnet invoice with a
 * payment hash is a 400 naming `invoice`.
 */
export function decodeInvoice(invoice: string): DecodedInvoice {
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(invoice.trim());
  } catch (error) {
    throw invalid(`not a BOLT11 invoice (${error instanceof Error ? error.message : String(error)})`);
  }
  const value = (name: string): unknown => {
    const section = decoded.sections.find((s) => s.name === name);
    return section && 'value' in section ? section.value : undefined;
  };
  const network = value('coin_network') as { bech32?: string } | undefined;
  if (network?.bech32 !== 'bc') throw invalid('not a mainnet (lnbc) invoice');
  const paymentHash = value('payment_hash');
  if (typeof paymentHash !== 'string' || !/^[0-9a-f]{64}$/.test(paymentHash)) throw invalid('has no payment hash');
  const timestamp = value('timestamp');
  if (typeof timestamp !== 'number') throw invalid('has no timestamp');
  const amount = value('amount');
  const expiry = typeof decoded.expiry === 'number' ? decoded.expiry : DEFAULT_EXPIRY_SECONDS;
  const description = value('description');
  return {
    paymentHash,
    amountMsat: typeof amount === 'string' && amount !== '' ? BigInt(amount) : undefined,
    expiresAt: new Date((timestamp + expiry) * 1000),
    description: typeof description === 'string' ? description : undefined,
  };
}

/**
 * The business rules a withdrawal's invoice must meet (422 otherwise): it asks for exactly
 * the amount requested, and it has not expired.
 */
export function assertPayable(invoice: DecodedInvoice, amount: Money, now: Date): void {
  if (invoice.amountMsat === undefined) {
    throw new BusinessRuleViolation('the invoice has no amount; withdraw with an invoice for the exact amount');
  }
  if (invoice.amountMsat !== amount.minorUnits * 1000n) {
    throw new BusinessRuleViolation(`the invoice asks for ${invoice.amountMsat} msat, but the withdrawal is for ${amount.minorUnits} SAT`);
  }
  if (invoice.expiresAt.getTime() <= now.getTime()) {
    throw new BusinessRuleViolation(`the invoice expired at ${invoice.expiresAt.toISOString()}`);
  }
}
