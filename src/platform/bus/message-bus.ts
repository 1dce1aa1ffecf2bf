import type { Message } from '../db/outbox.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';

/**
 * Where one handler invocation runs: which handler, the unit of work the transaction
 * middleware opened (or inherited), and the dispatch that led here, if nested.
 */
export interface DispatchContext {
  readonly handlerName: string;
  readonly uow?: UnitOfWork;
  readonly parent?: DispatchContext;
}

/** What a handler sees: its unit of work and a way to dispatch further messages within it. */
export interface HandlerContext extends DispatchContext {
  readonly uow: UnitOfWork;
  dispatch(message: Message): Promise<void>;
}

export type Handler = (message: Message, context: HandlerContext) => Promise<void>;

/** Wraps the rest of the chain, as in seed 002: do something, call `next`, do something. */
export type Middleware = (message: Message, context: DispatchContext, next: (context: DispatchContext) => Promise<void>) => Promise<void>;

interface Subscription {
  name: string;
  handler: Handler;
}

/**
 * Routes each message type to the handlers subscribed to it, every invocation through
 * the middleware chain (outermost first). The transaction middleware makes the
 * outermost dispatch one transaction and a nested dispatch a savepoint inside it.
 * A message with no subscriber is dropped: events are facts, and nobody has to care.
 */
export class MessageBus {
  readonly #subscriptions = new Map<string, Subscription[]>();
  readonly #names = new Set<string>();

  constructor(private readonly middleware: readonly Middleware[]) {}

  /** `name` identifies the handler in the inbox, so it must be unique and stable. */
  subscribe(messageType: string, name: string, handler: Handler): this {
    if (this.#names.has(name)) throw new Error(`a handler named "${name}" is already subscribed`);
    this.#names.add(name);
    const list = this.#subscriptions.get(messageType) ?? [];
    list.push({ name, handler });
    this.#subscriptions.set(messageType, list);
    return this;
  }

  /** Runs every handler of the message's type in turn; the first failure stops and propagates. */
  async dispatch(message: Message, parent?: DispatchContext): Promise<void> {
    // What the dispatching handler raised so far is its own, not the nested message's.
    parent?.uow?.stampPendingEvents();
    for (const { name, handler } of this.#subscriptions.get(message.type) ?? []) {
      const context: DispatchContext = { handlerName: name, uow: parent?.uow, parent };
      await this.runChain(0, message, context, handler);
    }
  }

  private async runChain(index: number, message: Message, context: DispatchContext, handler: Handler): Promise<void> {
    const middleware = this.middleware[index];
    if (middleware) {
      return middleware(message, context, (next) => this.runChain(index + 1, message, next, handler));
    }
    const { uow } = context;
    if (!uow) throw new Error('no unit of work: the bus needs the transaction middleware');
    return handler(message, { ...context, uow, dispatch: (child) => this.dispatch(child, context) });
  }
}
