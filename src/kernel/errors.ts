/**
 * Domain and application errors. Each kind maps to one HTTP status at the edge
 * (src/platform/http/problem.ts); the domain itself knows nothing of HTTP.
 */

/** One invalid field: `path` is dotted from the request root, e.g. `amount.currency`. */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid_input' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'business_rule';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid, whatever the state (400). */
export class InvalidInput extends DomainError {
  readonly kind = 'invalid_input';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }

  /** Re-roots field paths, e.g. a Money error becomes `amount.amount` inside a bid. */
  nestedUnder(prefix: string): InvalidInput {
    return new InvalidInput(
      this.message,
      this.errors.map((e) => ({ ...e, path: e.path ? `${prefix}.${e.path}` : prefix })),
    );
  }
}

export class Unauthorized extends DomainError {
  readonly kind = 'unauthorized';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFound extends DomainError {
  readonly kind = 'not_found';
}

/** The request clashes with the current state (409), e.g. the auction already ended. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

/**
 * A versioned write found another version than the one it read. Use cases retry
 * from a fresh read (src/platform/db/retry-on-conflict.ts); only when retries run
 * out does it reach the caller, as a 409.
 */
export class ConcurrencyConflict extends Conflict {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expectedVersion: number,
  ) {
    super(`${aggregateType} ${aggregateId} was changed concurrently (expected version ${expectedVersion})`);
  }
}

/** A business rule refused a well-formed request (422), e.g. a bid not above the price. */
export class BusinessRuleViolation extends DomainError {
  readonly kind = 'business_rule';
}
