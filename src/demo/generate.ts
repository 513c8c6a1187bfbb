/**
 * A fictional seller laid out like a real bucket: a year of SDDS feeds (accounts, addresses,
 * products, offers, agreements with renewals and cancellations, invoices, refunds, collections,
 * disbursements, past-due invoices, metered usage) and the legacy CAS files for the same customers
 * and products. Deterministic for a seed; money is computed in integer cents.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addDays, addMonths, isValidDate } from '../datasets/catalog.ts';
import { CAS_DATASETS } from '../datasets/cas.ts';
import { SDDS_DATASETS } from '../datasets/sdds.ts';
import { AppError } from '../errors.ts';
import { prng } from './random.ts';

export interface DemoOptions {
  seed: number;
  /** Last day with data (YYYY-MM-DD); default yesterday (UTC). */
  through?: string;
  customers?: number;
}

type Rec = Record<string, string>;


const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const FIRST = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Wide World', 'Proseware', 'Litware', 'Adatum', 'Blue Yonder', 'Coho', 'Fourth Coffee', 'Lucerne', 'Margie', 'Trey', 'Woodgrove', 'Alpine', 'Humongous', 'Graphic', 'Relecloud', 'VanArsdel', 'Wingtip', 'Datum', 'Bellows', 'Southridge', 'Consolidated'];
const SECOND = ['Analytics', 'Logistics', 'Health', 'Bank', 'Retail', 'Energy', 'Media', 'Labs', 'Insurance', 'Motors'];
const SUFFIX: Record<string, string[]> = { US: ['Inc.', 'LLC', 'Corp.'], DE: ['GmbH', 'AG'], GB: ['Ltd', 'plc'], JP: ['K.K.'], CA: ['Inc.', 'Ltd.'] };
const PLACES: Record<string, Array<[string, string, string]>> = {
  US: [['WA', 'Seattle', '98101'], ['NY', 'New York', '10001'], ['CA', 'San Francisco', '94105'], ['TX', 'Austin', '78701'], ['MA', 'Boston', '02110'], ['GA', 'Atlanta', '30303']],
  DE: [['HH', 'Hamburg', '20095'], ['BE', 'Berlin', '10115']],
  GB: [['', 'London', 'EC1A 1BB'], ['', 'Manchester', 'M1 1AE']],
  JP: [['13', 'Tokyo', '100-0001']],
  CA: [['ON', 'Toronto', 'M5H 2N2']],
};

const cents = (c: number): string => {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
};
/** round-half-up of cents × rate (rate in basis points) */
const share = (c: number, bps: number): number => Math.sign(c) * Math.floor((Math.abs(c) * bps + 5000) / 10000);
const ts = (day: string, time = '00:00:00') => `${day}T${time}Z`;

interface Customer {
  accountId: string;
  aws: string;
  encrypted: string;
  addressId: string;
  company: string;
  domain: string;
  country: string;
  state: string;
  city: string;
  postal: string;
  currency: string;
  slowPayer: boolean;
}

interface Product {
  id: string;
  code: string;
  title: string;
  legacyId: string;
  kind: 'contract' | 'usage';
  feeBps: number;
  dimensions: Array<{ key: string; unit: string; rateMicros: number }>;
}

interface Sub {
  customer: Customer;
  product: Product;
  offerId: string;
  agreementId: string;
  start: string;
  end: string | null;
  valueCents: number;
  endedOn: string | null;
  endStatus: string | null;
  renewedFrom: string | null;
  schedule: boolean;
  visibility: 'Public' | 'Private';
}

interface Line {
  sub: Sub;
  invoiceId: string;
  invoiceDate: string;
  dueDate: string;
  usageStart: string;
  usageEnd: string;
  grossCents: number;
  feeCents: number;
  taxCents: number;
  txRef: string;
  collected: string | null;
  disbursed: string | null;
  forgiven: string | null;
}

