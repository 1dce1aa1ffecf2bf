import { Money, type MoneyJson } from '../../src/kernel/money.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const ORDER_EVENTS_ROW = 'order histories replay to their status, each event by its rightful actor';

type Actor = 'buyer' | 'seller' | 'carrier' | 'timer' | 'platform';

/**
 * One event type of an order's history: from which statuses, by which actor, it may
 * happen, and the status it leaves (none: the status stays). `once`: at most one per history.
 */
interface Move {
  from: readonly (string | null)[];
  by: Partial<Record<Actor, readonly (string | null)[]>>;
  to?: string;
  once?: boolean;
}

const UNDER_WAY = ['accepted', 'shipped'];

/**
 * The delivery's state machine as its history must show it (src/fulfilment/delivery.ts,
 * API.md): who may move an order from where. `by` narrows `from` per actor where they
 * differ (only the timer settles an overdue return; only a lapsed return is confirmed
 * from return-requested).
 */
const DELIVERY_MOVES: Record<string, Move> = {
  DeliveryCreated: { from: [null], by: { platform: [null] }, to: 'pending', once: true },
  OrderAccepted: { from: ['pending'], by: { seller: ['pending'] }, to: 'accepted' },
  OrderRejected: { from: ['pending'], by: { seller: ['pending'], timer: ['pending'] }, to: 'rejected' },
  // A booking the buyer's cancellation overtook is still recorded, so the saga can cancel it at the carrier.
  ShipmentBooked: { from: ['accepted', 'cancelled'], by: { platform: ['accepted', 'cancelled'] }, once: true },
  OrderCancelled: { from: ['pending', 'accepted'], by: { buyer: ['pending', 'accepted'] }, to: 'cancelled' },
  // The carrier refused to cancel a booking whose parcel had left: the cancelled order comes back as a return.
  CancellationTooLate: { from: ['cancelled'], by: { carrier: ['cancelled'] }, to: 'return-requested', once: true },
  PackageShipped: { from: ['accepted'], by: { carrier: ['accepted'] }, to: 'shipped' },
  // From return-requested only for a refused cancellation whose parcel the carrier says reached the buyer (the return then lapses).
  PackageDelivered: { from: [...UNDER_WAY, 'return-requested'], by: { carrier: [...UNDER_WAY, 'return-requested'] }, to: 'delivered' },
  DeliveryDeadlineMissed: { from: UNDER_WAY, by: { timer: UNDER_WAY } },
  PackageReturned: {
    from: [...UNDER_WAY, 'return-requested'],
    by: { carrier: [...UNDER_WAY, 'return-requested'], timer: ['return-requested'] },
    to: 'returned',
  },
  PackageLost: {
    from: [...UNDER_WAY, 'return-requested'],
    by: { carrier: [...UNDER_WAY, 'return-requested'], timer: [...UNDER_WAY, 'return-requested'] },
    to: 'lost',
  },
  ConfirmationReminderSent: { from: ['delivered'], by: { timer: ['delivered'] }, once: true },
  DeliveryConfirmed: {
    from: ['delivered', 'return-requested'],
    by: { buyer: ['delivered'], timer: ['delivered', 'return-requested'] },
    to: 'confirmed',
  },
  ReturnRequested: { from: ['delivered'], by: { buyer: ['delivered'] }, to: 'return-requested' },
  ReturnBooked: { from: ['return-requested'], by: { platform: ['return-requested'] }, once: true },
};

const SERVICE_MOVES: Record<string, Move> = {
  VoucherIssued: { from: [null], by: { platform: [null] }, to: 'issued', once: true },
  VoucherRedeemed: { from: ['issued'], by: { buyer: ['issued'] }, to: 'redeemed' },
  VoucherCancelled: { from: ['issued'], by: { buyer: ['issued'] }, to: 'cancelled' },
  VoucherExpired: { from: ['issued'], by: { timer: ['issued'] }, to: 'expired' },
};

const PAYOUT_MOVES: Record<string, Move> = {
  PayoutScheduled: { from: [null], by: { platform: [null] }, to: 'scheduled', once: true },
  PayoutPaid: { from: ['scheduled'], by: { timer: ['scheduled'] }, to: 'paid', once: true },
};

const MOVES_BY_TYPE: Record<string, { table: string; moves: Record<string, Move> }> = {
  DeliveryTransaction: { table: 'delivery_transactions', moves: DELIVERY_MOVES },
  ServiceTransaction: { table: 'service_transactions', moves: SERVICE_MOVES },
  Payout: { table: 'payouts', moves: PAYOUT_MOVES },
};

export interface HistoryEvent {
  type: string;
  version: number;
  payload: Record<string, unknown>;
}

/**
 * Replays one history through its state machine. Besides each move's place and actor:
 * the replay ends in the row's status; a parcel is scanned under way only once it was
 * booked; a return ends only once it was booked; the timer confirms a delivery (its
 * window ran out, not a lapsed return) only after reminding the buyer; a payout's
 * scheduled figures are the row's.
 */
