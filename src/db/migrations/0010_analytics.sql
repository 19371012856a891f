-- Analytics: first-order figures (new buyers, repurchase, cohorts) select customers by when their
-- first order was; without this index every analysis reads every customer of the tenant.
create index customers_first_order on customers (tenant_id, first_order_at) where first_order_at is not null;
