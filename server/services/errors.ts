import { ERROR_STATUS, type ErrorCode } from '../../shared/errors';

/** An operating error with a stable code; the error middleware turns it into `{code, message}`. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** `cause`: the English or internal detail behind a Chinese message, for the log line only */
    options?: { cause?: string },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}
