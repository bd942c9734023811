import fc from 'fast-check';

/**
 * Requests generated from the OpenAPI document's own schemas, for property tests: per operation,
 * values that the schema allows (enums, patterns, formats, bounds, required members) and, in hostile
 * mode, values it forbids or that stress what lies behind it. The document is the contract, so a new
 * parameter or body field is exercised without editing the test. Only the JSON Schema keywords the
 * document uses are understood; an unknown shape falls back to any JSON value.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  parameters: Parameter[];
  body: JsonSchema | null;
  /** Content types of its 2xx answers, offered in Accept. */
  produces: string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface GeneratedRequest {
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** True when the generator was free to break the contract; false when every part is schema-valid. */
  hostile: boolean;
}

/** Values a client must not be able to store or that often break parsers, collations or logs. */
const POISONS = ['\u0000', '\ud800', '\udfff', '\udfff\ud800', '\u202eevil', '\u200f\u05e9\u05dc\u05d5\u05dd', '👩🏽‍💻', '\ufeff', '\u2028', '%00', '../../', '"\'\\', "'; drop table tasks; --"];

const BAD_NUMBERS = [1e308, -1e308, -1, -0, 0.5, 2 ** 53, 2 ** 64, Number.MIN_VALUE, 1e21];

/** Free to choose the value of a parameter or property by its name (real ids, say); undefined leaves it to the schema. */
export type Hint = (name: string, operation: Operation) => fc.Arbitrary<unknown> | undefined;

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase() as Operation['method'],
      path,
      operationId: operation.operationId,
      parameters: operation.parameters ?? [],
      body: operation.requestBody?.content['application/json']?.schema ?? null,
      produces: [...new Set(Object.entries(operation.responses).filter(([status]) => status.startsWith('2')).flatMap(([, response]) => Object.keys(response.content ?? {})))],
    })),
  );
}

