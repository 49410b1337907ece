/**
 * The SQS message body of a deployed job: its id and payload, and the
 * request id of the call that enqueued it. Versioned, so a message queued by
 * an older deployment still parses after an update.
 */
export interface JobEnvelope {
  readonly v: 1;
  readonly jobId: string;
  readonly payload: unknown;
  readonly requestId?: string;
}

/** The message body, built around the already-serialised payload so it is stringified once. */
export function encodeEnvelope(jobId: string, payloadJson: string, requestId: string | undefined): string {
  const request = requestId === undefined ? '' : `,"requestId":${JSON.stringify(requestId)}`;
  return `{"v":1,"jobId":${JSON.stringify(jobId)}${request},"payload":${payloadJson}}`;
}

/** The envelope in `body`, or a reason it is not one (a message sent to the queue by something else). */
export function decodeEnvelope(body: string): JobEnvelope | string {
  // Plain JSON.parse: only the job's own role can send to its queue, and a payload may use any key.
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the message body is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the message body is not a job envelope';
  const { v, jobId, payload, requestId } = value as Record<string, unknown>;
  if (v !== 1 || typeof jobId !== 'string' || !('payload' in value)) return 'the message body is not a job envelope';
  return { v, jobId, payload, ...(typeof requestId === 'string' && { requestId }) };
}
