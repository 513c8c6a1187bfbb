import { sql } from 'drizzle-orm';
import { bigint, index, numeric, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';

/**
 * One row per (invoice, currency, customer) of the billing event feed: what its current line
 * events (all but DISBURSEMENT rows) add up to, kept up to date as billing files load
 * (src/rollups/invoice-balance.ts). Past-due aging and reconciliation read it instead of summing
 * millions of billing events on every question.
 */
export const invoiceBalance = pgTable(
  'invoice_balance',
  {
    invoiceId: text('invoice_id').notNull(),
    currency: text('currency').notNull(),
    /** end_user_account_id; null for lines without one. */
    customer: text('customer'),
    invoiceDate: timestamp('invoice_date', { withTimezone: true, mode: 'string' }),
    paymentDueDate: timestamp('payment_due_date', { withTimezone: true, mode: 'string' }),
    /** Buyer charge (SELLER_REV_SHARE, INVOICED), cost of goods included. */
    gross: numeric('gross').notNull().default('0'),
    /** Everything balance-impacting invoiced or forgiven: what the seller is owed. */
    billedNet: numeric('billed_net').notNull().default('0'),
    /** The buyer's SELLER_* charges net of refunds, credits and forgiveness (cost of goods excluded). */
    sellerBilled: numeric('seller_billed').notNull().default('0'),
    /** Of those charges, collected from the buyer. */
    collected: numeric('collected').notNull().default('0'),
    /** Disbursed of the buyer's SELLER_* charges (positive). */
    sellerDisbursed: numeric('seller_disbursed').notNull().default('0'),
    /** Disbursed of every line (positive = paid out to the seller). */
    disbursed: numeric('disbursed').notNull().default('0'),
    /** The latest moment any of its events counts from (invoice, collection or disbursement). */
    lastEvent: timestamp('last_event', { withTimezone: true, mode: 'string' }),
    /** The last invoice date of the buyer's charges (billed, refunded, forgiven). */
    billedUntil: timestamp('billed_until', { withTimezone: true, mode: 'string' }),
    /** The first collection or disbursement of them: before it, nothing of the charges was paid. */
    paidFrom: timestamp('paid_from', { withTimezone: true, mode: 'string' }),
    /** When the buyer's charges stopped being outstanding: last_event once they are not; else null. */
    settledAt: timestamp('settled_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    unique('invoice_balance_uq').on(t.invoiceId, t.currency, t.customer).nullsNotDistinct(),
    // Past-due reads the invoices open now, and those settled since its as-of date, from two
    // indexes that also hold every column it needs (index-only, the rows scattered over the table
    // are never visited): invoice_balance_open_cover and invoice_balance_settled_cover, created
    // in migration 0010 because Drizzle cannot declare INCLUDE columns.
    index('invoice_balance_invoice_date_idx').on(t.invoiceDate),
  ],
);

/** The billing files already folded into invoice_balance. */
export const invoiceBalanceFile = pgTable('invoice_balance_file', {
  fileId: bigint('file_id', { mode: 'number' }).primaryKey(),
});

/**
 * The SDDS keys stored with more than one revision (src/datasets/history.ts). Most SDDS rows are
 * never revised (billing events are immutable); knowing the few that are lets the current state
 * of millions of events be read straight from their date index, the recipe run only for these.
 */
export const sddsRevisedKey = pgTable(
  'sdds_revised_key',
  {
    dataset: text('dataset').notNull(),
    /** The key's value; a composite key as its JSON array text. */
    key: text('key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.dataset, t.key] })],
);

/** The SDDS files whose revised keys are recorded in sdds_revised_key. */
export const sddsRevisedFile = pgTable('sdds_revised_file', {
  fileId: bigint('file_id', { mode: 'number' }).primaryKey(),
});

/**
 * The seller of record's own account(s), as AWS's 2025 report queries derive it: the payer
 * (from_account_id) of the invoiced listing-fee rows (AWS_REV_SHARE). One is expected; more means
 * the feed mixes sellers, and `datasets` says so. Cost of goods on billing rows delivered before
 * the June 2026 columns is told by it (src/datasets/billing.ts). Kept current as billing files fold.
 */
export const sellerAccount = pgTable('seller_account', {
  accountId: text('account_id').primaryKey(),
  /** The first billing file that named it. */
  firstFileId: bigint('first_file_id', { mode: 'number' }).notNull(),
});
