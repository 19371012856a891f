-- Group health's member figures from a weekly rollup instead of every membership, and a notice
-- when an API key or its tenant changes.
--
-- group_member_weeks: per group and tenant-local ISO week (Monday), how many present memberships
-- (group_members rows) began and ended in it, and how many joins and leaves group_member_changes
-- records in it. Members at a week's end are the running sum of came − went, so a recompute of
-- 25,000 groups reads a few rows per group-week instead of scanning millions of memberships.
-- group_members and group_member_changes are written by ingestion, merges, the demo seeding (COPY),
-- privacy erasure and cascades from customers and groups; statement triggers with transition
-- tables keep the rollup in step with all of them, set-wise, in the writing transaction. Weeks are
-- taken in the tenant's zone when written (as group_speaker_weeks); a zone change rebuilds them
-- (rebuildMemberWeeks). Rows are upserted in key order, so concurrent writers wait, never deadlock.
create table group_member_weeks (
  tenant_id  uuid not null,
  group_id   uuid not null,
  week       date not null,
  came       integer not null default 0,  -- memberships whose joined_at is in the week
  went       integer not null default 0,  -- memberships whose left_at is in the week
  joins      integer not null default 0,  -- 'joined' changes at in the week
  leaves     integer not null default 0,  -- 'left' changes in the week
  primary key (tenant_id, group_id, week)
) with (fillfactor = 85);

create function group_members_to_weeks() returns trigger language plpgsql as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into group_member_weeks as w (tenant_id, group_id, week, came, went)
    select d.tenant_id, d.group_id, d.week, sum(d.came), sum(d.went)
      from (select n.tenant_id, n.group_id, (date_trunc('week', n.joined_at at time zone t.timezone))::date as week, 1 as came, 0 as went
              from new_members n join tenants t on t.id = n.tenant_id
            union all
            select n.tenant_id, n.group_id, (date_trunc('week', n.left_at at time zone t.timezone))::date, 0, 1
              from new_members n join tenants t on t.id = n.tenant_id where n.left_at is not null) d
     group by 1, 2, 3
     order by 1, 2, 3
    on conflict (tenant_id, group_id, week) do update set came = w.came + excluded.came, went = w.went + excluded.went;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into group_member_weeks as w (tenant_id, group_id, week, came, went)
    select d.tenant_id, d.group_id, d.week, -sum(d.came), -sum(d.went)
      from (select o.tenant_id, o.group_id, (date_trunc('week', o.joined_at at time zone t.timezone))::date as week, 1 as came, 0 as went
              from old_members o join tenants t on t.id = o.tenant_id
            union all
            select o.tenant_id, o.group_id, (date_trunc('week', o.left_at at time zone t.timezone))::date, 0, 1
              from old_members o join tenants t on t.id = o.tenant_id where o.left_at is not null) d
     group by 1, 2, 3
     order by 1, 2, 3
    on conflict (tenant_id, group_id, week) do update set came = w.came + excluded.came, went = w.went + excluded.went;
  end if;
  return null;
end $$;

create trigger group_members_weeks_insert after insert on group_members
  referencing new table as new_members for each statement execute function group_members_to_weeks();
create trigger group_members_weeks_update after update on group_members
  referencing old table as old_members new table as new_members for each statement execute function group_members_to_weeks();
create trigger group_members_weeks_delete after delete on group_members
  referencing old table as old_members for each statement execute function group_members_to_weeks();

create function group_member_changes_to_weeks() returns trigger language plpgsql as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into group_member_weeks as w (tenant_id, group_id, week, joins, leaves)
    select n.tenant_id, n.group_id, (date_trunc('week', n.at at time zone t.timezone))::date,
           count(*) filter (where n.action = 'joined'), count(*) filter (where n.action = 'left')
      from new_changes n join tenants t on t.id = n.tenant_id
     group by 1, 2, 3
     order by 1, 2, 3
    on conflict (tenant_id, group_id, week) do update set joins = w.joins + excluded.joins, leaves = w.leaves + excluded.leaves;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into group_member_weeks as w (tenant_id, group_id, week, joins, leaves)
    select o.tenant_id, o.group_id, (date_trunc('week', o.at at time zone t.timezone))::date,
           -count(*) filter (where o.action = 'joined'), -count(*) filter (where o.action = 'left')
      from old_changes o join tenants t on t.id = o.tenant_id
     group by 1, 2, 3
     order by 1, 2, 3
    on conflict (tenant_id, group_id, week) do update set joins = w.joins + excluded.joins, leaves = w.leaves + excluded.leaves;
  end if;
  return null;
end $$;

-- A merge renames the customer of a change: its group and week stay, the update adds nothing net.
create trigger group_member_changes_weeks_insert after insert on group_member_changes
  referencing new table as new_changes for each statement execute function group_member_changes_to_weeks();
create trigger group_member_changes_weeks_update after update on group_member_changes
  referencing old table as old_changes new table as new_changes for each statement execute function group_member_changes_to_weeks();
create trigger group_member_changes_weeks_delete after delete on group_member_changes
  referencing old table as old_changes for each statement execute function group_member_changes_to_weeks();

-- What is already there, counted once.
insert into group_member_weeks (tenant_id, group_id, week, came, went, joins, leaves)
select x.tenant_id, x.group_id, x.week, sum(x.came), sum(x.went), sum(x.joins), sum(x.leaves)
  from (select m.tenant_id, m.group_id, (date_trunc('week', m.joined_at at time zone t.timezone))::date as week, 1 as came, 0 as went, 0 as joins, 0 as leaves
          from group_members m join tenants t on t.id = m.tenant_id
        union all
        select m.tenant_id, m.group_id, (date_trunc('week', m.left_at at time zone t.timezone))::date, 0, 1, 0, 0
          from group_members m join tenants t on t.id = m.tenant_id where m.left_at is not null
        union all
        select c.tenant_id, c.group_id, (date_trunc('week', c.at at time zone t.timezone))::date, 0, 0,
               (c.action = 'joined')::int, (c.action = 'left')::int
          from group_member_changes c join tenants t on t.id = c.tenant_id) x
 group by 1, 2, 3;

-- API keys already checked are kept by each server process (src/api/api-key-cache.ts); any change
-- to a key or to a tenant (the actor carries its name, slug and zone) tells them to drop what they hold.
-- Noting when a key was last used (last_used_at) changes nothing a process holds, so it does not flush.
create function api_key_changes_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('yuchi_api_key_changes', '');
  return null;
end $$;
create trigger api_keys_changed after update of tenant_id, id, name, role, staff_id, key_hash, key_prefix, revoked_at or delete or truncate on api_keys
  for each statement execute function api_key_changes_notify();
create trigger tenants_changed after update or delete or truncate on tenants
  for each statement execute function api_key_changes_notify();
