import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';

/**
 * Every digest and on-demand email: claimed before it is sent, so each (digest, period,
 * recipients) goes out once across restarts and replicas. A claim that never completed (the
 * process died mid-send) becomes 'interrupted' and is not sent again on its own: sending twice is
 * worse than asking a person.
 */
export const emailSend = pgTable(
  'email_send',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** 'daily', 'monthly', or 'on-demand'. */
    digest: text('digest').notNull(),
    /** The period it covers: 2026-11-28 (daily), 2026-10 (monthly), or what was asked. */
    periodKey: text('period_key').notNull(),
    /** Sorted, comma-separated. */
    recipients: text('recipients').notNull(),
    /** sending | sent | partly-sent (some recipients refused, named in last_error) | failed | gave-up | interrupted */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    subject: text('subject'),
    lastError: text('last_error'),
    lateDatasets: text('late_datasets').array().notNull().default(sql`'{}'::text[]`),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'string' }).notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'string' }),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'string' }),
    messageId: text('message_id'),
    /** Where it went: "smtp host:port" or the outbox file. */
    deliveredTo: text('delivered_to'),
  },
  (t) => [unique('email_send_uq').on(t.digest, t.periodKey, t.recipients), index('email_send_status_idx').on(t.status, t.claimedAt)],
);
