import type { Sql } from '../platform/db/pools.ts';

export interface PingView {
  id: string;
  message: string;
  requestedBy: string;
  recordedAt: string;
  version: number;
}

export async function getPing(read: Sql, id: string): Promise<PingView | undefined> {
  const { rows } = await read.query<{ id: string; message: string; requested_by: string; recorded_at: Date; version: number }>(
    'SELECT id, message, requested_by, recorded_at, version FROM diagnostic_pings WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      message: row.message,
      requestedBy: row.requested_by,
      recordedAt: row.recorded_at.toISOString(),
      version: row.version,
    }
  );
}
