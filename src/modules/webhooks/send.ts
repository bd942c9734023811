import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from '../../domain/webhooks.js';

export interface SendResult {
  statusCode: number;
  retryAfter: string | null;
}

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

function refusal(host: string, address: string) {
  return new TargetRefusedError(`refused: ${host} is ${address}, not a public address (WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows it)`);
}

/**
 * Resolves as the socket would, and refuses the connection when any address the name resolves to
 * is not public. The socket then connects to the very addresses checked, so a name that resolves
 * differently a moment later (DNS rebinding) cannot slip past.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked) return callback(refusal(hostname, blocked.address), '', 0);
    if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * POSTs a webhook body: no redirects followed, the answer's body discarded, and the whole
 * exchange bounded by timeoutMs. Unless private targets are allowed, the target must be a public
 * address, checked after DNS resolution on every call.
 */
export function postWebhook(target: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; allowPrivateTargets: boolean }): Promise<SendResult> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateTargets && isIP(host) && !isPublicAddress(host)) return Promise.reject(refusal(host, host));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(options.allowPrivateTargets ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        response.resume();
        resolve({ statusCode: response.statusCode ?? 0, retryAfter: [response.headers['retry-after']].flat()[0] ?? null });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
