/**
 * The one error type tfzoo throws for bad input, missing files and failed checks.
 *
 * Every message says what was received and what was expected, so a user can fix the call without
 * reading the source.
 */

/** Machine-readable category of a {@link ZooError}. */
export type ZooErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_MODEL'
  | 'DUPLICATE_MODEL'
  | 'BACKEND_UNAVAILABLE'
  | 'WEIGHTS_MISMATCH'
  | 'CORRUPT_FILE'
  | 'UNSAFE_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'NETWORK'
  | 'OFFLINE'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'OUT_OF_MEMORY'
  | 'ABORTED';

/** Optional structured details carried by a {@link ZooError}. */
export interface ZooErrorDetails {
  /** The value that was received, kept as-is for programmatic inspection. */
  received?: unknown;
  /** A short human description of what was expected. */
  expected?: string;
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/** The error tfzoo throws: a message naming what was received and what was expected, plus a code. */
export class ZooError extends Error {
  /** Category of the failure. */
  readonly code: ZooErrorCode;
  /** The value that was received, when the error is about a value. */
  readonly received?: unknown;
  /** What was expected instead, when the error is about a value. */
  readonly expected?: string;

  constructor(code: ZooErrorCode, message: string, details: ZooErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ZooError';
    this.code = code;
    if ('received' in details) this.received = details.received;
    if (details.expected !== undefined) this.expected = details.expected;
  }
}

/**
 * Renders a value for an error message: short, unambiguous, and never throwing.
 *
 * Strings are quoted, arrays and plain objects are JSON, long renderings are cut with an ellipsis.
 */
export function describeValue(value: unknown, maxLength = 120): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    text = String(value);
  } else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'function') text = `function ${value.name || '(anonymous)'}`;
  else if (ArrayBuffer.isView(value)) {
    text = `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  } else {
    try {
      text = JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'bigint' ? `${v}n` : v === undefined ? null : v,
      );
    } catch {
      text = Object.prototype.toString.call(value);
    }
    if (text === undefined) text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/**
 * Builds the standard argument error: `` `${what} must be ${expected}; received ${value}` ``.
 *
 * @param what - the argument's name as the user wrote it, e.g. `inputShape` or `options.numClasses`.
 * @param received - the value that was passed.
 * @param expected - what would have been accepted, e.g. `a positive integer`.
 */
export function invalidArgument(what: string, received: unknown, expected: string): ZooError {
  return new ZooError(
    'INVALID_ARGUMENT',
    `${what} must be ${expected}; received ${describeValue(received)}`,
    { received, expected },
  );
}
