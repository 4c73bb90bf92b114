// docs/protocol.md's field tables, generated from the JSON Schema documents: each
// `<!-- schema: Name -->` … `<!-- /schema -->` block is replaced by the table of $defs/Name, so the
// readable page cannot drift from the zod source (a unit test compares the committed page).
import type { JsonSchema } from './jsonSchema';

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
const BLOCK = /(<!-- schema: (\w+) -->\n)[\s\S]*?(<!-- \/schema -->)/g;

/** The page with every schema block regenerated; throws on a block naming no definition. */
export function renderSchemaTables(markdown: string, documents: JsonSchema[]): string {
  return markdown.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    const def = documents.map((d) => (d.$defs as Record<string, JsonSchema>)[name]).find(Boolean);
    if (!def) throw new Error(`docs: <!-- schema: ${name} --> names no definition in the protocol's JSON Schema`);
    return `${open}${table(def)}\n${close}`;
  });
}

/** The names of the schema blocks in the page, in order. */
export function schemaBlocks(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[2]!);
}

function table(def: JsonSchema): string {
  const union = (def.oneOf ?? def.anyOf) as JsonSchema[] | undefined;
  if (union) return `One of ${union.map(typeOf).join(', ')}.`;
  const properties = (def.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((def.required ?? []) as string[]);
  const rows = Object.entries(properties).map(([key, schema]) =>
    `| \`${key}\`${required.has(key) ? '' : ' (optional)'} | ${typeOf(schema)} | ${cell(schema.description)} |`);
  return ['| field | type | meaning |', '|---|---|---|', ...rows].join('\n');
}

function cell(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\|/g, '\\|') : '';
}

/** A JSON Schema as a short phrase: `integer ≥ 0`, `string, ≤ 512 chars`, `array of WorkerSample, ≤ 1024 items`. */
function typeOf(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') return `\`${schema.$ref.replace('#/$defs/', '')}\``;
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(' \\| ');
  switch (schema.type) {
    case 'null': return '`null`';
    case 'boolean': return 'boolean';
    case 'integer':
    case 'number': return [schema.type, bounds(schema)].filter(Boolean).join(' ');
    case 'string': {
      const limit = length(schema.minLength, schema.maxLength, 'chars');
      const pattern = typeof schema.pattern === 'string' ? `matching \`${schema.pattern}\`` : '';
      return ['string', [pattern, limit].filter(Boolean).join(', ')].filter(Boolean).join(' ');
    }
    case 'array': {
      const limit = length(schema.minItems, schema.maxItems, 'items');
      return `array of ${typeOf(schema.items as JsonSchema)}${limit ? `, ${limit}` : ''}`;
    }
    case 'object': {
      if (schema.properties) return `{${Object.keys(schema.properties as object).join(', ')}}`;
      return `object: id → ${typeOf(schema.additionalProperties as JsonSchema)}`;
    }
    default: return 'any';
  }
}

function bounds(schema: JsonSchema): string {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = schema;
  const hasMin = typeof min === 'number' && min > -SAFE_INTEGER;
  const hasMax = typeof max === 'number' && max < SAFE_INTEGER;
  if (hasMin && hasMax) return `${min}–${max}`;
  const out: string[] = [];
  if (hasMin) out.push(`≥ ${min}`);
  if (typeof xmin === 'number') out.push(`> ${xmin}`);
  if (hasMax) out.push(`≤ ${max}`);
  if (typeof xmax === 'number') out.push(`< ${xmax}`);
  return out.join(', ');
}

function length(min: unknown, max: unknown, unit: string): string {
  if (typeof min === 'number' && min > 0 && typeof max === 'number') return `${min}–${max} ${unit}`;
  if (typeof max === 'number') return `≤ ${max} ${unit}`;
  if (typeof min === 'number' && min > 0) return `≥ ${min} ${unit}`;
  return '';
}
