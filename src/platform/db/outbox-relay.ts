import type pg from 'pg';
import type { Logger } from '../log.ts';
import { OUTBOX_CHANNEL } from './outbox-channel.ts';
import type { Message } from './outbox.ts';
import { runInTrace } from '../observability/trace-parent.ts';
import { checkout, release } from './pools.ts';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** Delivers one message; throwing leaves it pending for a later, delayed retry. */
  dispatch: (message: Message) => Promise<void>;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (a lost listener, a retry coming due). */
  pollIntervalMs?: number;
  /** Delay before a failed message is tried again, by its number of attempts so far. */
  retryDelayMs?: (attempts: number) => number;
  /** Test seam: runs between a delivery and the mark that records it (to simulate a crash there). */
  afterDispatch?: (message: Message, claim: pg.PoolClient) => Promise<void>;
  /** Told how long each batch took and how many rows it claimed (the relay's metrics). */
  observeBatch?: (claimed: number, seconds: number) => void;
}

/**
 * Moves committed outbox rows to their consumers, at least once (docs/design.md, property 4).
 * A batch is claimed with `FOR UPDATE SKIP LOCKED` inside one transaction, delivered,
 * and marked dispatched in that same transaction: if the relay dies before COMMIT the
 * locks vanish with its connection and the rows are delivered again, which consumers'
 * inboxes make harmless. Several relays can run side by side; each claims other rows.
 * The relay sleeps on LISTEN and wakes on the NOTIFY a committing writer sends.
 */
export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, 'afterDispatch' | 'observeBatch'>> &
    Pick<OutboxRelayOptions, 'afterDispatch' | 'observeBatch'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #listener: pg.PoolClient | undefined;
  #wake: (() => void) | undefined;
  /** A NOTIFY that came while a batch ran; the next sleep returns at once instead of missing it. */
  #notifiedWhileBusy = false;

  constructor(options: OutboxRelayOptions) {
    this.#options = {
      batchSize: 50,
      pollIntervalMs: 1000,
      retryDelayMs: (attempts) => Math.min(60_000, 250 * 2 ** attempts),
      ...options,
    };
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.listen();
    this.#loop = this.run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.notify();
    await this.#loop;
    await this.unlisten();
  }

  /** Claims, delivers and marks one batch. Returns how many rows it claimed. */
  async relayBatch(): Promise<number> {
    const { pool, batchSize, dispatch, retryDelayMs, afterDispatch } = this.#options;
    const claim = await checkout(pool);
    let broken: Error | undefined;
    try {
      await claim.query('BEGIN');
      const { rows } = await claim.query<{
        id: string;
        message_id: string;
        message_type: string;
        payload: Record<string, unknown>;
        attempts: number;
        correlation_id: string | null;
        causation_id: string | null;
        trace_parent: string | null;
      }>(
        `SELECT id, message_id, message_type, payload, attempts, correlation_id, causation_id, trace_parent FROM outbox
         WHERE dispatched_at IS NULL AND available_at <= now()
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      const delivered: string[] = [];
      for (const row of rows) {
        const message: Message = {
          id: row.message_id,
          type: row.message_type,
          payload: row.payload,
          correlationId: row.correlation_id,
          causationId: row.causation_id,
        };
        try {
          // Inside the trace that recorded it, so the handlers' spans join that request's or step's.
          await runInTrace(row.trace_parent, () => dispatch(message));
        } catch (error) {
          this.#options.logger.warn({ err: error, messageId: message.id, type: message.type }, 'outbox delivery failed; will retry');
          await claim.query(
            `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
               available_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
            [row.id, String((error as Error).message ?? error), retryDelayMs(row.attempts + 1)],
          );
          continue;
        }
        await afterDispatch?.(message, claim);
        delivered.push(row.id);
      }
      // One statement marks the whole batch: a row per statement cost a round trip each.
      if (delivered.length > 0) {
        await claim.query('UPDATE outbox SET attempts = attempts + 1, dispatched_at = now() WHERE id = ANY($1::bigint[])', [delivered]);
      }
      await claim.query('COMMIT');
      return rows.length;
    } catch (error) {
      await claim.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      release(claim, broken);
    }
  }

  private async run(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        if (!this.#listener) await this.listen();
        const started = performance.now();
        claimed = await this.relayBatch();
        this.#options.observeBatch?.(claimed, (performance.now() - started) / 1000);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'outbox relay batch failed');
      }
      // A full batch means more may be waiting: go again at once.
      if (claimed < this.#options.batchSize && this.#running) await this.sleep();
    }
  }

  private async listen(): Promise<void> {
    let listener: pg.PoolClient | undefined;
    try {
      listener = await this.#options.pool.connect();
      listener.on('notification', this.#onNotification);
      listener.on('error', this.#onListenerError);
      await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.#listener = listener;
    } catch (error) {
      if (listener) this.detach(listener, error as Error);
      this.#options.logger.warn({ err: error }, 'outbox relay cannot LISTEN; polling');
    }
  }

  private async unlisten(): Promise<void> {
    const listener = this.#listener;
    if (!listener) return;
    this.#listener = undefined;
    await listener.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => {});
    this.detach(listener);
  }

  /** Hands the connection back (or, broken, to be destroyed) without our handlers on it. */
  private detach(listener: pg.PoolClient, broken?: Error): void {
    listener.off('notification', this.#onNotification);
    listener.off('error', this.#onListenerError);
    listener.release(broken);
  }

  readonly #onNotification = () => this.notify();

  /** The LISTEN connection died: poll until the next loop turn listens again. */
  readonly #onListenerError = (error: Error) => {
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener) this.detach(listener, error);
  };

  private notify(): void {
    if (this.#wake) this.#wake();
    else this.#notifiedWhileBusy = true;
  }

  private sleep(): Promise<void> {
    if (this.#notifiedWhileBusy) {
      this.#notifiedWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollIntervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }
}
