/** Stable error codes of our own API: `{code, message}` with these codes. Extend, never rename. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  /** a path parameter that cannot name anything: not a UUID, or not a bigint id within 1…2^63−1 */
  INVALID_ID: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  INVALID_LOGIN_CODE: 401,
  CONSOLE_LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** the path exists, the method does not (the Allow header lists the ones that do) */
  METHOD_NOT_ALLOWED: 405,
  PATIENT_NOT_FOUND: 404,
  BILL_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  PATIENT_ALREADY_BOUND: 409,
  BILL_NOT_PAYABLE: 409,
  ORDER_STATE_CONFLICT: 409,
  CONCURRENT_REQUEST: 409,
  REFUND_NOT_ALLOWED: 409,
  DAY_CLOSED: 409,
  DAY_NOT_RECONCILED: 409,
  RECON_OPEN_DISCREPANCIES: 409,
  RECON_SOURCE_NOT_READY: 409,
  RECON_ACTION_NOT_ALLOWED: 409,
  REFUND_REQUEST_PENDING: 409,
  USERNAME_TAKEN: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  INSURANCE_NOT_AUTHORIZED: 422,
  INSURANCE_INELIGIBLE: 422,
  INSURANCE_REJECTED: 422,
  AUTH_CODE_INVALID: 422,
  REFUND_EXCEEDS_PAID: 422,
  PAYLOAD_TOO_LARGE: 413,
  ACCOUNT_LOCKED: 423,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
  /** this instance has more load than it can serve: nothing was done, come back after Retry-After */
  OVERLOADED: 503,
  UPSTREAM_TIMEOUT: 504,
  INTERNAL: 500,
  /** the refund request was approved or rejected already */
  REFUND_REQUEST_DECIDED: 409,
  /** too many failed console logins from this address for this account: wait Retry-After seconds */
  LOGIN_THROTTLED: 429,
  /** the console user was disabled by a supervisor */
  ACCOUNT_DISABLED: 403,
  /** after a supervisor's reset: only the password change is open to this session */
  PASSWORD_CHANGE_REQUIRED: 403,
  /** the current password given to change it is wrong */
  CURRENT_PASSWORD_WRONG: 422,
  CONSOLE_USER_NOT_FOUND: 404,
  /** disabling (or demoting) it would leave no active supervisor */
  LAST_SUPERVISOR: 409,
  /** 日结 of a day that is not over yet (China time) */
  DAY_NOT_OVER: 409,
  /** card binding: the one-time code is wrong (tries left in the message) */
  VERIFICATION_CODE_INVALID: 422,
  /** card binding: the code expired, or was tried too often: ask for a new one */
  VERIFICATION_EXPIRED: 422,
  /** card binding: too many codes asked for (per WeChat user, phone or ID number) */
  VERIFICATION_RATE_LIMITED: 429,
  /** the risk rules refused this (a blocked WeChat user, too many attempts): nothing was done */
  RISK_BLOCKED: 403,
  /** the risk rules hold this for a cashier: the order waits until a cashier approves it */
  RISK_REVIEW: 409,
  /** the risk rules ask the patient to prove the card again (the texted code) before going on */
  RISK_STEP_UP: 403,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  code: ErrorCode | string;
  message: string;
  details?: unknown;
}
