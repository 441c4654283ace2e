import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `timestamp.body` under the endpoint's secret: the `X-Charla-Signature` header. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Checks a received signature in constant time, as a receiver does. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
