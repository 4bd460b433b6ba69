import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseLines, runTs } from './helpers/spawn.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const targetBin = join(fixtures, 'example-target', 'bin.ts');
const tapBin = join(fixtures, 'example-tap', 'bin.ts');
const dir = mkdtempSync(join(tmpdir(), 'example-target-'));
const write = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const targetConfig = (name: string) => write(`${name}.json`, JSON.stringify({ output_file: join(dir, `${name}.jsonl`) }));

const schema = '{"type":"SCHEMA","stream":"users","schema":{"type":"object"},"key_properties":["id"]}';

t.test('reads stdin, echoes state after committing', async (t) => {
  const input = [schema, '{"type":"RECORD","stream":"users","record":{"id":1}}', '{"type":"STATE","value":{"n":1}}'].join('\n') + '\n';
  const result = await runTs(targetBin, ['--config', targetConfig('stdin')], { input });
  t.equal(result.code, 0, result.stderr);
  t.same(parseLines(result.stdout), [{ type: 'STATE', value: { n: 1 } }]);
  t.equal(readFileSync(join(dir, 'stdin.jsonl'), 'utf8'), '{"stream":"users","id":1}\n');
});

t.test('--input names the file and line of bad input; nothing after it is committed', async (t) => {
  const input = write('bad.singer', [schema, '{"type":"RECORD","stream":"users","record":{"id":1}}', '{"type":"STATE","value":{"n":1}}', '{"type":"RECORD","stream":"users","record":{"id":2}', '{"type":"STATE","value":{"n":2}}'].join('\n') + '\n');
  const result = await runTs(targetBin, ['--config', targetConfig('bad'), '--input', input]);
  t.equal(result.code, 1);
  t.match(result.stderr, new RegExp(`ERROR target-example: ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 4: malformed JSON`));
  t.same(parseLines(result.stdout), [], 'no state for a batch that failed');

  const orphan = await runTs(targetBin, ['--config', targetConfig('orphan')], { input: '{"type":"RECORD","stream":"users","record":{"id":1}}\n' });
  t.equal(orphan.code, 1);
  t.match(orphan.stderr, /ERROR target-example: stdin line 1: RECORD for stream "users" before its SCHEMA message/);
});

t.test('--about and --version for targets', async (t) => {
  const about = JSON.parse((await runTs(targetBin, ['--about', '--format', 'json'])).stdout);
  t.equal(about.name, 'target-example');
  t.same(about.settings.find((s: { name: string }) => s.name === 'output_file').env, ['TARGET_EXAMPLE_OUTPUT_FILE']);
  t.equal((await runTs(targetBin, ['--version'])).stdout.trim(), '0.0.1');
});

t.test('a real Unix pipe: tap | target, state from the target resumes the tap', async (t) => {
  const tapConfig = write('tap.json', JSON.stringify({ data_dir: join(fixtures, 'example-tap'), api_key: 'good-key-123', page_size: 3 }));
  const config = targetConfig('pipe');
  const pipe = (stateArgs: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const tsx = `"${process.execPath}" --import tsx`;
      const child = spawn('bash', ['-o', 'pipefail', '-c', `${tsx} "${tapBin}" --config "${tapConfig}" ${stateArgs} | ${tsx} "${targetBin}" --config "${config}"`]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const first = await pipe('');
  t.equal(first.code, 0, first.stderr);
  const rows = readFileSync(join(dir, 'pipe.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(rows.filter((r) => r.stream === 'users').length, 25);
  t.equal(rows.filter((r) => r.stream === 'events').length, 30);
  t.equal(rows.filter((r) => r.stream === 'countries').length, 5);
  const stateFile = write('pipe-state.singer', first.stdout);
  const lastState = parseLines(first.stdout).at(-1)!;
  t.same((lastState.value as any).bookmarks.users.replication_key_value, '2024-01-01T08:00:00.000Z');

  const second = await pipe(`--state "${stateFile}"`);
  t.equal(second.code, 0, second.stderr);
  const after = readFileSync(join(dir, 'pipe.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const newUsers = after.slice(rows.length).filter((r) => r.stream === 'users').map((r) => r.id);
  t.same(newUsers, [24, 25], 'the second run only moves what is at or after the bookmark');
});
