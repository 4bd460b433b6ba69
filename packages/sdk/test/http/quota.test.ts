import t from 'tap';
import { ConfigError, QuotaExhaustedError } from '../../src/errors.js';
import { memoryLogger } from '../../src/logging.js';
import { QuotaBudget, parseUsageHeader, quotaBudgetFromPercentages } from '../../src/http/quota.js';

t.test('consume throws before the call that would exceed the limit', async (t) => {
  const quota = new QuotaBudget({ name: 'Zuora', limit: 10, used: 8 });
  quota.consume();
  quota.consume();
  t.equal(quota.used, 10, 'reaching the limit exactly is allowed');
  t.throws(() => quota.consume(), QuotaExhaustedError);
  t.equal(quota.used, 10, 'a refused call is not counted');
  t.equal(quota.remaining, 0);

  const batch = new QuotaBudget({ name: 'Zuora', limit: 10, used: 9 });
  t.throws(() => batch.consume(2), { message: /^Zuora API quota: usage would reach 11 of 10; stopping before the next call$/ });
  batch.consume(1);
  t.equal(batch.usedThisRun, 1);
});

t.test('update takes the server count and limit', async (t) => {
  const quota = new QuotaBudget({ name: 'Salesforce', limit: 1_000 });
  quota.consume(5);
  quota.update(750, 15_000);
  t.equal(quota.used, 750);
  t.equal(quota.limit, 15_000);
  t.equal(quota.percentUsed, 5);
  t.equal(quota.remaining, 14_250);
  t.equal(quota.usedThisRun, 5, 'the run keeps its own count');
  quota.update(15_000);
  t.throws(() => quota.consume(), QuotaExhaustedError);
});

t.test('quota_percent_total stops when org usage would pass its share', async (t) => {
  const logger = memoryLogger();
  const quota = quotaBudgetFromPercentages({ name: 'Salesforce', limit: 1_000, used: 700, config: { quota_percent_total: 80, quota_percent_per_run: 50 }, logger });
  t.equal(quota.remaining, 100);
  for (let i = 0; i < 100; i++) quota.consume();
  t.throws(() => quota.consume(), { constructor: QuotaExhaustedError, message: /usage would reach 801 of 1000, past the 80% allowed in total/ });
  t.equal(quota.percentUsed, 80);
  t.match(logger.lines, [/^WARN test: Salesforce API quota: usage would reach 801/]);
});

t.test('quota_percent_per_run stops when this run alone would pass its share', async (t) => {
  const quota = quotaBudgetFromPercentages({ name: 'Salesforce', limit: 1_000, used: 0, config: { quota_percent_total: 80, quota_percent_per_run: 25 } });
  quota.update(500);
  t.equal(quota.remaining, 250);
  quota.consume(250);
  t.throws(() => quota.consume(), { message: /this run's usage would reach 251 calls, past the 25% of 1000 allowed per run/ });
  t.equal(quota.used, 750);
});

t.test('the percentages are optional and validated as config', async (t) => {
  const unlimited = quotaBudgetFromPercentages({ name: 'S', limit: 100, config: {} });
  t.equal(unlimited.remaining, 100);
  t.equal(quotaBudgetFromPercentages({ name: 'S', limit: 100, config: { quota_percent_total: '50' } }).remaining, 50);
  t.throws(() => quotaBudgetFromPercentages({ name: 'S', limit: 100, config: { quota_percent_total: 0 } }), { constructor: ConfigError, message: /quota_percent_total/ });
  t.throws(() => quotaBudgetFromPercentages({ name: 'S', limit: 100, config: { quota_percent_per_run: 'lots' } }), { constructor: ConfigError, message: /quota_percent_per_run/ });
  t.throws(() => quotaBudgetFromPercentages({ name: 'S', limit: 100, config: { quota_percent_per_run: 120 } }), ConfigError);
});

t.test('parseUsageHeader reads Sforce-Limit-Info', async (t) => {
  t.same(parseUsageHeader('api-usage=123/15000'), { used: 123, limit: 15_000 });
  t.same(parseUsageHeader('per-app-api-usage=17/250(appName=sample-app); api-usage=25/5000'), { used: 25, limit: 5_000 });
  t.same(parseUsageHeader('per-app-api-usage=17/250(appName=sample-app)', 'per-app-api-usage'), { used: 17, limit: 250 });
  t.equal(parseUsageHeader('per-app-api-usage=17/250'), undefined);
  t.equal(parseUsageHeader(null), undefined);
});

t.test('options are checked', async (t) => {
  t.throws(() => new QuotaBudget({ name: 'x', limit: -1 }), RangeError);
  t.throws(() => new QuotaBudget({ name: 'x', limit: 10, maxPercentTotal: 0 }), RangeError);
  t.throws(() => new QuotaBudget({ name: 'x', limit: 10 }).consume(-1), RangeError);
});
