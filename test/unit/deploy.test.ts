import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { classifyMessage } from '../../src/ingest/messages.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, ROOT), 'utf8');
const MAIN_TEMPLATE = 'deploy/aws/marketplace-pulse.yaml';
const FORWARDER_TEMPLATE = 'deploy/aws/marketplace-events-forwarder.yaml';

// ---- CloudFormation templates: short-form tags, and the intrinsic functions resolved ----------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `!Sub x` -> `{ "Fn::Sub": x }`, in each form a tag may take (scalar, sequence, mapping). */
function functionTags(name: string, key = `Fn::${name}`): Array<ScalarTag | CollectionTag> {
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
}

const CFN_TAGS: Array<ScalarTag | CollectionTag> = [
  ...functionTags('Ref', 'Ref'),
  ...functionTags('Condition', 'Condition'),
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)] }) },
  { tag: '!GetAtt', collection: 'seq', resolve: (seq) => ({ 'Fn::GetAtt': seq.toJSON() }) },
  ...['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'And', 'Equals', 'If', 'Not', 'Or', 'Contains', 'EachMemberEquals', 'EachMemberIn'].flatMap((name) => functionTags(name)),
];

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Json;
}
interface Template {
  Parameters: Record<string, { Type: string; Default?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
}

async function readTemplate(path: string): Promise<Template> {
  return parse(await read(path), { customTags: CFN_TAGS }) as Template;
}

const NO_VALUE = Symbol('AWS::NoValue');
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'REGION', 'AWS::AccountId': 'ACCOUNT', 'AWS::StackName': 'STACK', 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * The template as CloudFormation would build it for these parameters: conditions decided, intrinsic
 * functions resolved, resources whose condition is false left out. A resource's Ref and
 * attributes are the strings given in `attributes` ("Queue", "Queue.Arn"), else "{Queue.Arn}".
 */
function instantiate(template: Template, given: Record<string, string>, attributes: Record<string, string> = {}) {
  const parameters: Record<string, string | string[]> = {};
  for (const [name, p] of Object.entries(template.Parameters)) {
    const raw = given[name] ?? p.Default;
    if (raw === undefined) throw new Error(`parameter ${name} needs a value`);
    parameters[name] = p.Type === 'CommaDelimitedList' ? raw.split(',') : raw;
  }
  const decided = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!decided.has(name)) {
      if (!template.Conditions || !(name in template.Conditions)) throw new Error(`no condition ${name}`);
      decided.set(name, value(template.Conditions[name]) === true);
    }
    return decided.get(name)!;
  };
  const attribute = (name: string) => attributes[name] ?? `{${name}}`;
  const ref = (name: string): unknown => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in parameters) return parameters[name];
    if (name in PSEUDO) return PSEUDO[name];
    if (name in template.Resources) return attribute(name);
    throw new Error(`Ref to unknown ${name}`);
  };
  const sub = (text: string, vars: Json = {}) =>
    text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return String(value(vars[name]));
      return name.includes('.') && !name.startsWith('AWS::') ? attribute(name) : String(ref(name));
    });
  const value = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(value).filter((v) => v !== NO_VALUE);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    const arg = node[keys[0]!];
    const args = Array.isArray(arg) ? arg : [arg];
    if (keys.length === 1) {
      switch (keys[0]) {
        case 'Ref':
          return ref(arg as string);
        case 'Condition':
          if (typeof arg === 'string') return condition(arg);
          break;
        case 'Fn::GetAtt':
          return attribute((arg as string[]).join('.'));
        case 'Fn::Sub':
          return Array.isArray(arg) ? sub(arg[0] as string, arg[1] as Json) : sub(arg as string);
        case 'Fn::Join':
          return (value(args[1]) as string[]).join(args[0] as string);
        case 'Fn::Split':
          return String(value(args[1])).split(args[0] as string);
        case 'Fn::Select':
          return (value(args[1]) as unknown[])[Number(value(args[0]))];
        case 'Fn::If':
          return value(condition(args[0] as string) ? args[1] : args[2]);
        case 'Fn::Equals':
          return JSON.stringify(value(args[0])) === JSON.stringify(value(args[1]));
        case 'Fn::Not':
          return value(args[0]) !== true;
        case 'Fn::And':
          return args.every((a) => value(a) === true);
        case 'Fn::Or':
          return args.some((a) => value(a) === true);
        default:
          if (keys[0]!.startsWith('Fn::')) throw new Error(`${keys[0]} is not resolved by this test`);
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, value(v)]).filter(([, v]) => v !== NO_VALUE));
  };
  const created = Object.entries(template.Resources).filter(([, r]) => !r.Condition || condition(r.Condition));
  return {
    condition,
    /** The resolved properties of each resource created, by logical ID. */
    resources: Object.fromEntries(created.map(([id, r]) => [id, { Type: r.Type, Properties: value(r.Properties) as Json }])) as Record<string, { Type: string; Properties: Json }>,
  };
}