export class RequestArbitraries {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly hint: Hint,
  ) {}

  /** Valid and hostile requests to one operation, in about equal numbers. */
  request(operation: Operation): fc.Arbitrary<GeneratedRequest> {
    return fc.oneof(this.build(operation, false), this.build(operation, true));
  }

  private build(operation: Operation, hostile: boolean): fc.Arbitrary<GeneratedRequest> {
    const value = (parameter: Parameter) => this.value(parameter.schema, parameter.name, operation, hostile);
    const of = (place: Parameter['in']) => operation.parameters.filter((parameter) => parameter.in === place);
    const pathParams = fc.record(Object.fromEntries(of('path').map((p) => [p.name, value(p)])));
    const named = (place: Parameter['in']) => {
      const values = fc.record(Object.fromEntries(of(place).map((p) => [p.name, value(p)])));
      const names = of(place).map((p) => p.name);
      const required = of(place).filter((p) => p.required).map((p) => p.name);
      // A hostile request takes any subset, leaving out required parameters too. A valid one sends
      // every header (they are few and independent; a hostile one leaving out If-Match gets its 428)
      // but few optional query parameters: the rules that combine those
      // (changedAfter excludes status) are not in the schema, and with many at once most requests break one.
      const chosen = hostile
        ? fc.subarray(names)
        : place === 'header'
          ? fc.constant(names)
          : optionalSubset(names.filter((name) => !required.includes(name))).map((optional) => [...required, ...optional]);
      return fc.tuple(values, chosen).map(([v, picked]) => Object.fromEntries(picked.map((name) => [name, v[name]])));
    };
    const accepts = [...operation.produces, ...(hostile ? ['application/xml', 'text/csv;q=0, */*;q=0', 'garbage'] : [])];
    const accept = accepts.length ? fc.option(fc.constantFrom(...accepts), { nil: undefined }) : fc.constant(undefined);
    const extraQuery = hostile ? fc.option(hostileQuery(), { nil: undefined }) : fc.constant(undefined);
    const body = operation.body ? this.body(operation, operation.body, hostile) : fc.constant(undefined);
    return fc.record({ pathParams, query: named('query'), headers: named('header'), accept, extraQuery, body }).map(({ pathParams, query, headers, accept, extraQuery, body }) => {
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeText(asText(pathParams[name])));
      const pairs = Object.entries(query).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((item) => `${name}=${encodeText(asText(item))}`));
      if (extraQuery) pairs.push(extraQuery);
      const sent: Record<string, string> = Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, headerSafe(asText(v))]));
      if (accept) sent.accept = accept;
      if (body?.contentType) sent['content-type'] = body.contentType;
      return { method: operation.method, url: pairs.length ? `${path}?${pairs.join('&')}` : path, headers: sent, ...(body ? { payload: body.text } : {}), hostile };
    });
  }

  private body(operation: Operation, schema: JsonSchema, hostile: boolean): fc.Arbitrary<{ contentType?: string; text: string } | undefined> {
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a hostile client would send it.
    const json = this.value(schema, '', operation, hostile).map((v) => ({ contentType: 'application/json', text: JSON.stringify(v) ?? 'null' }));
    if (!hostile) return json;
    const member = Object.keys(this.resolve(schema).properties ?? { x: {} })[0];
    return fc.oneof(
      { weight: 6, arbitrary: json },
      fc.constant(undefined),
      fc.constantFrom('', '{', '{"a":1,}', 'null', '[]', '"text"', `{"${member}":1e400}`, `{"${member}":-0.0e-400}`, `{"${member}":1,"${member}":"twice"}`, '{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"x":1}}}').map((text) => ({ contentType: 'application/json', text })),
      fc.integer({ min: 3, max: 5 }).map((exponent) => ({ contentType: 'application/json', text: `{"${member}":${'['.repeat(10 ** exponent)}${']'.repeat(10 ** exponent)}}` })),
      json.map(({ text }) => ({ contentType: 'text/plain', text })),
      json.map(({ text }) => ({ contentType: 'application/x-www-form-urlencoded', text })),
      json.map(({ text }) => ({ text })),
    );
  }

  /** A value for schema: one it allows, or, when hostile, now and then one it forbids. */
  value(schema: JsonSchema, name: string, operation: Operation, hostile: boolean): fc.Arbitrary<unknown> {
    const resolved = this.resolve(schema);
    if (schema.$ref) this.building.push(schema.$ref);
    try {
      const allowed = this.allowed(resolved, name, operation, hostile);
      return hostile ? fc.oneof({ weight: 3, arbitrary: allowed }, { weight: 1, arbitrary: forbidden(resolved, allowed) }) : allowed;
    } finally {
      if (schema.$ref) this.building.pop();
    }
  }

  /** The schemas being built, outermost first: a recursive one (a task's sub-tasks) stops at its second level. */
  private readonly building: string[] = [];

  private allowed(schema: JsonSchema, name: string, operation: Operation, hostile: boolean): fc.Arbitrary<unknown> {
    const hinted = this.hint(name, operation);
    const fromSchema = this.fromSchema(schema, name, operation, hostile);
    return hinted ? fc.oneof({ weight: 4, arbitrary: hinted }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
  }

  private fromSchema(schema: JsonSchema, name: string, operation: Operation, hostile: boolean): fc.Arbitrary<unknown> {
    const alternatives = schema.anyOf ?? schema.oneOf;
    if ('const' in schema) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (alternatives) return fc.oneof(...alternatives.map((alternative) => this.value(alternative, name, operation, hostile)));
    switch (schema.type) {
      case 'string':
        return stringFor(schema);
      case 'integer': {
        const min = schema.minimum ?? -1000;
        const max = schema.maximum ?? 1000;
        // Small values are the ones that name real rows (positions, versions, page sizes); the bounds are edges.
        return fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.constantFrom(min, max));
      }
      case 'number':
        return fc.double({ min: schema.minimum, max: schema.maximum, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        if (schema.items?.$ref && this.building.includes(schema.items.$ref)) return fc.constant([]);
        return fc.array(this.value(schema.items ?? {}, name, operation, hostile), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
      case 'object':
        return this.object(schema, operation, hostile);
      default:
        return fc.jsonValue({ maxDepth: 1 });
    }
  }

  private object(schema: JsonSchema, operation: Operation, hostile: boolean): fc.Arbitrary<Record<string, unknown>> {
    const properties = schema.properties ?? {};
    const required = schema.required ?? [];
    const members = fc.record(Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, this.value(property, key, operation, hostile)])), { requiredKeys: required });
    if (!hostile) return members;
    return fc.oneof(
      { weight: 3, arbitrary: members },
      fc.tuple(members, fc.constantFrom('extra', 'stauts', '__proto__', 'constructor', ''), fc.jsonValue({ maxDepth: 1 })).map(([object, key, v]) => Object.defineProperty({ ...object }, key, { value: v, enumerable: true })),
      ...(required.length ? [fc.tuple(members, fc.constantFrom(...required)).map(([object, key]) => withoutKey(object, key))] : []),
    );
  }

  private resolve(schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const resolved = this.document.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    if (!resolved) throw new Error(`unresolvable ${schema.$ref}`);
    return this.resolve(resolved);
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 100;
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (schema.format === 'date') return instant().map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'date-time') return instant().map((d) => d.toISOString());
  if (schema.format === 'uri') return fc.oneof(fc.constantFrom('https://example.gov.cn/evidence/1.pdf', 'https://hooks.example.org/duban', 'http://example.org/a?b=c#d'), fc.webUrl()).filter(fits);
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  return fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, 40) }).filter(fits);
}

