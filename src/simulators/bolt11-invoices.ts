import { decode, encode, sign } from 'bolt11';

/**
 * Real BOLT11 invoices for the lightning node simulator: mainnet (`lnbc`), signed with
 * the node's own key, with a payment hash that is the SHA-256 of a random preimage and
 * a payment secret, as current nodes require. The `bolt11` package does the encoding
 * and signing; randomness and hashing are WebCrypto.
 */
export const INVOICE_EXPIRY_SECONDS = 3600;
/** A year: the longest expiry an invoice of this node may ask for. */
export const MAX_INVOICE_EXPIRY_SECONDS = 31_536_000;

/** The order of secp256k1: a private key is a number in [1, n). */
const CURVE_ORDER = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
const ZERO_KEY = '0'.repeat(64);

export interface IssuedInvoice {
  invoice: string;
  paymentHash: string;
  preimage: string;
  /** The node's public key, as a payer recovers it from the signature. */
  payee: string;
  expiresAt: number;
}

export interface PayableInvoice {
  paymentHash: string;
  amountMsat: bigint | undefined;
  /** Unix seconds. */
  expiresAt: number;
  payee: string;
  description: string | undefined;
}

/** A fresh node private key (hex). */
export function generateNodeKey(): string {
  for (;;) {
    const key = toHex(crypto.getRandomValues(new Uint8Array(32)));
    // Fixed-width lowercase hex compares like the number it spells.
    if (key !== ZERO_KEY && key < CURVE_ORDER) return key;
  }
}

export async function issueInvoice(request: {
  nodeKey: string;
  amountSats: number;
  memo: string;
  nowSeconds: number;
  /** Written into the invoice (`x` field), so every decoder sees it (default `INVOICE_EXPIRY_SECONDS`). */
  expirySeconds?: number;
}): Promise<IssuedInvoice> {
  const expirySeconds = request.expirySeconds ?? INVOICE_EXPIRY_SECONDS;
  const preimage = crypto.getRandomValues(new Uint8Array(32));
  const paymentHash = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', preimage)));
  const unsigned = encode({
    satoshis: request.amountSats,
    timestamp: request.nowSeconds,
    tags: [
      { tagName: 'payment_hash', data: paymentHash },
      { tagName: 'payment_secret', data: toHex(crypto.getRandomValues(new Uint8Array(32))) },
      { tagName: 'description', data: request.memo },
      { tagName: 'expire_time', data: expirySeconds },
    ],
  });
  const signed = sign(unsigned, request.nodeKey);
  if (!signed.paymentRequest || !signed.payeeNodeKey) throw new Error('bolt11 signing produced no payment request');
  return {
    invoice: signed.paymentRequest,
    paymentHash,
    preimage: toHex(preimage),
    payee: signed.payeeNodeKey,
    expiresAt: request.nowSeconds + expirySeconds,
  };
}

/**
 * Reads an invoice the way a paying node must: checksum, signature (the payee key is
 * recovered from it) and mainnet prefix. Throws with a reason when it is not one.
 */
export function readInvoice(invoice: string): PayableInvoice {
  const decoded = decode(invoice);
  if (decoded.network?.bech32 !== 'bc') throw new Error('not a mainnet (lnbc) invoice');
  const paymentHash = decoded.tagsObject.payment_hash;
  if (!paymentHash || !/^[0-9a-f]{64}$/.test(paymentHash)) throw new Error('invoice has no payment hash');
  if (!decoded.payeeNodeKey || decoded.timeExpireDate === undefined) throw new Error('invoice has no signature or timestamp');
  return {
    paymentHash,
    amountMsat: decoded.millisatoshis ? BigInt(decoded.millisatoshis) : undefined,
    expiresAt: decoded.timeExpireDate,
    payee: decoded.payeeNodeKey,
    description: decoded.tagsObject.description,
  };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
