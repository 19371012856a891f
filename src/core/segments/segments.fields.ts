// The fields a segment condition may test and the operators each kind of field takes. No imports:
// the console builds its pickers from the same lists the server checks against.

export type FieldKind = 'choice' | 'text' | 'number' | 'time' | 'ref' | 'tags' | 'identity' | 'event' | 'group' | 'segment' | 'bucket';
export type Source = 'customer' | 'scores' | 'other';

export interface FieldSpec {
  kind: FieldKind;
  source: Source;
  /** choice fields: the values allowed */
  choices?: readonly string[];
  /** number fields: integers only, and the bounds */
  integer?: boolean;
  min?: number;
  max?: number;
  /** time fields: whether "never" is possible (exists / not_exists) */
  nullable?: boolean;
}

export const IDENTITY_KINDS = ['unionid', 'openid', 'external_userid', 'phone', 'member_no'] as const;
export const LIFECYCLE_STAGES = ['prospect', 'new', 'active', 'dormant', 'churned', 'returned'] as const;

const FEN_MAX = 1e13;

export const FIELDS: Record<string, FieldSpec> = {
  gender: { kind: 'choice', source: 'customer', choices: ['male', 'female', 'unknown'] },
  city: { kind: 'text', source: 'customer' },
  source_channel: { kind: 'text', source: 'customer' },
  birthday_month: { kind: 'number', source: 'customer', integer: true, min: 1, max: 12 },
  days_until_birthday: { kind: 'number', source: 'customer', integer: true, min: 0, max: 366 },
  created_at: { kind: 'time', source: 'customer' },
  order_count: { kind: 'number', source: 'customer', integer: true, min: 0, max: 1e9 },
  order_days: { kind: 'number', source: 'customer', integer: true, min: 0, max: 1e9 },
  total_spent_fen: { kind: 'number', source: 'customer', integer: true, min: 0, max: FEN_MAX },
  average_ticket_fen: { kind: 'number', source: 'customer', integer: true, min: 0, max: FEN_MAX },
  first_order_at: { kind: 'time', source: 'customer', nullable: true },
  last_order_at: { kind: 'time', source: 'customer', nullable: true },
  store_id: { kind: 'ref', source: 'customer' },
  guide_id: { kind: 'ref', source: 'customer' },
  tags: { kind: 'tags', source: 'other' },
  identity: { kind: 'identity', source: 'other' },
  event: { kind: 'event', source: 'other' },
  group: { kind: 'group', source: 'other' },
  segment: { kind: 'segment', source: 'other' },
  random_bucket: { kind: 'bucket', source: 'other' },
  rfm_cell: { kind: 'text', source: 'scores' },
  r_score: { kind: 'number', source: 'scores', integer: true, min: 1, max: 5 },
  f_score: { kind: 'number', source: 'scores', integer: true, min: 1, max: 5 },
  m_score: { kind: 'number', source: 'scores', integer: true, min: 1, max: 5 },
  lifecycle_stage: { kind: 'choice', source: 'scores', choices: LIFECYCLE_STAGES },
  value_tier: { kind: 'text', source: 'scores' },
  p_alive: { kind: 'number', source: 'scores', min: 0, max: 1 },
  churn_probability: { kind: 'number', source: 'scores', min: 0, max: 1 },
  clv_fen: { kind: 'number', source: 'scores', integer: true, min: -FEN_MAX, max: FEN_MAX },
};

export const OPERATORS: Record<FieldKind, readonly string[]> = {
  choice: ['eq', 'neq', 'in', 'not_in'],
  text: ['eq', 'neq', 'in', 'not_in'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'],
  time: ['within_days', 'not_within_days', 'before', 'after', 'between', 'exists', 'not_exists'],
  ref: ['eq', 'neq', 'in', 'not_in', 'exists', 'not_exists'],
  tags: ['has_any', 'has_all', 'has_none'],
  identity: ['has', 'has_not'],
  event: ['eq', 'gt', 'gte', 'lt', 'lte'],
  group: ['in', 'not_in', 'in_any', 'in_none'],
  segment: ['in', 'not_in'],
  bucket: ['between'],
};

