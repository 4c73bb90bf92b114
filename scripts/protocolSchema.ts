// `npm run protocol:schema`: writes the protocols' JSON Schema (extension/protocol/*.schema.json) and the
// field tables of docs/protocol.md from the zod source. `--check`: writes nothing, exits 1 if any is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentJsonSchema, schemaFiles, uiJsonSchema } from '../extension/protocol/jsonSchema';
import { renderSchemaTables } from '../extension/protocol/schemaDocs';

const root = join(__dirname, '..');
export const DOCS_PATH = 'docs/protocol.md';

/** Every generated file with the text the zod source gives it now. */
export function generatedFiles(): Array<{ path: string; text: string }> {
  const docs = readFileSync(join(root, DOCS_PATH), 'utf8');
  return [...schemaFiles(), { path: DOCS_PATH, text: renderSchemaTables(docs, [agentJsonSchema(), uiJsonSchema()]) }];
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { path, text } of generatedFiles()) {
    let current = '';
    try {
      current = readFileSync(join(root, path), 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current === text) continue;
    stale += 1;
    if (check) console.error(`${path} is not what the zod source emits; run npm run protocol:schema`);
    else {
      writeFileSync(join(root, path), text);
      console.log(`wrote ${path}`);
    }
  }
  if (check && stale > 0) process.exit(1);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`protocol:schema: ${(error as Error).message}`);
    process.exit(1);
  }
}
