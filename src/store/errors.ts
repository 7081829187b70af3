/**
 * The state cannot serve a call: the database is unreachable (PostgreSQL down or restarting, a
 * connection dropped), or a value stored in it is unusable. Not the caller's fault, and worth
 * retrying: the front answers it as the service's internal error (HTTP 500, which every AWS SDK
 * retries) with this message, and logs it with the request id.
 */
export class StateUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateUnavailableError";
    // The message says what and why; where in the store it was noticed would only lengthen each log line.
    this.stack = `${this.name}: ${message}`;
  }
}

/** The state can't be opened at start (the database is unreachable or missing, a data file can't be used); the message says what to do. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}
