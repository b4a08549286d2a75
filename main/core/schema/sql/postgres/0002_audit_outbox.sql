-- Transactional outbox for audit entries (main/core/stores/audit-outbox.ts):
-- written in the caller's transaction, then delivered to the document store's
-- audit_logs, so an entry exists exactly when its transaction committed.
CREATE TABLE nova_audit_outbox (
  id           uuid PRIMARY KEY,
  action       text NOT NULL,
  -- JSON-encoded so numeric and string user ids both survive the trip.
  user_id      text,
  details      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
-- The drain reads undelivered rows oldest first; delivered ones never need scanning.
CREATE INDEX idx_nova_audit_outbox_pending ON nova_audit_outbox (created_at, id)
  WHERE delivered_at IS NULL;
