-- Notifications context: every e-mail the platform sent, as recorded by the default e-mail adapter.
CREATE TABLE notifications (
  id          uuid        PRIMARY KEY,
  customer_id text        NOT NULL,
  kind        text        NOT NULL,
  subject     text        NOT NULL,
  body        text        NOT NULL,
  -- The fact that caused it: an e-mail is sent once per fact and recipient.
  dedup_key   text        NOT NULL UNIQUE,
  data        jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_by_customer ON notifications (customer_id, created_at DESC);
