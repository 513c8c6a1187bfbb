import { describe, expect, it } from 'vitest';
import { getDataset } from '../../../src/datasets/catalog.ts';
import { mapHeader } from '../../../src/ingest/header.ts';

const def = (n: string) => getDataset(n)!;
const position = (name: string, header: string[], column: string) => {
  const d = def(name);
  return mapHeader(d, header).positions[d.columns.findIndex((c) => c.name === column)];
};

describe('header mapping', () => {
  it('maps by name in any order and accepts historical aliases', () => {
    expect(position('cas_monthly_revenue_billing_and_revenue_data', ['Product Code', 'AWS Fee'], 'aws_listing_fee')).toBe(1);
    expect(position('cas_customer_subscriber_annual_subscriptions', ['Annual Subscription Id', 'Product Code'], 'subscription_id')).toBe(0);
    expect(position('cas_daily_business_fees', ['Product Code', 'Amount', 'User’s State'], 'users_state')).toBe(2);
    expect(position('cas_daily_business_fees', ['Product Code', 'Amount', "User's State"], 'users_state')).toBe(2);
    expect(position('cas_disbursed_amount_by_age_of_past_due_funds', ['Past Due (31-60 days)'], 'past_due_31_60_days')).toBe(0);
    expect(position('sdds_pii', ['valid_from', 'address_id', 'country'], 'country')).toBe(2);
    expect(position('sdds_agreement', ['Status', 'agreement_id', 'valid_from', 'acceptancet_time'], 'acceptance_time')).toBe(3);
  });

  it('keeps unknown columns as extras and lists missing optional ones', () => {
    const m = mapHeader(def('sdds_product'), ['\uFEFFvalid_from', 'product_id', 'title', 'launch_region']);
    expect(m.extras).toEqual([{ header: 'launch_region', position: 3 }]);
    expect(m.missing).toContain('product_code');
  });

  it('refuses a header without a required column, a column named twice, or an empty name', () => {
    expect(() => mapHeader(def('sdds_billing_event'), ['valid_from', 'amount'])).toThrow(/required column missing: billing_event_id/);
    expect(() => mapHeader(def('cas_daily_business_fees'), ['Product Code', 'Amount', 'AWS Fee', 'Amount'])).toThrow(/both the Amount column/);
    expect(() => mapHeader(def('sdds_product'), ['valid_from', 'product_id', ''])).toThrow(/column 3 has an empty header/);
    expect(() => mapHeader(def('cas_disbursed_amount_by_age_of_past_due_funds'), ['foo', 'bar'])).toThrow(/none of the headers/);
  });
});
