import t from 'tap';
import { buildFiles, render, splitStatements } from '../src/sql-files.js';
import { settingsOf } from '../src/config.js';

t.test('statements split at semicolons outside quotes, dollar quotes and comments', async (t) => {
  const sql = "select ';' as a; -- a comment; still comment\nselect $x$ ; $x$;\n\n/* block ; */ select \"we;ird\"\n from t;\n";
  const statements = splitStatements(sql, 'f.sql');
  t.same(statements.map((s) => [s.line, s.text]), [
    [1, "select ';' as a"],
    [1, '-- a comment; still comment\nselect $x$ ; $x$'],
    [4, '/* block ; */ select "we;ird"\n from t'],
  ]);
});

t.test('placeholders are filled without moving lines', async (t) => {
  const settings = settingsOf({ target_schema: 'my"schema', iacv_field: 'My_IACV__c', as_of: '2026-01-31' });
  t.equal(render('{{target}}.x\n{{target_name}} {{iacv_column}} {{as_of}}', settings), '"my""schema".x\n\'my"schema\' my_iacv__c \'2026-01-31\'');
  t.throws(() => render('{{nope}}', settings, 'a.sql'), /a\.sql: unknown placeholder \{\{nope\}\}/);
});

t.test('the package\'s files apply in layer order', async (t) => {
  const files = buildFiles(settingsOf({}));
  t.same(files.map((f) => f.name), [...files.map((f) => f.name)].sort(), 'numbered, ascending');
  t.same([...new Set(files.map((f) => f.layer))], [0, 1, 2, 3, 4], 'setup, staging, model, attribution, metrics');
  t.ok(files.every((f) => f.statements.every((s) => !/\{\{\w+\}\}/.test(s.text))), 'every placeholder is known');
});
