import { Aggregate } from '../kernel/aggregate.ts';
import { InvalidInput } from '../kernel/errors.ts';

/**
 * A diagnostic ping: a synthetic transaction an operator (or a test) sends through
 * every layer, API -> Temporal -> activity -> unit of work -> Postgres, to prove the
 * whole path works on a given deployment. It has no business meaning.
 */
export type PingEvent = { type: 'PingRecorded'; message: string; requestedBy: string; recordedAt: string };

export interface PingState {
  message: string;
  requestedBy: string;
  recordedAt: Date;
}

export const MAX_PING_MESSAGE = 200;

export class Ping extends Aggregate<PingEvent> {
  private constructor(
    id: string,
    version: number,
    readonly state: PingState,
  ) {
    super(id, version);
  }

  static record(id: string, message: string, requestedBy: string, at: Date): Ping {
    if (message.length === 0 || message.length > MAX_PING_MESSAGE) {
      throw new InvalidInput('message has the wrong length', [{ path: 'message', message: `must be 1 to ${MAX_PING_MESSAGE} characters` }]);
    }
    const ping = new Ping(id, 0, { message, requestedBy, recordedAt: at });
    ping.record({ type: 'PingRecorded', message, requestedBy, recordedAt: at.toISOString() });
    return ping;
  }

  static restore(id: string, version: number, state: PingState): Ping {
    return new Ping(id, version, state);
  }
}
