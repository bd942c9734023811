import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { isLoopbackName, isPublicAddress, newWebhookSecret, nextAttemptAfterFailure, retryAfterMs, signatureHeaders } from '../../src/domain/webhooks.js';

t.test('signatures follow Standard Webhooks', async (t) => {
  const secret = newWebhookSecret();
  t.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  t.not(newWebhookSecret(), secret, 'random');
  const body = JSON.stringify({ id: '7', note: '进展' });
  const headers = signatureHeaders(secret, '7', new Date(), body);
  t.same(new Webhook(secret).verify(body, headers), JSON.parse(body), 'the reference library accepts it');
  t.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), 'another secret does not');
  t.throws(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': '8' }), 'the id is signed');
  t.throws(() => new Webhook(secret).verify(body, signatureHeaders(secret, '7', new Date(Date.now() - 3_600_000), body)), 'an hour-old timestamp is refused');
});

t.test('retries back off exponentially, honour Retry-After, and stop at the attempt limit', async (t) => {
  const policy = { maxAttempts: 5, retryBaseMs: 1000, retryMaxMs: 5000, disableAfterFailures: 50 };
  const at = new Date('2026-06-30T10:00:00Z');
  const delay = (attempts: number, retryAfter: number | null = null) => nextAttemptAfterFailure(attempts, at, policy, retryAfter)!.getTime() - at.getTime();
  t.same([1, 2, 3, 4].map((n) => delay(n)), [1000, 2000, 4000, 5000], 'doubling, capped at retryMaxMs');
  t.equal(delay(1, 3000), 3000, 'a longer Retry-After wins');
  t.equal(delay(2, 500), 2000, 'a shorter one does not');
  t.equal(delay(1, 3_600_000), 5000, 'nor does one past the cap');
  t.equal(nextAttemptAfterFailure(5, at, policy, null), null, 'the fifth failure is the last');
});

t.test('Retry-After is seconds or an HTTP date', async (t) => {
  const now = new Date('2026-06-30T10:00:00Z');
  t.equal(retryAfterMs('120', now), 120_000);
  t.equal(retryAfterMs('Tue, 30 Jun 2026 10:01:00 GMT', now), 60_000);
  t.equal(retryAfterMs('Tue, 30 Jun 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  t.equal(retryAfterMs('soon', now), null);
  t.equal(retryAfterMs(null, now), null);
});

t.test('only public unicast addresses are webhook targets', async (t) => {
  for (const address of ['8.8.8.8', '203.0.114.1', '2400:cb00::1', '::ffff:8.8.8.8']) t.ok(isPublicAddress(address), address);
  for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
    t.notOk(isPublicAddress(address), address);
  }
});

t.test('every name that means loopback is one, trailing dots and case included', async (t) => {
  for (const name of ['localhost', 'localhost.', 'LocalHost..', 'api.localhost', 'a.b.localhost.', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback.']) t.ok(isLoopbackName(name), name);
  for (const name of ['example.gov.cn', 'localhost.example.com', 'mylocalhost', 'ip6-localhost.example.com']) t.notOk(isLoopbackName(name), name);
});
