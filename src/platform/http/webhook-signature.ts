/**
 * Webhook signatures as docs/webhooks.md describes them:
 *   Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * Verification uses WebCrypto's `verify`, which compares in constant time, so the
 * check leaks nothing about how much of a forged signature was right.
 */
import { toHex } from '../../kernel/sha256.ts';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export async function verifyWebhookSignature(options: {
  secret: string;
  header: string | undefined;
  rawBody: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): Promise<SignatureCheck> {
  const { secret, header, rawBody, nowSeconds, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS } = options;
  if (!header) return { ok: false, reason: 'missing Webhook-Signature header' };
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = parts.get('t');
  const signature = parts.get('v1');
  if (!timestamp || !/^\d+$/.test(timestamp) || !signature || !/^[0-9a-f]{64}$/i.test(signature)) {
    return { ok: false, reason: 'malformed Webhook-Signature header' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: `signature timestamp is more than ${toleranceSeconds}s from now` };
  }
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), hexToBytes(signature), encode(`${timestamp}.${rawBody}`));
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** Builds the header value; the simulators and tests sign with it. */
export async function signWebhook(secret: string, rawBody: string, nowSeconds: number): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encode(`${nowSeconds}.${rawBody}`));
  return `t=${nowSeconds},v1=${toHex(new Uint8Array(mac))}`;
}

function hmacKey(secret: string): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey('raw', encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function encode(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
