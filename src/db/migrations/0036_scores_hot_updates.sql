-- Each night every buyer's recency and predicted CLV move, so the scoring run updates nearly every
-- row of customer_scores. Those updates can stay heap-only (HOT: no new index entries, the new
-- version beside the old one on the same page) when no indexed column changes and the page has
-- room. So:
-- - the indexes on rfm_cell, lifecycle_stage and clv_fen go: a cell or stage holds 1–50 % of a
--   tenant's customers, where a scan of the tenant's scores is as fast as the index, and readers
--   (segments, layer analytics, workbench, profile) reach single rows by the primary key; the CLV
--   index was touched by every nightly update, as clv_fen changes for every buyer;
-- - pages are filled to half, leaving each row room for its next version; the table is rewritten
--   once here so existing pages get that room too.
drop index if exists customer_scores_rfm;
drop index if exists customer_scores_lifecycle;
drop index if exists customer_scores_clv;
alter table customer_scores set (fillfactor = 50);
cluster customer_scores using customer_scores_pkey;
