-- Diagnostic pings: the synthetic transaction that proves API -> Temporal -> activity -> Postgres.
CREATE TABLE diagnostic_pings (
  id           uuid        PRIMARY KEY,
  message      text        NOT NULL,
  requested_by text        NOT NULL,
  recorded_at  timestamptz NOT NULL,
  version      integer     NOT NULL
);
