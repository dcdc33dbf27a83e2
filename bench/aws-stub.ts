/**
 * A fast stand-in for the AWS APIs the webhook ingest function calls, answering on loopback as AWS
 * answers the SDK (JSON protocols, `__type` errors): DynamoDB PutItem / UpdateItem / GetItem with
 * condition expressions evaluated against the items it holds (a duplicate gets
 * `ConditionalCheckFailedException` with the old item, as `ReturnValuesOnConditionCheckFailure: ALL_OLD`
 * asks), EventBridge PutEvents, Secrets Manager GetSecretValue. It counts every request it receives, by
 * operation (`GET /_stub/stats`), so a bench reports what reached "AWS", not what it meant to send.
 *
 * It runs in a process of its own (`startAwsStub` forks this file), so its work is not timed with the
 * handler's, as AWS's is not. Any operation it does not know answers 400 `UnknownOperationException`,
 * and is counted: a bench can see that it stubbed everything the handler called.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';


type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

export interface AwsStubConfig {
  /** Secret string per Secrets Manager secret id. */
  secrets: Record<string, string>;
  /** The key attribute of every table (the idempotency table's is `id`). */
  keyAttribute?: string;
}

export interface AwsStubStats {
  /** Requests received per `Service.Operation` (e.g. `DynamoDB.PutItem`). */
  requests: Record<string, number>;
  /** Conditional writes refused with ConditionalCheckFailedException. */
  conditionalCheckFailures: number;
  /** EventBridge entries accepted. */
  eventsPut: number;
}

class StubError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A value of a condition expression: `#name` resolves to the item's attribute, `:value` to the request's. */
const comparable = (value: AttributeValue | undefined): string | number | undefined => {
  if (!value) return undefined;
  if ('N' in value) return Number(value.N);
  if ('S' in value) return String(value.S);
  if ('BOOL' in value) return String(value.BOOL);
  return JSON.stringify(value);
};

/**
 * Evaluates a DynamoDB condition expression made of `attribute_exists(#a)`, `attribute_not_exists(#a)`,
 * `#a < :v`, `#a <= :v`, `#a > :v`, `#a >= :v`, `#a = :v`, `#a <> :v`, `AND`, `OR`, `NOT` and
 * parentheses (what Powertools idempotency and the floor write); anything else is a ValidationException.
 */
export const evaluateCondition = (
  expression: string,
  item: Item | undefined,
  names: Record<string, string> = {},
  values: Record<string, AttributeValue> = {},
): boolean => {
  const tokens = expression.match(/attribute_not_exists|attribute_exists|<>|<=|>=|[<>=()]|\bAND\b|\bOR\b|\bNOT\b|[#:][\w]+|\S+/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new StubError('ValidationException', `Invalid ConditionExpression: expected ${expected ?? 'a token'} at ${position} in "${expression}"`);
    }
    return token;
  };
  const attribute = (token: string) => {
    if (!token.startsWith('#')) throw new StubError('ValidationException', `The stub only resolves attribute names given as #placeholders: "${token}"`);
    const name = names[token];
    if (name === undefined) throw new StubError('ValidationException', `Value provided in ExpressionAttributeNames unused or missing: ${token}`);
    return item?.[name];
  };
  const operand = (token: string) => {
    if (token.startsWith(':')) {
      if (!(token in values)) throw new StubError('ValidationException', `ExpressionAttributeValues has no ${token}`);
      return comparable(values[token]);
    }
    return comparable(attribute(token));
  };
  const primary = (): boolean => {
    const token = take();
    if (token === 'NOT') return !primary();
    if (token === '(') {
      const value = disjunction();
      take(')');
      return value;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      take('(');
      const exists = attribute(take()) !== undefined;
      take(')');
      return token === 'attribute_exists' ? exists : !exists;
    }
    const left = operand(token);
    const operator = take();
    const right = operand(take());
    if (left === undefined || right === undefined) return false;
    switch (operator) {
      case '<':
        return left < right;
      case '<=':
        return left <= right;
      case '>':
        return left > right;
      case '>=':
        return left >= right;
      case '=':
        return left === right;
      case '<>':
        return left !== right;
      default:
        throw new StubError('ValidationException', `The stub does not evaluate the operator "${operator}"`);
    }
  };
  const conjunction = (): boolean => {
    let value = primary();
    while (peek() === 'AND') {
      take();
      value = primary() && value;
    }
    return value;
  };
  const disjunction = (): boolean => {
    let value = conjunction();
    while (peek() === 'OR') {
      take();
      value = conjunction() || value;
    }
    return value;
  };
  const result = disjunction();
  if (position !== tokens.length) throw new StubError('ValidationException', `Invalid ConditionExpression: unexpected "${peek()}" in "${expression}"`);
  return result;
};

/** Applies `SET #a = :a, #b = :b` (the only update form the ingest path writes) to an item. */
const applyUpdate = (expression: string, item: Item, names: Record<string, string> = {}, values: Record<string, AttributeValue> = {}) => {
  const match = /^\s*SET\s+(.+)$/s.exec(expression);
  if (!match) throw new StubError('ValidationException', `The stub only applies SET updates: "${expression}"`);
  for (const assignment of match[1]!.split(',')) {
    const [name, value] = assignment.split('=').map((part) => part.trim()) as [string, string];
    if (!names[name] || !values[value]) throw new StubError('ValidationException', `Invalid UpdateExpression assignment "${assignment.trim()}"`);
    item[names[name]!] = values[value]!;
  }
};

