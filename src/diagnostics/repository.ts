import type { Sql } from '../platform/db/pools.ts';
import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Ping } from './domain.ts';

const pingWriter: AggregateWriter<Ping> = {
  aggregateType: 'Ping',
  async insert(sql: Sql, ping: Ping) {
    await sql.query('INSERT INTO diagnostic_pings (id, message, requested_by, recorded_at, version) VALUES ($1, $2, $3, $4, $5)', [
      ping.id,
      ping.state.message,
      ping.state.requestedBy,
      ping.state.recordedAt,
      ping.version,
    ]);
  },
  async update(sql: Sql, ping: Ping, expectedVersion: number) {
    const { rowCount } = await sql.query('UPDATE diagnostic_pings SET version = $3 WHERE id = $1 AND version = $2', [
      ping.id,
      expectedVersion,
      ping.version,
    ]);
    return rowCount === 1;
  },
};

export async function findPing(uow: UnitOfWork, id: string): Promise<Ping | undefined> {
  const tracked = uow.tracked<Ping>(pingWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read<{ message: string; requested_by: string; recorded_at: Date; version: number }>(
    'SELECT message, requested_by, recorded_at, version FROM diagnostic_pings WHERE id = $1',
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return uow.track(
    Ping.restore(id, row.version, { message: row.message, requestedBy: row.requested_by, recordedAt: row.recorded_at }),
    pingWriter,
  );
}

export function addPing(uow: UnitOfWork, ping: Ping): void {
  uow.add(ping, pingWriter);
}
