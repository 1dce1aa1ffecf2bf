import fc from 'fast-check';
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../src/platform/http/request-hardening.ts';
import { SIGNATURE_TOLERANCE_SECONDS as TOLERANCE_SECONDS, signWebhook } from '../../src/platform/http/webhook-signature.ts';
import { bodyPlans, type BodyPlan } from './body-plans.ts';
import { WEBHOOK_SOURCES, type FuzzTarget, type WebhookSource } from './fuzz-target.ts';

/**
 * Webhooks as a hostile or broken sender would send them: forged (wrong or another
 * sender's secret, tampered, missing, malformed), stale or from the future, and hostile
 * bodies correctly signed. Signed bodies never assert a money fact about a real
 * resource: a correctly signed `payment.captured` for a real payment is a true fact
 * by definition, and acting on it is the platform's job, not a defect. So real ids go
 * only with unknown event types or with a broken field, and known types with random ids.
 */

export type SignaturePlan =
  /** Correct secret, `t` within the tolerance (a skew of up to two minutes either way). */
  | { kind: 'valid'; skewSeconds: number; order: 't-first' | 'v1-first' }
  | { kind: 'stale'; ageSeconds: number }
  | { kind: 'future'; aheadSeconds: number }
  | { kind: 'wrong-secret' }
  | { kind: 'other-sender-secret' }
  /** A genuine signature, of another body. */
  | { kind: 'other-body' }
  | { kind: 'missing' }
  | { kind: 'malformed'; header: string };

export interface WebhookPlan {
  kind: 'webhook';
  source: WebhookSource;
  body: BodyPlan;
  signature: SignaturePlan;
}

/** Sends a captured signed webhook again, byte for byte: 200 with no second effect (401 once its `t` is stale). */
export interface WebhookReplayPlan {
  kind: 'webhook-replay';
  /** Which captured webhook, modulo how many there are. */
  pick: number;
}

/** Per sender: its event types and the data they carry about one of our resources. */
const SENDERS: Record<
  WebhookSource,
  {
    types: string[];
    /** A field every one of its event types requires besides the id: breaking it must refuse the event. */
    requiredField: string;
    data: (id: string) => fc.Arbitrary<Record<string, unknown>>;
  }
> = {
  payments: {
    types: ['payment.charged', 'payment.captured', 'payment.failed', 'payment.refunded'],
    requiredField: 'providerChargeId',
    data: (paymentId) =>
      fc.record({
        paymentId: fc.constant(paymentId),
        providerChargeId: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `ch_${s}`),
        amount: fc.constantFrom({ amount: '25.00', currency: 'USD' }, { amount: '1.00', currency: 'EUR' }),
        refundId: fc.uuid().map((id) => `re_${id}`),
        reason: fc.constantFrom('declined', 'fraud'),
      }),
  },
  carrier: {
    types: ['package.shipped', 'package.delivered', 'package.returned', 'package.lost'],
    requiredField: 'trackingNumber',
    data: (deliveryId) => fc.record({ deliveryId: fc.constant(deliveryId), trackingNumber: fc.string({ minLength: 1, maxLength: 20 }) }),
  },
  lightning: {
    types: ['payment.succeeded', 'payment.failed'],
    requiredField: 'paymentHash',
    data: (withdrawalId) =>
      fc.record({
        withdrawalId: fc.constant(withdrawalId),
        paymentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
        reason: fc.constantFrom('no route', 'expired'),
      }),
  },
};

/** Types no sender sends, some of them names every JavaScript object already has. */
const UNKNOWN_TYPES = [
  'fuzz.unknown',
  'charge.captured',
  'PAYMENT.CAPTURED',
  'payment.captured ',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
];
/** A few event ids shared by all sends: an id seen before must be a 200 duplicate, whatever the body now says. */
const SHARED_EVENT_IDS = ['evt_fuzz_shared_1', 'evt_fuzz_shared_2'];

const eventId = fc.oneof(
  { arbitrary: fc.uuid().map((id) => `evt_${id}`), weight: 5 },
  { arbitrary: fc.constantFrom(...SHARED_EVENT_IDS), weight: 1 },
);

/**
 * Well-formed events that cannot be a true fact about a real resource (see the file's
 * comment); the body plans mutate them further, which keeps them so (a mutation never
 * writes a known type or a real id).
 */
function harmlessEvent(source: WebhookSource, knownIds: string[]): fc.Arbitrary<unknown> {
  const sender = SENDERS[source];
  const realId = knownIds.length > 0 ? fc.constantFrom(...knownIds) : fc.uuid();
  const unknownType = fc
    .oneof(
      { arbitrary: fc.constantFrom(...UNKNOWN_TYPES), weight: 3 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 20 }), weight: 1 },
    )
    .filter((t) => !sender.types.includes(t));
  return fc.oneof(
    // A real resource, an event type nobody acts on.
    { arbitrary: fc.record({ id: eventId, type: unknownType, data: fc.oneof(realId, fc.uuid()).chain(sender.data) }), weight: 2 },
    // A known type about a resource that does not exist (or, for lightning, a real withdrawal
    // with a random payment hash, which the route must not take for the withdrawal's).
    {
      arbitrary: fc.record({
        id: eventId,
        type: fc.constantFrom(...sender.types),
        data: (source === 'lightning' ? fc.oneof(realId, fc.uuid()) : fc.uuid()).chain(sender.data),
      }),
      weight: 2,
    },
  );
}

