/**
 * The invoice_balance rollup (db/schema/rollups.ts): per invoice, currency and customer, what the
 * current state of its line events adds up to. Billing files are folded in after they load and,
 * should that have been missed (a crash between the two), before any metric reads the rollup, so
 * answers never lag the feed.
 *
 * Folding is additive: billing events are immutable, so a row whose key has a single revision
 * (not in sdds_revised_key) is a new event and its amounts are added. The rare revised keys have
 * their invoices recomputed from the feed's current state (sdds-feeds.md §3), which also covers a
 * revision that moved an event to another invoice.
 */
import { costOfGoods } from '../datasets/billing.ts';
import { currentWhere } from '../datasets/history.ts';
import type { Database, Tx } from '../db/client.ts';
import { refreshRevisedKeys } from './revised-keys.ts';

/** When each kind of event counts: invoiced/forgiven on the invoice date, collected on its action date, disbursed when delivered. */
export const EVENT_TIME = `case action when 'COLLECTED' then coalesce(action_date, valid_from) when 'DISBURSED' then valid_from else invoice_date end`;

const SELLER = `transaction_type like 'SELLER\\_%' and not ${costOfGoods()}`;

/** The buyer's charges net of refunds and forgiveness, what was collected of them and disbursed. */
export const OWED_SUMS = `
  coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and ${SELLER}), 0) as seller_billed,
  coalesce(sum(amount) filter (where action = 'COLLECTED' and ${SELLER}), 0) as collected,
  coalesce(-sum(amount) filter (where action = 'DISBURSED' and ${SELLER}), 0) as seller_disbursed`;

/** Every rollup column, summed over billing event rows. */
const SUMS = `
  min(invoice_date) filter (where action = 'INVOICED') as invoice_date,
  max(payment_due_date) filter (where action = 'INVOICED') as payment_due_date,
  coalesce(sum(amount) filter (where action = 'INVOICED' and transaction_type = 'SELLER_REV_SHARE'), 0) as gross,
  coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and balance_impacting), 0) as billed_net,
  coalesce(-sum(amount) filter (where action = 'DISBURSED'), 0) as disbursed,
  max(${EVENT_TIME}) as last_event,
  max(invoice_date) filter (where action in ('INVOICED', 'FORGIVEN') and ${SELLER}) as billed_until,
  min(${EVENT_TIME}) filter (where action in ('COLLECTED', 'DISBURSED') and ${SELLER}) as paid_from,
  ${OWED_SUMS}`;

const LINES = `invoice_id is not null and transaction_type not like 'DISBURSEMENT%'`;
const settled = (t: string) => `case when ${t}.seller_billed - greatest(${t}.collected, ${t}.seller_disbursed) <= 0 then ${t}.last_event end`;
const COLUMNS = 'invoice_id, currency, customer, invoice_date, payment_due_date, gross, billed_net, disbursed, last_event, billed_until, paid_from, seller_billed, collected, seller_disbursed, settled_at';

/** Add the new events of files $1 (keys with one revision, not soft-deleted) to their invoices. */
const ADD = `
  insert into invoice_balance (${COLUMNS})
  select s.*, ${settled('s')} from (
    select invoice_id, currency, end_user_account_id as customer, ${SUMS}
      from sdds_billing_event
     where _file_id = any($1::bigint[]) and ${LINES} and delete_date is null
       and billing_event_id not in (select key from sdds_revised_key where dataset = 'sdds_billing_event')
     group by invoice_id, currency, end_user_account_id) s
  on conflict (invoice_id, currency, customer) do update set
    invoice_date = least(invoice_balance.invoice_date, excluded.invoice_date),
    payment_due_date = greatest(invoice_balance.payment_due_date, excluded.payment_due_date),
    gross = invoice_balance.gross + excluded.gross,
    billed_net = invoice_balance.billed_net + excluded.billed_net,
    disbursed = invoice_balance.disbursed + excluded.disbursed,
    last_event = greatest(invoice_balance.last_event, excluded.last_event),
    billed_until = greatest(invoice_balance.billed_until, excluded.billed_until),
    paid_from = least(invoice_balance.paid_from, excluded.paid_from),
    seller_billed = invoice_balance.seller_billed + excluded.seller_billed,
    collected = invoice_balance.collected + excluded.collected,
    seller_disbursed = invoice_balance.seller_disbursed + excluded.seller_disbursed,
    settled_at = case when invoice_balance.seller_billed + excluded.seller_billed - greatest(invoice_balance.collected + excluded.collected, invoice_balance.seller_disbursed + excluded.seller_disbursed) <= 0
                      then greatest(invoice_balance.last_event, excluded.last_event) end`;

/** The invoices of every revision of the revised keys that files $1 brought. */
const REVISED_INVOICES = `
  create temp table mp_revised_invoices on commit drop as
  select distinct invoice_id from sdds_billing_event
   where invoice_id is not null and billing_event_id in (
     select billing_event_id from sdds_billing_event
      where _file_id = any($1::bigint[])
        and billing_event_id in (select key from sdds_revised_key where dataset = 'sdds_billing_event'))`;

const RECOMPUTE = `
  insert into invoice_balance (${COLUMNS})
  select s.*, ${settled('s')} from (
    select invoice_id, currency, end_user_account_id as customer, ${SUMS}
      from ${currentWhere('sdds_billing_event', `${LINES} and invoice_id in (select invoice_id from mp_revised_invoices)`)} b
     group by invoice_id, currency, end_user_account_id) s`;

/**
 * Fold every loaded billing file not yet in the rollup. Serialised across processes by an advisory
 * lock; returns how many files were folded (0 when the rollup was already current).
 */
export async function refreshInvoiceBalances(db: Database): Promise<number> {
  // new events are told from revised ones by sdds_revised_key: it must be current first, and a
  // file that committed after that refresh looked waits for the next one (else its revisions of
  // stored events would be added as new events, for good)
  await refreshRevisedKeys(db);
  const pending = (q: Tx) =>
    q.query<{ id: number }>(
      `select f.id from ingest_file f
        where f.dataset = 'sdds_billing_event' and f.status = 'loaded'
          and exists (select 1 from sdds_revised_file r where r.file_id = f.id)
          and not exists (select 1 from invoice_balance_file d where d.file_id = f.id)
        order by f.id`,
    );
  if ((await pending(db)).length === 0) return 0;
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('marketplace-pulse:invoice_balance'))`);
    const files = (await pending(tx)).map((r) => Number(r.id));
    if (files.length === 0) return 0;
    // the seller's own account first: cost of goods on older rows is told by it
    await tx.query(
      `insert into seller_account (account_id, first_file_id)
       select from_account_id, min(_file_id) from sdds_billing_event
        where _file_id = any($1::bigint[]) and action = 'INVOICED' and transaction_type = 'AWS_REV_SHARE' and from_account_id is not null
        group by from_account_id
       on conflict do nothing`,
      [files],
    );
    await tx.query(ADD, [files]);
    await tx.query(REVISED_INVOICES, [files]);
    const revised = await tx.query<{ n: number }>(`select count(*)::int as n from mp_revised_invoices`);
    if (revised[0]!.n > 0) {
      await tx.query(`delete from invoice_balance where invoice_id in (select invoice_id from mp_revised_invoices)`);
      await tx.query(RECOMPUTE);
    }
    await tx.query(`insert into invoice_balance_file (file_id) select unnest($1::bigint[])`, [files]);
    return files.length;
  });
}
