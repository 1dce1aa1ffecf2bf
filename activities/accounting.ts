import type pg from 'pg';
import { z } from 'zod';
import { releaseReservation, reserveFunds, settleReservation } from '../src/accounting/use-cases.ts';

const ReservationRef = z.object({ accountId: z.string().min(1).max(200), reservationId: z.string().min(1).max(200) });
const ReserveInput = ReservationRef.extend({ amount: z.object({ amount: z.string().regex(/^\d+$/), currency: z.string() }) });

/** Activities of the accounting context; each is idempotent, keyed by the reservation (= withdrawal) id. */
export function createAccountingActivities(deps: { pool: pg.Pool }) {
  return {
    reserveFunds: (input: z.input<typeof ReserveInput>) => reserveFunds(deps.pool, ReserveInput.parse(input)),
    settleReservation: (input: z.input<typeof ReservationRef>) => settleReservation(deps.pool, ReservationRef.parse(input)),
    releaseReservation: (input: z.input<typeof ReservationRef>) => releaseReservation(deps.pool, ReservationRef.parse(input)),
  };
}

export type AccountingActivities = ReturnType<typeof createAccountingActivities>;