/** The README's least-privilege placeholders, and what each stands for in the template. */
const PLACEHOLDERS = {
  parameters: { DataFeedsBucketName: 'BUCKET', ObjectPrefix: 'PREFIX', DataFeedsKmsKeyArn: 'arn:aws:kms:REGION:ACCOUNT:key/KEY-ID' },
  attributes: { 'Queue.Arn': 'arn:aws:sqs:REGION:ACCOUNT:QUEUE', 'DeadLetterQueue.Arn': 'arn:aws:sqs:REGION:ACCOUNT:DLQ', 'S3ObjectCreatedRule.Arn': 'S3_RULE_ARN', 'MarketplaceEventsRule.Arn': 'MARKETPLACE_RULE_ARN' },
};
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sdds-notifications';

async function readmePolicy(): Promise<unknown> {
  const readme = await read('README.md');
  const block = /### IAM policy \(least privilege\)\s+```json\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error('README has no "IAM policy (least privilege)" JSON block');
  return JSON.parse(block[1]!);
}

/** EventBridge pattern matching, for the parts these rules use: value lists and `prefix`. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((p) => (isObject(p) && typeof p.prefix === 'string' ? typeof event === 'string' && event.startsWith(p.prefix) : p === event));
  if (!isObject(pattern)) return false;
  return Object.entries(pattern).every(([k, p]) => isObject(event) && matches(p, event[k]));
}

const eventBridgeEvent = (source: string, detailType: string, detail: Json, region = 'us-east-1') => ({
  version: '0', id: 'evt-1', 'detail-type': detailType, source, account: '111122223333', time: '2026-11-30T00:00:41Z', region, resources: [], detail,
});

describe('CloudFormation template (deploy/aws/marketplace-pulse.yaml)', () => {
  it("gives the service role exactly the README's least-privilege policy, trusted by ECS tasks (and the principal named)", async () => {
    const template = await readTemplate(MAIN_TEMPLATE);
    const { resources } = instantiate(template, PLACEHOLDERS.parameters, PLACEHOLDERS.attributes);
    const policies = resources.ServiceRole!.Properties.Policies as Array<{ PolicyDocument: unknown }>;
    expect(policies).toHaveLength(1);
    expect(policies[0]!.PolicyDocument).toEqual(await readmePolicy());

    const trust = (given: Record<string, string>) =>
      (instantiate(template, { ...PLACEHOLDERS.parameters, ...given }).resources.ServiceRole!.Properties.AssumeRolePolicyDocument as { Statement: Json[] }).Statement.map((s) => s.Principal);
    expect(trust({})).toEqual([{ Service: 'ecs-tasks.amazonaws.com' }]);
    const instanceRole = 'arn:aws:iam::111122223333:role/pulse-host';
    expect(trust({ ServiceRoleTrustedPrincipalArn: instanceRole })).toEqual([{ Service: 'ecs-tasks.amazonaws.com' }, { AWS: instanceRole }]);
  });

  it('sends new objects, Marketplace events and SDDS notifications to the queue, and nothing else may send to it', async () => {
    const template = await readTemplate(MAIN_TEMPLATE);
    const { resources } = instantiate(template, { ...PLACEHOLDERS.parameters, DataFeedsTopicArn: TOPIC }, PLACEHOLDERS.attributes);
    const queueArn = PLACEHOLDERS.attributes['Queue.Arn'];

    const queue = resources.Queue!.Properties;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: PLACEHOLDERS.attributes['DeadLetterQueue.Arn'], maxReceiveCount: 5 });
    expect(queue).toMatchObject({ VisibilityTimeout: 300, MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
    expect(resources.DeadLetterQueue!.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });

    for (const rule of ['S3ObjectCreatedRule', 'MarketplaceEventsRule']) {
      expect((resources[rule]!.Properties.Targets as Json[]).map((t) => t.Arn), rule).toEqual([queueArn]);
    }
    expect(resources.DataFeedsTopicSubscription!.Properties).toMatchObject({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: queueArn, RawMessageDelivery: true, Region: 'eu-west-1' });

    const senders = (policy: Json) =>
      ((policy.PolicyDocument as { Statement: Json[] }).Statement).map((s) => {
        expect(s).toMatchObject({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn });
        return [(s.Principal as Json).Service, ((s.Condition as Json).ArnEquals as Json)['aws:SourceArn']];
      });
    expect(senders(resources.QueuePolicy!.Properties)).toEqual([
      ['events.amazonaws.com', 'S3_RULE_ARN'],
      ['events.amazonaws.com', 'MARKETPLACE_RULE_ARN'],
      ['sns.amazonaws.com', TOPIC],
    ]);

    // S3Notifications=none and no topic: no S3 rule or subscription; the bucket's own notifications may send
    const own = instantiate(template, { ...PLACEHOLDERS.parameters, S3Notifications: 'none' }, PLACEHOLDERS.attributes).resources;
    expect(Object.keys(own)).not.toContain('S3ObjectCreatedRule');
    expect(Object.keys(own)).not.toContain('DataFeedsTopicSubscription');
    expect(senders(own.QueuePolicy!.Properties)).toEqual([
      ['events.amazonaws.com', 'MARKETPLACE_RULE_ARN'],
      ['s3.amazonaws.com', 'arn:aws:s3:::BUCKET'],
    ]);
  });

  it('routes only events the consumer understands: Marketplace events, and S3 "Object Created" for the bucket and prefix', async () => {
    const template = await readTemplate(MAIN_TEMPLATE);
    const { resources } = instantiate(template, { ...PLACEHOLDERS.parameters, DataFeedsBucketName: 'seller-feeds', ObjectPrefix: 'feeds/' });

    const marketplace = resources.MarketplaceEventsRule!.Properties.EventPattern as { source: string[] };
    expect(marketplace.source.length).toBeGreaterThan(0);
    for (const source of marketplace.source) {
      const event = eventBridgeEvent(source, 'Purchase Agreement Created - Manufacturer', { requestId: 'rq', agreement: { id: 'agmt-1' }, product: { id: 'prod-1' } });
      expect(matches(marketplace, event)).toBe(true);
      expect(classifyMessage(JSON.stringify(event), 'm1'), source).toMatchObject({ kind: 'event', event: { source, kind: 'Purchase Agreement Created', role: 'Manufacturer' } });
    }

    const s3 = resources.S3ObjectCreatedRule!.Properties.EventPattern;
    // keys arrive as stored ("=" and spaces are not encoded, unlike S3's own notifications)
    const key = 'feeds/BillingEventFeed_V1/year=2026/month=11/data.csv';
    const created = (bucket: string, objectKey: string, detailType = 'Object Created') =>
      eventBridgeEvent('aws.s3', detailType, { version: '0', bucket: { name: bucket }, object: { key: objectKey, size: 1812, etag: 'abc' }, 'request-id': 'R', requester: 'reports.marketplace.amazonaws.com', reason: 'PutObject' }, 'eu-west-1');
    expect(matches(s3, created('seller-feeds', key))).toBe(true);
    expect(matches(s3, created('another-bucket', key))).toBe(false);
    expect(matches(s3, created('seller-feeds', 'elsewhere/data.csv'))).toBe(false);
    expect(matches(s3, created('seller-feeds', key, 'Object Deleted'))).toBe(false);
    expect(classifyMessage(JSON.stringify(created('seller-feeds', key)), 'm1')).toEqual({
      kind: 's3',
      records: [{ bucket: 'seller-feeds', key, size: 1812, etag: 'abc', eventName: 'ObjectCreated:PutObject' }],
    });

    // without a prefix the rule takes the whole bucket
    const whole = instantiate(template, { ...PLACEHOLDERS.parameters, DataFeedsBucketName: 'seller-feeds', ObjectPrefix: '' }).resources.S3ObjectCreatedRule!.Properties.EventPattern;
    expect(matches(whole, created('seller-feeds', 'BillingEventFeed_V1/year=2026/month=11/data.csv'))).toBe(true);
  });

  it('runs the service on Fargate only when asked, with the queue, the service role and the secrets given', async () => {
    const template = await readTemplate(MAIN_TEMPLATE);
    expect(Object.keys(instantiate(template, PLACEHOLDERS.parameters).resources).sort()).toEqual(
      ['DeadLetterQueue', 'DeadLetterQueueAlarm', 'MarketplaceEventsRule', 'Queue', 'QueuePolicy', 'S3ObjectCreatedRule', 'ServiceRole'].sort(),
    );

    const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:marketplace-pulse/${name}-AbCdEf`;
    const { resources } = instantiate(
      template,
      { ...PLACEHOLDERS.parameters, RunOnFargate: 'yes', ContainerImage: 'registry/marketplace-pulse:1', DatabaseUrlSecretArn: secret('db'), SlackSecretArn: secret('slack'), SubnetIds: 'subnet-1,subnet-2', DigestDailyTo: 'cfo@example.com' },
      { Queue: 'QUEUE_URL', 'ServiceRole.Arn': 'SERVICE_ROLE_ARN' },
    );
    const task = resources.TaskDefinition!.Properties;
    expect(task.TaskRoleArn).toBe('SERVICE_ROLE_ARN');
    const [container] = task.ContainerDefinitions as Json[];
    expect(container!.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp' }]);
    expect(container!.Environment).toEqual([
      { Name: 'SQS_QUEUE_URL', Value: 'QUEUE_URL' },
      { Name: 'AWS_REGION', Value: 'REGION' },
      { Name: 'LOG_FORMAT', Value: 'json' },
      { Name: 'DIGEST_DAILY_TO', Value: 'cfo@example.com' },
    ]);
    expect((container!.Secrets as Json[]).map((s) => s.Name)).toEqual(['DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']);
    expect(JSON.stringify((container!.HealthCheck as Json).Command)).toContain('/healthz');
    const execution = (resources.TaskExecutionRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Json[] } }>)[0]!.PolicyDocument.Statement;
    expect(execution.find((s) => s.Action === 'secretsmanager:GetSecretValue')!.Resource).toEqual([secret('db'), secret('slack')]);
    expect(resources.Service!.Properties).toMatchObject({ DesiredCount: 1, LaunchType: 'FARGATE' });

    // every environment variable the task sets is one the service reads
    const names = [...(container!.Environment as Json[]), ...(container!.Secrets as Json[])].map((e) => String(e.Name));
    for (const name of names) expect(await configKeys(), name).toContain(name);
  });

  it('alarms on the dead-letter queue, notifying the topic only when one is given', async () => {
    const template = await readTemplate(MAIN_TEMPLATE);
    const alarm = (given: Record<string, string>) => instantiate(template, { ...PLACEHOLDERS.parameters, ...given }, { 'DeadLetterQueue.QueueName': 'DLQ' }).resources.DeadLetterQueueAlarm!.Properties;
    expect(alarm({})).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: 'DLQ' }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm({}).AlarmActions).toBeUndefined();
    expect(alarm({ AlarmTopicArn: TOPIC }).AlarmActions).toEqual([TOPIC]);
  });

  it('has a us-east-1 forwarder matching the same Marketplace events, sending them to the default bus of TargetRegion', async () => {
    const main = instantiate(await readTemplate(MAIN_TEMPLATE), PLACEHOLDERS.parameters).resources;
    const forwarder = instantiate(await readTemplate(FORWARDER_TEMPLATE), { TargetRegion: 'eu-west-1' }, { 'ForwarderRole.Arn': 'FORWARDER_ROLE_ARN' }).resources;
    const rule = forwarder.ForwardMarketplaceEvents!.Properties;
    expect(rule.EventPattern).toEqual(main.MarketplaceEventsRule!.Properties.EventPattern);
    const bus = 'arn:aws:events:eu-west-1:ACCOUNT:event-bus/default';
    expect(rule.Targets).toEqual([{ Id: 'marketplace-pulse-region', Arn: bus, RoleArn: 'FORWARDER_ROLE_ARN' }]);
    const role = forwarder.ForwarderRole!.Properties;
    expect((role.AssumeRolePolicyDocument as { Statement: Json[] }).Statement.map((s) => s.Principal)).toEqual([{ Service: 'events.amazonaws.com' }]);
    expect((role.Policies as Array<{ PolicyDocument: { Statement: Json[] } }>)[0]!.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }]);
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!cfnLint)(`passes cfn-lint, both templates${cfnLint ? '' : ' (skipped: the cfn-lint command is not installed; pip install cfn-lint)'}`, () => {
    const run = spawnSync('cfn-lint', ['--', MAIN_TEMPLATE, FORWARDER_TEMPLATE], { cwd: fileURLToPath(ROOT), encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

// ---- compose.yaml --------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR-default}`, against `env`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g, (_, name: string, op: string | undefined, fallback: string | undefined) => {
    const v = env[name];
    if (op === ':-') return v === undefined || v === '' ? (fallback ?? '') : v;
    if (op === '-') return v === undefined ? (fallback ?? '') : v;
    return v ?? '';
  });
}

/** The environment keys src/config.ts parses (the keys of its zod schema). */
async function configKeys(): Promise<string[]> {
  const source = await read('src/config.ts');
  const schema = /const schema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(source);
  if (!schema) throw new Error('no `const schema = z.object({ ... });` in src/config.ts');
  return [...schema[1]!.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

describe('compose.yaml', () => {
  const readCompose = async () => parse(await read('compose.yaml')) as Compose;

  it('runs the service on the postgres service, once that is healthy, with its data in a volume at DATA_DIR', async () => {
    const compose = await readCompose();
    const { postgres, quickchart } = compose.services;
    const service = compose.services['marketplace-pulse']!;
    expect(service.build).toBe('.');
    expect(postgres!.image).toMatch(/^postgres:16/);
    expect(postgres!.healthcheck!.test).toContain('pg_isready');
    expect(service.depends_on!.postgres).toEqual({ condition: 'service_healthy' });

    const env = Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, interpolate(v, {})]));
    const database = new URL(env.DATABASE_URL!);
    expect(database.protocol).toBe('postgres:');
    expect(database.hostname).toBe('postgres');
    expect(database.username).toBe(postgres!.environment!.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(interpolate(postgres!.environment!.POSTGRES_PASSWORD!, {}));
    expect(database.pathname).toBe(`/${postgres!.environment!.POSTGRES_DB}`);

    const charts = new URL(env.QUICKCHART_URL!);
    expect(charts.hostname).toBe('quickchart');
    expect(charts.port).toBe('3400');
    expect(quickchart!.image).toMatch(/^ianw\/quickchart(:|$)/);

    const dataDir = /DATA_DIR=(\S+)/.exec(await read('Dockerfile'))?.[1];
    expect(dataDir).toBe('/data');
    const mount = service.volumes!.find((v) => v.endsWith(`:${dataDir}`));
    expect(mount, `a volume at ${dataDir}`).toBeDefined();
    expect(Object.keys(compose.volumes!)).toContain(mount!.split(':')[0]);
    expect(service.ports).toContain('8080:8080');
  });

  it('sets only variables the service reads, and an unset one reads as unset', async () => {
    const service = (await readCompose()).services['marketplace-pulse']!;
    const keys = await configKeys();
    for (const name of Object.keys(service.environment!)) expect(keys, name).toContain(name);
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SMTP_URL', 'DIGEST_DAILY_TO', 'DIGEST_MONTHLY_TO', 'SQS_QUEUE_URL']) {
      expect(service.environment![name], name).toBe(`\${${name}:-}`);
    }
    // the AWS SDK reads AWS_REGION itself and fails on an empty one: it must not be passed empty
    expect(service.environment!.AWS_REGION).toBeUndefined();

    const environment = (host: Record<string, string>) => Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, interpolate(v, host)]));
    const nothingSet = loadConfig(environment({}));
    expect(nothingSet).toMatchObject({ sqsQueueUrl: undefined, slack: null, quickChartUrl: 'http://quickchart:3400', aws: { region: undefined, credentials: undefined } });
    expect(nothingSet.email).toMatchObject({ smtpUrl: undefined, dailyTo: [], monthlyTo: [] });

    const queue = 'https://sqs.eu-west-1.amazonaws.com/111122223333/marketplace-pulse-Queue-abc';
    const configured = loadConfig(environment({ SQS_QUEUE_URL: queue, AWS_REGION: 'eu-west-1', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SMTP_URL: 'smtp://mail:587', DIGEST_DAILY_TO: 'cfo@example.com' }));
    expect(configured).toMatchObject({ sqsQueueUrl: queue, aws: { region: 'eu-west-1' }, slack: { mode: 'socket', botToken: 'xoxb-1' } });
    expect(configured.email).toMatchObject({ smtpUrl: 'smtp://mail:587', dailyTo: ['cfo@example.com'] });
  });

  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!compose)(`is valid for docker compose${compose ? '' : ' (skipped: `docker compose version` fails here: no Docker Compose plugin)'}`, () => {
    const run = spawnSync('docker', ['compose', '-f', 'compose.yaml', 'config', '-q'], { cwd: fileURLToPath(ROOT), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
