/** The catalog, and the SDK's conformance checks over a full run and a resumed one. */
import t from 'tap';
import { checkTapConformance, selectStreams } from '@singer-io-ts/sdk/testing';
import { ALL_STREAMS, configFor, discoverCatalog, fastTap, startInstance } from './helpers/marketo.js';

t.test('the catalog names every stream with its keys, replication and the contract\'s properties', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  const catalog = await discoverCatalog(configFor(mk));
  const entry = (name: string) => catalog.streams.find((s) => s.tap_stream_id === name)!;
  const root = (name: string) => entry(name).metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  t.same(catalog.streams.map((s) => s.tap_stream_id).sort(), [...ALL_STREAMS].sort());
  t.same(entry('program_members').key_properties, ['leadId', 'programId']);
  t.same(entry('activities').key_properties, ['marketoGUID']);
  t.same(root('leads')['valid-replication-keys'], ['updatedAt', 'createdAt']);
  t.same(Object.keys(entry('activities').schema.properties!).sort(), ['activityDate', 'activity_type_id', 'attributes', 'campaignId', 'leadId', 'marketoGUID', 'primary_attribute_name', 'primary_attribute_value', 'primary_attribute_value_id'].sort());
  t.match(entry('programs').schema.properties, { costs: { type: ['array', 'null'], items: { properties: { startDate: { format: 'date' }, cost: {}, note: {} } } }, sfdcId: {}, channel: {}, tags: {}, workspace: {} });
  t.same(Object.keys(entry('deleted_leads').schema.properties!).slice(0, 2), ['id', 'deletedAt']);
  const campaign = entry('campaigns').schema.properties!;
  t.match(campaign, { type: {}, isActive: {}, isRequestable: {}, parentProgramId: {}, programType: {}, is_drip: { type: ['boolean', 'null'] }, active: {}, programId: {}, programName: {}, workspaceName: {} }, 'campaigns: the asset view, the drip flag and the earlier columns');
  t.notOk('isTrigger' in campaign, 'no column that would always be empty');
  const describe = mk.simulation.company.table('marketo', 'leads')!.fields.filter((f) => (f as { restName?: string | null }).restName !== null).map((f) => f.name);
  t.same(Object.keys(entry('leads').schema.properties!).sort(), [...describe].sort(), 'leads: every describe field with a REST name');
  t.match(root('leads')['fields-without-rest-name'], ['LegacyLeadRank', 'MktoCompanyNotes']);
});

t.test('conformance: records match their schemas, state is valid, a resumed run keeps its bookmarks', async (t) => {
  const mk = await startInstance(t, { scale: 0.01 });
  const config = configFor(mk);
  const catalog = selectStreams(await discoverCatalog(config), ALL_STREAMS);
  const problems = await checkTapConformance({ tap: fastTap(), config, catalog });
  t.same(problems, []);
});
