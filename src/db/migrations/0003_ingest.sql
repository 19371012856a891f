-- Ingestion: merging profiles moves a merged customer's questionnaire submissions to the survivor,
-- which needs to find them by customer.
create index form_submissions_customer on form_submissions (tenant_id, customer_id);
