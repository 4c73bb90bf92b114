// The committed JSON Schema files and docs/protocol.md's tables are what the zod source emits now, and the
// schema means what zod means: every shared vector is judged alike by both.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { PROTOCOL_VERSION } from '../../../extension/protocol/agent';
import { CLOSE_CODES } from '../../../extension/protocol/constants';
import { agentJsonSchema, uiJsonSchema } from '../../../extension/protocol/jsonSchema';
import { renderSchemaTables, schemaBlocks } from '../../../extension/protocol/schemaDocs';
import { DOCS_PATH, generatedFiles } from '../../../scripts/protocolSchema';

const root = join(__dirname, '..', '..', '..');

for (const { path, text } of generatedFiles()) {
  test(`${path} is what the zod source emits (npm run protocol:schema)`, () => {
    assert.equal(readFileSync(join(root, path), 'utf8'), text, `${path} is stale: run npm run protocol:schema and commit it`);
  });
}

test('every object the protocols define has its table in docs/protocol.md', () => {
  const blocks = new Set(schemaBlocks(readFileSync(join(root, DOCS_PATH), 'utf8')));
  const defs = [agentJsonSchema(), uiJsonSchema()].flatMap((d) => Object.keys(d.$defs as object));
  assert.deepEqual(defs.filter((name) => !blocks.has(name)), []);
});

test('a docs block naming no definition is an error, not an empty table', () => {
  assert.throws(() => renderSchemaTables('<!-- schema: NoSuchFrame -->\n<!-- /schema -->', [agentJsonSchema()]), /NoSuchFrame/);
});

test('the generated table shows each field, whether it is optional, its limits and its description', () => {
  const page = renderSchemaTables('x\n<!-- schema: AckFrame -->\nold\n<!-- /schema -->\ny', [agentJsonSchema()]);
  assert.equal(page, [
    'x', '<!-- schema: AckFrame -->',
    '| field | type | meaning |', '|---|---|---|',
    '| `type` | `"ack"` |  |',
    "| `id` | string 1–64 chars | the command's id |",
    '| `ok` | boolean |  |',
    '| `error` (optional) | string ≤ 1024 chars |  |',
    '<!-- /schema -->', 'y',
  ].join('\n'));
});

test('the agent schema names its version and the frames of both directions', () => {
  const schema = agentJsonSchema();
  assert.equal(schema['x-protocol-version'], PROTOCOL_VERSION);
  assert.equal(schema.$ref, '#/$defs/AgentFrame');
  const defs = schema.$defs as Record<string, { oneOf?: Array<{ $ref: string }> }>;
  assert.deepEqual(defs.AgentFrame!.oneOf!.map((s) => s.$ref),
    ['#/$defs/HelloFrame', '#/$defs/SampleFrame', '#/$defs/EventFrame', '#/$defs/AckFrame', '#/$defs/ProfileFrame']);
  assert.ok(defs.CommandFrame);
});

test('docs/protocol.md names the close codes the hub uses', () => {
  const docs = readFileSync(join(root, DOCS_PATH), 'utf8');
  for (const code of Object.values(CLOSE_CODES).filter((c) => c >= 4000)) assert.match(docs, new RegExp(`\\b${code}\\b`));
});
