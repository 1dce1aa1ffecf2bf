/**
 * Seed 000's two kinds of business transaction, kept apart on purpose: goods that are
 * shipped (delivery.ts), and services (e-vouchers, service.ts) that are not. Two
 * aggregates with their own tables, never one with optional delivery fields, so each can
 * be locked and versioned on its own and neither carries the other's states.
 */
export * from './parties.ts';
export * from './delivery.ts';
export * from './service.ts';
