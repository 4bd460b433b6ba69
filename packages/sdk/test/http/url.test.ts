import t from 'tap';
import { Redactor } from '../../src/secrets.js';
import { endpointName, redactUrl } from '../../src/http/url.js';
import { parseRetryAfter, rateLimitResetHint } from '../../src/http/retry-after.js';

t.test('endpointName keeps the path and replaces ids', async (t) => {
  t.equal(endpointName('https://x.my.salesforce.com/services/data/v58.0/sobjects/Account/001Dn00000ABCdeIAH'), '/services/data/v58.0/sobjects/Account/{id}');
  t.equal(endpointName('https://rest.zuora.com/v1/invoices/2c92c0f9636a45a401637d5e8c2b1234/items?page=2'), '/v1/invoices/{id}/items');
  t.equal(endpointName('https://123-ABC-456.mktorest.com/bulk/v1/leads/export/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab/file.json'), '/bulk/v1/leads/export/{id}/file.json');
  t.equal(endpointName('https://api.example.com/rest/v1/lead/318581.json'), '/rest/v1/lead/{id}.json');
  t.equal(endpointName('https://api.example.com/rest/v1/activities/pagingtoken.json'), '/rest/v1/activities/pagingtoken.json');
});

t.test('redactUrl masks credentials', async (t) => {
  t.equal(redactUrl('https://user:pw@api.example.com/a?token=abc&page=2#frag'), 'https://***@api.example.com/a?token=***&page=2');
  t.equal(redactUrl('https://api.example.com/a?Signature=s1&sig=s2&code=c&name=bob'), 'https://api.example.com/a?Signature=***&sig=***&code=***&name=bob');
  const redactor = new Redactor();
  redactor.addSecret('hunter22 secret');
  t.equal(redactUrl('https://api.example.com/a?q=hunter22%20secret&x=1', redactor), 'https://api.example.com/a?q=***&x=1');
  t.equal(redactUrl('/relative?password=pw'), '/relative', 'an unparsable URL loses its query entirely');
});

t.test('parseRetryAfter reads seconds and HTTP-dates', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  t.equal(parseRetryAfter('120', now), 120_000);
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:29:00 GMT', now), 60_000);
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now), 0, 'a past date means now');
  t.equal(parseRetryAfter('soon', now), undefined);
  t.equal(parseRetryAfter('-5', now), undefined);
  t.equal(parseRetryAfter(null, now), undefined);
});

t.test('rateLimitResetHint tells epochs from deltas', async (t) => {
  const now = 1_800_000_000_000;
  const response = (value: string) => new Response(null, { headers: { 'X-RateLimit-Reset': value } });
  t.equal(rateLimitResetHint()(response('1800000030'), now), 30_000);
  t.equal(rateLimitResetHint()(response('45'), now), 45_000);
  t.equal(rateLimitResetHint('X-RateLimit-Reset', 'epoch-ms')(response('1800000001500'), now), 1_500);
  t.equal(rateLimitResetHint('Other')(response('45'), now), undefined);
});
