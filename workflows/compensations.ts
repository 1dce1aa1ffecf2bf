import { CancellationScope, log } from '@temporalio/workflow';

/**
 * The undo stack of a saga (docs/design.md, property 8). Register each undo *before* the step it
 * undoes runs, so a step that half-happened is undone too; every undo must therefore be
 * idempotent and harmless when its step never ran. `run` executes them in reverse order
 * in a non-cancellable scope, so they also complete when the saga itself is cancelled.
 */
export class Compensations {
  readonly #undos: { name: string; undo: () => Promise<unknown> }[] = [];

  register(name: string, undo: () => Promise<unknown>): void {
    this.#undos.push({ name, undo });
  }

  /** Forget the undos (the saga reached the point of no return). */
  clear(): void {
    this.#undos.length = 0;
  }

  async run(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const { name, undo } of [...this.#undos].reverse()) {
        try {
          await undo();
        } catch (error) {
          // Activities retry on their own; an undo that still fails must not stop the others.
          log.error('compensation failed', { compensation: name, error: String(error) });
        }
      }
    });
    this.clear();
  }
}
