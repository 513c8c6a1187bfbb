/**
 * Acting on one queue message. Returns 'done' when everything it points at is stored (the message
 * may be deleted) or 'dead-letter' when we cannot understand it (kept in dead_letter, left on the
 * queue for its redrive policy). Throws when the work should be retried later.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Database } from '../db/client.ts';
import { ingestObject, type FileResult } from './load.ts';
import { classifyMessage, type Message } from './messages.ts';
import { s3Object } from './s3.ts';

export interface HandleContext {
  db: Database;
  s3: S3Client;
  now?: () => Date;
}

export interface Handled {
  outcome: 'done' | 'dead-letter';
  message: Message;
  files: FileResult[];
}

export async function handleMessage(ctx: HandleContext, messageId: string, body: string): Promise<Handled> {
  const now = ctx.now ?? (() => new Date());
  const message = classifyMessage(body, messageId);
  const files: FileResult[] = [];
  const ingest = async (bucket: string, key: string) => files.push(await ingestObject(ctx.db, s3Object(ctx.s3, bucket, key), { now }));

  switch (message.kind) {
    case 's3':
      for (const r of message.records) await ingest(r.bucket, r.key);
      break;
    case 's3-test':
      break;
    case 'sdds':
      await ctx.db.query(
        `insert into feed_notification (notification_id, kind, dataset, status, message, body, received_at)
         values ($1, 'sdds', $2, $3, $4, $5, $6) on conflict (notification_id) do nothing`,
        [message.notificationId, message.dataset, message.status, message.message, JSON.stringify(message.body), now().toISOString()],
      );
      break;
    case 'cas':
      // the metadata first, so the data file loads with the coverage it states
      if (message.meta) await ingest(message.meta.bucket, message.meta.key);
      if (message.data) await ingest(message.data.bucket, message.data.key);
      await ctx.db.query(
        `insert into feed_notification (notification_id, kind, dataset, status, message, body, received_at)
         values ($1, 'cas', $2, $3, $4, $5, $6) on conflict (notification_id) do nothing`,
        [message.notificationId, files.find((f) => f.dataset)?.dataset ?? null, message.success ? 'SUCCEEDED' : 'FAILED', message.message, JSON.stringify(message.body), now().toISOString()],
      );
      break;
    case 'event': {
      const e = message.event;
      await ctx.db.query(
        `insert into marketplace_event (event_id, request_id, source, detail_type, kind, role, agreement_id, product_id, acceptor_account_id, event_time, body, received_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) on conflict (event_id) do nothing`,
        [e.eventId, e.requestId, e.source, e.detailType, e.kind, e.role, e.agreementId, e.productId, e.acceptorAccountId, e.eventTime, JSON.stringify(e.body), now().toISOString()],
      );
      break;
    }
    case 'unknown':
      await ctx.db.query(
        `insert into dead_letter (message_id, reason, body, first_seen_at, last_seen_at) values ($1, $2, $3, $4, $4)
         on conflict (message_id) do update set receive_count = dead_letter.receive_count + 1, last_seen_at = excluded.last_seen_at, reason = excluded.reason`,
        [messageId, message.reason, body, now().toISOString()],
      );
      return { outcome: 'dead-letter', message, files };
  }
  return { outcome: 'done', message, files };
}