export async function writeDemoData(dir: string, options: DemoOptions): Promise<{ files: number; rows: number }> {
  const through = options.through ?? addDays(new Date().toISOString().slice(0, 10), -1);
  if (!isValidDate(through)) throw new AppError('usage', `--through must be a date YYYY-MM-DD, not "${through}"`);
  const rand = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const str = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const uuid = () => `${str(HEX, 8)}-${str(HEX, 4)}-4${str(HEX, 3)}-a${str(HEX, 3)}-${str(HEX, 12)}`;

  const windowStart = addMonths(`${through.slice(0, 7)}-01`, -11);
  const historyStart = addMonths(windowStart, -12);
  const feeds = new Map<string, Rec[]>(SDDS_DATASETS.map((d) => [d.name, []]));
  /** An SDDS record, delivered the day after it happened unless said otherwise. */
  const emit = (feed: string, validFrom: string, rec: Rec, delivered?: string) => {
    const insert = delivered ?? `${addDays(validFrom.slice(0, 10), 1)}T02:00:00Z`;
    if (insert.slice(0, 10) > addDays(through, 1)) return;
    feeds.get(feed)!.push({ valid_from: validFrom, insert_date: insert, update_date: insert, delete_date: '', ...rec });
  };

  const seller = { accountId: str(B62, 42), aws: '111122223333', addressId: str(B62, 43) };
  const awsAccount = { accountId: str(B62, 42), aws: '999988887777' };
  const origin = ts(historyStart);
  emit('sdds_account', origin, { account_id: seller.accountId, aws_account_id: seller.aws, encrypted_account_id: str(B62, 12), mailing_address_id: seller.addressId, tax_address_id: seller.addressId, tax_registration_number: '', tax_legal_name: '' });
  emit('sdds_account', origin, { account_id: awsAccount.accountId, aws_account_id: awsAccount.aws, encrypted_account_id: str(B62, 12), mailing_address_id: '', tax_address_id: '', tax_registration_number: '', tax_legal_name: '' });
  emit('sdds_address', origin, { valid_to: '', address_id: seller.addressId, email_domain: 'acme-demo.example', company_name: 'Acme Demo Software, Inc.', country_code: 'US', state_or_region: 'WA', city: 'Seattle', postal_code: '98104', address_line_1: '100 Demo Way', address_line_2: '', address_line_3: '' });

  const products: Product[] = [
    { id: `prod-${str(LOWER, 13)}`, code: str(LOWER, 25), title: 'Acme Analytics (SaaS)', legacyId: uuid(), kind: 'contract', feeBps: 300, dimensions: [] },
    { id: `prod-${str(LOWER, 13)}`, code: str(LOWER, 25), title: 'Acme Data Pipeline', legacyId: uuid(), kind: 'usage', feeBps: 300, dimensions: [{ key: 'api_calls', unit: 'Units', rateMicros: 10_000 }, { key: 'gb_processed', unit: 'GB', rateMicros: 250_000 }] },
    { id: `prod-${str(LOWER, 13)}`, code: str(LOWER, 25), title: 'Acme Secure Gateway', legacyId: uuid(), kind: 'usage', feeBps: 2000, dimensions: [{ key: 'm5.large', unit: 'Hrs', rateMicros: 120_000 }] },
  ];
  const publicOffers = new Map<string, string>();
  for (const p of products) {
    emit('sdds_product', origin, { product_id: p.id, manufacturer_account_id: seller.accountId, product_code: p.code, title: p.title, catalog: 'AWSMarketplace' });
    emit('sdds_legacy_id_mapping', origin, { mapping_type: 'PRODUCT', legacy_id: p.legacyId, new_id: p.id, catalog: 'AWSMarketplace' });
    const offerId = `offer-${str(LOWER, 13)}`;
    publicOffers.set(p.id, offerId);
    emit('sdds_offer', origin, { offer_id: offerId, offer_revision: '1', name: `${p.title} public offer`, expiration_date: '9999-01-01T00:00:00Z', opportunity_name: '', opportunity_description: '', seller_account_id: seller.accountId, opportunity_id: '', recipient_account_id: seller.accountId, catalog: 'AWSMarketplace' });
    emit('sdds_offer_product', origin, { offer_id: offerId, offer_revision: '1', product_id: p.id, catalog: 'AWSMarketplace' });
    emit('sdds_legacy_id_mapping', origin, { mapping_type: 'OFFER', legacy_id: uuid(), new_id: offerId, catalog: 'AWSMarketplace' });
  }
  // a revised product title, part way through the year
  const retitle = addMonths(windowStart, 4);
  emit('sdds_product', ts(retitle, '08:15:00'), { product_id: products[0]!.id, manufacturer_account_id: seller.accountId, product_code: products[0]!.code, title: 'Acme Analytics Platform', catalog: 'AWSMarketplace' });
  products[0]!.title = 'Acme Analytics Platform';

  const countries = ['US', 'US', 'US', 'US', 'US', 'US', 'US', 'DE', 'GB', 'JP', 'CA'];
  const customers: Customer[] = [];
  const used = new Set<string>();
  for (let i = 0; i < (options.customers ?? 50); i++) {
    let name: string;
    do name = `${pick(FIRST)} ${pick(SECOND)}`;
    while (used.has(name));
    used.add(name);
    const country = pick(countries);
    const [state, city, postal] = pick(PLACES[country]!);
    const c: Customer = {
      accountId: str(B62, 42),
      aws: i % 9 === 0 ? `0${str('0123456789', 11)}` : `${int(1, 9)}${str('0123456789', 11)}`,
      encrypted: str(B62, 12),
      addressId: str(B62, 43),
      company: `${name} ${pick(SUFFIX[country]!)}`,
      domain: `${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
      country,
      state,
      city,
      postal,
      currency: country === 'DE' && i % 2 === 0 ? 'EUR' : 'USD',
      slowPayer: i % 12 === 5,
    };
    customers.push(c);
  }

  const subs: Sub[] = [];
  const newSub = (customer: Customer, product: Product, start: string, renewedFrom: string | null): Sub => {
    const contract = product.kind === 'contract';
    const privateOffer = contract && (customers.indexOf(customer) % 3 === 0 || customer.currency !== 'USD');
    let offerId = publicOffers.get(product.id)!;
    if (privateOffer) {
      offerId = `offer-${str(LOWER, 13)}`;
      const created = ts(addDays(start, -int(3, 20)), '12:00:00');
      emit('sdds_offer', created, { offer_id: offerId, offer_revision: '1', name: `Private offer for ${customer.company}`, expiration_date: ts(addDays(start, 30)), opportunity_name: '', opportunity_description: '', seller_account_id: seller.accountId, opportunity_id: '', recipient_account_id: seller.accountId, catalog: 'AWSMarketplace' });
      emit('sdds_offer_product', created, { offer_id: offerId, offer_revision: '1', product_id: product.id, catalog: 'AWSMarketplace' });
      emit('sdds_offer_target', created, { offer_target_id: str(LOWER, 37), offer_id: offerId, offer_revision: '1', target_type: 'BuyerAccounts', polarity: 'PositiveTargeting', value: customer.aws, catalog: 'AWSMarketplace' });
    }
    const s: Sub = {
      customer,
      product,
      offerId,
      agreementId: `agmt-${str(LOWER, 25)}`,
      start,
      end: contract ? addMonths(start, 12) : null,
      valueCents: contract ? int(12, 90) * 100_000 : 0,
      endedOn: null,
      endStatus: null,
      renewedFrom,
      schedule: contract && customers.indexOf(customer) % 7 === 3,
      visibility: privateOffer ? 'Private' : 'Public',
    };
    subs.push(s);
    return s;
  };

  // customers join over two years; those before the window are existing customers
  const firstSeen = new Map<Customer, string>();
  customers.forEach((c, i) => {
    const start = i < 15 ? addDays(historyStart, int(30, 330)) : addDays(windowStart, int(0, 330));
    firstSeen.set(c, start);
    const product = products[i % 3]!;
    newSub(c, product, start, null);
    if (i % 4 === 1) newSub(c, products[(i + 1) % 3]!, addDays(start, int(10, 60)), null);
  });

  // cancellations, expiries and renewals
  for (const s of [...subs]) {
    const i = customers.indexOf(s.customer);
    if (s.product.kind === 'usage') {
      if (i % 8 === 2) {
        s.endedOn = addDays(s.start, int(60, 200));
        s.endStatus = 'CANCELLED';
      }
      continue;
    }
    if (i % 10 === 4) {
      s.endedOn = addDays(s.start, int(45, 250));
      s.endStatus = 'CANCELLED';
    } else if (s.end! <= through) {
      s.endedOn = s.end;
      if (i % 4 === 3) s.endStatus = 'EXPIRED';
      else {
        s.endStatus = 'RENEWED';
        newSub(s.customer, s.product, s.end!, s.agreementId);
      }
    }
  }

  for (const c of customers) {
    const seen = ts(firstSeen.get(c)!, '00:00:00');
    emit('sdds_account', seen, { account_id: c.accountId, aws_account_id: c.aws, encrypted_account_id: c.encrypted, mailing_address_id: c.addressId, tax_address_id: c.country === 'US' ? c.addressId : '', tax_registration_number: c.country === 'DE' ? `DE${str('0123456789', 9)}` : '', tax_legal_name: c.country === 'DE' ? c.company : '' });
    emit('sdds_address', seen, { valid_to: '', address_id: c.addressId, email_domain: c.domain, company_name: c.company, country_code: c.country, state_or_region: c.state, city: c.city, postal_code: c.postal, address_line_1: `${int(1, 999)} Market Street`, address_line_2: '', address_line_3: '' });
  }
  // one correction: same valid_from, later update_date (a fixed typo in the tax registration)
  const corrected = customers.find((c) => c.country === 'DE');
  if (corrected) {
    const seen = ts(firstSeen.get(corrected)!);
    const fixed = `${addDays(firstSeen.get(corrected)!, 20)}T02:00:00Z`;
    if (fixed.slice(0, 10) <= through) {
      feeds.get('sdds_account')!.push({ valid_from: seen, insert_date: fixed, update_date: fixed, delete_date: '', account_id: corrected.accountId, aws_account_id: corrected.aws, encrypted_account_id: corrected.encrypted, mailing_address_id: corrected.addressId, tax_address_id: '', tax_registration_number: 'DE469558025', tax_legal_name: corrected.company });
    }
  }

  const lines: Line[] = [];
  const usage: Array<{ sub: Sub; day: string; dim: Product['dimensions'][number]; qty: number; revCents: number }> = [];
  const invoice = (sub: Sub, day: string, gross: number, usageStart: string, usageEnd: string) => {
    if (day > through || gross === 0) return;
    const c = sub.customer;
    const late = c.slowPayer ? null : addDays(day, int(4, 40));
    lines.push({
      sub,
      invoiceId: String(int(2_000_000_000, 2_999_999_999)),
      invoiceDate: day,
      dueDate: addDays(day, 30),
      usageStart,
      usageEnd,
      grossCents: gross,
      feeCents: -share(gross, sub.product.feeBps),
      taxCents: c.country === 'US' ? share(gross, 625) : 0,
      txRef: str(LOWER, 20),
      collected: late && late <= through ? late : null,
      disbursed: null,
      forgiven: null,
    });
  };

  for (const s of subs) {
    const c = s.customer;
    const status = 'ACTIVE';
    const base = { estimated_agreement_value: s.valueCents ? cents(s.valueCents) : '', currency_code: c.currency, agreement_id: s.agreementId, license_ids: `["${str(HEX, 32)}"]`, proposer_account_id: seller.accountId, acceptor_account_id: c.accountId, offer_id: s.offerId, offer_revision_at_acceptance: '1', offer_set_id: '', start_time: ts(s.start), end_time: s.end ? ts(s.end) : '', acceptance_time: ts(s.start), intent: s.renewedFrom ? 'RENEW' : 'NEW', preceding_agreement_id: s.renewedFrom ?? '', status_reason_code: '', recipient_account_id: seller.accountId, catalog: 'AWSMarketplace' };
    emit('sdds_agreement', ts(s.start), { status, ...base });
    if (s.endedOn && s.endStatus) emit('sdds_agreement', ts(s.endedOn, '00:00:01'), { ...base, status: s.endStatus, status_reason_code: s.endStatus === 'CANCELLED' ? 'CUSTOMER_CANCELLED' : '' });
    const termId = `term-${str(HEX, 64)}`;
    emit('sdds_agreement_term', ts(s.start), { agreement_id: s.agreementId, term_id: termId, term_type: s.product.kind === 'contract' ? 'ConfigurableUpfrontPricingTerm' : 'UsageBasedPricingTerm', term_configuration: s.product.kind === 'contract' ? `{"selectorValue":"P12M","dimensions":[{"dimensionKey":"Users","dimensionValue":${int(5, 50)}}]}` : '{}', catalog: 'AWSMarketplace' });

    if (s.product.kind === 'contract') {
      if (s.schedule) {
        const scheduleTerm = `term-${str(HEX, 64)}`;
        const quarter = Math.floor(s.valueCents / 4);
        for (let q = 0; q < 4; q++) {
          const due = addMonths(s.start, q * 3);
          const amount = q === 3 ? s.valueCents - 3 * quarter : quarter;
          emit('sdds_agreement_charge', ts(s.start), { amount: cents(amount), currency_code: c.currency, time: ts(due), agreement_id: s.agreementId, term_id: scheduleTerm, catalog: 'AWSMarketplace' });
          if (!s.endedOn || due < s.endedOn) invoice(s, due, amount, due, addDays(addMonths(due, 3), -1));
        }
      } else {
        invoice(s, s.start, s.valueCents, s.start, addDays(s.end!, -1));
      }
      continue;
    }
    // metered usage, billed on the 2nd of the next month
    const last = s.endedOn && s.endedOn < through ? addDays(s.endedOn, -1) : through;
    const scale = 1 + (customers.indexOf(c) % 5);
    let monthTotal = 0;
    for (let day = s.start; day <= last; day = addDays(day, 1)) {
      for (const dim of s.product.dimensions) {
        const qty = dim.key === 'api_calls' ? int(500, 5000) * scale : dim.key === 'gb_processed' ? int(1, 40) * scale : 24 * int(1, 3);
        const revCents = Math.round((qty * dim.rateMicros) / 10_000);
        usage.push({ sub: s, day, dim, qty, revCents });
        monthTotal += revCents;
      }
      const next = addDays(day, 1);
      if (next.slice(0, 7) !== day.slice(0, 7) || next > last) {
        const monthStart = `${day.slice(0, 7)}-01`;
        invoice(s, addDays(addMonths(monthStart, 1), 1), monthTotal, monthStart, day);
        monthTotal = 0;
      }
    }
  }
  lines.sort((a, b) => a.invoiceDate.localeCompare(b.invoiceDate));

  // one slow payer's oldest invoice is forgiven by AWS
  const forgive = lines.find((l) => l.sub.customer.slowPayer && addDays(l.dueDate, 60) <= through);
  if (forgive) forgive.forgiven = addDays(forgive.dueDate, 60);

  // billing events: invoice lines, tax, collections
  const be = (day: string, rec: Rec, delivered?: string) => emit('sdds_billing_event', ts(day), { billing_event_id: str(B62, 40), ...rec }, delivered);
  const lineIds = new Map<Line, { rev: string; fee: string }>();
  for (const l of lines) {
    const c = l.sub.customer;
    const common = { end_user_account_id: c.accountId, product_id: l.sub.product.id, parent_billing_event_id: '', disbursement_billing_event_id: '', currency: c.currency, invoice_date: ts(l.invoiceDate), usage_period_start_date: ts(l.usageStart), usage_period_end_date: ts(l.usageEnd, '23:59:59'), invoice_id: l.invoiceId, transaction_reference_id: l.txRef, bank_trace_id: '', broker_id: c.country === 'US' || c.country === 'CA' || c.country === 'JP' ? 'AWS_INC' : 'AWS_EUROPE', agreement_id: l.sub.agreementId, buyer_transaction_reference_id: l.txRef, offer_id: l.sub.offerId, recipient_account_id: seller.accountId, buyer_invoice_id: l.invoiceId, invoice_variant: 'PURCHASE' };
    const rev = str(B62, 40);
    const fee = str(B62, 40);
    lineIds.set(l, { rev, fee });
    emit('sdds_billing_event', ts(l.invoiceDate), { billing_event_id: rev, from_account_id: c.accountId, to_account_id: seller.accountId, action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE', amount: `${cents(l.grossCents)}0000`, balance_impacting: '1', payment_due_date: ts(l.dueDate), billing_address_id: c.addressId, ...common });
    emit('sdds_billing_event', ts(l.invoiceDate), { billing_event_id: fee, from_account_id: seller.accountId, to_account_id: awsAccount.accountId, action: 'INVOICED', transaction_type: 'AWS_REV_SHARE', amount: `${cents(l.feeCents)}0000`, balance_impacting: '1', payment_due_date: ts(l.dueDate), billing_address_id: '', ...common });
    if (l.taxCents) {
      be(l.invoiceDate, { from_account_id: c.accountId, to_account_id: awsAccount.accountId, action: 'INVOICED', transaction_type: 'AWS_TAX_SHARE', amount: `${cents(l.taxCents)}0000`, balance_impacting: '0', payment_due_date: ts(l.dueDate), billing_address_id: c.addressId, ...common });
      emit('sdds_tax_item', ts(l.invoiceDate), { tax_item_id: `${str(LOWER, 39)}_0001`, invoice_id: l.invoiceId, line_item_id: str('0123456789', 20), customer_bill_id: str('0123456789', 19), tax_liable_party: 'AWS', transaction_type_code: 'AWS', product_id: l.sub.product.id, product_tax_code: 'AWSMP_SOFTWARE_RA', invoice_date: ts(l.invoiceDate), taxed_customer_account_id: c.accountId, taxed_customer_country: 'US', taxed_customer_state_or_region: c.state, taxed_customer_city: c.city.toUpperCase(), taxed_customer_postal_code: c.postal, tax_location_code_taxed_jurisdiction: str('0123456789', 9), tax_type_code: 'Sales', jurisdiction_level: 'State', taxed_jurisdiction: c.state, display_price_taxability_type: 'Exclusive', taxable_amount: cents(l.grossCents), nontaxable_amount: '0', tax_jurisdiction_rate: '0.0625', tax_amount: cents(l.taxCents), tax_currency: 'USD', tax_calculation_reason_code: 'Taxable', date_used_for_tax_calculation: ts(l.invoiceDate), customer_exemption_certificate_id: '', customer_exemption_certificate_id_domain: '', customer_exemption_certificate_level: '', customer_exemption_code: '', customer_exemption_domain: '', transaction_reference_id: l.txRef });
    }
    if (l.collected) {
      // the buyer's payment, and AWS keeping its listing fee out of it: together the net collected
      be(l.collected, { from_account_id: c.accountId, to_account_id: seller.accountId, action: 'COLLECTED', transaction_type: 'SELLER_REV_SHARE', amount: `${cents(l.grossCents)}0000`, balance_impacting: '0', payment_due_date: '', billing_address_id: c.addressId, action_date: `${l.collected} 14:02:11`, ...common });
      be(l.collected, { from_account_id: seller.accountId, to_account_id: awsAccount.accountId, action: 'COLLECTED', transaction_type: 'AWS_REV_SHARE', amount: `${cents(l.feeCents)}0000`, balance_impacting: '0', payment_due_date: '', billing_address_id: '', action_date: `${l.collected} 14:02:11`, ...common });
    }
    if (l.forgiven) {
      be(l.forgiven, { from_account_id: c.accountId, to_account_id: seller.accountId, action: 'FORGIVEN', transaction_type: 'SELLER_REV_SHARE', amount: `${cents(-l.grossCents)}0000`, balance_impacting: '1', payment_due_date: '', billing_address_id: c.addressId, ...common });
      be(l.forgiven, { from_account_id: seller.accountId, to_account_id: awsAccount.accountId, action: 'FORGIVEN', transaction_type: 'AWS_REV_SHARE', amount: `${cents(-l.feeCents)}0000`, balance_impacting: '1', payment_due_date: '', billing_address_id: '', ...common });
    }
  }

  // two refunds of contract invoices, with the listing fee given back
  const refunds = lines.filter((l) => l.sub.product.kind === 'contract' && l.collected).slice(2, 4);
  for (const l of refunds) {
    const day = addDays(l.collected!, 10);
    if (day > through) continue;
    const c = l.sub.customer;
    const back = -Math.floor(l.grossCents / 4);
    const refundInvoice = String(int(3_000_000_000, 3_999_999_999));
    const common = { end_user_account_id: c.accountId, product_id: l.sub.product.id, parent_billing_event_id: '', disbursement_billing_event_id: '', currency: c.currency, invoice_date: ts(day), payment_due_date: '', usage_period_start_date: ts(l.usageStart), usage_period_end_date: ts(l.usageEnd, '23:59:59'), invoice_id: refundInvoice, transaction_reference_id: l.txRef, bank_trace_id: '', broker_id: 'AWS_INC', agreement_id: l.sub.agreementId, buyer_transaction_reference_id: l.txRef, offer_id: l.sub.offerId, recipient_account_id: seller.accountId, buyer_invoice_id: refundInvoice, invoice_variant: 'PURCHASE' };
    be(day, { from_account_id: c.accountId, to_account_id: seller.accountId, action: 'INVOICED', transaction_type: 'SELLER_REV_SHARE_REFUND', amount: `${cents(back)}0000`, balance_impacting: '1', billing_address_id: c.addressId, ...common });
    be(day, { from_account_id: seller.accountId, to_account_id: awsAccount.accountId, action: 'INVOICED', transaction_type: 'AWS_REV_SHARE_REFUND', amount: `${cents(-share(back, l.sub.product.feeBps))}0000`, balance_impacting: '1', billing_address_id: '', ...common });
  }

  // monthly disbursements on the 8th of what was collected before the 1st
  const disbursements: Array<{ day: string; byCurrency: Map<string, number>; lines: Line[]; id: Map<string, string> }> = [];
  for (let month = addMonths(windowStart, -11); month <= through; month = addMonths(month, 1)) {
    const day = addDays(month, 7);
    if (day > through) break;
    const batch = lines.filter((l) => l.collected && l.collected < month && !l.disbursed && !l.forgiven);
    if (batch.length === 0) continue;
    const byCurrency = new Map<string, number>();
    const id = new Map<string, string>();
    for (const l of batch) {
      l.disbursed = day;
      const cur = l.sub.customer.currency;
      byCurrency.set(cur, (byCurrency.get(cur) ?? 0) + l.grossCents + l.feeCents);
      if (!id.has(cur)) id.set(cur, str(B62, 40));
      const ids = lineIds.get(l)!;
      const c = l.sub.customer;
      const common = { end_user_account_id: c.accountId, product_id: l.sub.product.id, disbursement_billing_event_id: id.get(cur)!, currency: cur, invoice_date: ts(l.invoiceDate), payment_due_date: '', usage_period_start_date: ts(l.usageStart), usage_period_end_date: ts(l.usageEnd, '23:59:59'), invoice_id: l.invoiceId, transaction_reference_id: l.txRef, bank_trace_id: '', broker_id: 'AWS_INC', agreement_id: l.sub.agreementId, buyer_transaction_reference_id: l.txRef, offer_id: l.sub.offerId, recipient_account_id: seller.accountId, buyer_invoice_id: l.invoiceId, invoice_variant: 'PURCHASE' };
      be(day, { from_account_id: c.accountId, to_account_id: seller.accountId, action: 'DISBURSED', transaction_type: 'SELLER_REV_SHARE', parent_billing_event_id: ids.rev, amount: `${cents(-l.grossCents)}0000`, balance_impacting: '0', billing_address_id: c.addressId, ...common });
      be(day, { from_account_id: seller.accountId, to_account_id: awsAccount.accountId, action: 'DISBURSED', transaction_type: 'AWS_REV_SHARE', parent_billing_event_id: ids.fee, amount: `${cents(-l.feeCents)}0000`, balance_impacting: '0', billing_address_id: '', ...common });
    }
    for (const [cur, total] of byCurrency) {
      emit('sdds_billing_event', ts(day), { billing_event_id: id.get(cur)!, from_account_id: awsAccount.accountId, to_account_id: seller.accountId, end_user_account_id: '', product_id: '', action: 'DISBURSED', transaction_type: 'DISBURSEMENT', parent_billing_event_id: '', disbursement_billing_event_id: '', amount: `${cents(total)}0000`, currency: cur, balance_impacting: '0', invoice_date: ts(day), payment_due_date: '', usage_period_start_date: '', usage_period_end_date: '', invoice_id: '', billing_address_id: '', transaction_reference_id: '', bank_trace_id: `0210000${str('0123456789', 8)}`, broker_id: 'AWS_INC', agreement_id: '', buyer_transaction_reference_id: '' });
    }
    disbursements.push({ day, byCurrency, lines: batch, id });
  }

  for (const u of usage) {
    const c = u.sub.customer;
    emit('sdds_daily_usage', `${u.day} 00:00:00.0`, { usage_feed_id: str(HEX, 64), usage_date: u.day, product_id: u.sub.product.id, agreement_id: u.sub.agreementId, end_user_account_id: c.accountId, payer_account_id: c.accountId, region: 'us-east-1', dimension_key: u.dim.key, usage_unit: u.dim.unit, usage_quantity: String(u.qty), pricing_currency: 'USD', estimated_revenue_in_pricing_currency: cents(u.revCents), recipient_account_id: seller.accountId, offer_id: u.sub.offerId, usage_rate_per_unit_in_pricing_currency: (u.dim.rateMicros / 1e6).toFixed(6), charge_item_description: `Usage-based pricing|us-east-1|${u.dim.key}` }, `${addDays(u.day, 1)} 06:10:00.0`);
  }

  // write SDDS month files: every feed gets a file for every month of the window, header-only when quiet
  let files = 0;
  let rows = 0;
  const put = async (key: string, content: string) => {
    const file = path.join(dir, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    files++;
  };
  for (const def of SDDS_DATASETS) {
    if (def.name === 'sdds_pii') continue; // retired before the demo year
    const headers = def.columns.map((c) => c.name);
    const byMonth = new Map<string, Rec[]>();
    for (let m = windowStart; m <= through; m = addMonths(m, 1)) byMonth.set(m.slice(0, 7), []);
    for (const r of feeds.get(def.name)!) {
      const month = r.insert_date!.slice(0, 7);
      if (!byMonth.has(month)) byMonth.set(month, []);
      byMonth.get(month)!.push(r);
    }
    for (const [month, recs] of [...byMonth].sort()) {
      recs.sort((a, b) => a.insert_date!.localeCompare(b.insert_date!));
      rows += recs.length;
      await put(`${def.awsName}/year=${month.slice(0, 4)}/month=${month.slice(5)}/data.csv`, toCsv(headers, recs));
    }
  }

  rows += await writeCas(put, { through, windowStart, lines, usage, subs, disbursements, seller, str });
  return { files, rows };
}

function toCsv(headers: string[], recs: Rec[]): string {
  const q = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [headers.join(','), ...recs.map((r) => headers.map((h) => q(r[h] ?? '')).join(','))].join('\n') + '\n';
}

interface CasInput {
  through: string;
  windowStart: string;
  lines: Line[];
  usage: Array<{ sub: Sub; day: string; dim: Product['dimensions'][number]; qty: number; revCents: number }>;
  subs: Sub[];
  disbursements: Array<{ day: string; lines: Line[] }>;
  seller: { aws: string };
  str: (alphabet: string, n: number) => string;
}

/** The legacy CAS reports for the same customers: monthly revenue, disbursements, recent dailies. */
async function writeCas(put: (key: string, content: string) => Promise<void>, x: CasInput): Promise<number> {
  const headersOf = (type: string) => CAS_DATASETS.find((d) => d.dataSetType === type)!.columns.map((c) => c.header);
  let rows = 0;
  const write = async (type: string, published: string, recs: Rec[], coverage?: [string, string]) => {
    if (published > addDays(x.through, 1)) return;
    rows += recs.length;
    const key = `cas/${type}_${published}`;
    await put(`${key}.csv`, toCsv(headersOf(type), recs));
    if (coverage) {
      await put(`${key}.meta.json`, JSON.stringify({ dataSetRequestId: `${x.str(HEX, 8)}-${x.str(HEX, 4)}-${x.str(HEX, 4)}-${x.str(HEX, 4)}-${x.str(HEX, 12)}`, dataSetCoverageRange: { startDateTime: `${coverage[0]}T00:00:00.000Z`, endDateTime: `${addDays(coverage[1], -1)}T23:59:59.000Z` }, dataSetRequestParameters: { sellerAccountId: x.seller.aws, dataSetType: type, dataSetPublicationDate: `${published}T00:00:00.000Z` }, dataSetS3Location: { bucketName: 'demo-bucket', key: `${key}.csv` } }, null, 2));
    }
  };
  const customerCols = (c: Customer): Rec => ({ 'Customer Reference ID': c.encrypted, Country: c.country, State: c.state, City: c.city, 'Zip Code': c.postal, 'Customer AWS Account Number': c.aws, 'Customer Email Domain': c.domain, 'Payer Reference ID': c.encrypted, 'Payer Address ID': c.addressId });
  const money = (l: Line): Rec => ({ 'Customer Billed Amount': cents(l.grossCents), 'AWS Listing Fee': cents(l.feeCents), 'Refunds Amount': '0.00', 'AWS Fee Refund': '0.00', Cost: '0.00', 'Partner Revenue Amount': cents(l.grossCents + l.feeCents), Currency: l.sub.customer.currency, 'Transaction Reference ID': l.txRef, 'U.S. Sales Tax Customer Billed Amount': cents(l.taxCents), 'U.S. Sales Tax Refunds Amount': '0.00', 'Offer ID': l.sub.offerId, 'Offer Visibility': l.sub.visibility });

  for (let month = addMonths(x.windowStart, 1); month <= addMonths(x.through, 1); month = addMonths(month, 1)) {
    const published = `${month.slice(0, 7)}-15`;
    const prevMonth = addMonths(month, -1);
    const midStart = addMonths(published, -1);
    const usageLines = x.lines.filter((l) => l.sub.product.kind === 'usage' && l.invoiceDate >= midStart && l.invoiceDate < published);
    await write('monthly_revenue_billing_and_revenue_data', published, usageLines.map((l) => ({ ...customerCols(l.sub.customer), 'Product Title': l.sub.product.title, 'Product Code': l.sub.product.code, ...money(l) })), [midStart, published]);
    const contractLines = x.lines.filter((l) => l.sub.product.kind === 'contract' && l.invoiceDate >= prevMonth && l.invoiceDate < month);
    await write('monthly_revenue_annual_subscriptions', published, contractLines.map((l) => ({ ...customerCols(l.sub.customer), 'Product Title': l.sub.product.title, 'Product Code': l.sub.product.code, 'Subscription Quantity': '1', 'Subscription Start Date': l.usageStart, 'Subscription End Date': l.usageEnd, 'Subscription Instance Type': '', ...money(l), 'Contract Start Date': l.sub.start, 'Contract End Date': l.sub.end ?? '' })), [prevMonth, month]);
    const billed = x.lines.filter((l) => l.invoiceDate >= prevMonth && l.invoiceDate < month);
    await write('sales_compensation_billed_revenue', published, billed.map((l) => ({ 'Customer AWS Account Number': l.sub.customer.aws, Country: l.sub.customer.country, State: l.sub.customer.state, City: l.sub.customer.city, 'Zip Code': l.sub.customer.postal, 'Email Domain': l.sub.customer.domain, 'Product Code': l.sub.product.code, 'Product Title': l.sub.product.title, 'Gross Revenue': cents(l.grossCents), 'AWS Revenue Share': cents(l.feeCents), 'Gross Refunds': '0.00', 'AWS Refunds Share': '0.00', 'Net Revenue': cents(l.grossCents + l.feeCents), Currency: l.sub.customer.currency, 'AR Period': prevMonth.slice(0, 7), 'Transaction Reference ID': l.txRef, 'Payer Reference ID': l.sub.customer.encrypted, 'Payer Address ID': l.sub.customer.addressId })), [prevMonth, month]);
    const taxed = billed.filter((l) => l.taxCents);
    await write('us_sales_and_use_tax_records', published, taxed.map((l) => ({ 'Line Item ID': l.txRef, 'Customer Bill ID': l.invoiceId, 'Product Name': l.sub.product.title, 'Product Code': l.sub.product.code, 'Seller ID': x.seller.aws, 'Transaction Date': l.invoiceDate, 'Total Adjusted Price': cents(l.grossCents), 'Total Tax': cents(l.taxCents), 'Base Currency Code': 'USD', 'Bill to City': l.sub.customer.city, 'Bill to State': l.sub.customer.state, 'Bill to Postal Code': l.sub.customer.postal, 'Bill to Country': 'US', 'Transaction Type Code': 'AWS', 'Tax Type Code': 'Sales', 'Jurisdiction Level': 'State', 'Taxed Jurisdiction': l.sub.customer.state, 'Taxable Sale Amount': cents(l.grossCents), 'Nontaxable Sale Amount': '0.00', 'Tax Amount': cents(l.taxCents), 'Tax Jurisdiction Tax Rate': '0.0625', 'Tax Liable Party': 'AWS' })), [prevMonth, month]);
  }

  for (const d of x.disbursements) {
    if (d.day < x.windowStart) continue;
    const published = addDays(d.day, 4);
    const coverage: [string, string] = [addDays(d.day, -30), addDays(d.day, 1)];
    await write('disbursed_amount_by_product', published, d.lines.map((l) => ({ Product: l.sub.product.title, 'Product Code': l.sub.product.code, SellerRev: cents(l.grossCents), AWSRefFee: cents(l.feeCents), SellerRevRefund: '0.00', AWSRefFeeRefund: '0.00', SellerRevCredit: '0.00', AWSRefFeeCredit: '0.00', 'Net Amount': cents(l.grossCents + l.feeCents), 'Transaction Reference ID': l.txRef, SellerUSSalesTax: '0.00', SellerUSSalesTaxRefund: '0.00', 'Customer AWS Account Number': l.sub.customer.aws, 'Customer Country': l.sub.customer.country, 'Customer State': l.sub.customer.state, 'Customer City': l.sub.customer.city, 'Customer Zip Code': l.sub.customer.postal, 'Customer Email Domain': l.sub.customer.domain, 'Payer Reference ID': l.sub.customer.encrypted, 'Payer Address ID': l.sub.customer.addressId })), coverage);
    const buckets = [0, 0, 0, 0, 0];
    for (const l of x.lines) {
      if (l.collected && l.collected <= d.day) continue;
      if (l.forgiven || l.dueDate >= d.day) continue;
      const age = Math.round((Date.parse(d.day) - Date.parse(l.dueDate)) / 86_400_000);
      buckets[age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : age <= 120 ? 3 : 4]! += l.grossCents + l.feeCents;
    }
    const total = buckets.reduce((a, b) => a + b, 0);
    await write('disbursed_amount_by_age_of_past_due_funds', published, [{ 'Past Due (< 31 days)': cents(buckets[0]!), 'Past Due (31–60 days)': cents(buckets[1]!), 'Past Due (61–90 days)': cents(buckets[2]!), 'Past Due (91–120 days)': cents(buckets[3]!), 'Past Due (> 120 days)': cents(buckets[4]!), 'Past Due (overall)': cents(total) }], coverage);
  }

  // the last two weeks of daily reports
  for (let day = addDays(x.through, -13); day <= x.through; day = addDays(day, 1)) {
    const published = addDays(day, 1);
    const active = x.subs.filter((s) => s.start <= day && (!s.endedOn || s.endedOn > day));
    const subscriber = (s: Sub): Rec => ({ 'Customer AWS Account Number': s.customer.aws, 'Product Title': s.product.title, 'Product Id': s.product.id, 'Product Code': s.product.code, 'Subscription Start Date': s.start, 'Offer ID': s.offerId, 'Offer Visibility': s.visibility, 'Payer Reference ID': s.customer.encrypted });
    await write('customer_subscriber_hourly_monthly_subscriptions', published, active.filter((s) => s.product.kind === 'usage').map(subscriber));
    await write('customer_subscriber_annual_subscriptions', published, active.filter((s) => s.product.kind === 'contract').map((s) => ({ ...subscriber(s), 'Subscription Id': s.agreementId, 'Subscription Quantity': '1', 'Subscription Type': 'Annual', 'Subscription Intent': s.renewedFrom ? 'RENEW' : 'NEW' })));
    const where = (s: Sub): Rec => ({ 'Customer Reference ID': s.customer.encrypted, 'User’s State': s.customer.state, 'User’s Country': s.customer.country, 'Product Title': s.product.title, 'Product Code': s.product.code, 'Offer ID': s.offerId, 'Customer Country': s.customer.country, 'Customer State': s.customer.state, 'Customer City': s.customer.city, 'Customer Zip Code': s.customer.postal, 'Customer Email Domain': s.customer.domain, 'Payer Reference ID': s.customer.encrypted, 'Payer Address ID': s.customer.addressId });
    await write('daily_business_new_product_subscribers', published, x.subs.filter((s) => s.start === day).map(where));
    await write('daily_business_canceled_product_subscribers', published, x.subs.filter((s) => s.endedOn === day && s.endStatus === 'CANCELLED').map((s) => ({ ...where(s), 'Subscribed Date': s.start, 'Customer AWS Account Number': s.customer.aws })));
    const used = x.usage.filter((u) => u.day === day);
    await write('daily_business_usage_by_instance_type', published, used.map((u) => ({ ...where(u.sub), 'Instance Type': u.dim.key, 'Usage Units': String(u.qty), 'Usage Unit Type': u.dim.unit, 'Offering Description': `Usage-based pricing|${u.dim.key}`, 'Estimated Revenue': cents(u.revCents), Currency: 'USD', 'Customer AWS Account Number': u.sub.customer.aws })));
    const feeDay = addDays(published, -3);
    const fees = x.lines.filter((l) => l.sub.product.kind === 'contract' && l.invoiceDate === feeDay);
    await write('daily_business_fees', published, fees.map((l) => ({ ...where(l.sub), Amount: cents(l.grossCents), Currency: l.sub.customer.currency, 'Fee Description': 'Annual contract', 'Customer AWS Account Number': l.sub.customer.aws, 'Start Date': l.usageStart, 'End Date': l.usageEnd, Quantity: '1', Dimension: 'Users' })));
  }
  return rows;
}
