// Kysely's view of the tables in migrations/. Keep in step with the SQL.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A timestamp: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A column the database fills in when the insert leaves it out. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** A timestamp the database defaults (now()) when an insert leaves it out. */
type DefaultedTime = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns arrive from pg as strings; src/db/connect.ts parses them to numbers (fen fit in 2^53). */
type Int8 = ColumnType<number, number | bigint, number | bigint>;

export type Role = 'admin' | 'operator' | 'guide';
export type IdentityKind = 'unionid' | 'openid' | 'external_userid' | 'phone' | 'member_no';
export type OrderChannel = 'pos' | 'miniprogram' | 'ecommerce' | 'group_buy' | 'other';
export type OrderStatus = 'paid' | 'refunded' | 'partially_refunded';
export type Gender = 'male' | 'female' | 'unknown';

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  timezone: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  staff_id: string | null;
  locale: Defaulted<string>;
  created_at: DefaultedTime;
  disabled_at: Timestamp | null;
}

export interface SessionsTable {
  tenant_id: string;
  token_hash: Buffer;
  user_id: string;
  created_at: DefaultedTime;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  name: Defaulted<string>;
  role: Role;
  staff_id: string | null;
  key_hash: Buffer;
  key_prefix: string;
  created_at: DefaultedTime;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface StoresTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  city: Defaulted<string>;
  district: Defaulted<string>;
  address: Defaulted<string>;
  latitude: number | null;
  longitude: number | null;
  opens_at: string | null;
  closes_at: string | null;
  status: Defaulted<'open' | 'closed'>;
  created_at: DefaultedTime;
}

export interface StaffTable {
  tenant_id: string;
  id: string;
  store_id: string | null;
  name: string;
  wecom_user_id: string | null;
  phone: string | null;
  title: Defaulted<'guide' | 'manager' | 'advisor'>;
  status: Defaulted<'active' | 'resigned'>;
  created_at: DefaultedTime;
}

export interface CustomersTable {
  tenant_id: string;
  id: string;
  name: Defaulted<string>;
  gender: Defaulted<Gender>;
  birthday: string | null;
  city: Defaulted<string>;
  source_channel: Defaulted<string>;
  store_id: string | null;
  guide_id: string | null;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
  first_order_at: Timestamp | null;
  last_order_at: Timestamp | null;
  order_count: Defaulted<number>;
  order_days: Defaulted<number>;
  total_spent_fen: Defaulted<number>;
  /** attribute name → { source, at } of the value it holds: see the customer-data rules. */
  attribute_sources: Defaulted<Record<string, { source: string; at: string }>>;
  last_active_at: Timestamp | null;
  erased_at: Timestamp | null;
}

export interface CustomerIdentitiesTable {
  tenant_id: string;
  kind: IdentityKind;
  value: string;
  customer_id: string;
  created_at: DefaultedTime;
}

export interface OrdersTable {
  tenant_id: string;
  id: string;
  order_no: string;
  customer_id: string | null;
  store_id: string | null;
  staff_id: string | null;
  channel: OrderChannel;
  status: Defaulted<OrderStatus>;
  total_fen: Int8;
  discount_fen: Defaulted<number>;
  paid_fen: Int8;
  refunded_fen: Defaulted<number>;
  ordered_at: Timestamp;
  created_at: DefaultedTime;
}

export interface OrderItemsTable {
  tenant_id: string;
  order_id: string;
  line_no: number;
  sku: string;
  name: string;
  quantity: number;
  unit_price_fen: Int8;
  amount_fen: Int8;
}

export type Json = ColumnType<unknown, string, string>;
export type JsonObject = ColumnType<Record<string, unknown>, string | undefined, string>;
export type TagSource = 'manual' | 'rule' | 'form' | 'pretag' | 'import' | 'api' | 'event';
export type ConsentChannel = 'wecom' | 'sms' | 'email' | 'phone' | 'miniprogram';

export interface EventsTable {
  tenant_id: string;
  id: string;
  event_key: string;
  type: string;
  customer_id: string | null;
  occurred_at: Timestamp;
  received_at: DefaultedTime;
  source: Defaulted<string>;
  actor: string | null;
  properties: JsonObject;
}

export interface CustomerMergesTable {
  tenant_id: string;
  merged_id: string;
  survivor_id: string;
  merged_at: DefaultedTime;
  reason: JsonObject;
}

