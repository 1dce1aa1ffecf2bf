-- The trace a message was recorded in (its W3C `traceparent`), so that the relay delivers
-- it inside that trace and what its handlers do joins the request or saga that wrote it.
-- Nullable without a default, like 017: NULL when tracing is off and on older rows.
ALTER TABLE outbox ADD COLUMN trace_parent text;
