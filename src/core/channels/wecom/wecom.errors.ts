// WeCom's error codes, as Yuchi explains them and whether trying again can help.

/** Codes after which a new access token fixes the call: invalid, missing or expired token. */
export const TOKEN_ERRORS = new Set([40014, 41001, 42001]);

/** Codes that mean "not now": system busy, frequency limits. Worth trying again later. */
export const RATE_LIMIT_ERRORS = new Set([-1, 45009, 45033, 45011]);

const EXPLAINED: Record<number, string> = {
  [-1]: 'WeCom is busy (系统繁忙); try again shortly',
  40001: 'the secret is wrong (不合法的secret参数): check the app secret in WeCom admin',
  40003: 'the staff user id is not valid (无效的UserID)',
  40013: 'the corp id is wrong (不合法的CorpID)',
  40014: 'the access token is not valid',
  40056: 'the agent id is not valid (不合法的agentid)',
  40096: 'the external user id is not valid (不合法的外部联系人userid)',
  41001: 'the access token is missing',
  42001: 'the access token has expired',
  45009: 'the API rate limit was reached (接口调用超过限制)',
  45033: 'too many concurrent calls',
  48002: 'this API is not allowed for the app (API禁止调用): grant customer-contact permission to the app',
  60011: 'the app may not see this staff member (no permission; check the app\'s visible range)',
  60020: 'this server\'s IP is not on the app\'s trusted IP list (不安全的访问IP)',
  84061: 'the customer is not an external contact of this staff member',
  40098: 'the staff member has not been verified (成员尚未实名认证)',
};

export function explainErrcode(errcode: number, errmsg: string): string {
  const known = EXPLAINED[errcode];
  return known ? `WeCom ${errcode}: ${known}` : `WeCom ${errcode}: ${errmsg || 'unknown error'}`;
}

export class WecomApiError extends Error {
  constructor(readonly errcode: number, readonly errmsg: string, readonly path: string, readonly retryable: boolean) {
    super(`${path}: ${explainErrcode(errcode, errmsg)}`);
    this.name = 'WecomApiError';
  }
}