export interface CustomerContactsTable {
  tenant_id: string;
  customer_id: string;
  staff_id: string;
  state: string | null;
  added_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface CustomerGroupsTable {
  tenant_id: string;
  id: string;
  chat_id: string;
  name: Defaulted<string>;
  owner_staff_id: string | null;
  store_id: string | null;
  created_at: DefaultedTime;
  kind: Defaulted<GroupKind>;
  purpose: Defaulted<string>;
  status: Defaulted<'active' | 'dissolved'>;
  dissolved_at: Timestamp | null;
}

/** What a group is for: 价值/服务群, 兴趣群, 临时拼团群, VIP 群. */
export type GroupKind = 'value' | 'interest' | 'group_buy' | 'vip' | 'service' | 'other';

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  customer_id: string;
  joined_at: Timestamp;
  left_at: Timestamp | null;
}

export interface TagGroupsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  exclusive: Defaulted<boolean>;
  sort: Defaulted<number>;
  created_at: DefaultedTime;
}

export interface TagsTable {
  tenant_id: string;
  id: string;
  group_id: string;
  name: string;
  code: string | null;
  color: Defaulted<string>;
  kind: Defaulted<'manual' | 'rule'>;
  rule: Json | null;
  created_at: DefaultedTime;
}

export interface CustomerTagsTable {
  tenant_id: string;
  customer_id: string;
  tag_id: string;
  source: TagSource;
  added_by: string | null;
  added_at: DefaultedTime;
}

export interface PreTagsTable {
  tenant_id: string;
  kind: IdentityKind;
  value: string;
  tag_id: string;
  created_by: string | null;
  created_at: DefaultedTime;
  applied_at: Timestamp | null;
  applied_customer_id: string | null;
}

export interface FormsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  questions: Json;
  status: Defaulted<'draft' | 'published' | 'closed'>;
  created_at: DefaultedTime;
}

export interface FormSubmissionsTable {
  tenant_id: string;
  id: string;
  form_id: string;
  customer_id: string | null;
  answers: Json;
  submitted_at: Timestamp;
  event_key: string;
}

export interface CustomerConsentsTable {
  tenant_id: string;
  customer_id: string;
  channel: ConsentChannel;
  granted: boolean;
  source: string;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  tenant_id: string;
  id: string;
  at: DefaultedTime;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: JsonObject;
}

export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A console import: the upload, its progress while the worker reads it, and its result. */
export interface ImportJobsTable {
  tenant_id: string;
  id: string;
  kind: 'customers' | 'orders';
  file_name: string;
  file_path: string | null;
  status: Defaulted<ImportJobStatus>;
  all_or_nothing: Defaulted<boolean>;
  bytes_total: Defaulted<number>;
  bytes_read: Defaulted<number>;
  rows: Defaulted<number>;
  rows_imported: Defaulted<number>;
  rows_rejected: Defaulted<number>;
  created: Defaulted<number>;
  updated: Defaulted<number>;
  duplicates: Defaulted<number>;
  stored: Defaulted<boolean>;
  first_errors: ColumnType<{ line: number; column: string; reason: string; code?: string; params?: Record<string, string | number> }[], string | undefined, string>;
  error: string | null;
  created_by: string;
  created_at: DefaultedTime;
  started_at: Timestamp | null;
  updated_at: DefaultedTime;
  finished_at: Timestamp | null;
}

export interface ImportJobErrorsTable {
  tenant_id: string;
  job_id: string;
  seq: number;
  line: number;
  column_name: string;
  reason: string;
}

export type LifecycleStage = 'prospect' | 'new' | 'active' | 'dormant' | 'churned' | 'returned';

export interface CustomerScoresTable {
  tenant_id: string;
  customer_id: string;
  recency_days: number | null;
  frequency: Defaulted<number>;
  monetary_fen: ColumnType<number, number | bigint | undefined, number | bigint>;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  rfm_cell: string | null;
  lifecycle_stage: LifecycleStage;
  value_tier: string | null;
  p_alive: number | null;
  expected_purchases: number | null;
  expected_spend_fen: Int8 | null;
  clv_fen: Int8 | null;
  computed_at: Timestamp;
}

export interface SegmentsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  definition: Json;
  version: Defaulted<number>;
  status: Defaulted<'active' | 'archived'>;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface SegmentMembersTable {
  tenant_id: string;
  segment_id: string;
  customer_id: string;
  entered_at: DefaultedTime;
}

export interface ScoringSettingsTable {
  tenant_id: string;
  settings: Json;
  updated_by: Defaulted<string>;
  updated_at: DefaultedTime;
}

export type ScoringRunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScoringRunsTable {
  tenant_id: string;
  id: string;
  trigger: 'nightly' | 'manual';
  status: Defaulted<ScoringRunStatus>;
  requested_by: Defaulted<string>;
  created_at: DefaultedTime;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  calibration_end: ColumnType<string | null, string | null | undefined, string | null>;
  settings: Json | null;
  customers: number | null;
  buyers: number | null;
  repeaters: number | null;
  rows_written: number | null;
  bgnbd: Json | null;
  gamma_gamma: Json | null;
  fitted_at: Timestamp | null;
  fit_ms: number | null;
  clv_reason: string | null;
  phases: Json | null;
  error: string | null;
}

