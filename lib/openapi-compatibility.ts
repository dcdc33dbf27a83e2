/**
 * What /v1 promises its clients (docs/api-policy.md), as a check of the current OpenAPI document against
 * the last released one: it may only grow. Pure: the test reads both documents.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
};
type Parameter = { name: string; in: string; required?: boolean };
type Response = { content?: Record<string, { schema?: Schema }>; headers?: Record<string, unknown> };
type Operation = {
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Response>;
};
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const resolve = (document: OpenApiDocument, schema: Schema | undefined): Schema | undefined => {
  if (!schema?.$ref) return schema;
  return resolve(document, document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]);
};

/** An object schema's properties and required names, `allOf` merged. */
const shape = (document: OpenApiDocument, schema: Schema | undefined): { properties: Record<string, Schema>; required: Set<string> } => {
  const resolved = resolve(document, schema);
  const properties: Record<string, Schema> = { ...resolved?.properties };
  const required = new Set(resolved?.required ?? []);
  for (const part of resolved?.allOf ?? []) {
    const merged = shape(document, part);
    Object.assign(properties, merged.properties);
    for (const name of merged.required) required.add(name);
  }
  return { properties, required };
};

/** Fields a client relied on (required in the released response) that the current one no longer promises. */
const lostResponseFields = (released: OpenApiDocument, current: OpenApiDocument, was: Schema | undefined, is: Schema | undefined, at: string, seen = new Set<string>()): string[] => {
  const key = `${at}|${JSON.stringify(was)}`;
  if (seen.has(key) || at.split('.').length > 12) return [];
  seen.add(key);
  const before = shape(released, was);
  const after = shape(current, is);
  const lost: string[] = [];
  for (const name of before.required) {
    if (!after.required.has(name)) lost.push(`${at}.${name}`);
    else lost.push(...lostResponseFields(released, current, before.properties[name], after.properties[name], `${at}.${name}`, seen));
  }
  const wasItems = resolve(released, was)?.items;
  const isItems = resolve(current, is)?.items;
  if (wasItems && isItems) lost.push(...lostResponseFields(released, current, wasItems, isItems, `${at}[]`, seen));
  return lost;
};

/** Request fields a client could leave out before that it must now send (new required fields included). */
const newlyRequiredRequestFields = (released: OpenApiDocument, current: OpenApiDocument, was: Schema | undefined, is: Schema | undefined, at: string, depth = 0): string[] => {
  if (depth > 12) return [];
  const before = shape(released, was);
  const after = shape(current, is);
  const added: string[] = [];
  for (const name of after.required) {
    if (!before.required.has(name)) added.push(`${at}.${name}`);
    else added.push(...newlyRequiredRequestFields(released, current, before.properties[name], after.properties[name], `${at}.${name}`, depth + 1));
  }
  const wasItems = resolve(released, was)?.items;
  const isItems = resolve(current, is)?.items;
  if (wasItems && isItems) added.push(...newlyRequiredRequestFields(released, current, wasItems, isItems, `${at}[]`, depth + 1));
  return added;
};

const operationsOf = (document: OpenApiDocument) =>
  Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, method, operation })),
  );

/**
 * The changes from `released` to `current` that would break a client of /v1: a route, a response status,
 * a required response field or a response media type removed; a request field or parameter made required
 * (or added as required); a deprecated route without `Deprecation` and `Sunset` on its responses.
 *
 * @example
 * breakingChanges(released, current); // ['GET /v1/health: the route was removed']
 */
export const breakingChanges = (released: OpenApiDocument, current: OpenApiDocument): string[] => {
  const found: string[] = [];
  const now = new Map(operationsOf(current).map((entry) => [entry.name, entry.operation]));

  for (const { name, operation: was } of operationsOf(released)) {
    const is = now.get(name);
    if (!is) {
      found.push(`${name}: the route was removed (retire it with Deprecation and Sunset instead; it goes only with /v2)`);
      continue;
    }
    for (const [status, response] of Object.entries(was.responses ?? {})) {
      const answer = is.responses?.[status];
      if (!answer) {
        found.push(`${name}: response ${status} was removed`);
        continue;
      }
      for (const [mediaType, media] of Object.entries(response.content ?? {})) {
        const answered = answer.content?.[mediaType];
        if (!answered) found.push(`${name}: response ${status} no longer answers ${mediaType}`);
        else for (const field of lostResponseFields(released, current, media.schema, answered.schema, 'body')) found.push(`${name}: response ${status} no longer requires ${field}`);
      }
    }
    const wasParameters = new Map((was.parameters ?? []).map((parameter) => [`${parameter.in}:${parameter.name}`, parameter]));
    for (const parameter of is.parameters ?? []) {
      if (parameter.required && !wasParameters.get(`${parameter.in}:${parameter.name}`)?.required) found.push(`${name}: ${parameter.in} parameter ${parameter.name} is now required`);
    }
    if (is.requestBody?.required && !was.requestBody?.required) found.push(`${name}: the request body is now required`);
    for (const [mediaType, media] of Object.entries(is.requestBody?.content ?? {})) {
      const before = was.requestBody?.content?.[mediaType];
      if (!before) continue;
      for (const field of newlyRequiredRequestFields(released, current, before.schema, media.schema, 'body')) found.push(`${name}: request field ${field} is now required`);
    }
  }

  for (const { name, operation } of operationsOf(current)) {
    if (!operation.deprecated) continue;
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const headers = Object.keys(response.headers ?? {}).map((header) => header.toLowerCase());
      if (!headers.includes('deprecation') || !headers.includes('sunset')) found.push(`${name}: deprecated, but response ${status} does not document Deprecation and Sunset`);
    }
  }
  return found;
};
