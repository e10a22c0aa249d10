-- Retention of events and outbox rows (issue 15, part 1): pruning deletes old rows in small batches.
-- Deleting an event checks that no delivery refers to it, so each outbox needs an index on event_seq
-- (without one, every deleted event scans both outboxes); the created_at indexes find the old rows.
create index webhook_delivery_event on webhook_delivery (event_seq);
create index mail_delivery_event on mail_delivery (event_seq);
create index webhook_delivery_created on webhook_delivery (created_at);
create index mail_delivery_created on mail_delivery (created_at);
create index event_created on event (created_at);
