import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** AWS Marketplace events (EventBridge, legacy SNS), one row per event however often delivered. */
export const marketplaceEvent = pgTable(
  'marketplace_event',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** EventBridge `id`, or the SNS MessageId for legacy notifications: the dedupe key. */
    eventId: text('event_id').notNull().unique(),
    requestId: text('request_id'),
    source: text('source').notNull(),
    /** As delivered, e.g. "Purchase Agreement Created - Proposer", or the SNS action. */
    detailType: text('detail_type').notNull(),
    /** detail-type without the role suffix: "Purchase Agreement Created". */
    kind: text('kind').notNull(),
    role: text('role'),
    agreementId: text('agreement_id'),
    productId: text('product_id'),
    acceptorAccountId: text('acceptor_account_id'),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'string' }),
    body: jsonb('body').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [
    // alerts and digests ask "what happened since …" by kind
    index('marketplace_event_kind_time_idx').on(t.kind, t.eventTime),
    index('marketplace_event_agreement_idx').on(t.agreementId),
  ],
);

/** Delivery notifications that are not objects: SDDS executions and CAS GenerateDataSet results. */
export const feedNotification = pgTable(
  'feed_notification',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** SDDS executionId or CAS dataSetRequestId (+ outcome): the dedupe key. */
    notificationId: text('notification_id').notNull().unique(),
    kind: text('kind').notNull(),
    dataset: text('dataset'),
    /** SDDS: COMPLETED | SKIPPED | FAILED; CAS: SUCCEEDED | FAILED. */
    status: text('status').notNull(),
    message: text('message'),
    body: jsonb('body').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [index('feed_notification_dataset_idx').on(t.dataset, t.receivedAt)],
);

/** Messages we could not understand, kept with their body; the queue's redrive policy does the rest. */
export const deadLetter = pgTable('dead_letter', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  messageId: text('message_id').notNull().unique(),
  reason: text('reason').notNull(),
  body: text('body').notNull(),
  receiveCount: integer('receive_count').notNull().default(1),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'string' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'string' }).notNull(),
});

