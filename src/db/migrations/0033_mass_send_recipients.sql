-- A mass send's recipients, one narrow row each: the plan's decision for every customer of the
-- audience (planned with its send time, held out by the campaign, or excluded with the reason).
-- Planning writes a million of these instead of a million full messages rows with five indexes
-- and rendered content: only the key is maintained. A planned recipient becomes a messages row
-- (same id, content rendered then) when the send's time comes (release, mass-release.service.ts),
-- and its row here is deleted in that transaction; held-out and excluded recipients stay here as
-- the record of the decision (reports, lift). No foreign keys, for write volume (as group_messages);
-- the key refuses a second writer of the same recipient, and a merge moves rows to the survivor.
create table mass_send_recipients (
  tenant_id     uuid not null,
  mass_send_id  uuid not null,
  customer_id   uuid not null,
  -- the id its message will have: it ranks the reserved slot against other messages (ties go to
  -- the earlier id) exactly as the message row will
  message_id    uuid not null,
  -- the guide it goes out as (WeCom)
  staff_id      uuid,
  verdict       text not null check (verdict in ('send', 'held_out', 'excluded')),
  -- send: what moved its time (quiet_hours, a quota or cap) or null; excluded: why (consent, cap, no_guide …)
  reason        text,
  -- send and held_out: when it goes (or would have gone); excluded: null
  send_at       timestamptz,
  primary key (tenant_id, mass_send_id, customer_id)
);

-- The template content the plan was made with (a template edited later does not change a planned
-- send), and when every planned recipient had become a message.
alter table mass_sends
  add column content      jsonb,
  add column released_at  timestamptz;
