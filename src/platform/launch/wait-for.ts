/** Thrown by a probe to stop waiting at once: the server will not come up (it exited). */
export class StartFailed extends Error {}

/**
 * Polls `probe` until it resolves true, or fails after `timeoutMs` naming `what`. A probe
 * that throws means "not up yet", unless it throws `StartFailed`.
 */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (error instanceof StartFailed) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
