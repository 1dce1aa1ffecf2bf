/**
 * The stack's business windows, short so that every saga a run starts also ends within
 * it (an order goes through its seller's answer, the carrier, the buyer's confirmation
 * or return and the seller's payout in well under a minute), and the scenarios' clock:
 * they time their moves against these (a cancel just inside or just past its window).
 */
export const CHAOS_WINDOWS = {
  PAYMENT_WINDOW: '20s',
  SHIPPING_DEADLINE: '8s',
  DELIVERY_DEADLINE: '8s',
  WITHDRAWAL_TIMEOUT: '4s',
  MAX_CHARGE_ATTEMPTS: '4',
  SELLER_RESPONSE_WINDOW: '6s',
  CONFIRMATION_WINDOW: '8s',
  CONFIRMATION_REMINDER: '4s',
  VOUCHER_VALIDITY: '10s',
  VOUCHER_CANCEL_WINDOW: '5s',
  SETTLEMENT_DELAY: '2s',
  // Not the default 5%: a fee with a half cent in it more often tries the rounding (half up).
  PLATFORM_FEE: '7.5%',
} as const;

/** Milliseconds of one of the windows above (they are written `6s`, `500ms`). */
export function windowMs(name: keyof typeof CHAOS_WINDOWS): number {
  const match = /^(\d+)(ms|s)$/.exec(CHAOS_WINDOWS[name]);
  if (!match) throw new Error(`${name}=${CHAOS_WINDOWS[name]} is not written in ms or s`);
  return Number(match[1]) * (match[2] === 's' ? 1_000 : 1);
}

/**
 * A fee percentage (`7.5%`) in basis points (750), read here rather than by the
 * platform's own parser, so a harness check of the fee does not share the platform's mistakes.
 */
export function basisPoints(percentage: string): number {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?%$/.exec(percentage);
  if (!match) throw new Error(`${percentage} is not a percentage with at most two decimals`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** `basisPoints` of `grossMinor`, rounded half up to a whole minor unit (API.md: money arithmetic rounds half up). */
export function feeOf(grossMinor: bigint, feeBasisPoints: number): bigint {
  return (grossMinor * BigInt(feeBasisPoints) + 5_000n) / 10_000n;
}

/** What an expired voucher gives back: 90% of the price, rounded half up. */
export function expiredVoucherRefundOf(priceMinor: bigint): bigint {
  return (priceMinor * 9n + 5n) / 10n;
}
