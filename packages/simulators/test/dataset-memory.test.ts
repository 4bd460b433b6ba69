/** Large scales stream: memory stays flat while hundreds of thousands of rows go by. */
import t from 'tap';
import { createCompany } from '../src/dataset/index.js';

t.test('300k rows at scale 200 with bounded memory', async (t) => {
  const company = createCompany({ scale: 200 });
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const [sys, name, limit] of [['marketo', 'activities', 300_000], ['salesforce', 'Task', 150_000]] as const) {
    gc?.();
    const rss0 = process.memoryUsage().rss;
    let max = rss0;
    let third = 0;
    let n = 0;
    let last = -Infinity;
    const t0 = performance.now();
    for (const r of company.table(sys, name)!.scan({ asOf: company.initialAsOf })) {
      const k = r[name === 'Task' ? 'SystemModstamp' : 'activityDate'] as number;
      if (k < last) t.fail('out of order');
      last = k;
      if (++n % 25_000 === 0) max = Math.max(max, process.memoryUsage().rss);
      if (n === limit / 3) third = process.memoryUsage().rss;
      if (n >= limit) break;
    }
    const ms = performance.now() - t0;
    t.equal(n, limit);
    const growth = (max - rss0) / 1e6;
    t.ok(growth < 250, `${sys}.${name}: ${n} rows in ${ms.toFixed(0)} ms (${Math.round((n / ms) * 1000)} rows/s), RSS ${Math.round(rss0 / 1e6)} → max ${Math.round(max / 1e6)} MB`);
    // Flat: the last two thirds of the scan add (almost) nothing.
    t.ok(max - third < 80e6, `RSS after a third ${Math.round(third / 1e6)} MB, max ${Math.round(max / 1e6)} MB`);
  }
});