/**
 * A known type about a real resource with a required field of the wrong type: must be
 * refused whole. Sent as is, never mutated further: a mutation could mend the field and
 * make it a true fact.
 */
function brokenFactAboutRealResource(source: WebhookSource, knownIds: string[]): fc.Arbitrary<BodyPlan> {
  const sender = SENDERS[source];
  const realId = knownIds.length > 0 ? fc.constantFrom(...knownIds) : fc.uuid();
  return fc
    .record({
      id: eventId,
      type: fc.constantFrom(...sender.types),
      data: fc
        .tuple(realId.chain(sender.data), fc.constantFrom<unknown>(null, 42, true, [], {}, ''))
        .map(([data, broken]) => ({ ...data, [sender.requiredField]: broken })),
    })
    .map((event) => ({
      text: JSON.stringify(event),
      contentType: 'application/json',
      chunked: false,
      label: `${event.type} about a real resource with ${sender.requiredField} broken`,
    }));
}

export function webhookPlans(known: { idsBySource: Record<WebhookSource, string[]> }): fc.Arbitrary<WebhookPlan> {
  return fc.constantFrom(...WEBHOOK_SOURCES).chain((source) =>
    fc.record({
      kind: fc.constant('webhook' as const),
      source: fc.constant(source),
      body: fc.oneof(
        {
          arbitrary: bodyPlans(harmlessEvent(source, known.idsBySource[source]), WEBHOOK_BODY_LIMIT_BYTES).map(
            (body) => body ?? { text: '', contentType: 'application/json', chunked: false, label: 'no body' },
          ),
          weight: 6,
        },
        { arbitrary: brokenFactAboutRealResource(source, known.idsBySource[source]), weight: 1 },
      ),
      signature: signaturePlan,
    }),
  );
}

const signaturePlan: fc.Arbitrary<SignaturePlan> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      skewSeconds: fc.integer({ min: -120, max: 120 }),
      order: fc.constantFrom('t-first' as const, 'v1-first' as const),
    }),
    weight: 10,
  },
  {
    arbitrary: fc
      .oneof(fc.constant(TOLERANCE_SECONDS + 1), fc.integer({ min: TOLERANCE_SECONDS + 1, max: 30 * 86_400 }))
      .map((ageSeconds) => ({
        kind: 'stale' as const,
        ageSeconds,
      })),
    weight: 2,
  },
  {
    arbitrary: fc.integer({ min: TOLERANCE_SECONDS + 1, max: 86_400 }).map((aheadSeconds) => ({ kind: 'future' as const, aheadSeconds })),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      { kind: 'wrong-secret' as const },
      { kind: 'other-sender-secret' as const },
      { kind: 'other-body' as const },
    ),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'missing' as const }), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          't=abc,v1=zz',
          'v1=' + 'a'.repeat(64),
          't=1',
          'garbage',
          't=,v1=',
          `t=-1,v1=${'0'.repeat(64)}`,
          `t=1e3,v1=${'0'.repeat(64)}`,
        ),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
      )
      .map((header) => ({ kind: 'malformed' as const, header })),
    weight: 1,
  },
);

/** The Webhook-Signature header of a plan, made at `nowSeconds`; `undefined` when the plan sends none. */
export async function webhookSignatureHeader(
  plan: WebhookPlan,
  secrets: FuzzTarget['webhookSecrets'],
  nowSeconds: number,
): Promise<string | undefined> {
  const secret = secrets[plan.source];
  const body = plan.body.text;
  const signature = plan.signature;
  switch (signature.kind) {
    case 'valid': {
      const header = await signWebhook(secret, body, nowSeconds + signature.skewSeconds);
      return signature.order === 't-first' ? header : header.split(',').reverse().join(',');
    }
    case 'stale':
      return signWebhook(secret, body, nowSeconds - signature.ageSeconds);
    case 'future':
      return signWebhook(secret, body, nowSeconds + signature.aheadSeconds);
    case 'wrong-secret':
      return signWebhook(`${secret}-forged`, body, nowSeconds);
    case 'other-sender-secret': {
      const other = WEBHOOK_SOURCES.find((s) => s !== plan.source && secrets[s] !== secret);
      return signWebhook(other ? secrets[other] : `${secret}-other`, body, nowSeconds);
    }
    case 'other-body':
      return signWebhook(secret, `${body} `, nowSeconds);
    case 'missing':
      return undefined;
    case 'malformed':
      return signature.header;
  }
}

/** Whether a signature made at `signedAtSeconds` is too old to be accepted at `nowSeconds`. */
export const isStale = (signedAtSeconds: number, nowSeconds: number) => Math.abs(nowSeconds - signedAtSeconds) > TOLERANCE_SECONDS;
