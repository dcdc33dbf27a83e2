import { z } from 'zod';
import { CanonicalEvents, type DetailType } from './events';

export interface CatalogueEntry {
  detailType: DetailType;
  schemaVersion: number;
  fileName: string;
  schema: Record<string, unknown>;
}

/** JSON Schema of every canonical event's detail, generated from the zod schemas. */
export const eventCatalogue = (): CatalogueEntry[] =>
  (Object.keys(CanonicalEvents) as DetailType[]).map((detailType) => {
    const schema = z.toJSONSchema(CanonicalEvents[detailType], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const schemaVersion = Number((schema as { properties?: { schemaVersion?: { const?: number } } }).properties?.schemaVersion?.const ?? 1);
    return {
      detailType,
      schemaVersion,
      fileName: `${detailType}.v${schemaVersion}.json`,
      schema: { $id: `https://retail-sync.dev/events/${detailType}.v${schemaVersion}.json`, title: `${detailType} (detail, schema version ${schemaVersion})`, ...schema },
    };
  });

type Schema = { type?: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown; anyOf?: Schema[] };

/**
 * Lists the changes from `before` to `after` that would break a consumer written against `before`:
 * a property removed, a property newly required, a type or enum narrowed, a constant changed.
 */
export const breakingChanges = (before: Schema, after: Schema, path = '(detail)'): string[] => {
  const problems: string[] = [];
  if (JSON.stringify(before.type) !== JSON.stringify(after.type)) problems.push(`${path}: type ${JSON.stringify(before.type)} became ${JSON.stringify(after.type)}`);
  if (before.const !== undefined && JSON.stringify(before.const) !== JSON.stringify(after.const)) problems.push(`${path}: constant changed`);
  if (before.enum) {
    const removed = before.enum.filter((value) => !(after.enum ?? []).includes(value));
    if (after.enum && removed.length > 0) problems.push(`${path}: values ${JSON.stringify(removed)} no longer allowed`);
    if (after.enum && (after.enum ?? []).some((value) => !before.enum!.includes(value))) problems.push(`${path}: new values a consumer does not know`);
  }
  for (const [name, property] of Object.entries(before.properties ?? {})) {
    const next = after.properties?.[name];
    if (!next) problems.push(`${path}.${name}: removed`);
    else problems.push(...breakingChanges(property, next, `${path}.${name}`));
  }
  const newlyRequired = (after.required ?? []).filter((name) => !(before.required ?? []).includes(name));
  for (const name of newlyRequired) problems.push(`${path}.${name}: now required`);
  if (before.items && after.items) problems.push(...breakingChanges(before.items, after.items, `${path}[]`));
  return problems;
};
