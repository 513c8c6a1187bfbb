/**
 * One customer: found by AWS account ID, SDDS account ID or company name, then their agreements,
 * revenue over the last 12 months, estimated usage over the last 30 days and open invoices. The
 * address (contact details) is included; surfaces decide who may see it.
 */
import type { Database } from '../db/client.ts';
import { parsePeriod, type PeriodOptions } from '../periods.ts';
import { refreshRollups } from '../rollups/refresh.ts';
import { currentWhere } from '../datasets/history.ts';
import { costOfGoods, SELLER_ACCOUNTS } from '../datasets/billing.ts';

export interface CustomerMatch {
  accountId: string;
  awsAccountId: string | null;
  company: string | null;
}

export interface CustomerProfile extends CustomerMatch {
  /** Company names it had before (AWS's reports show each event under the name of its day). */
  formerNames: string[];
  address: { lines: string[]; city: string | null; state: string | null; postalCode: string | null; country: string | null; emailDomain: string | null } | null;
  agreements: Array<{
    agreementId: string;
    product: string | null;
    offer: string | null;
    status: string | null;
    start: string | null;
    end: string | null;
    value: string | null;
    currency: string | null;
    /** A channel partner's agreement (proposed by a reseller, not the seller): the reseller's company or account. */
    reseller: string | null;
  }>;
  revenue: Array<{ currency: string; gross_revenue: string; net_revenue: string }>;
  usage: Array<{ currency: string; estimated_revenue: string }>;
  openInvoices: Array<{ invoiceId: string; currency: string; due: string | null; outstanding: string; daysPastDue: number }>;
}

/**
 * Customers matching what was typed: an exact account ID, or company names containing it, the
 * names they had before included (a renamed customer is found by its old name too). At most 10.
 */
export async function findCustomers(db: Database, query: string): Promise<CustomerMatch[]> {
  const q = query.trim();
  const digits = q.replace(/[\s-]/g, '');
  return db.query<CustomerMatch>(
    `with pattern as (select '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' as p)
     select a.account_id as "accountId", a.aws_account_id as "awsAccountId", ad.company_name as company
       from sdds_account_current a
       left join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
      where a.aws_account_id = $2 or a.account_id = $1
         or (not exists (select 1 from sdds_account_current x where x.aws_account_id = $2 or x.account_id = $1)
             and (ad.company_name ilike (select p from pattern)
                  or exists (select 1 from sdds_account ar join sdds_address old on old.address_id in (ar.tax_address_id, ar.mailing_address_id)
                              where ar.account_id = a.account_id and old.company_name ilike (select p from pattern))))
      order by (lower(ad.company_name) = lower($1)) desc, ad.company_name, a.aws_account_id
      limit 10`,
    [q, /^\d{12}$/.test(digits) ? digits : q],
  );
}

export async function getCustomerProfile(db: Database, match: CustomerMatch, options: PeriodOptions): Promise<CustomerProfile> {
  await refreshRollups(db);
  const [address] = await db.query<{ l1: string | null; l2: string | null; l3: string | null; city: string | null; state: string | null; postal: string | null; country: string | null; domain: string | null }>(
    `select ad.address_line_1 as l1, ad.address_line_2 as l2, ad.address_line_3 as l3, ad.city, ad.state_or_region as state, ad.postal_code as postal, ad.country_code as country, ad.email_domain as domain
       from sdds_account_current a join sdds_address_current ad on ad.address_id = coalesce(a.tax_address_id, a.mailing_address_id)
      where a.account_id = $1`,
    [match.accountId],
  );
  const former = await db.query<{ name: string }>(
    `select old.company_name as name from sdds_account ar join sdds_address old on old.address_id in (ar.tax_address_id, ar.mailing_address_id)
      where ar.account_id = $1 and old.company_name is not null and old.company_name is distinct from $2
      group by old.company_name order by min(old.valid_from)`,
    [match.accountId, match.company],
  );
  const agreements = await db.query<CustomerProfile['agreements'][number]>(
    `select g.agreement_id as "agreementId",
            (select string_agg(coalesce(p.title, op.product_id), ', ') from (select distinct product_id from sdds_offer_product_current where offer_id = g.offer_id) op
               left join sdds_product_current p on p.product_id = op.product_id) as product,
            coalesce(o.name, g.offer_id) as offer, g.status,
            to_char(g.start_time at time zone 'UTC', 'YYYY-MM-DD') as start, to_char(g.end_time at time zone 'UTC', 'YYYY-MM-DD') as end,
            g.estimated_agreement_value::text as value, g.currency_code as currency,
            case when g.proposer_account_id is not null and exists (select 1 from seller_account)
                      and g.proposer_account_id not in ${SELLER_ACCOUNTS}
                 then coalesce(rad.company_name, ra.aws_account_id, g.proposer_account_id) end as reseller
       from sdds_agreement_current g left join sdds_offer_current o on o.offer_id = g.offer_id
       left join sdds_account_current ra on ra.account_id = g.proposer_account_id
       left join sdds_address_current rad on rad.address_id = coalesce(ra.tax_address_id, ra.mailing_address_id)
      where g.acceptor_account_id = $1
      order by (g.status = 'ACTIVE') desc, g.end_time desc nulls first, g.agreement_id`,
    [match.accountId],
  );
  const year = parsePeriod('last-12-months', options);
  const revenue = await db.query<CustomerProfile['revenue'][number]>(
    `select currency, coalesce(sum(amount) filter (where transaction_type = 'SELLER_REV_SHARE' and not ${costOfGoods()}), 0)::text as gross_revenue,
            coalesce(sum(amount) filter (where balance_impacting), 0)::text as net_revenue
       from ${currentWhere('sdds_billing_event', `end_user_account_id = $1 and action in ('INVOICED', 'FORGIVEN') and invoice_date >= $2 and invoice_date < $3 and transaction_type not like 'DISBURSEMENT%'`)} b
      group by currency order by currency`,
    [match.accountId, year.start, year.end],
  );
  const month = parsePeriod('last-30-days', options);
  const usage = await db.query<CustomerProfile['usage'][number]>(
    `select pricing_currency as currency, coalesce(sum(estimated_revenue_in_pricing_currency), 0)::text as estimated_revenue
       from ${currentWhere('sdds_daily_usage', `end_user_account_id = $1 and usage_date >= $2::date and usage_date < $3::date`)} u
      group by pricing_currency order by 1`,
    [match.accountId, month.startDate, month.endDate],
  );
  const openInvoices = await db.query<CustomerProfile['openInvoices'][number]>(
    `select invoice_id as "invoiceId", currency, to_char(payment_due_date at time zone 'UTC', 'YYYY-MM-DD') as due,
            (seller_billed - greatest(collected, seller_disbursed))::text as outstanding,
            greatest(0, ($2::timestamptz at time zone 'UTC')::date - (payment_due_date at time zone 'UTC')::date)::int as "daysPastDue"
       from invoice_balance
      where customer = $1 and settled_at is null and seller_billed - greatest(collected, seller_disbursed) > 0
      order by payment_due_date nulls last, invoice_id`,
    [match.accountId, options.now.toISOString()],
  );
  return {
    ...match,
    formerNames: former.map((f) => f.name),
    address: address
      ? { lines: [address.l1, address.l2, address.l3].filter((l): l is string => Boolean(l)), city: address.city, state: address.state, postalCode: address.postal, country: address.country, emailDomain: address.domain }
      : null,
    agreements,
    revenue,
    usage,
    openInvoices,
  };
}
