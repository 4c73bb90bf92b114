// The protocols as JSON Schema documents (draft 2020-12), generated from the zod definitions: every
// schema named with `.meta({ id })` is a $defs entry, and the document itself validates its first root
// (AgentFrame, HubToUi). `npm run protocol:schema` writes them next to this file; a unit test fails when
// the committed files are not what the zod source emits now.
import { z } from 'zod';
import { agentFrame, commandFrame, DEFAULT_DURATION_BUCKETS, MAX_AGENT_FRAME_BYTES, PROTOCOL_VERSION } from './agent';
import { hubToUi, uiToHub } from './ui';

export type JsonSchema = { [key: string]: unknown };

function document(id: string, title: string, roots: z.ZodType[], extra: JsonSchema): JsonSchema {
  let $schema: unknown;
  let $ref: unknown;
  const $defs: Record<string, unknown> = {};
  for (const root of roots) {
    const emitted = z.toJSONSchema(root, { target: 'draft-2020-12', unrepresentable: 'throw' });
    if (typeof emitted.$ref !== 'string') throw new Error(`${title}: every root needs .meta({ id })`);
    $schema ??= emitted.$schema;
    $ref ??= emitted.$ref;
    Object.assign($defs, emitted.$defs);
  }
  return { $schema, $id: id, title, ...extra, $ref, $defs };
}

/** Agent ⇄ hub: AgentFrame (what the agent sends; the document's own root) and CommandFrame. */
export function agentJsonSchema(): JsonSchema {
  return document('agent.schema.json', `gunicorn-live agent ⇄ hub protocol ${PROTOCOL_VERSION}`, [agentFrame, commandFrame], {
    'x-protocol-version': PROTOCOL_VERSION,
    'x-max-frame-bytes': MAX_AGENT_FRAME_BYTES,
    'x-default-duration-buckets': DEFAULT_DURATION_BUCKETS,
  });
}

/** Hub ⇄ dashboard: HubToUi (the document's own root) and UiToHub. */
export function uiJsonSchema(): JsonSchema {
  return document('ui.schema.json', 'gunicorn-live hub ⇄ dashboard messages', [hubToUi, uiToHub], {});
}

/** The files `npm run protocol:schema` writes, relative to the repository root. */
export function schemaFiles(): Array<{ path: string; text: string }> {
  return [
    { path: 'extension/protocol/agent.schema.json', text: `${JSON.stringify(agentJsonSchema(), null, 2)}\n` },
    { path: 'extension/protocol/ui.schema.json', text: `${JSON.stringify(uiJsonSchema(), null, 2)}\n` },
  ];
}
