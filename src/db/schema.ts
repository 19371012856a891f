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
  last_sign_in_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
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
  /** Spend (paid − refunded) of the first purchase day in the tenant's zone (0029). */
  first_day_spent_fen: Defaulted<number>;
  /** attribute name → { source, at } of the value it holds: see the customer-data rules. */
  attribute_sources: Defaulted<Record<string, { source: string; at: string }>>;
  last_active_at: Timestamp | null;
  erased_at: Timestamp | null;
  /** The email channel's address (0017), lower-case. */
  email: string | null;
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
  capacity: Defaulted<number>;
  series_of: string | null;
  updated_at: DefaultedTime;
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
  /** Why it failed as a code and values for the console (0043); null for a job that did not fail on a refusal. */
  error_code: Defaulted<string | null>;
  error_params: ColumnType<Record<string, string | number | null> | null, string | null | undefined, string | null>;
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

/** A customer's stored scores and the purchase history CLV is predicted from (migration 0044). */
export interface CustomerScoreRowsTable {
  tenant_id: string;
  customer_id: string;
  frequency: Defaulted<number>;
  monetary_fen: ColumnType<number, number | bigint | undefined, number | bigint>;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  rfm_cell: string | null;
  lifecycle_stage: LifecycleStage;
  value_tier: string | null;
  /** Tenant calendar days (YYYY-MM-DD). */
  first_order_day: ColumnType<string | null, string | null | undefined, string | null>;
  last_order_day: ColumnType<string | null, string | null | undefined, string | null>;
  purchase_days: number | null;
  /** Spend after the first purchase day. */
  repeat_spend_fen: ColumnType<number | null, number | bigint | null | undefined, number | bigint | null>;
  changed_at: DefaultedTime;
}

/** The customer_scores view: the stored scores with the CLV predictions computed when read. Read only. */
export interface CustomerScoresView {
  tenant_id: ColumnType<string, never, never>;
  customer_id: ColumnType<string, never, never>;
  recency_days: ColumnType<number | null, never, never>;
  frequency: ColumnType<number, never, never>;
  monetary_fen: ColumnType<number, never, never>;
  r_score: ColumnType<number | null, never, never>;
  f_score: ColumnType<number | null, never, never>;
  m_score: ColumnType<number | null, never, never>;
  rfm_cell: ColumnType<string | null, never, never>;
  lifecycle_stage: ColumnType<LifecycleStage, never, never>;
  value_tier: ColumnType<string | null, never, never>;
  first_order_day: ColumnType<string | null, never, never>;
  last_order_day: ColumnType<string | null, never, never>;
  purchase_days: ColumnType<number | null, never, never>;
  repeat_spend_fen: ColumnType<number | null, never, never>;
  p_alive: ColumnType<number | null, never, never>;
  expected_purchases: ColumnType<number | null, never, never>;
  expected_spend_fen: ColumnType<number | null, never, never>;
  clv_fen: ColumnType<number | null, never, never>;
  computed_at: ColumnType<Date, never, never>;
}

/** Each tenant's latest scoring run's calibration end and CLV models (null when it left CLV empty). */
export interface ScoringModelsTable {
  tenant_id: string;
  run_id: string;
  calibration_end: ColumnType<string, string, string>;
  scored_at: Timestamp;
  r: number | null;
  alpha: number | null;
  a: number | null;
  b: number | null;
  p: number | null;
  q: number | null;
  gamma: number | null;
}

