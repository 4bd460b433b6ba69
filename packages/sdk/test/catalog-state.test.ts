import t from 'tap';
import { catalogEntry, isStreamSelected, projectSchema, selectedProperties, type CatalogEntry } from '../src/catalog.js';
import { compareReplicationValues, normalizeState } from '../src/state.js';

const entry = (): CatalogEntry =>
  catalogEntry({
    name: 'accounts',
    schema: { type: 'object', properties: { Id: { type: 'string' }, Name: { type: 'string' }, Secret__c: { type: 'string' }, SystemModstamp: { type: 'string' }, Blob: { type: 'string' } } },
    keyProperties: ['Id'],
    replicationMethod: 'INCREMENTAL',
    replicationKey: 'SystemModstamp',
    propertyMetadata: { Blob: { inclusion: 'unsupported', 'unsupported-description': 'base64' } },
  });

const setMeta = (e: CatalogEntry, property: string | undefined, values: Record<string, unknown>) => {
  const m = e.metadata.find((x) => (property === undefined ? x.breadcrumb.length === 0 : x.breadcrumb[1] === property))!;
  Object.assign(m.metadata, values);
};

t.test('stream selection: selected, then selected-by-default, legacy schema.selected, unsupported never', async (t) => {
  const e = entry();
  t.ok(isStreamSelected(e), 'selected-by-default');
  setMeta(e, undefined, { selected: false });
  t.notOk(isStreamSelected(e));
  const legacy = entry();
  setMeta(legacy, undefined, { 'selected-by-default': false });
  t.notOk(isStreamSelected(legacy));
  legacy.schema.selected = true;
  t.ok(isStreamSelected(legacy), 'old --properties catalogs mark selection in the schema');
  const unsupported = entry();
  setMeta(unsupported, undefined, { inclusion: 'unsupported', selected: true });
  t.notOk(isStreamSelected(unsupported));
});

t.test('field selection keeps automatic fields and drops unsupported ones', async (t) => {
  const e = entry();
  setMeta(e, 'Secret__c', { selected: false });
  setMeta(e, 'Id', { selected: false });
  setMeta(e, 'Blob', { selected: true });
  const selected = selectedProperties(e);
  t.same([...selected].sort(), ['Id', 'Name', 'SystemModstamp']);
  t.same(Object.keys(projectSchema(e.schema, selected).properties!), ['Id', 'Name', 'SystemModstamp']);
  t.equal(projectSchema(e.schema, new Set(Object.keys(e.schema.properties!))), e.schema, 'no copy when everything is selected');
});

t.test('replication values compare as numbers, instants, or strings', async (t) => {
  t.ok(compareReplicationValues(9, 10) < 0);
  t.ok(compareReplicationValues('2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00Z') < 0, 'offsets are honoured');
  t.equal(compareReplicationValues('2024-01-01T09:00:00.000Z', '2024-01-01T09:00:00Z'), 0);
  t.ok(compareReplicationValues('b', 'a') > 0);
  t.ok(compareReplicationValues('2024-01-02', '2024-01-10') < 0);
});

t.test('state files: a bare object, a STATE message, nonsense', async (t) => {
  t.same(normalizeState({ bookmarks: { a: { replication_key_value: 1 } } }), { bookmarks: { a: { replication_key_value: 1 } } });
  t.same(normalizeState({ type: 'STATE', value: { bookmarks: { b: {} } } }), { bookmarks: { b: {} } });
  t.same(normalizeState([1, 2]), { bookmarks: {} });
  t.same(normalizeState({ currently_syncing: 'x' }), { currently_syncing: 'x', bookmarks: {} });
});
