import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Account, ACCOUNT_CURRENCY, type Posting, type Reservation, type ReservationStatus, satoshis } from './domain.ts';

const sat = satoshis;

/**
 * The account row is the aggregate's versioned row; its reservations and ledger postings
 * are written in the same transaction, only after the versioned write matched, so a
 * writer that lost the race writes nothing.
 */
const accountWriter: AggregateWriter<Account> = {
  aggregateType: 'Account',
  async insert(sql, account) {
    const s = account.state;
    await sql.query(
      `INSERT INTO accounts (id, owner_id, currency, balance_minor, reserved_minor, version) VALUES ($1, $2, $3, $4, $5, $6)`,
      [account.id, s.ownerId, ACCOUNT_CURRENCY, s.balance.minorUnits.toString(), s.reserved.minorUnits.toString(), account.version],
    );
    await writeChanges(sql, account);
  },
  async update(sql, account, expectedVersion) {
    const s = account.state;
    const { rowCount } = await sql.query(
      `UPDATE accounts SET balance_minor = $3, reserved_minor = $4, version = $5 WHERE id = $1 AND version = $2`,
      [account.id, expectedVersion, s.balance.minorUnits.toString(), s.reserved.minorUnits.toString(), account.version],
    );
    if (rowCount !== 1) return false;
    await writeChanges(sql, account);
    return true;
  },
};

async function writeChanges(sql: Sql, account: Account): Promise<void> {
  const { newReservations, changedReservations, postings } = account.unsavedChanges();
  for (const r of newReservations) {
    await sql.query(`INSERT INTO reservations (id, account_id, amount_minor, status) VALUES ($1, $2, $3, $4)`, [
      r.id,
      account.id,
      r.amount.minorUnits.toString(),
      r.status,
    ]);
  }
  for (const r of changedReservations) {
    await sql.query(`UPDATE reservations SET status = $2, updated_at = now() WHERE id = $1`, [r.id, r.status]);
  }
  for (const posting of postings) await insertPosting(sql, posting);
}

/**
 * Writes a posting and its entries in the caller's transaction (the database checks at
 * commit that they sum to zero, and refuses a second posting of one kind for one reference).
 */
export async function insertPosting(sql: Sql, posting: Posting): Promise<void> {
  await sql.query(
    `WITH posting AS (INSERT INTO ledger_postings (id, kind, reference, currency) VALUES ($1, $2, $3, $4))
     INSERT INTO ledger_entries (posting_id, account_id, amount_minor)
     SELECT $1, account_id, amount FROM unnest($5::text[], $6::bigint[]) AS e(account_id, amount)`,
    [
      posting.id,
      posting.kind,
      posting.reference,
      posting.currency ?? ACCOUNT_CURRENCY,
      posting.entries.map((e) => e.accountId),
      posting.entries.map((e) => e.amount.toString()),
    ],
  );
}

/**
 * What `insertPosting` writes, for any number of postings, as two CTEs (`posted`,
 * `entered`) a writer can put in its own statement, so its versioned write and its
 * postings go in one round trip. Nothing is inserted unless the CTE named `onlyIf`
 * yields a row (the versioned write matched). Parameters start at `$firstParam`.
 */
export function postingsCtes(postings: readonly Posting[], firstParam: number, onlyIf: string): { text: string; values: unknown[] } {
  const p = (i: number) => `$${firstParam + i}`;
  const entries = postings.flatMap((posting) => posting.entries.map((e) => ({ postingId: posting.id, ...e })));
  return {
    text: `posted AS (
       INSERT INTO ledger_postings (id, kind, reference, currency)
       SELECT p.id, p.kind, p.reference, ${p(0)}::text FROM ${onlyIf}, unnest(${p(1)}::uuid[], ${p(2)}::text[], ${p(3)}::text[]) AS p(id, kind, reference)
     ), entered AS (
       INSERT INTO ledger_entries (posting_id, account_id, amount_minor)
       SELECT e.posting_id, e.account_id, e.amount FROM ${onlyIf}, unnest(${p(4)}::uuid[], ${p(5)}::text[], ${p(6)}::bigint[]) AS e(posting_id, account_id, amount)
     )`,
    values: [
      ACCOUNT_CURRENCY,
      postings.map((posting) => posting.id),
      postings.map((posting) => posting.kind),
      postings.map((posting) => posting.reference),
      entries.map((e) => e.postingId),
      entries.map((e) => e.accountId),
      entries.map((e) => e.amount.toString()),
    ],
  };
}

/** Loads an account, with the reservation `reservationId` if asked (reserve, settle and release need theirs). */
export async function findAccount(uow: UnitOfWork, id: string, options: { reservationId?: string } = {}): Promise<Account | undefined> {
  const tracked = uow.tracked<Account>(accountWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read(`SELECT owner_id, balance_minor, reserved_minor, version FROM accounts WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const reservations: Reservation[] = [];
  if (options.reservationId) {
    const found = await uow.read(`SELECT id, amount_minor, status FROM reservations WHERE id = $1 AND account_id = $2`, [
      options.reservationId,
      id,
    ]);
    for (const r of found.rows) reservations.push({ id: r.id, amount: sat(r.amount_minor), status: r.status as ReservationStatus });
  }
  const account = Account.restore(
    id,
    row.version,
    { ownerId: row.owner_id, balance: sat(row.balance_minor), reserved: sat(row.reserved_minor) },
    reservations,
  );
  return uow.track(account, accountWriter);
}

export function addAccount(uow: UnitOfWork, account: Account): void {
  uow.add(account, accountWriter);
}