export interface CustomerScoreSnapshotsTable {
  tenant_id: string;
  month: ColumnType<string, string, string>;
  customer_id: string;
  rfm_cell: string | null;
  lifecycle_stage: LifecycleStage;
  value_tier: string | null;
}

export interface CouponTemplatesTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  kind: 'amount' | 'percent' | 'threshold' | 'free_item';
  amount_off_fen: Int8 | null;
  percent: number | null;
  max_discount_fen: Int8 | null;
  threshold_fen: ColumnType<number, number | bigint | undefined, number | bigint>;
  free_sku: string | null;
  free_item_name: string | null;
  free_item_value_fen: Int8 | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  valid_days: number | null;
  store_ids: Defaulted<string[]>;
  skus: Defaulted<string[]>;
  channels: Defaulted<string[]>;
  stack_with_price_rules: Defaulted<boolean>;
  stack_with_coupons: Defaulted<boolean>;
  per_customer_limit: Defaulted<number>;
  total_stock: number | null;
  issued_count: Defaulted<number>;
  status: Defaulted<'draft' | 'active' | 'paused' | 'ended'>;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface CouponsTable {
  tenant_id: string;
  id: string;
  template_id: string;
  code: string;
  customer_id: string;
  status: Defaulted<'issued' | 'redeemed' | 'void'>;
  source: Defaulted<string>;
  issue_key: string;
  issued_at: DefaultedTime;
  valid_from: Timestamp;
  valid_to: Timestamp;
  redeemed_at: Timestamp | null;
  order_no: string | null;
  store_id: string | null;
  channel: string | null;
  discount_fen: Int8 | null;
  reversed_at: Timestamp | null;
}

export interface CouponIssueJobsTable {
  tenant_id: string;
  id: string;
  template_id: string;
  target_kind: 'tag' | 'segment';
  target_id: string;
  request_key: string;
  status: Defaulted<'queued' | 'running' | 'done' | 'failed'>;
  issued: Defaulted<number>;
  skipped: Defaulted<number>;
  error: string | null;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
  finished_at: Timestamp | null;
}

