import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every Slack alert posted, one row per alert key ("delivery:sdds_billing_event:2026-11-28",
 * "rejected:<ledger id>", "subscriber:<agreement>"): the key is what makes an alert post once across
 * restarts and replicas, and the message's ts is where its follow-ups are threaded.
 */
export const slackAlert = pgTable(
  'slack_alert',
  {
    alertKey: text('alert_key').primaryKey(),
    kind: text('kind').notNull(),
    /** What it is about: a dataset, an object key, an agreement. */
    subject: text('subject').notNull(),
    channel: text('channel').notNull(),
    /** The message's ts once posted; null while a replica is posting it. */
    messageTs: text('message_ts'),
    firstPostedAt: timestamp('first_posted_at', { withTimezone: true, mode: 'string' }).notNull(),
    lastPostedAt: timestamp('last_posted_at', { withTimezone: true, mode: 'string' }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'string' }),
    details: jsonb('details'),
  },
  (t) => [index('slack_alert_open_idx').on(t.kind, t.subject).where(sql`resolved_at is null`)],
);

/** Muted alerts: a dataset or an alert kind, until a moment. */
export const slackSnooze = pgTable('slack_snooze', {
  target: text('target').primaryKey(),
  until: timestamp('until', { withTimezone: true, mode: 'string' }).notNull(),
  byUser: text('by_user').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull(),
});
