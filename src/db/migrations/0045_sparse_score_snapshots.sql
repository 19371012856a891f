-- Monthly snapshots keep a customer's row only for the months in which their cell, stage or tier
-- changed; a customer's state as of a month is their latest row at or before it.
--
-- Dense, every month's first scoring run wrote a row for every customer: a million inserts, each
-- with its two key checks, about 12 s on a million customers (the nightly run's goal is 10 s).
-- Sparse, a run writes the rows of the customers whose state changed, as it does within a month.
-- Readers (scores-analytics.service.ts: movement and lifecycle flow) take the latest row at or
-- before each month; the index below serves them, the run's comparison of each changed customer
-- with their latest row, and the cascade of a deleted customer.
drop index if exists customer_score_snapshots_customer;
create index customer_score_snapshots_customer on customer_score_snapshots (tenant_id, customer_id, month desc);

-- The rows that repeat the customer's previous month go.
delete from customer_score_snapshots s
 using (select tenant_id, month, customer_id,
               lag(month) over w is not null
                 and (rfm_cell, lifecycle_stage, value_tier) is not distinct from (lag(rfm_cell) over w, lag(lifecycle_stage) over w, lag(value_tier) over w) as repeats
          from customer_score_snapshots
        window w as (partition by tenant_id, customer_id order by month)) d
 where d.repeats and s.tenant_id = d.tenant_id and s.month = d.month and s.customer_id = d.customer_id;
