/**
 * The one error type every layer throws. The protocol serializers turn it into AWS's own
 * wire form (JSON `__type`/`Message`, XML `<Error><Code>`, restJson `x-amzn-ErrorType`). Each
 * service builds its own errors on it (Organizations': src/org/errors.ts).
 */
export type ErrorFields = Record<string, string | number | boolean | string[] | Record<string, unknown>[] | undefined>;

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: ErrorFields;
  /** Whether the caller is at fault (4xx, `Sender` in awsQuery) or the service (5xx, `Receiver`). */
  readonly senderFault: boolean;
  /** Plain-words detail for orgsim's request log and console; never sent on the wire. */
  detail: string | undefined;

  constructor(code: string, message: string, options: { status?: number; fields?: ErrorFields; detail?: string } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.fields = options.fields ?? {};
    this.senderFault = this.status < 500;
    this.detail = options.detail;
  }
}