/** Around the seeded data (January 2026) and the test clock (March 2026), where reports have something to count. */
function instant(): fc.Arbitrary<Date> {
  return fc.date({ min: new Date('2019-01-01T00:00:00Z'), max: new Date('2031-12-31T23:59:59Z'), noInvalidDate: true });
}

/** Values the schema forbids, or that it allows only nominally: wrong types, edges, poisons, sizes, nesting. */
function forbidden(schema: JsonSchema, allowed: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const common = [fc.jsonValue({ maxDepth: 2 }), fc.integer({ min: 1, max: 3 }).map((e) => nest(10 ** e))];
  if (schema.type === 'integer' || schema.type === 'number') {
    const edges = [schema.minimum, schema.maximum].filter((n): n is number => n !== undefined).flatMap((n) => [n - 1, n + 1, n + 0.5]);
    return fc.oneof(fc.constantFrom(...BAD_NUMBERS, ...edges), fc.constantFrom(...BAD_NUMBERS, ...edges).map(String), ...common);
  }
  if (schema.type === 'array') return fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: (schema.maxItems ?? 100) + 1, maxLength: (schema.maxItems ?? 100) + 2 }), ...common);
  // Objects are broken member by member (object()); anyOf and oneOf through their alternatives.
  if (schema.type !== 'string') return fc.oneof(...common);
  // A string schema's allowed values are all strings; the filter only tells TypeScript so.
  const text = allowed.filter((v): v is string => typeof v === 'string');
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(text, fc.constantFrom(...POISONS), fc.nat()).map(([s, poison, at]) => s.slice(0, at % (s.length + 1)) + poison + s.slice(at % (s.length + 1))) },
    fc.constantFrom('', ' ', 'x'.repeat((schema.maxLength ?? 200) + 1), 'x'.repeat(5000), 'x'.repeat(300_000)),
    fc.string({ unit: 'binary', maxLength: 30 }),
    ...common,
  );
}

function optionalSubset(names: string[]): fc.Arbitrary<string[]> {
  return fc.subarray(names, { maxLength: Math.min(2, names.length) });
}

function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** Random bytes after the declared parameters: stray %, invalid UTF-8, odd separators. */
function hostileQuery(): fc.Arbitrary<string> {
  const byte = fc.integer({ min: 0, max: 255 }).map((b) => (/[A-Za-z0-9=&._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`));
  return fc.oneof(fc.array(byte, { maxLength: 40 }).map((parts) => parts.join('')), fc.constantFrom('%', '%zz', '%E0%A4%A', 'a[b]=1', 'a[__proto__][x]=1', '&&&', '=', 'limit=1&limit=2', 'unknown=1'));
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/**
 * Percent-encodes every UTF-16 code unit, a lone surrogate included as the three bytes a WTF-8
 * client sends (encodeURIComponent throws on one); the server sees bytes that are not UTF-8.
 */
function encodeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && /[\udc00-\udfff]/.test(text[i + 1]!);
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/** What an HTTP client can put in a header: text outside Latin-1 goes as its UTF-8 bytes, control characters not at all. */
function headerSafe(text: string): string {
  return Buffer.from(text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ''), 'utf8').toString('latin1');
}
