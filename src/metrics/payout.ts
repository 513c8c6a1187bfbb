/**
 * What AWS will disburse next and when, as of the end of the period (or now, if sooner), per
 * currency: the funds collected from buyers and not yet paid out, on the next disbursement date
 * of the seller's schedule, and what has still to be collected but falls due before that date
 * (it joins the payout if the buyer pays on time); the same for the two dates after it.
 *
 * Money comes from the invoice_balance rollup (per invoice, currency and customer), as past-due
 * and reconcile read it. As of T, a row whose buyer charges are no longer outstanding (collected
 * in full, or refunded or forgiven: the rollup's settled state) is owed to the seller: its billed
 * net (everything balance-impacting, fees and seller tax included) less what was disbursed of it
 * goes into the next payout, negative for a refund AWS takes back. A row still outstanding is
 * uncollected: its billed net less disbursed could join the first date after its payment due date
 * (so could a listing-fee invoice raised apart from the buyer's: it is netted when that is paid).
 * Invoices already past due at T are left to the past-due metric; a partly collected invoice counts
 * as uncollected until it is collected in full; balance adjustments (no invoice) are not forecast.
 * Rows collected more than PAYOUT_LOOKBACK_DAYS before T and still not paid out are not looked
 * for (reconcile's overdue payouts lists them); as of a past T, neither are invoices then due
 * soon but collected more than PAYOUT_SETTLE_DAYS after T. Before the feeds carried COLLECTED
 * events (2026) a row is settled only by its disbursement, so nothing shows as collected.
 *
 * The schedule: AWS disburses monthly on a day the seller picks (1-28; the default cadence) or
 * daily when funds are available; the feed does not say which. It is inferred from the dates of the
 * DISBURSEMENT events of the last PAYOUT_HISTORY_DAYS (payout-schedule.ts).
 */
import { addDays } from '../datasets/catalog.ts';
import { currentWhere } from '../datasets/history.ts';
import type { Database } from '../db/client.ts';
import { asOfInstant, type Period } from '../periods.ts';
import { OWED_SUMS } from '../rollups/invoice-balance.ts';
import { addDecimals } from './decimal.ts';
import { inferSchedule, PAYOUT_HISTORY_DAYS, type Schedule } from './payout-schedule.ts';

/** Collected funds are paid out within this many days; older ones still waiting are an anomaly, not the next payout. */
export const PAYOUT_LOOKBACK_DAYS = 45;
/**
 * As of a past date, rows are looked at that settled up to this many days after it: those collected
 * before it and paid out since, and those then uncollected and collected since (the rare invoice
 * collected later still is left out, rather than reading every row settled since).
 */
export const PAYOUT_SETTLE_DAYS = 90;
/** Disbursement dates answered: the next one and those after it. */
export const UPCOMING_DISBURSEMENTS = 3;

export const PAYOUT_TOTAL_COLUMNS = ['currency', 'next_disbursement_date', 'collected', 'could_join', 'schedule', 'schedule_basis', 'last_disbursement_date'] as const;
export const PAYOUT_ROW_COLUMNS = ['currency', 'disbursement_date', 'collected', 'could_join'] as const;

export interface PayoutTotals {
  currency: string;
  /** YYYY-MM-DD, UTC; null when no past disbursement tells the schedule. */
  next_disbursement_date: string | null;
  /** Collected and not yet disbursed: the next payout (net of fees and refunds). */
  collected: string;
  /** Not yet collected, due on or after the as-of day and before the next date; null without a date. */
  could_join: string | null;
  schedule: Schedule['schedule'];
  schedule_basis: string;
  last_disbursement_date: string | null;
}

export interface PayoutRow {
  currency: string;
  disbursement_date: string | null;
  collected: string;
  could_join: string | null;
}

export interface PayoutAnswer {
  metric: 'next-payout';
  as_of: string;
  totals: PayoutTotals[];
  rows: PayoutRow[];
  source: 'sdds' | 'none';
}

/** Sums of the rollup's columns over billing events, as the rollup folds them (src/rollups/invoice-balance.ts). */
const SINCE_SUMS = `
  coalesce(sum(amount) filter (where action in ('INVOICED', 'FORGIVEN') and balance_impacting), 0) as billed_net,
  coalesce(-sum(amount) filter (where action = 'DISBURSED'), 0) as disbursed,
  ${OWED_SUMS}`;

