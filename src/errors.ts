/**
 * The one error class for bugs and infrastructure failures. Expected outcomes
 * (a refused vote, a closed window) are values, not errors. `message` is for
 * logs; `userMessage`, when set, is safe to show a person as it is.
 */
export class YishiError extends Error {
  override readonly name = 'YishiError';
  readonly code: string;
  readonly userMessage: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { userMessage?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.userMessage = options.userMessage;
  }
}

/** A short description of any thrown value, for one-line messages. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
