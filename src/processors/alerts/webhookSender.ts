import { createHmac } from 'node:crypto';

/** Headers every webhook notification carries, so a receiver can verify and deduplicate it. */
export const WEBHOOK_HEADERS = {
  signature: 'X-Tributary-Signature',
  timestamp: 'X-Tributary-Timestamp',
  /** The same for every attempt of one delivery: a receiver that saw it already can ignore it. */
  deliveryId: 'X-Tributary-Delivery',
  event: 'X-Tributary-Event',
} as const;

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` under the channel's signing secret.
 * The timestamp (Unix seconds, also in X-Tributary-Timestamp) is signed with the body so a
 * receiver can refuse an old request replayed with its valid signature.
 */
export const signWebhookBody = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export interface WebhookRequest {
  url: string;
  /** The channel's own headers; the signature, timestamp, delivery id and content type are added. */
  headers: Readonly<Record<string, string>>;
  body: string;
  signingSecret: string;
  deliveryId: string;
  event: string;
  timeoutMs: number;
  /** The signing time; now by default. */
  now?: Date;
}

/** How one attempt went. `retryable` says whether trying again may help. */
export type WebhookOutcome =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string; retryable: boolean; retryAfterMs: number | null };

const MAX_RETRY_AFTER_MS = 60_000;

/**
 * POSTs one signed notification. A 2xx answer is success; a network error, a timeout, a 5xx
 * or a 429 may pass, so they are retryable (a 429's Retry-After in seconds is passed on);
 * any other answer means the receiver refuses this request as it is, so retrying cannot help.
 * Never throws: the outcome says what happened, in words that hold no secret.
 */
export const sendWebhook = async (request: WebhookRequest): Promise<WebhookOutcome> => {
  const timestamp = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const headers = {
    ...request.headers,
    'content-type': 'application/json',
    'user-agent': 'Tributary-Notifier/1',
    [WEBHOOK_HEADERS.signature]: signWebhookBody(request.signingSecret, timestamp, request.body),
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.deliveryId]: request.deliveryId,
    [WEBHOOK_HEADERS.event]: request.event,
  };
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      statusCode: null,
      error: timedOut
        ? `no answer within ${request.timeoutMs} ms`
        : `could not connect${cause ? ` (${cause})` : ''}`,
      retryable: true,
      retryAfterMs: null,
    };
  }
  // The body is not needed; reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined);
  const statusCode = response.status;
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
  const retryable = statusCode >= 500 || statusCode === 429;
  return {
    ok: false,
    statusCode,
    error: `answered ${statusCode}`,
    retryable,
    retryAfterMs: statusCode === 429 ? retryAfter(response.headers.get('retry-after')) : null,
  };
};

const retryAfter = (value: string | null): number | null => {
  const seconds = value === null ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : null;
};