/** BG/NBD expected purchases over the horizon per unit of P(alive), per (x, days T), of the tenant's latest run. */
export interface ScoringForecastsTable {
  tenant_id: string;
  x: number;
  t_days: number;
  purchases: number;
  discounted: number;
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
  clv_reason_code: string | null;
  clv_reason_params: Json | null;
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
  attempt_id: string | null;
  attempts: Defaulted<number>;
  claimed_at: Timestamp | null;
  provider_id: string | null;
  decided_at: Timestamp | null;
  mass_send_id: string | null;
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

export interface DiagnosesTable {
  tenant_id: string;
  id: string;
  answers: Json;
  measured: ColumnType<unknown, string | null, string | null>;
  result: Json;
  created_by: string;
  created_at: DefaultedTime;
}

export interface PlaybookApplicationsTable {
  tenant_id: string;
  id: string;
  model: string;
  status: Defaulted<'applied' | 'undone'>;
  targets: Json;
  applied_by: string;
  applied_at: DefaultedTime;
  undone_by: string | null;
  undone_at: Timestamp | null;
}

export interface PlaybookObjectsTable {
  tenant_id: string;
  application_id: string;
  seq: number;
  kind: string;
  item_key: string;
  object_id: string;
  name: string;
  outcome: string | null;
  outcome_reason: string | null;
}

export interface MembershipSettingsTable {
  tenant_id: string;
  points_enabled: Defaulted<boolean>;
  points_per_yuan: Defaulted<number>;
  channel_multipliers: ColumnType<Record<string, number>, string | undefined, string>;
  store_multipliers: ColumnType<Record<string, number>, string | undefined, string>;
  sku_multipliers: ColumnType<Record<string, number>, string | undefined, string>;
  member_day_multiplier: Defaulted<number>;
  expiry_months: number | null;
  tier_basis: Defaulted<'spend' | 'points'>;
  tier_window_months: Defaulted<number>;
  member_day_weekdays: Defaulted<number[]>;
  member_day_template_id: string | null;
  updated_at: DefaultedTime;
}

export interface PointsLedgerTable {
  tenant_id: string;
  id: string;
  customer_id: string;
  kind: 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse';
  points: number;
  entry_key: string;
  order_id: string | null;
  reward_id: string | null;
  quantity: number | null;
  reason: Defaulted<string>;
  actor: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface PointsLotsTable {
  tenant_id: string;
  entry_id: string;
  customer_id: string;
  earned_at: Timestamp;
  expires_at: Timestamp | null;
  remaining: number;
}

export interface PointsBalancesTable {
  tenant_id: string;
  customer_id: string;
  balance: number;
  updated_at: DefaultedTime;
}

export interface PointsRewardsTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: 'coupon' | 'goods';
  coupon_template_id: string | null;
  sku: string | null;
  points_price: number;
  stock: number | null;
  redeemed: Defaulted<number>;
  status: Defaulted<'active' | 'paused'>;
  created_at: DefaultedTime;
}

export interface MembershipTiersTable {
  tenant_id: string;
  id: string;
  level: number;
  name: string;
  min_value: Int8;
  max_value: Int8 | null;
  benefits: Defaulted<string>;
  member_price_percent: number | null;
  coupon_template_ids: Defaulted<string[]>;
}

export interface CustomerTiersTable {
  tenant_id: string;
  customer_id: string;
  tier_id: string;
  qualifying_value: Int8;
  since: DefaultedTime;
}

export interface TierChangesTable {
  tenant_id: string;
  id: string;
  customer_id: string;
  from_tier_id: string | null;
  to_tier_id: string;
  qualifying_value: Int8;
  cause: 'order' | 'recompute';
  changed_at: DefaultedTime;
}

export interface MemberDayRunsTable {
  tenant_id: string;
  day: string;
  template_id: string;
  issued: number;
  skipped: number;
  ran_at: DefaultedTime;
}

export interface SolitairesTable {
  tenant_id: string;
  id: string;
  group_id: string;
  title: string;
  sku: string;
  item_name: string;
  price_fen: Int8;
  stock: number;
  taken: Defaulted<number>;
  per_customer_limit: Defaulted<number>;
  store_id: string;
  deadline_at: Timestamp;
  status: Defaulted<'open' | 'closed' | 'cancelled'>;
  closed_at: Timestamp | null;
  posted_by_staff_id: string | null;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface SolitaireEntriesTable {
  tenant_id: string;
  solitaire_id: string;
  customer_id: string;
  seq: number;
  nickname: string;
  quantity: number;
  order_no: string | null;
  joined_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface GroupBuysTable {
  tenant_id: string;
  id: string;
  share_token: string;
  leader_customer_id: string;
  sku: string;
  item_name: string;
  price_fen: Int8;
  original_price_fen: Int8;
  target_size: number;
  joined: Defaulted<number>;
  store_id: string | null;
  expires_at: Timestamp;
  status: Defaulted<'open' | 'succeeded' | 'cancelled'>;
  finished_at: Timestamp | null;
  created_by: Defaulted<string>;
  created_at: DefaultedTime;
}

export interface GroupBuyMembersTable {
  tenant_id: string;
  group_buy_id: string;
  customer_id: string;
  seat: number;
  paid_fen: Defaulted<Int8>;
  order_no: string | null;
  refunded_fen: Defaulted<Int8>;
  joined_at: DefaultedTime;
}

export interface SharedCartsTable {
  tenant_id: string;
  id: string;
  share_token: string;
  initiator_customer_id: string;
  store_id: string | null;
  status: Defaulted<'open' | 'paid' | 'cancelled'>;
  order_no: string | null;
  created_at: DefaultedTime;
  paid_at: Timestamp | null;
}

export interface SharedCartItemsTable {
  tenant_id: string;
  cart_id: string;
  id: string;
  customer_id: string;
  sku: string;
  name: Defaulted<string>;
  quantity: number;
  unit_price_fen: Int8;
  line_no: number | null;
  added_at: DefaultedTime;
}

export interface ReferralPartnersTable {
  tenant_id: string;
  id: string;
  kind: 'customer' | 'external';
  customer_id: string | null;
  name: Defaulted<string>;
  phone: string | null;
  created_at: DefaultedTime;
}

export interface ReferralCodesTable {
  tenant_id: string;
  code: string;
  partner_id: string;
  created_at: DefaultedTime;
  disabled_at: Timestamp | null;
}

export interface ReferralsTable {
  tenant_id: string;
  customer_id: string;
  code: string;
  level1_partner_id: string;
  level2_partner_id: string | null;
  event_id: string | null;
  device_id: string | null;
  attributed_at: Timestamp;
  created_at: DefaultedTime;
}

export interface ReferralRefusalsTable {
  tenant_id: string;
  id: string;
  event_id: string;
  customer_id: string | null;
  code: string;
  reason: string;
  message: string;
  at: DefaultedTime;
}

export interface ReferralRulesTable {
  tenant_id: string;
  level: number;
  kind: 'percent_first_order' | 'percent_window' | 'points' | 'coupon';
  percent_bp: number | null;
  window_days: number | null;
  points: number | null;
  coupon_template_id: string | null;
  updated_at: DefaultedTime;
}

export interface ReferralRewardsTable {
  tenant_id: string;
  id: string;
  partner_id: string;
  level: number;
  referred_customer_id: string;
  order_id: string | null;
  order_no: string | null;
  kind: string;
  base_fen: Defaulted<Int8>;
  reward_fen: Defaulted<Int8>;
  points: Defaulted<number>;
  coupon_code: string | null;
  clawback_fen: Defaulted<Int8>;
  clawback_points: Defaulted<number>;
  status: Defaulted<'earned' | 'partially_clawed_back' | 'clawed_back'>;
  earned_at: DefaultedTime;
  clawed_back_at: Timestamp | null;
}

export interface ReferralCursorsTable {
  tenant_id: string;
  events_read_to: Timestamp;
}

export type ChannelKind = 'wecom' | 'email' | 'sms' | 'webhook';

export interface ChannelSettingsTable {
  tenant_id: string;
  kind: ChannelKind;
  config: ColumnType<Record<string, unknown>, Record<string, unknown> | string, Record<string, unknown> | string>;
  updated_at: DefaultedTime;
  updated_by: string;
  last_test_at: Timestamp | null;
  last_test_ok: boolean | null;
  last_test_detail: string | null;
}

export interface WecomCallbacksTable {
  tenant_id: string;
  id: string;
  kind: string;
  detail: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  received_at: DefaultedTime;
}

/** The restraint settings of a tenant (migration 0016; shape in core/messaging/settings.rules.ts). */
export interface MessagingSettingsTable {
  tenant_id: string;
  settings: ColumnType<unknown, string, string>;
  updated_at: DefaultedTime;
  updated_by: string | null;
}

export interface MessageDecisionsTable {
  tenant_id: string;
  message_id: string;
  decided_at: DefaultedTime;
  verdict: 'send' | 'defer' | 'drop';
  reason: string;
  defer_to: Timestamp | null;
}

export interface CustomerTimeZonesTable {
  tenant_id: string;
  customer_id: string;
  timezone: string;
}

export interface MessageTemplatesTable {
  tenant_id: string;
  id: string;
  name: string;
  content: ColumnType<unknown, string, string>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface MassSendsTable {
  tenant_id: string;
  id: string;
  name: string;
  channel: 'wecom' | 'email' | 'sms' | 'sandbox';
  template_id: string;
  audience: ColumnType<unknown, string, string>;
  schedule: ColumnType<unknown, string, string>;
  priority: Defaulted<number>;
  holdout_percent: ColumnType<string, number | string | undefined, number | string>;
  conversion_days: Defaulted<number>;
  status: Defaulted<'planning' | 'planned' | 'done' | 'cancelled'>;
  counts: ColumnType<unknown, string | undefined, string>;
  send_at: Timestamp;
  created_by: string | null;
  created_at: DefaultedTime;
  planned_at: Timestamp | null;
  /** The template content as planned (0033); null on sends planned before it. */
  content: ColumnType<unknown, string | null | undefined, string | null>;
  released_at: Timestamp | null;
}

export interface MassSendStaffTable {
  tenant_id: string;
  mass_send_id: string;
  staff_id: string;
  messages: number;
  status: Defaulted<'pending' | 'handed_over' | 'confirmed' | 'failed'>;
  provider_id: string | null;
  reason: string | null;
  handed_at: Timestamp | null;
  confirmed_at: Timestamp | null;
}

export interface SandboxInboxTable {
  tenant_id: string;
  id: string;
  customer_id: string;
  direction: 'in' | 'out';
  content: ColumnType<MessageContent, string, string>;
  at: DefaultedTime;
  redeliveries: Defaulted<number>;
}

/** One staff member of a code's rotation (acquisition_codes.rotation). */
export interface RotationMember {
  staffId: string;
  /** Adds this member takes a local day through this code; null: no cap. */
  dailyCap: number | null;
  /** The member's own add-friend QR (a WeCom contact-way URL) the landing page shows. */
  qrUrl: string;
  /** Answers only when every regular member is capped or the code is off-hours. */
  backup: boolean;
}

export type AcquisitionCodeKind = 'store_counter' | 'order_card' | 'poster' | 'ad' | 'store_routing' | 'other';

export interface AcquisitionCodesTable {
  tenant_id: string;
  id: string;
  code_key: string;
  name: string;
  kind: AcquisitionCodeKind;
  store_id: string | null;
  campaign: Defaulted<string>;
  state: string;
  rotation: ColumnType<RotationMember[], string, string>;
  works_from: string | null;
  works_to: string | null;
  tag_ids: Defaulted<string[]>;
  welcome_text: Defaulted<string>;
  welcome_persona: Defaulted<string>;
  welcome_coupon_template_id: string | null;
  routing_radius_km: Defaulted<number>;
  status: Defaulted<'active' | 'paused'>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface CodeScansTable {
  tenant_id: string;
  id: string;
  code_id: string;
  staff_id: string | null;
  scanned_at: DefaultedTime;
}

export interface CustomerTransfersTable {
  tenant_id: string;
  id: string;
  customer_id: string;
  from_staff_id: string | null;
  to_staff_id: string;
  kind: 'transfer' | 'resignation';
  reason: Defaulted<string>;
  actor: Defaulted<string>;
  transferred_at: DefaultedTime;
}

export type GroupHealthClass = 'value' | 'chicken_rib' | 'dead' | 'spam';

export type GroupShape = 'mesh' | 'hub_and_spoke' | 'unknown';

export type GroupRuleKind = 'auto_reply' | 'banned_word' | 'link';

export type GroupRuleMatch = 'keyword' | 'regex' | 'any_link';

export type GroupRuleAction = 'reply' | 'flag' | 'remove';

type GroupJson<T> = ColumnType<T, T | string | undefined, T | string>;

export interface GroupMemberChangesTable {
  tenant_id: string;
  group_id: string;
  customer_id: string;
  at: Timestamp;
  action: 'joined' | 'left';
}

export interface GroupMessagesTable {
  tenant_id: string;
  group_id: string;
  sent_at: Timestamp;
  event_id: string;
  sender_customer_id: string | null;
  sender_staff_id: string | null;
  reply_to_customer_id: string | null;
  reply_to_staff_id: string | null;
  text_length: Defaulted<number>;
  has_link: Defaulted<boolean>;
  flagged: Defaulted<boolean>;
}

export interface GroupHealthWeeksTable {
  tenant_id: string;
  group_id: string;
  week: ColumnType<string, string, string>;
  members: number;
  joins: number;
  leaves: number;
  messages: number;
  staff_messages: number;
  owner_messages: number;
  active_members: number;
  replies: number;
  member_replies: number;
  staff_replies: number;
  member_links: number;
  flagged_messages: number;
}

export interface GroupHealthTable {
  tenant_id: string;
  group_id: string;
  week: ColumnType<string, string, string>;
  class: GroupHealthClass;
  shape: GroupShape;
  reasons: GroupJson<unknown[]>;
  actions: GroupJson<unknown[]>;
  computed_at: DefaultedTime;
}

export interface GroupInviteRulesTable {
  tenant_id: string;
  id: string;
  name: string;
  tag_id: string | null;
  segment_id: string | null;
  kind: GroupKind;
  store_id: string | null;
  active: Defaulted<boolean>;
  created_at: DefaultedTime;
  last_run_at: Timestamp | null;
}

export interface GroupRulesTable {
  tenant_id: string;
  id: string;
  group_id: string | null;
  name: string;
  kind: GroupRuleKind;
  match: GroupRuleMatch;
  pattern: Defaulted<string>;
  reply_template: Defaulted<string>;
  action: GroupRuleAction;
  active: Defaulted<boolean>;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface GroupModerationLogTable {
  tenant_id: string;
  id: string;
  group_id: string;
  rule_id: string | null;
  customer_id: string | null;
  event_id: string | null;
  action: GroupRuleAction;
  detail: GroupJson<Record<string, unknown>>;
  at: DefaultedTime;
}

/** One slot's content: what the guide posts or the channel sends. */
export interface SopContent {
  text: string;
  images?: string[];
  links?: { title: string; url: string }[];
  couponTemplateId?: string | null;
}

export interface SopPlansTable {
  tenant_id: string;
  id: string;
  name: string;
  description: Defaulted<string>;
  target_kind: 'groups' | 'group_kind';
  group_ids: Defaulted<string[]>;
  group_kind: GroupKind | null;
  status: Defaulted<'active' | 'paused'>;
  template_key: string | null;
  created_by: string | null;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface SopSlotsTable {
  tenant_id: string;
  id: string;
  plan_id: string;
  weekday: number | null;
  start_minute: number;
  duration_minutes: Defaulted<number>;
  title: string;
  content: ColumnType<SopContent, SopContent | string, SopContent | string>;
  owner_staff_id: string | null;
  mode: 'task' | 'auto';
  position: Defaulted<number>;
}

export type SopRunOutcome = 'task' | 'sent' | 'fallback_task' | 'pending';

export interface SopRunsTable {
  tenant_id: string;
  id: string;
  plan_id: string;
  slot_id: string;
  group_id: string;
  local_date: ColumnType<string, string, string>;
  due_at: Timestamp;
  mode: 'task' | 'auto';
  outcome: SopRunOutcome;
  reason: string | null;
  staff_id: string | null;
  task_key: string | null;
  created_at: DefaultedTime;
}

export interface SopScriptsTable {
  tenant_id: string;
  id: string;
  title: string;
  scenario: string;
  body: string;
  tag_ids: Defaulted<string[]>;
  use_count: Defaulted<number>;
  created_by: string | null;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface SopScriptUsesTable {
  tenant_id: string;
  script_id: string;
  used_by: string;
  staff_id: string | null;
  uses: Defaulted<number>;
  last_used_at: DefaultedTime;
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

export interface GroupSpeakerWeeksTable {
  tenant_id: string;
  week: ColumnType<string, string, string>;
  group_id: string;
  staff: boolean;
  speaker_id: string;
  messages: number;
  replies: number;
  to_member: number;
  to_staff: number;
  links: number;
  flagged: number;
}

export interface GroupWelcomesTable {
  tenant_id: string;
  id: string;
  group_id: string | null;
  group_kind: GroupKind | null;
  text: string;
  enabled: Generated<boolean>;
  wecom_template_id: string | null;
  wecom_detail: string | null;
  updated_at: DefaultedTime;
  updated_by: string | null;
}

export interface GroupWelcomesSentTable {
  tenant_id: string;
  group_id: string;
  customer_id: string;
  welcome_id: string;
  via: 'message' | 'wecom';
  message_id: string | null;
  at: DefaultedTime;
}

/** A mass send's recipient as planned (0033): released into messages when the send's time comes. */
export interface MassSendRecipientsTable {
  tenant_id: string;
  mass_send_id: string;
  customer_id: string;
  message_id: string;
  staff_id: string | null;
  verdict: 'send' | 'held_out' | 'excluded';
  reason: string | null;
  send_at: Timestamp | null;
}

/** Per group and tenant-local week: memberships begun and ended, joins and leaves recorded (0034, kept by triggers). */
export interface GroupMemberWeeksTable {
  tenant_id: string;
  group_id: string;
  week: string;
  came: Generated<number>;
  went: Generated<number>;
  joins: Generated<number>;
  leaves: Generated<number>;
}

/** Counted orders and GMV per tenant-local day, store and channel (migration 0037, kept by triggers on orders). */
export interface AnalyticsOrderDaysTable {
  tenant_id: string;
  day: string;
  store_id: string | null;
  channel: string;
  /** Rows of one day, store and channel are spread over writers' slots; readers sum them (migration 0046). */
  slot: Generated<number>;
  orders: Generated<number>;
  gmv_fen: Generated<number>;
}

/** A customer's counted orders and spend in a tenant-local month; present only while orders > 0 (migration 0037). */
export interface AnalyticsCustomerMonthsTable {
  tenant_id: string;
  customer_id: string;
  month: string;
  /** The store of the orders, or EVERY_STORE (the nil uuid) for the customer's orders anywhere. */
  store_key: string;
  orders: number;
  spent_fen: number;
  /** Counted orders on day 1..31 of the month. */
  day_orders: number[];
  /** Bit d − 1 set when day d holds a counted order (generated from day_orders). */
  day_mask: Generated<number>;
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
  customer_score_rows: CustomerScoreRowsTable;
  customer_scores: CustomerScoresView;
  scoring_models: ScoringModelsTable;
  scoring_forecasts: ScoringForecastsTable;
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
  diagnoses: DiagnosesTable;
  playbook_applications: PlaybookApplicationsTable;
  playbook_objects: PlaybookObjectsTable;
  membership_settings: MembershipSettingsTable;
  points_ledger: PointsLedgerTable;
  points_lots: PointsLotsTable;
  points_balances: PointsBalancesTable;
  points_rewards: PointsRewardsTable;
  membership_tiers: MembershipTiersTable;
  customer_tiers: CustomerTiersTable;
  tier_changes: TierChangesTable;
  member_day_runs: MemberDayRunsTable;
  solitaires: SolitairesTable;
  solitaire_entries: SolitaireEntriesTable;
  group_buys: GroupBuysTable;
  group_buy_members: GroupBuyMembersTable;
  shared_carts: SharedCartsTable;
  shared_cart_items: SharedCartItemsTable;
  referral_partners: ReferralPartnersTable;
  referral_codes: ReferralCodesTable;
  referrals: ReferralsTable;
  referral_refusals: ReferralRefusalsTable;
  referral_rules: ReferralRulesTable;
  referral_rewards: ReferralRewardsTable;
  referral_cursors: ReferralCursorsTable;
  channel_settings: ChannelSettingsTable;
  wecom_callbacks: WecomCallbacksTable;
  messaging_settings: MessagingSettingsTable;
  message_decisions: MessageDecisionsTable;
  customer_time_zones: CustomerTimeZonesTable;
  message_templates: MessageTemplatesTable;
  mass_sends: MassSendsTable;
  mass_send_staff: MassSendStaffTable;
  sandbox_inbox: SandboxInboxTable;
  acquisition_codes: AcquisitionCodesTable;
  code_scans: CodeScansTable;
  customer_transfers: CustomerTransfersTable;
  group_member_changes: GroupMemberChangesTable;
  group_messages: GroupMessagesTable;
  group_health_weeks: GroupHealthWeeksTable;
  group_health: GroupHealthTable;
  group_invite_rules: GroupInviteRulesTable;
  group_rules: GroupRulesTable;
  group_moderation_log: GroupModerationLogTable;
  sop_plans: SopPlansTable;
  sop_slots: SopSlotsTable;
  sop_runs: SopRunsTable;
  sop_scripts: SopScriptsTable;
  sop_script_uses: SopScriptUsesTable;
  journeys: JourneysTable;
  journey_versions: JourneyVersionsTable;
  journey_instances: JourneyInstancesTable;
  journey_steps: JourneyStepsTable;
  journey_listens: JourneyListensTable;
  journey_inbox: JourneyInboxTable;
  group_speaker_weeks: GroupSpeakerWeeksTable;
  group_welcomes: GroupWelcomesTable;
  group_welcomes_sent: GroupWelcomesSentTable;
  mass_send_recipients: MassSendRecipientsTable;
  group_member_weeks: GroupMemberWeeksTable;
  analytics_order_days: AnalyticsOrderDaysTable;
  analytics_customer_months: AnalyticsCustomerMonthsTable;
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
