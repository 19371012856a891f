-- Group health reads a weekly rollup instead of every group message: per group, tenant-local ISO
-- week (Monday) and speaker (a customer or a staff member), the counts the health rules need.
-- Ingestion adds each batch's group messages to it in the statement that stores them
-- (group-activity.service.ts); a merge moves a customer's rows to the survivor. A 90-day recompute
-- of 25,000 groups then aggregates ~40 rows per group-week instead of ~150 messages.
--
-- Week is the Monday of the message's week in the tenant's zone at ingestion; should a tenant change
-- its zone, the rollup is rebuilt from the raw messages still kept (rebuildSpeakerWeeks).
-- No foreign keys, for write volume (as group_messages); the key leads with the week so a recompute
-- of the last weeks reads a contiguous range. Counts are updated in place: leave room for HOT updates.
create table group_speaker_weeks (
  tenant_id   uuid not null,
  week        date not null,
  group_id    uuid not null,
  staff       boolean not null,      -- speaker_id is a staff id (else a customer id)
  speaker_id  uuid not null,
  messages    integer not null,
  replies     integer not null,      -- messages quoting another message
  to_member   integer not null,      -- replies to a member (customer)
  to_staff    integer not null,      -- replies to staff
  links       integer not null,
  flagged     integer not null,
  primary key (tenant_id, week, group_id, staff, speaker_id)
) with (fillfactor = 85);
create index group_speaker_weeks_customer on group_speaker_weeks (tenant_id, speaker_id) where not staff;

-- What was already said, counted once.
insert into group_speaker_weeks (tenant_id, week, group_id, staff, speaker_id, messages, replies, to_member, to_staff, links, flagged)
select m.tenant_id, (date_trunc('week', m.sent_at at time zone t.timezone))::date, m.group_id,
       m.sender_staff_id is not null, coalesce(m.sender_staff_id, m.sender_customer_id),
       count(*), count(*) filter (where m.reply_to_customer_id is not null or m.reply_to_staff_id is not null),
       count(*) filter (where m.reply_to_customer_id is not null), count(*) filter (where m.reply_to_staff_id is not null),
       count(*) filter (where m.has_link), count(*) filter (where m.flagged)
  from group_messages m join tenants t on t.id = m.tenant_id
 group by 1, 2, 3, 4, 5;
