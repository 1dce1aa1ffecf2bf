/**
 * What every aggregate root shares: an id, the version it was loaded at, and the
 * domain events it recorded since. Each event advances the version by one, so the
 * row's version always equals the version of its newest event in the event store,
 * and an aggregate's event history is gap-free by construction.
 */
export interface DomainEvent {
  readonly type: string;
}

export abstract class Aggregate<E extends DomainEvent = DomainEvent> {
  #pendingEvents: E[] = [];

  protected constructor(
    readonly id: string,
    /** Version as last persisted; 0 for an aggregate not yet stored. */
    private persistedVersion: number,
  ) {}

  /** The persisted version plus the events not yet committed. */
  get version(): number {
    return this.persistedVersion + this.#pendingEvents.length;
  }

  get loadedVersion(): number {
    return this.persistedVersion;
  }

  get pendingEvents(): readonly E[] {
    return this.#pendingEvents;
  }

  /** Called by the unit of work once the events are durably stored. */
  markPersisted(): void {
    this.persistedVersion = this.version;
    this.#pendingEvents = [];
  }

  protected record(event: E): void {
    this.#pendingEvents.push(event);
  }
}
