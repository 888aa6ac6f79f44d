import { REMOVED_FIELDS, isInFeed } from '../src/analytics/feedEvent.js';
import { CURRENT_SCHEMA_VERSION, EVENT_SCHEMAS, EVENT_TYPES, UPCASTERS } from '../src/domain/schemas.js';

/** Renders docs/events.md from the event schemas: what `npm run docs:events` writes and a test compares. */

interface JsonSchema {
  type?: string;
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  description?: string;
  minLength?: number;
  maxLength?: number;
  required?: string[];
  properties?: Record<string, JsonSchema>;
}

function typeName(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.anyOf) return schema.anyOf.map(typeName).join(' \\| ');
  if (schema.type === 'array' && schema.items) return `array of ${typeName(schema.items)}`;
  const { minLength: min, maxLength: max } = schema;
  const bounds = max !== undefined ? ` (${min ?? 0}..${max} chars)` : min !== undefined ? ` (at least ${min})` : '';
  return `${schema.type ?? 'any'}${bounds}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderType(type: (typeof EVENT_TYPES)[number]): string {
  const { stream, description, data } = EVENT_SCHEMAS[type];
  const schema = data as unknown as JsonSchema;
  const removed = REMOVED_FIELDS[type] ?? [];
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const required = schema.required?.includes(name) ? 'yes' : 'no';
    const feed = !isInFeed(type) ? '—' : removed.includes(name) ? 'removed' : 'yes';
    return `| \`${name}\` | ${typeName(property)} | ${required} | ${feed} | ${cell(property.description ?? '')} |`;
  });
  const history = Object.entries(UPCASTERS[type] ?? {}).map(([from, step]) => `- v${from} → v${Number(from) + 1}: ${step.change}`);
  return [
    `### ${type}`,
    '',
    `Stream \`${stream}\`. ${description}`,
    '',
    '| field | type | required | in the feed | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...(history.length > 0 ? ['', 'Older versions, upcast when read:', '', ...history] : []),
    '',
  ].join('\n');
}

export function renderEventDocs(): string {
  const byStream = new Map<string, (typeof EVENT_TYPES)[number][]>();
  for (const type of EVENT_TYPES) {
    const category = EVENT_SCHEMAS[type].stream.split('-')[0]!;
    byStream.set(category, [...(byStream.get(category) ?? []), type]);
  }
  return [
    '# Events',
    '',
    '<!-- Generated from src/domain/schemas.ts by `npm run docs:events`; a test fails when this file is out of date. -->',
    '',
    `Every event in the log, as validated on append. Current \`schema_version\`: ${CURRENT_SCHEMA_VERSION}.`,
    'Every event also carries metadata `{actorId, correlationId, causationId, occurredAt, schemaVersion}`.',
    'Events recorded with an older `schemaVersion` are upcast to the current shape when read (by the projections and',
    'the analytics feed); the steps are listed under each type. The feed itself is described in [analytics.md](analytics.md).',
    '',
    ...[...byStream].flatMap(([category, types]) => [`## \`${category}-…\` streams`, '', ...types.map(renderType)]),
  ].join('\n');
}
