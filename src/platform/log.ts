import { pino, type Logger } from 'pino';

export type { Logger };

/** One structured logger per process; `LOG_LEVEL` (default info) decides how chatty. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level });
}

/** For tests and callers that want silence. */
export const silentLogger: Logger = pino({ level: 'silent' });
