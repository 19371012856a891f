-- Mass-send planning writes a million message rows at once, and every index on messages is paid
-- per row. messages_due (tenant_id, status, not_before) serves no query of its own: the delivery
-- worker's pick-up of due messages (requested, queued, deferred, retrying) reads messages_pending,
-- the stale-claim sweep reads messages_stale_sending, and every other read goes by customer
-- (messages_customer), by mass send (messages_mass_send), by dedupe key or by id.
drop index if exists messages_due;
