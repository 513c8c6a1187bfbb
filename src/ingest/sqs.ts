/**
 * The SQS consumer: long-polls, works on up to `concurrency` messages at once, keeps each message
 * invisible while its files load, and deletes a message only after everything it pointed at was
 * committed. A crash at any point leaves the message to come back; loading is idempotent, so
 * a redelivery duplicates nothing.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message as SqsMessage, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Database } from '../db/client.ts';
import { describeError } from '../errors.ts';
import { withFields, type Log } from '../log.ts';
import { telemetry } from '../telemetry.ts';
import { handleMessage, type Handled } from './handle.ts';
import { logFile } from './load.ts';

/**
 * Long-poll length. A poll is not aborted on shutdown (SQS would still hand the aborted request
 * its messages, hiding them for a whole visibility timeout), so this bounds how long stop waits.
 */
const WAIT_SECONDS = 10;

export interface ConsumerOptions {
  db: Database;
  s3: S3Client;
  sqs: SQSClient;
  queueUrl: string;
  concurrency: number;
  visibilityTimeoutSeconds: number;
  log: Log;
  onHandled?: (h: Handled, m: SqsMessage) => void;
}

export interface ConsumerStatus {
  running: boolean;
  inFlight: number;
  lastMessageAt: string | null;
  /** The queue's last failure (a receive), cleared by the next receive that works. */
  lastError: string | null;
  /** Since when receives fail (null: the last one worked). */
  failingSince: string | null;
  /** The last message whose work failed (it comes back), cleared when a message is handled. */
  lastMessageError: string | null;
  lastPollAt: string | null;
}

export class SqsConsumer {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  readonly status: ConsumerStatus = { running: false, inFlight: 0, lastMessageAt: null, lastError: null, failingSince: null, lastMessageError: null, lastPollAt: null };
  private readonly log: Log;
  private readonly ingestLog: Log;

  constructor(private readonly o: ConsumerOptions) {
    this.log = withFields(o.log, { component: 'sqs' });
    this.ingestLog = withFields(o.log, { component: 'ingest' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.status.running = true;
    this.loop = this.run();
  }

  /**
   * Stops receiving and lets in-flight messages finish (their transactions commit or roll back);
   * messages a last poll brings in after that are released for another consumer at once.
   */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    this.status.running = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      let messages: SqsMessage[] = [];
      try {
        const r = await this.o.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.o.queueUrl,
            MaxNumberOfMessages: Math.min(10, free),
            WaitTimeSeconds: WAIT_SECONDS,
            VisibilityTimeout: this.o.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        messages = r.Messages ?? [];
        this.status.lastPollAt = new Date().toISOString();
        if (this.status.failingSince) this.log(`receiving again (failing since ${this.status.failingSince})`);
        this.status.lastError = null;
        this.status.failingSince = null;
        for (let i = 0; i < messages.length; i++) telemetry.queueMessage('received');
      } catch (error) {
        if (!this.running) break;
        this.status.lastError = `receive: ${describeError(error)}`;
        this.status.failingSince ??= new Date().toISOString();
        this.log(`${this.status.lastError}; retrying in 5 s`, { level: 'warn' });
        await new Promise((r) => setTimeout(r, 5000));
        continue;
      }
      if (!this.running) {
        await this.release(messages);
        break;
      }
      for (const m of messages) {
        const work = this.process(m).finally(() => {
          this.inFlight.delete(work);
          this.status.inFlight = this.inFlight.size;
        });
        this.inFlight.add(work);
        this.status.inFlight = this.inFlight.size;
      }
    }
  }

  private async release(messages: SqsMessage[]): Promise<void> {
    for (const m of messages) {
      await this.o.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }))
        .catch((error: unknown) => this.log(`could not release message ${m.MessageId}: ${describeError(error)}; it returns after its visibility timeout`, { level: 'warn', messageId: m.MessageId }));
    }
  }

  private async process(m: SqsMessage): Promise<void> {
    const id = m.MessageId ?? 'unknown';
    this.status.lastMessageAt = new Date().toISOString();
    // keep the message invisible while a large file loads
    const extendEveryMs = (this.o.visibilityTimeoutSeconds * 1000) / 2;
    const heartbeat = setInterval(() => {
      this.o.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: this.o.visibilityTimeoutSeconds }))
        .catch((error: unknown) => this.log(`could not extend message ${id}: ${describeError(error)}`, { level: 'warn', messageId: id }));
    }, extendEveryMs);
    try {
      const handled = await handleMessage({ db: this.o.db, s3: this.o.s3 }, id, m.Body ?? '');
      clearInterval(heartbeat);
      this.o.onHandled?.(handled, m);
      for (const f of handled.files) {
        telemetry.fileIngested(f);
        if (f.status !== 'unchanged') logFile(this.ingestLog, f, { messageId: id });
      }
      if (handled.outcome === 'dead-letter') {
        telemetry.queueMessage('dead-lettered');
        this.log(`message ${id} not understood (${handled.message.kind === 'unknown' ? handled.message.reason : ''}); kept in dead_letter and left for the queue's redrive policy`, { level: 'warn', messageId: id });
        return;
      }
      await this.o.sqs.send(new DeleteMessageCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: m.ReceiptHandle }));
      telemetry.queueMessage('deleted');
      this.status.lastMessageError = null;
    } catch (error) {
      clearInterval(heartbeat);
      telemetry.queueMessage('failed');
      this.status.lastMessageError = `message ${id}: ${describeError(error)}`;
      this.log(`${this.status.lastMessageError}; it will be received again`, { level: 'warn', messageId: id });
    }
  }
}