/**
 * What is still to collect of a row's buyer charges, from its seller_billed, collected and
 * seller_disbursed; null for a row that never had any (a listing-fee invoice AWS raised apart from
 * the buyer's): it is settled with the buyer's invoice, which it cannot be told from here, so it
 * is taken as due on its own due date.
 */
const outstanding = (billed: string, collected: string, disbursed: string) =>
  `case when ${billed} <> 0 or ${collected} <> 0 or ${disbursed} <> 0 then ${billed} - greatest(${collected}, ${disbursed}) end`;

/** What SINCE_SUMS and its filter read (cost of goods included: src/datasets/billing.ts). */
const SINCE_COLUMNS = ['invoice_id', 'currency', 'end_user_account_id', 'action', 'transaction_type', 'amount', 'balance_impacting', 'invoice_date', 'action_date', 'valid_from',
  'to_account_id', 'recipient_account_id', 'charge_variant', 'charge_side'];

const CANDIDATE = (where: string) => `
  select invoice_id, currency, customer, payment_due_date, billed_net, disbursed, seller_billed, collected, seller_disbursed, last_event, paid_from, billed_until
    from invoice_balance where ${where} and invoice_date < $1`;

/**
 * Per currency, the rollup rows as they stood at $1 ($2: the as-of day, $3: the last due date
 * looked at, exclusive): 'collected' for those owed to the seller, else their payment due day.
 * Candidates come from the rollup's two covering indexes: rows open now and due in [$2, $3), and
 * rows settled from the look-back on (collected and waiting, or settled after $1). Those with
 * events from $1 on have them taken off, reading only the events between $1 and the last of theirs,
 * unless none of their buyer charges was paid before $1 nor billed after it (then unpaid at $1).
 */
const PENDING = `
  with candidates as materialized (
    select c.*,
           -- as it stood at $1: plain from the rollup when nothing happened since, or when nothing of
           -- its buyer charges was paid or billed before and after $1 respectively (unpaid then)
           case when c.last_event < $1 then 'quiet'
                when coalesce(c.paid_from >= $1, true) and coalesce(c.billed_until < $1, true) then 'unpaid'
                else 'moved' end as state
      from (${CANDIDATE('settled_at is null and payment_due_date >= $2::timestamptz and payment_due_date < $3::timestamptz')}
            union all
            ${CANDIDATE(`settled_at >= $1::timestamptz - interval '${PAYOUT_LOOKBACK_DAYS} days' and settled_at < $1::timestamptz + interval '${PAYOUT_SETTLE_DAYS} days'`)}) c),
  window_end as (select max(last_event) as until, max(billed_until) filter (where billed_until >= $1) as billed from candidates where state = 'moved'),
  since as materialized (
    select invoice_id collate "C" as invoice_id, currency collate "C" as currency, end_user_account_id collate "C" as customer, ${SINCE_SUMS}
      from ${currentWhere(
        'sdds_billing_event',
        `invoice_id is not null and transaction_type not like 'DISBURSEMENT%' and (
           (action in ('INVOICED', 'FORGIVEN') and invoice_date >= $1 and invoice_date <= (select billed from window_end))
           or (action = 'COLLECTED' and coalesce(action_date, valid_from) >= $1 and coalesce(action_date, valid_from) <= (select until from window_end))
           or (action = 'DISBURSED' and valid_from >= $1 and valid_from <= (select until from window_end)))`,
        SINCE_COLUMNS,
      )} b
     where (select until from window_end) is not null
       and b.invoice_id in (select invoice_id from candidates where state = 'moved')
     group by 1, 2, 3),
  at_t as (
    select invoice_id, currency, payment_due_date, billed_net - disbursed as owed, ${outstanding('seller_billed', 'collected', 'seller_disbursed')} as outstanding
      from candidates where state = 'quiet'
    union all
    select invoice_id, currency, payment_due_date, billed_net as owed, ${outstanding('seller_billed', '0', '0')} as outstanding
      from candidates where state = 'unpaid'
    union all
    select c.invoice_id, c.currency, c.payment_due_date,
           c.billed_net - coalesce(s.billed_net, 0) - (c.disbursed - coalesce(s.disbursed, 0)) as owed,
           ${outstanding('(c.seller_billed - coalesce(s.seller_billed, 0))', '(c.collected - coalesce(s.collected, 0))', '(c.seller_disbursed - coalesce(s.seller_disbursed, 0))')} as outstanding
      from candidates c
      left join since s on s.invoice_id = c.invoice_id collate "C" and s.currency = c.currency collate "C" and coalesce(s.customer, '') = coalesce(c.customer, '') collate "C"
     where c.state = 'moved')
  select currency, case when settled then 'collected' else to_char(due, 'YYYY-MM-DD') end as bucket, amount::text
    from (select currency collate "C" as currency, coalesce(outstanding <= 0, false) as settled,
                 case when not coalesce(outstanding <= 0, false) then (payment_due_date at time zone 'UTC')::date end as due, sum(owed) as amount
            from at_t
           where owed <> 0 and (outstanding <= 0 or (payment_due_date >= $2::timestamptz and payment_due_date < $3::timestamptz))
           group by 1, 2, 3) s
   order by 1, 2`;

