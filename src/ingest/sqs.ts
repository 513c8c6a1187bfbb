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
import { handleMessage, type Handled } from './handle.ts';

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
  log: (line: string) => void;
  onHandled?: (h: Handled, m: SqsMessage) => void;
}

export interface ConsumerStatus {
  running: boolean;
  inFlight: number;
  lastMessageAt: string | null;
  lastError: string | null;
  lastPollAt: string | null;
}

export class SqsConsumer {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  readonly status: ConsumerStatus = { running: false, inFlight: 0, lastMessageAt: null, lastError: null, lastPollAt: null };

  constructor(private readonly o: ConsumerOptions) {}

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
      } catch (error) {
        if (!this.running) break;
        this.status.lastError = `receive: ${describeError(error)}`;
        this.o.log(`sqs: ${this.status.lastError}; retrying in 5 s`);
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
        .catch((error: unknown) => this.o.log(`sqs: could not release message ${m.MessageId}: ${describeError(error)}; it returns after its visibility timeout`));
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
        .catch((error: unknown) => this.o.log(`sqs: could not extend message ${id}: ${describeError(error)}`));
    }, extendEveryMs);
    try {
      const handled = await handleMessage({ db: this.o.db, s3: this.o.s3 }, id, m.Body ?? '');
      clearInterval(heartbeat);
      this.o.onHandled?.(handled, m);
      for (const f of handled.files) {
        if (f.status !== 'unchanged') this.o.log(`${f.status} ${f.location}${f.status === 'rejected' ? `: ${f.error}` : ` (${f.rowsInserted} rows added)`}`);
      }
      if (handled.outcome === 'dead-letter') {
        this.o.log(`sqs: message ${id} not understood (${handled.message.kind === 'unknown' ? handled.message.reason : ''}); kept in dead_letter and left for the queue's redrive policy`);
        return;
      }
      await this.o.sqs.send(new DeleteMessageCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: m.ReceiptHandle }));
    } catch (error) {
      clearInterval(heartbeat);
      this.status.lastError = `message ${id}: ${describeError(error)}`;
      this.o.log(`sqs: ${this.status.lastError}; it will be received again`);
    }
  }
}