export interface PriceRulesTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: 'threshold' | 'bundle' | 'member_price' | 'ladder';
  params: unknown;
  skus: Defaulted<string[]>;
  store_ids: Defaulted<string[]>;
  channels: Defaulted<string[]>;
  stackable: Defaulted<boolean>;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  status: Defaulted<'active' | 'paused'>;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface FlashSalesTable {
  tenant_id: string;
  id: string;
  name: string;
  sku: string;
  item_name: string;
  price_fen: Int8;
  original_price_fen: Int8;
  stock: number;
  remaining: number;
  per_customer_limit: Defaulted<number>;
  store_id: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  status: Defaulted<'active' | 'cancelled'>;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface FlashSaleBuyersTable {
  tenant_id: string;
  sale_id: string;
  customer_id: string;
  quantity: number;
}

export interface FlashSaleOrdersTable {
  tenant_id: string;
  sale_id: string;
  order_id: string;
  customer_id: string;
  quantity: number;
  created_at: DefaultedTime;
}

export interface SegmentVersionsTable {
  tenant_id: string;
  segment_id: string;
  version: number;
  name: string;
  definition: Json;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface SegmentSizesTable {
  tenant_id: string;
  segment_id: string;
  day: ColumnType<string, string, string>;
  size: number;
  counted_at: DefaultedTime;
}

export interface SegmentQueueTable {
  tenant_id: string;
  id: Generated<Int8>;
  customer_id: string;
  queued_at: DefaultedTime;
}

/** Per-customer first-order facts for repurchase figures (migration 0010). */
export interface AnalyticsFirstOrdersTable {
  tenant_id: string;
  customer_id: string;
  customer_updated_at: Timestamp;
  first_day: string;
  next_gap: number | null;
  computed_at: DefaultedTime;
}

export type MessageChannel = 'wecom' | 'email' | 'sms' | 'webhook' | 'sandbox';
export type MessagePurpose = 'service' | 'marketing';

export interface MessagesTable {
  tenant_id: string;
  id: string;
  customer_id: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  priority: Defaulted<number>;
  source_kind: string;
  source_id: string;
  dedupe_key: string;
  staff_id: string | null;
  content: ColumnType<MessageContent, MessageContent | string, MessageContent | string>;
  not_before: DefaultedTime;
  status: Defaulted<string>;
  status_reason: string | null;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
  sent_at: Timestamp | null;
}

/** A message's content after its template's variables are filled in. */
export interface MessageContent {
  text: string;
  subject?: string;
  /** Images, links, mini-program cards or coupons, as each channel understands them. */
  attachments?: { kind: string; [key: string]: unknown }[];
  /** WeCom's welcome code from a friend-added callback: the welcome goes through send_welcome_msg. */
  welcomeCode?: string;
}

export type GuideTaskStatus = 'open' | 'done' | 'skipped' | 'expired';

export interface GuideTasksTable {
  tenant_id: string;
  id: string;
  staff_id: string | null;
  store_id: string | null;
  customer_id: string | null;
  group_id: string | null;
  kind: string;
  title: string;
  detail: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  due_at: Timestamp;
  status: Defaulted<GuideTaskStatus>;
  done_at: Timestamp | null;
  done_by: string | null;
  source_kind: string;
  source_id: string;
  dedupe_key: string;
  created_at: DefaultedTime;
}

export type JourneyStatusValue = 'draft' | 'live' | 'paused' | 'archived';
type JsonColumn<T> = ColumnType<T, T | string, T | string>;

export interface JourneysTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  status: Defaulted<JourneyStatusValue>;
  draft: JsonColumn<unknown>;
  live_version: number | null;
  created_by: string;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface JourneyVersionsTable {
  tenant_id: string;
  journey_id: string;
  version: number;
  graph: JsonColumn<unknown>;
  published_by: string;
  published_at: DefaultedTime;
}

export interface JourneyInstancesTable {
  tenant_id: string;
  id: string;
  journey_id: string;
  version: number;
  customer_id: string;
  entry_key: string;
  status: Defaulted<'active' | 'completed' | 'exited' | 'held_out' | 'failed'>;
  node_id: string;
  phase: Defaulted<'arrive' | 'wait'>;
  wake_at: Timestamp | null;
  wait_event_type: string | null;
  wait_match: JsonColumn<Record<string, unknown>> | null;
  resume_port: string | null;
  step_count: Defaulted<number>;
  context: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  entered_at: Timestamp;
  updated_at: DefaultedTime;
  finished_at: Timestamp | null;
  converted_at: Timestamp | null;
}

export interface JourneyStepsTable {
  tenant_id: string;
  instance_id: string;
  seq: number;
  journey_id: string;
  version: number;
  node_id: string;
  outcome: string;
  detail: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  at: Timestamp;
}

export interface JourneyListensTable {
  tenant_id: string;
  type: string;
}

export interface JourneyInboxTable {
  tenant_id: string;
  seq: Generated<string>;
  event_id: string;
  customer_id: string;
  type: string;
  occurred_at: Timestamp;
  properties: JsonColumn<Record<string, unknown>>;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  stores: StoresTable;
  staff: StaffTable;
  customers: CustomersTable;
  customer_identities: CustomerIdentitiesTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  events: EventsTable;
  customer_merges: CustomerMergesTable;
  customer_contacts: CustomerContactsTable;
  customer_groups: CustomerGroupsTable;
  group_members: GroupMembersTable;
  tag_groups: TagGroupsTable;
  tags: TagsTable;
  customer_tags: CustomerTagsTable;
  pre_tags: PreTagsTable;
  forms: FormsTable;
  form_submissions: FormSubmissionsTable;
  customer_consents: CustomerConsentsTable;
  audit_log: AuditLogTable;
  import_jobs: ImportJobsTable;
  import_job_errors: ImportJobErrorsTable;
  customer_scores: CustomerScoresTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  scoring_settings: ScoringSettingsTable;
  scoring_runs: ScoringRunsTable;
  customer_score_snapshots: CustomerScoreSnapshotsTable;
  coupon_templates: CouponTemplatesTable;
  coupons: CouponsTable;
  coupon_issue_jobs: CouponIssueJobsTable;
  price_rules: PriceRulesTable;
  flash_sales: FlashSalesTable;
  flash_sale_buyers: FlashSaleBuyersTable;
  flash_sale_orders: FlashSaleOrdersTable;
  segment_versions: SegmentVersionsTable;
  segment_sizes: SegmentSizesTable;
  segment_queue: SegmentQueueTable;
  analytics_first_orders: AnalyticsFirstOrdersTable;
  messages: MessagesTable;
  guide_tasks: GuideTasksTable;
  journeys: JourneysTable;
  journey_versions: JourneyVersionsTable;
  journey_instances: JourneyInstancesTable;
  journey_steps: JourneyStepsTable;
  journey_listens: JourneyListensTable;
  journey_inbox: JourneyInboxTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type Store = Selectable<StoresTable>;
export type Staff = Selectable<StaffTable>;
export type Customer = Selectable<CustomersTable>;
export type Order = Selectable<OrdersTable>;
export type OrderItem = Selectable<OrderItemsTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type NewOrder = Insertable<OrdersTable>;
export type { Generated };
