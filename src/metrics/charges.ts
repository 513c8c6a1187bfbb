/**
 * Revenue by charge kind: contract fees, metered usage, other; as AWS's legacy monthly revenue
 * reports split up-front (subscription) charges from usage billing. No billing event column says
 * which a charge is (charge_variant and invoice_variant tell resale, listing-fee and purchase
 * invoices apart, not pricing models), so the rule below is ours, applied to every line revenue
 * counts. A charge's rows (the charge, its listing fee, taxes, refunds, forgiveness) share its
 * agreement and usage period, so they always fall in the same kind as the charge.
 *
 * 1. `other`: BALANCE_ADJUSTMENT rows.
 * 2. By the agreement's pricing terms (its current terms in the agreement term feed):
 *    - `contract` with a fee term (ConfigurableUpfrontPricingTerm, FixedUpfrontPricingTerm,
 *      PaymentScheduleTerm, RecurringPaymentTerm) and no UsageBasedPricingTerm;
 *    - `usage` with a UsageBasedPricingTerm and no fee term.
 * 3. Otherwise (a contract with pay-as-you-go usage, or terms unknown: no agreement, or the term
 *    feed lacks it) by the line's usage period: shorter than 31 days (a billing month) and
 *    invoiced after it ended (AWS bills usage in arrears, on the 2nd-3rd of the next month) →
 *    `usage`; any other period (a contract term or instalment, billed in advance) → `contract`;
 *    none → `other`.
 *
 * Uncertain (inferred from the feeds' shapes, not documented): the usage period AWS gives a
 * contract fee; in case 3, a fee billed after a period of under 31 days ended (a recurring monthly
 * fee billed at the period's end, a refund after a one-month term) counts as usage. Terms are read
 * as they are now, not as of the invoice: an amendment adding usage pricing moves older fees to case 3.
 */
import { currentWhere } from '../datasets/history.ts';

export const CHARGE_KINDS = ['contract', 'usage', 'other'] as const;

const FEE_TERMS = ['ConfigurableUpfrontPricingTerm', 'FixedUpfrontPricingTerm', 'PaymentScheduleTerm', 'RecurringPaymentTerm'];

/** A billing line's shape (SQL over its columns): an adjustment, no usage period, usage billed in arrears, or a longer or prepaid period. */
const SHAPE = `case when transaction_type = 'BALANCE_ADJUSTMENT' then 'adjustment'
    when usage_period_start_date is null or usage_period_end_date is null then 'no period'
    when usage_period_end_date < usage_period_start_date + interval '31 days' and invoice_date > usage_period_end_date then 'in arrears'
    else 'term' end`;

const KIND = `case when s.shape = 'adjustment' then 'other'
    when t.fee and not t.usage then 'contract'
    when t.usage and not t.fee then 'usage'
    when s.shape = 'in arrears' then 'usage'
    when s.shape = 'term' then 'contract'
    else 'other' end`;

/**
 * After `lines` (a `with lines as (...)` of billing rows): the rows summed per currency,
 * agreement and shape with `amounts` (aggregates over lines), classified once per agreement, and
 * summed again per kind with `resummed` (aggregates over `s`): currency, key, name, detail, amounts.
 */
export function chargesSql(lines: string, amounts: string, resummed: string): string {
  return `${lines},
    s as (select currency, agreement_id, ${SHAPE} as shape, ${amounts} from lines group by 1, 2, 3),
    terms as (
      select agreement_id, bool_or(term_type in (${FEE_TERMS.map((t) => `'${t}'`).join(', ')})) as fee, bool_or(term_type = 'UsageBasedPricingTerm') as usage
        from ${currentWhere('sdds_agreement_term', 'agreement_id in (select agreement_id from s)', ['term_type'])} t
       group by agreement_id),
    kinds as (select s.*, ${KIND} as kind from s left join terms t on t.agreement_id = s.agreement_id)
    select s.currency, s.kind as key,
           case s.kind when 'contract' then 'Contract fees' when 'usage' then 'Usage fees' else 'Other' end as name,
           case s.kind when 'contract' then 'upfront, payment schedule and recurring fees' when 'usage' then 'metered usage' else 'adjustments and charges of no known kind' end as detail,
           ${resummed}
      from kinds s group by s.currency, s.kind`;
}

/** Kinds in their reading order (SQL over `key`). */
export const CHARGE_ORDER = `case key when 'contract' then 1 when 'usage' then 2 else 3 end`;
