import { createHmac, randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * Webhook signing follows Standard Webhooks (standardwebhooks.com), so receivers can verify with a
 * library in their own language: the secret is "whsec_" + base64 of 32 random bytes, and
 * webhook-signature is "v1," + base64(HMAC-SHA256(key bytes, "<webhook-id>.<webhook-timestamp>.<body>")).
 */
export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function signatureHeaders(secret: string, messageId: string, sentAt: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(sentAt.getTime() / 1000));
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  disableAfterFailures: number;
}

/**
 * After a failed attempt: when to try again (exponential backoff from retryBaseMs, doubling per
 * attempt, capped at retryMaxMs, and never sooner than a Retry-After the receiver asked for), or
 * null once the delivery has used its attempts.
 */
export function nextAttemptAfterFailure(attempts: number, failedAt: Date, policy: RetryPolicy, retryAfterMs: number | null): Date | null {
  if (attempts >= policy.maxAttempts) return null;
  const backoff = Math.min(policy.retryBaseMs * 2 ** (attempts - 1), policy.retryMaxMs);
  return new Date(failedAt.getTime() + Math.max(backoff, Math.min(retryAfterMs ?? 0, policy.retryMaxMs)));
}

/** Retry-After (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an HTTP date; null if absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/**
 * Whether a webhook may be sent to this address: only public unicast. Private, loopback,
 * link-local (cloud metadata lives there), carrier-grade NAT, multicast, unspecified and reserved
 * ranges are refused, and an IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return isPublicAddress((parsed as ipaddr.IPv6).toIPv4Address().toString());
  return parsed.range() === 'unicast';
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

/**
 * Names that mean this machine whatever DNS says: localhost and its subdomains (RFC 6761), and
 * the aliases common /etc/hosts files give loopback. A trailing dot names the same host.
 */
export function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.+$/, '');
  return LOOPBACK_NAMES.has(name) || name.endsWith('.localhost');
}