export function replayViolations(
  aggregateType: string,
  id: string,
  events: readonly HistoryEvent[],
  row: { status: string; gross?: string; fee?: string; net?: string } | undefined,
): string[] {
  const machine = MOVES_BY_TYPE[aggregateType]!;
  const found: string[] = [];
  let status: string | null = null;
  const seen = new Map<string, number>();
  for (const event of events) {
    const at = `v${event.version} ${event.type}`;
    const move = machine.moves[event.type];
    const actor = event.payload.actor as Actor | undefined;
    seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
    if (!move) {
      found.push(`${at}: an event type the state machine does not know`);
      continue;
    }
    const allowedFrom = typeof actor === 'string' ? move.by[actor] : move.from;
    if (typeof actor !== 'string') found.push(`${at} carries no actor`);
    else if (!allowedFrom) found.push(`${at} by ${actor}, which only ${Object.keys(move.by).join(' or ')} may do`);
    if (allowedFrom && !allowedFrom.includes(status))
      found.push(`${at}${actor ? ` by ${actor}` : ''} while ${status ?? 'not yet created'}`);
    if (move.once && seen.get(event.type)! > 1) found.push(`${at} a second time`);
    if (aggregateType === 'DeliveryTransaction') {
      const leavesUnderWay = actor === 'carrier' && status !== null && UNDER_WAY.includes(status) && move.to !== undefined;
      if (leavesUnderWay && !seen.has('ShipmentBooked')) found.push(`${at} for a parcel never booked`);
      // A return that began as a refused cancellation may end with the outbound parcel itself, before any return is booked.
      const parcelNeverReachedBuyer = seen.has('CancellationTooLate');
      if (status === 'return-requested' && move.to && actor === 'carrier' && !seen.has('ReturnBooked') && !parcelNeverReachedBuyer) {
        found.push(`${at} for a return never booked`);
      }
      // Confirmed is received: by the buyer, by the window after delivery, or by a return the buyer never handed over.
      if (event.type === 'DeliveryConfirmed' && !seen.has('PackageDelivered')) found.push(`${at}: confirmed, yet never delivered`);
      if (
        event.type === 'DeliveryConfirmed' &&
        actor === 'timer' &&
        event.payload.returnLapsed !== true &&
        !seen.has('ConfirmationReminderSent')
      ) {
        found.push(`${at}: confirmed by the timer without the buyer's reminder first`);
      }
    }
    if (aggregateType === 'Payout' && event.type === 'PayoutScheduled' && row) {
      const figures = ['gross', 'fee', 'net'] as const;
      const differs = figures.filter((f) => Money.fromJSON(event.payload[f] as MoneyJson).minorUnits.toString() !== row[f]);
      if (differs.length > 0)
        found.push(
          `${at} schedules ${differs.map((f) => `${f} ${JSON.stringify(event.payload[f])}`).join(', ')}; the row says ${differs.map((f) => `${f} ${row[f]}`).join(', ')}`,
        );
    }
    if (event.type === 'PackageDelivered' && status === 'return-requested' && !seen.has('CancellationTooLate')) {
      found.push(`${at} while a return of a delivered parcel was under way`);
    }
    const staysReturning = event.type === 'PackageDelivered' && status === 'return-requested';
    if (move.to && !staysReturning) status = move.to;
  }
  if (!row) found.push('no row');
  else if (row.status !== status) found.push(`the history ends ${status ?? 'empty'}, the row is ${row.status}`);
  const noun = { DeliveryTransaction: 'delivery', ServiceTransaction: 'voucher', Payout: 'payout' }[aggregateType];
  return found.length === 0 ? [] : [`${noun} ${id}: ${found.join('; ')}`];
}

export async function orderEventsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const types = Object.keys(MOVES_BY_TYPE);
  const { rows: events } = await read.query(
    `SELECT aggregate_type, aggregate_id, aggregate_version, event_type, payload FROM event_store
     WHERE aggregate_type = ANY($1::text[]) ORDER BY aggregate_type, aggregate_id, aggregate_version`,
    [types],
  );
  const histories = new Map<string, { type: string; id: string; events: HistoryEvent[] }>();
  for (const e of events) {
    const key = `${e.aggregate_type}:${e.aggregate_id}`;
    const history = histories.get(key) ?? { type: String(e.aggregate_type), id: String(e.aggregate_id), events: [] as HistoryEvent[] };
    history.events.push({ type: e.event_type, version: e.aggregate_version, payload: e.payload });
    histories.set(key, history);
  }
  const rows = new Map<string, { status: string; gross?: string; fee?: string; net?: string }>();
  for (const [type, { table }] of Object.entries(MOVES_BY_TYPE)) {
    const figures = table === 'payouts' ? ', gross_minor::text AS gross, fee_minor::text AS fee, net_minor::text AS net' : '';
    const { rows: records } = await read.query(`SELECT id::text AS id, status${figures} FROM ${table}`);
    for (const r of records) {
      rows.set(`${type}:${r.id}`, r);
      if (!histories.has(`${type}:${r.id}`)) histories.set(`${type}:${r.id}`, { type, id: r.id, events: [] });
    }
  }
  const violations = [...histories.values()].flatMap((h) => replayViolations(h.type, h.id, h.events, rows.get(`${h.type}:${h.id}`)));
  return { checked: histories.size, violations };
}
