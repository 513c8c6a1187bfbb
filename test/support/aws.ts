/**
 * Real AWS wire protocol on loopback: s3rver for S3, fauxqs for SNS and SQS. s3rver's
 * object-created events are forwarded to the SNS topic the way a bucket notification would send
 * them (keys URL-encoded), and the topic delivers to the queue in its SNS envelope.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import S3rver from 's3rver';

export interface AwsEmulators {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  bucket: string;
  queueUrl: string;
  topicArn: string;
  s3Endpoint: string;
  sqsEndpoint: string;
  /** Environment for a child process or the CLI: the SDK picks these up itself. */
  env: Record<string, string>;
  put(key: string, body: string | Buffer): Promise<void>;
  send(body: unknown): Promise<void>;
  /** Pauses or resumes forwarding S3 events to SNS. */
  forwardEvents: boolean;
  stop(): Promise<void>;
}

/** How S3 writes a key into an event notification. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
}

export async function startAws(options: { visibilityTimeoutSeconds?: number; receiveCountToDlq?: number } = {}): Promise<AwsEmulators> {
  const fauxqs: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mp-s3rver-'));
  const bucket = 'seller-feeds';
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await s3rver.run()) as unknown as { port: number };
  const s3Endpoint = `http://127.0.0.1:${port}`;
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  const region = 'us-east-1';
  const s3 = new S3Client({ endpoint: s3Endpoint, region, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region, credentials: creds });
  const sns = new SNSClient({ endpoint: sqsEndpoint, region, credentials: creds });

  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'feeds-dlq' }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'feeds',
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.receiveCountToDlq ?? 5 }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const topic = await sns.send(new CreateTopicCommand({ Name: 'seller-feeds-events' }));
  const topicArn = topic.TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));

  const emulators: AwsEmulators = {
    s3,
    sqs,
    sns,
    bucket,
    queueUrl,
    topicArn,
    s3Endpoint,
    sqsEndpoint,
    forwardEvents: true,
    env: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    },
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async send(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }));
    },
    async stop() {
      await Promise.allSettled([fauxqs.stop(), s3rver.close()]);
    },
  };

  (s3rver as unknown as { on(e: 'event', f: (ev: { Records: Array<{ s3: { object: { key: string } } }> }) => void): void }).on('event', (ev) => {
    if (!emulators.forwardEvents) return;
    for (const r of ev.Records) r.s3.object.key = encodeEventKey(r.s3.object.key);
    void sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(ev) }));
  });
  return emulators;
}