/** The DISBURSEMENT events (payouts) of the history window before $1: per currency, their days (UTC). */
const PAYOUT_DAYS = `
  select currency, to_char(invoice_date at time zone 'UTC', 'YYYY-MM-DD') as day
    from ${currentWhere(
      'sdds_billing_event',
      `action = 'DISBURSED' and transaction_type = 'DISBURSEMENT' and invoice_date >= $1::timestamptz - interval '${PAYOUT_HISTORY_DAYS} days' and invoice_date < $1`,
      ['action', 'transaction_type', 'invoice_date', 'currency'],
    )} d
   group by 1, 2 order by 1, 2`;

/** Reads invoice_balance: call through answerFor, which brings it up to date first. */
export async function getNextPayout(db: Database, period: Period, now: Date): Promise<PayoutAnswer> {
  const asOf = asOfInstant(period, now);
  const asOfDay = asOf.slice(0, 10);
  const none: PayoutAnswer = { metric: 'next-payout', as_of: asOf, totals: [], rows: [], source: 'none' };
  const any = await db.query<{ ok: boolean }>(`select exists (select 1 from invoice_balance where invoice_date < $1) as ok`, [asOf]);
  if (!any[0]!.ok) return none;

  // the dates are not known before the payouts are read: money is read as far as the last date
  // could be (a month at most between two)
  const horizon = addDays(asOfDay, UPCOMING_DISBURSEMENTS * 31 + 1);
  const [payouts, pending] = await Promise.all([
    db.query<{ currency: string; day: string }>(PAYOUT_DAYS, [asOf]),
    db.query<{ currency: string; bucket: string; amount: string }>(PENDING, [asOf, `${asOfDay}T00:00:00Z`, `${horizon}T00:00:00Z`]),
  ]);
  const everyDay = [...new Set(payouts.map((p) => p.day))].sort();
  const currencies = [...new Set([...pending.map((p) => p.currency), ...payouts.map((p) => p.currency)])].sort();
  const totals: PayoutTotals[] = [];
  const rows: PayoutRow[] = [];
  for (const currency of currencies) {
    const own = payouts.filter((p) => p.currency === currency).map((p) => p.day);
    // a currency without payouts of its own is paid on the seller's schedule as far as it shows
    const schedule = own.length >= 2 || everyDay.length < 2 ? inferSchedule(own, asOfDay, '', UPCOMING_DISBURSEMENTS) : inferSchedule(everyDay, asOfDay, ' in any currency', UPCOMING_DISBURSEMENTS);
    const mine = pending.filter((p) => p.currency === currency);
    const collected = mine.filter((p) => p.bucket === 'collected');
    const due = mine.filter((p) => p.bucket !== 'collected');
    const sum = (list: typeof mine) => addDecimals(list.map((p) => p.amount));
    const dates = schedule.upcoming;
    if (dates.length === 0) {
      rows.push({ currency, disbursement_date: null, collected: sum(collected), could_join: null });
    }
    dates.forEach((date, i) => {
      const joining = due.filter((p) => p.bucket < date && p.bucket >= (i === 0 ? asOfDay : dates[i - 1]!));
      rows.push({
        currency,
        disbursement_date: date,
        collected: i === 0 ? sum(collected) : '0',
        could_join: sum(joining),
      });
    });
    const first = rows.find((r) => r.currency === currency)!;
    totals.push({
      currency,
      next_disbursement_date: first.disbursement_date,
      collected: first.collected,
      could_join: first.could_join,
      schedule: schedule.schedule,
      schedule_basis: schedule.basis,
      last_disbursement_date: schedule.last,
    });
  }
  return { metric: 'next-payout', as_of: asOf, totals, rows, source: 'sdds' };
}
