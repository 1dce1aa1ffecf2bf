-- Money safety (DESIGN property 11 and 12).

-- Payments: the window's end is known to the payment itself, so a charge requested after
-- it is refused even before the saga closes it; what the provider captured and refunded is
-- counted per charge and per refund, so a repeated or late report counts once.
ALTER TABLE payments
  ADD COLUMN payable_until     timestamptz,
  ADD COLUMN captured_minor    bigint NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
  ADD COLUMN refunded_minor    bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  ADD COLUMN unwanted_charge_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN refund_ids        text[] NOT NULL DEFAULT '{}',
  ADD COLUMN failed_charge_ids text[] NOT NULL DEFAULT '{}';
UPDATE payments SET payable_until = created_at + interval '3 days' WHERE payable_until IS NULL;
UPDATE payments SET captured_minor = amount_minor WHERE status IN ('captured', 'refunded');
UPDATE payments SET refunded_minor = amount_minor WHERE status = 'refunded';
UPDATE payments SET status = 'cancelled' WHERE status = 'timed_out';
ALTER TABLE payments ALTER COLUMN payable_until SET NOT NULL;
ALTER TABLE payments ADD CONSTRAINT payments_refunds_within_captures CHECK (refunded_minor <= captured_minor);

-- Voucher codes are the buyer's secret: events and the outbox no longer carry them (the
-- voucher e-mail reads the code from the service transaction). Redact what older
-- versions recorded.
UPDATE event_store SET payload = payload - 'code' WHERE event_type = 'VoucherIssued';
UPDATE outbox SET payload = payload - 'code' WHERE message_type = 'VoucherIssued';
