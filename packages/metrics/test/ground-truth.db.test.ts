import { createCompany } from '@singer-io-ts/simulators';
import t from 'tap';
import { connect, freshSchema, getTestPostgres } from '../../../test/helpers/postgres.js';
import { buildMetrics } from '../src/build.js';
import type { MetricsConfig } from '../src/config.js';
import { compareWithGroundTruth } from './helpers/ground-truth.js';
import { loadThroughTarget } from './helpers/load-raw.js';
import { simulatorStreams } from './helpers/simulator-streams.js';

const company = createCompany({ seed: 7, scale: 0.1 });
const asOf = company.initialAsOf;
const utc = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

t.test('first-touch metrics equal the dataset generator\'s ground truth', async (t) => {
  const [salesforce, zuora, marketo, target] = [await freshSchema(t), await freshSchema(t), await freshSchema(t), await freshSchema(t)];
  await loadThroughTarget(salesforce, simulatorStreams(company, 'salesforce', asOf));
  await loadThroughTarget(zuora, simulatorStreams(company, 'zuora', asOf));
  await loadThroughTarget(marketo, simulatorStreams(company, 'marketo', asOf));
  const config: MetricsConfig = {
    connection_string: (await getTestPostgres()).connectionString,
    ssl_mode: 'disable',
    source_schemas: { salesforce, zuora, marketo },
    target_schema: target,
    as_of: new Date(asOf).toISOString().slice(0, 10),
  };
  await buildMetrics(config);
  const db = await connect(t);

  for (const window of [
    { from: company.start, to: asOf + 1 },
    { from: utc('2025-04-01'), to: utc('2025-07-01') },
    { from: utc('2026-01-01'), to: utc('2026-04-01') },
    { from: utc('2025-10-01'), to: utc('2025-11-01') },
    { from: utc('2025-01-01'), to: utc('2026-01-01') },
  ]) {
    const result = await compareWithGroundTruth(db, config, company, { asOf, ...window });
    t.ok(result.totals.leads > 0 && result.totals.spend > 0, `${result.period}: the truth has leads and spend`);
    t.same(result.differences, [], `${result.periodType} ${result.period}: every campaign's spend, leads, customers and IACV match (${result.campaigns} campaigns)`);
  }
  const all = await compareWithGroundTruth(db, config, company, { asOf, from: company.start, to: asOf + 1 });
  t.ok(all.totals.customers >= 10 && all.totals.iacv > 0, `the company has customers and IACV to attribute (${JSON.stringify(all.totals)})`);

  // The comparison sees a wrong number: move one lead between two campaigns.
  const [a, b] = (await db.query<{ campaign_id: string }>(
    `select campaign_id from "${target}".metrics_by_key join "${target}".campaign on campaign_id = key
      where grain = 'campaign' and model = 'first_touch' and period_type = 'all' and leads > 0 order by key limit 2`,
  )).rows;
  await db.query(`update "${target}".metrics_by_key set leads = leads + case key when $1 then 1 else -1 end where grain = 'campaign' and model = 'first_touch' and period_type = 'all' and key in ($1, $2)`, [a!.campaign_id, b!.campaign_id]);
  const tampered = await compareWithGroundTruth(db, config, company, { asOf, from: company.start, to: asOf + 1 });
  t.same(tampered.differences.map((d) => [d.campaignId, d.field]).sort(), [[a!.campaign_id, 'leads'], [b!.campaign_id, 'leads']].sort(), 'a lead moved between campaigns shows as two differences');
});