/** Answers the requests of one stub: a function of the target and body, so it is testable without a socket. */
export const makeAwsStub = (config: AwsStubConfig) => {
  const keyAttribute = config.keyAttribute ?? 'id';
  const tables = new Map<string, Map<string, Item>>();
  const stats: AwsStubStats = { requests: {}, conditionalCheckFailures: 0, eventsPut: 0 };
  const table = (name: unknown) => {
    if (typeof name !== 'string' || !name) throw new StubError('ValidationException', 'TableName is required');
    if (!tables.has(name)) tables.set(name, new Map());
    return tables.get(name)!;
  };
  const keyOf = (key: Item | undefined) => {
    const value = key?.[keyAttribute];
    if (!value) throw new StubError('ValidationException', `The provided key element does not match the schema (the key is "${keyAttribute}")`);
    return JSON.stringify(value);
  };
  type Input = Record<string, unknown> & { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> };
  const checkCondition = (input: Input, existing: Item | undefined) => {
    if (typeof input.ConditionExpression !== 'string') return;
    if (!evaluateCondition(input.ConditionExpression, existing, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      stats.conditionalCheckFailures++;
      const old = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing ? { Item: existing } : {};
      throw new StubError('ConditionalCheckFailedException', 'The conditional request failed', old);
    }
  };

  const operations: Record<string, (input: Input) => unknown> = {
    'DynamoDB_20120810.PutItem': (input) => {
      const items = table(input.TableName);
      const item = input.Item as Item;
      const key = keyOf(item);
      checkCondition(input, items.get(key));
      items.set(key, item);
      return {};
    },
    'DynamoDB_20120810.UpdateItem': (input) => {
      const items = table(input.TableName);
      const key = keyOf(input.Key as Item);
      const existing = items.get(key);
      checkCondition(input, existing);
      const item = existing ?? { ...(input.Key as Item) };
      applyUpdate(String(input.UpdateExpression ?? ''), item, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      items.set(key, item);
      return {};
    },
    'DynamoDB_20120810.GetItem': (input) => {
      const item = table(input.TableName).get(keyOf(input.Key as Item));
      return item ? { Item: item } : {};
    },
    'AWSEvents.PutEvents': (input) => {
      const entries = (input.Entries as Array<Record<string, unknown>> | undefined) ?? [];
      if (entries.length === 0 || entries.length > 10) throw new StubError('ValidationException', `Entries must hold 1 to 10 entries; got ${entries.length}`);
      const results = entries.map((entry) => {
        const size = Buffer.byteLength(String(entry.Detail ?? '')) + Buffer.byteLength(String(entry.DetailType ?? '')) + Buffer.byteLength(String(entry.Source ?? '')) + 14;
        if (!entry.Source || !entry.DetailType || !entry.Detail) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
        if (size > 256 * 1024) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Total size of the entries in the request is over the limit' };
        try {
          JSON.parse(String(entry.Detail));
        } catch {
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed' };
        }
        return { EventId: randomUUID() };
      });
      const failed = results.filter((result) => 'ErrorCode' in result).length;
      stats.eventsPut += results.length - failed;
      return { FailedEntryCount: failed, Entries: results };
    },
    'secretsmanager.GetSecretValue': (input) => {
      const id = String(input.SecretId ?? '');
      const value = config.secrets[id];
      if (value === undefined) throw new StubError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        SecretString: value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      };
    },
  };

  /** One request: the operation's name as counted (`DynamoDB.PutItem`), its status and JSON body. */
  const answer = (target: string, body: string): { status: number; body: Record<string, unknown> | unknown } => {
    const [prefix = '', operation = target] = target.split('.');
    const counted = `${prefix.startsWith('DynamoDB') ? 'DynamoDB' : prefix === 'AWSEvents' ? 'EventBridge' : prefix === 'secretsmanager' ? 'SecretsManager' : prefix || 'unknown'}.${operation}`;
    stats.requests[counted] = (stats.requests[counted] ?? 0) + 1;
    const handle = operations[target];
    try {
      if (!handle) throw new StubError('UnknownOperationException', `The AWS stub does not answer ${target || 'a request without X-Amz-Target'}`);
      return { status: 200, body: handle(JSON.parse(body || '{}') as Input) };
    } catch (error) {
      if (error instanceof StubError) return { status: 400, body: { __type: error.type, message: error.message, ...error.extra } };
      return { status: 400, body: { __type: 'SerializationException', message: (error as Error).message } };
    }
  };
  return { answer, stats };
};

/** Serves a stub on 127.0.0.1 (port 0: any free one). */
export const serveAwsStub = async (config: AwsStubConfig, port = 0) => {
  const stub = makeAwsStub(config);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET' && request.url === '/_stub/stats') {
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify(stub.stats));
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const { status, body } = stub.answer(target, Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(body);
      response.writeHead(status, {
        'content-type': target.startsWith('DynamoDB') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      });
      response.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, stats: stub.stats };
};

export interface RunningAwsStub {
  endpoint: string;
  /** What the stub has received so far, read from it. */
  stats(): Promise<AwsStubStats>;
  stop(): Promise<void>;
}

/** Starts the stub in a child process (tsx) and resolves once it listens. */
export const startAwsStub = async (config: AwsStubConfig): Promise<RunningAwsStub> => {
  const child: ChildProcess = spawn(process.execPath, [require.resolve('tsx/cli'), __filename, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`The AWS stub exited with ${code} before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    stats: async () => (await (await fetch(`${endpoint}/_stub/stats`)).json()) as AwsStubStats,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{"secrets":{}}') as AwsStubConfig;
  void serveAwsStub(config).then(({ port }) => console.log(`listening ${port}`));
}

