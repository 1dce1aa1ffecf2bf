import { condition } from '@temporalio/workflow';

/**
 * A saga's view of a record's status that someone else moves (a party through the API,
 * the carrier by webhook). Signals only nudge it; the status itself is always read from
 * the record, whose versioned write decided the race, so the saga never acts on a
 * signal's word, a lost signal only delays it until its timer, and a repeated one costs
 * one read. Workflow code only.
 */
export class StatusWatch<S extends string> {
  #nudges = 0;
  #readUpTo = 0;

  constructor(
    public status: S,
    private readonly read: () => Promise<{ status: S }>,
  ) {}

  /** Something may have changed: the next wait reads the status again. */
  nudge(): void {
    this.#nudges++;
  }

  /**
   * Waits until `done(status)`, re-reading the status after each nudge, for `ms` at most.
   * False when the time ran out first: the caller's timer step (itself a guarded write)
   * then decides.
   */
  async waitUntil(done: (status: S) => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done(this.status)) {
      if (this.#nudges > this.#readUpTo) {
        this.#readUpTo = this.#nudges;
        this.status = (await this.read()).status;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await condition(() => this.#nudges > this.#readUpTo, remaining);
    }
    return true;
  }
}
