/**
 * Commerce Analytics Service data sets and the legacy seller report sections they mirror
 * (../shared/specs/cas-datasets.md §1.1 and §3). AWS retired the reports in 2024; sellers keep the
 * archives. Files are `<dataSetType>_YYYY-MM-DD.csv` (publication date) with an optional
 * `.meta.json` that states the coverage.
 */
import { col } from './columns.ts';
import type { Cadence, CasDataset, Category, ColumnDef, ColumnType } from './types.ts';

/** The legacy reports stopped with the disbursement report's retirement notice. */
const CAS_RETIRED_ON = '2024-08-30';

/** Types shared by columns of the same name across sections; anything not listed is text. */
const COMMON_TYPES: Record<string, ColumnType> = {
  'Customer AWS Account Number': 'account',
  'User AWS Account Number': 'account',
  'Payer AWS Account Number': 'account',
  'Reseller account ID': 'account',
  'Customer Reference ID': 'id',
  'User Reference ID': 'id',
  'Payer Reference ID': 'id',
  'Payer Address ID': 'id',
  'Transaction Reference ID': 'id',
  'Product Code': 'id',
  'Product Id': 'id',
  'Product ID': 'id',
  'Offer ID': 'id',
  'Previous Offer ID': 'id',
  'Solution ID': 'id',
  'Subscription Id': 'id',
  'Zip Code': 'id',
  'Customer Zip Code': 'id',
  'Postal Code': 'id',
  'Bill to Postal Code': 'id',
  'Estimated Revenue': 'decimal',
  'Usage Units': 'decimal',
  'Amount': 'decimal',
  'Quantity': 'decimal',
  'Customer Billed Amount': 'decimal',
  'AWS Listing Fee': 'decimal',
  'Refunds Amount': 'decimal',
  'AWS Fee Refund': 'decimal',
  'Cost': 'decimal',
  'Partner Revenue Amount': 'decimal',
  'U.S. Sales Tax Customer Billed Amount': 'decimal',
  'U.S. Sales Tax Refunds Amount': 'decimal',
  'Subscription Quantity': 'decimal',
  'Subscription Start Date': 'date',
  'Subscription End Date': 'date',
  'Contract Start Date': 'date',
  'Contract End Date': 'date',
  'Start Date': 'date',
  'End Date': 'date',
  'Subscribed Date': 'date',
  'Gross Revenue': 'decimal',
  'AWS Revenue Share': 'decimal',
  'Gross Refunds': 'decimal',
  'AWS Refunds Share': 'decimal',
  'Net Revenue': 'decimal',
  'AR Period': 'month',
  'Payment Due date': 'date',
};

/** Renames across doc versions: current header -> older headers (matching ignores case and punctuation). */
const COMMON_ALIASES: Record<string, string[]> = {
  'AWS Listing Fee': ['AWS Fee'],
  'Subscription Id': ['Annual Subscription Id'],
  'Subscription Quantity': ['Annual Subscription Quantity'],
  'Subscription Type': ['Annual Subscription Type'],
  'Subscription Start Date': ['Annual Subscription Start Date'],
  'Subscription End Date': ['Annual Subscription End Date'],
  'Subscription Instance Type': ['Annual Subscription Instance Type'],
  'Usage Unit Type': ['Usage Unit Types'],
  'Usage Unit Types': ['Usage Unit Type'],
};

interface CasInput {
  dataSetType: string;
  category: Category;
  title: string;
  description: string;
  cadence: Cadence;
  /** Headers in doc order, comma separated. */
  headers: string;
  types?: Record<string, ColumnType>;
  aliases?: Record<string, string[]>;
  names?: Record<string, string>;
  key?: string[];
  required?: string[];
}

function cas(input: CasInput): CasDataset {
  const columns: ColumnDef[] = input.headers.split(',').map((raw) => {
    const header = raw.trim();
    return col(header, input.types?.[header] ?? COMMON_TYPES[header] ?? 'text', {
      aliases: input.aliases?.[header] ?? COMMON_ALIASES[header] ?? [],
      required: input.required?.includes(header) ?? false,
      ...(input.names?.[header] ? { name: input.names[header] } : {}),
    });
  });
  const byHeader = new Map(columns.map((c) => [c.header, c.name]));
  return {
    source: 'cas',
    name: `cas_${input.dataSetType}`,
    awsName: input.dataSetType,
    dataSetType: input.dataSetType,
    title: input.title,
    category: input.category,
    description: input.description,
    columns,
    key: (input.key ?? []).map((h) => {
      const name = byHeader.get(h);
      if (!name) throw new Error(`${input.dataSetType}: key column "${h}" is not among its headers`);
      return name;
    }),
    loadMode: 'replace-period',
    cadence: input.cadence,
    retiredOn: CAS_RETIRED_ON,
  };
}

const DAILY: Cadence = { kind: 'daily', lagDays: 1 };
const MONTHLY: Cadence = { kind: 'monthly', publishDay: 15, coverage: 'previous-month' };
const DISBURSEMENT: Cadence = { kind: 'after-disbursement', minDays: 3, maxDays: 5, lookbackDays: 31 };

/** The age-bucket sections: six amount columns named after their bucket. */
function ageBuckets(prefix: string, suffix: string, namePrefix: string): Pick<CasInput, 'headers' | 'types' | 'names'> {
  const buckets: Array<[string, string]> = [
    [`< 31 days${suffix}`, 'lt_31_days'],
    [`31–60 days${suffix}`, '31_60_days'],
    [`61–90 days${suffix}`, '61_90_days'],
    [`91–120 days${suffix}`, '91_120_days'],
    [`> 120 days${suffix}`, 'gt_120_days'],
    ['overall', 'overall'],
  ];
  const headers = buckets.map(([label]) => `${prefix} (${label})`);
  return {
    headers: headers.join(', '),
    types: Object.fromEntries(headers.map((h) => [h, 'decimal' as const])),
    names: Object.fromEntries(headers.map((h, i) => [h, `${namePrefix}_${buckets[i]![1]}`])),
  };
}

const SUBSCRIBER_KEY = ['Customer AWS Account Number', 'Product Code'];

export const CAS_DATASETS: CasDataset[] = [
  cas({
    dataSetType: 'customer_subscriber_hourly_monthly_subscriptions',
    category: 'Customer Subscribers',
    title: 'Customer subscribers: usage-based (hourly/monthly)',
    description: 'Customers with an active usage-based subscription, as of the previous day 23:59:59 UTC.',
    cadence: DAILY,
    headers:
      'Customer AWS Account Number, Product Title, Product Id, Product Code, Subscription Start Date, Offer ID, Offer Visibility, Solution Title, Solution ID, Payer Reference ID, Reseller account ID, Reseller account name',
    key: SUBSCRIBER_KEY,
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'customer_subscriber_annual_subscriptions',
    category: 'Customer Subscribers',
    title: 'Customer subscribers: fee-based (annual / variable length)',
    description: 'Customers with an active fee-based subscription, as of the previous day 23:59:59 UTC.',
    cadence: DAILY,
    headers:
      'Customer AWS Account Number, Product Title, Product Id, Product Code, Subscription Id, Subscription Quantity, Subscription Type, Subscription Intent, Offer ID, Subscription Start Date, Previous Offer ID, Offer Visibility, Solution Title, Solution ID, Payer Reference ID, Reseller account ID, Reseller account name',
    key: ['Subscription Id'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'daily_business_usage_by_instance_type',
    category: 'Daily Business',
    title: 'Daily business: metered usage',
    description: 'Usage per customer and instance type with estimated revenue, for the previous UTC day.',
    cadence: DAILY,
    headers:
      'Customer Reference ID, User’s State, User’s Country, Product Title, Product Code, Instance Type, Usage Units, Usage Unit Type, Offering Description, Estimated Revenue, Currency, Offer ID, Offer Visibility, Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    key: ['Customer Reference ID', 'Product Code', 'Instance Type', 'Offering Description'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'daily_business_fees',
    category: 'Daily Business',
    title: 'Daily business: contract fees',
    description: 'Contract and subscription fees (negative for refunds) for the day 72 hours before publication.',
    cadence: { kind: 'daily', lagDays: 3 },
    headers:
      'Customer Reference ID, User’s State, User’s Country, Product Title, Product Code, Amount, Currency, Fee Description, Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Start Date, End Date, Quantity, Dimension, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    required: ['Product Code', 'Amount'],
  }),
  cas({
    dataSetType: 'daily_business_free_trial_conversions',
    category: 'Daily Business',
    title: 'Daily business: free trial conversions',
    description: 'Free trials started, current, converted and not converted per product.',
    cadence: DAILY,
    headers:
      'Product Title, Product Code, New Free Trials, Total Current Free Trials, Converted Free Trials, Non-Converted Free Trials, Solution Title, Solution ID',
    types: {
      'New Free Trials': 'integer',
      'Total Current Free Trials': 'integer',
      'Converted Free Trials': 'integer',
      'Non-Converted Free Trials': 'integer',
    },
    key: ['Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'daily_business_new_instances',
    category: 'Daily Business',
    title: 'Daily business: new instances',
    description: 'Instances launched per customer and instance type.',
    cadence: DAILY,
    headers:
      'Customer Reference ID, User’s State, User’s Country, Product Title, Product Code, Type, Count, Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    types: { Count: 'integer' },
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'daily_business_new_product_subscribers',
    category: 'Daily Business',
    title: 'Daily business: new product subscribers',
    description: 'Customers who subscribed the previous day.',
    cadence: DAILY,
    headers:
      'Customer Reference ID, User’s State, User’s Country, Product Title, Product Code, Offer ID, Offer Visibility, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    key: ['Customer Reference ID', 'Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'daily_business_canceled_product_subscribers',
    category: 'Daily Business',
    title: 'Daily business: canceled product subscribers',
    description: 'Customers who canceled the previous day, with their original subscription date.',
    cadence: DAILY,
    headers:
      'Customer Reference ID, User’s State, User’s Country, Product Title, Product Code, Subscribed Date, Offer ID, Offer Visibility, Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    key: ['Customer Reference ID', 'Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'monthly_revenue_billing_and_revenue_data',
    category: 'Monthly Revenue',
    title: 'Monthly revenue: billing and revenue data',
    description: 'Usage billing, refunds, listing fees and US sales tax, 15th of the prior month to the 14th.',
    cadence: { kind: 'monthly', publishDay: 15, coverage: 'mid-month' },
    headers:
      'Customer Reference ID, Country, State, City, Zip Code, Product Title, Product Code, Customer Billed Amount, AWS Listing Fee, Refunds Amount, AWS Fee Refund, Cost, Partner Revenue Amount, Currency, Transaction Reference ID, U.S. Sales Tax Customer Billed Amount, U.S. Sales Tax Refunds Amount, Offer ID, Offer Visibility, Customer AWS Account Number, Customer Email Domain, Opportunity Name, Opportunity Description, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    key: ['Transaction Reference ID', 'Product Code', 'Customer Reference ID'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'monthly_revenue_annual_subscriptions',
    category: 'Monthly Revenue',
    title: 'Monthly revenue: annual (variable length) subscriptions',
    description: 'Up-front subscription charges billed in the previous calendar month.',
    cadence: MONTHLY,
    headers:
      'Customer Reference ID, Country, State, City, Zip Code, Product Title, Product Code, Subscription Quantity, Subscription Start Date, Subscription End Date, Subscription Instance Type, Customer Billed Amount, AWS Listing Fee, Refunds Amount, AWS Fee Refund, Cost, Partner Revenue Amount, Currency, Transaction Reference ID, U.S. Sales Tax Customer Billed Amount, U.S. Sales Tax Refunds Amount, Customer AWS Account Number, Customer Email Domain, Offer ID, Offer Visibility, Contract Start Date, Contract End Date, Opportunity Name, Opportunity Description, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    key: ['Transaction Reference ID', 'Product Code', 'Customer Reference ID'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'monthly_revenue_field_demonstration_usage',
    category: 'Monthly Revenue',
    title: 'Monthly revenue: field demonstration usage',
    description: 'Usage under the field demonstration program in the previous month.',
    cadence: MONTHLY,
    headers: 'Product Title, Product Code, Instance Type, Usage Units, Usage Unit Types',
    key: ['Product Code', 'Instance Type'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'monthly_revenue_flexible_payment_schedule',
    category: 'Monthly Revenue',
    title: 'Monthly revenue: flexible payment schedule',
    description: 'Contracts with a flexible payment schedule and their invoices in the previous month (USD).',
    cadence: MONTHLY,
    headers:
      'Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer ZIP Code, Customer Email Domain, User Reference ID, User AWS Account Number, Product ID, Product Title, Product Type, AWS Marketplace Offer ID, Contract Create Date, Contract Expiration Date, Total Contract Value (USD), # of Payments, Invoice Date, Invoice Amount (USD), Payer Reference ID',
    types: {
      'Customer ZIP Code': 'id',
      'AWS Marketplace Offer ID': 'id',
      'Contract Create Date': 'date',
      'Contract Expiration Date': 'date',
      'Total Contract Value (USD)': 'decimal',
      '# of Payments': 'integer',
      'Invoice Date': 'date',
      'Invoice Amount (USD)': 'decimal',
    },
    names: { '# of Payments': 'number_of_payments' },
    key: ['AWS Marketplace Offer ID', 'Customer AWS Account Number', 'Invoice Date'],
  }),
  cas({
    dataSetType: 'disbursed_amount_by_product',
    category: 'Disbursement',
    title: 'Disbursement: by product',
    description: 'Amounts disbursed per product and transaction, with fees, refunds, credits and US sales tax.',
    cadence: DISBURSEMENT,
    headers:
      'Product, Product Code, SellerRev, AWSRefFee, SellerRevRefund, AWSRefFeeRefund, SellerRevCredit, AWSRefFeeCredit, Net Amount, Transaction Reference ID, SellerUSSalesTax, SellerUSSalesTaxRefund, Customer AWS Account Number, Customer Country, Customer State, Customer City, Customer Zip Code, Customer Email Domain, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    types: {
      SellerRev: 'decimal',
      AWSRefFee: 'decimal',
      SellerRevRefund: 'decimal',
      AWSRefFeeRefund: 'decimal',
      SellerRevCredit: 'decimal',
      AWSRefFeeCredit: 'decimal',
      'Net Amount': 'decimal',
      SellerUSSalesTax: 'decimal',
      SellerUSSalesTaxRefund: 'decimal',
    },
    names: {
      SellerRev: 'seller_rev',
      AWSRefFee: 'aws_ref_fee',
      SellerRevRefund: 'seller_rev_refund',
      AWSRefFeeRefund: 'aws_ref_fee_refund',
      SellerRevCredit: 'seller_rev_credit',
      AWSRefFeeCredit: 'aws_ref_fee_credit',
      SellerUSSalesTax: 'seller_us_sales_tax',
      SellerUSSalesTaxRefund: 'seller_us_sales_tax_refund',
    },
    key: ['Transaction Reference ID', 'Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'disbursed_amount_by_customer_geo',
    category: 'Disbursement',
    title: 'Disbursement: by customer geography',
    description: 'Disbursed, net and gross amounts per settlement and tax location.',
    cadence: DISBURSEMENT,
    headers:
      'Settlement ID, Settlement Period Start Date, Settlement Period End Date, Deposit Date, Disbursed Amount, Country Code, State or Region, City, Postal Code, Net Amount by Tax Location, Gross Amount by Tax Location, Seller U.S. Sales Tax, Seller U.S. Sales Tax Refund',
    types: {
      'Settlement ID': 'id',
      'Settlement Period Start Date': 'date',
      'Settlement Period End Date': 'date',
      'Deposit Date': 'date',
      'Disbursed Amount': 'decimal',
      'Net Amount by Tax Location': 'decimal',
      'Gross Amount by Tax Location': 'decimal',
      'Seller U.S. Sales Tax': 'decimal',
      'Seller U.S. Sales Tax Refund': 'decimal',
    },
    key: ['Settlement ID', 'Country Code', 'State or Region', 'City', 'Postal Code'],
  }),
  cas({
    dataSetType: 'disbursed_amount_by_instance_hours',
    category: 'Disbursement',
    title: 'Disbursement: by instance hours',
    description: 'Disbursed usage per product and usage type: rate, users and instance hours.',
    cadence: DISBURSEMENT,
    headers: 'Product, Product Code, Usage Type Description, Rate, User Count, Instance Hours, Solution Title, Solution ID',
    types: { Rate: 'decimal', 'User Count': 'integer', 'Instance Hours': 'decimal' },
    key: ['Product Code', 'Usage Type Description'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'disbursed_amount_by_age_of_uncollected_funds',
    category: 'Disbursement',
    title: 'Disbursement: age of uncollected funds',
    description: 'Uncollected amounts by how long they have been pending.',
    cadence: DISBURSEMENT,
    ...ageBuckets('Uncollected', ' pending', 'uncollected'),
  }),
  cas({
    dataSetType: 'disbursed_amount_by_age_of_disbursed_funds',
    category: 'Disbursement',
    title: 'Disbursement: age of disbursed funds',
    description: 'Collected and disbursed amounts by how long they were pending.',
    cadence: DISBURSEMENT,
    ...ageBuckets('Collected', ' pending', 'collected'),
  }),
  cas({
    dataSetType: 'disbursed_amount_by_age_of_past_due_funds',
    category: 'Disbursement',
    title: 'Disbursement: age of past due funds',
    description: 'Past-due amounts by days past their payment due date.',
    cadence: DISBURSEMENT,
    ...ageBuckets('Past Due', '', 'past_due'),
  }),
  cas({
    dataSetType: 'disbursed_amount_by_uncollected_funds_breakdown',
    category: 'Disbursement',
    title: 'Disbursement: uncollected funds breakdown',
    description: 'Each uncollected invoice line with its payment due date.',
    cadence: DISBURSEMENT,
    headers:
      'Payer AWS Account Number, Product Code, Gross Revenue, AWS Revenue Share, Gross Refunds, AWS Refunds Share, Net Revenue, Currency, AR Period, Transaction Reference ID, Opportunity Name, Opportunity Description, Solution Title, Solution ID, Payer Reference ID, Payer Address ID, Payment Due date',
    key: ['Transaction Reference ID', 'Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'sales_compensation_billed_revenue',
    category: 'Finance Operations',
    title: 'Sales compensation: billed revenue',
    description: 'Billed revenue per customer and product for the previous calendar month.',
    cadence: MONTHLY,
    headers:
      'Customer AWS Account Number, Country, State, City, Zip Code, Email Domain, Product Code, Product Title, Gross Revenue, AWS Revenue Share, Gross Refunds, AWS Refunds Share, Net Revenue, Currency, AR Period, Transaction Reference ID, Opportunity Name, Opportunity Description, Solution Title, Solution ID, Payer Reference ID, Payer Address ID',
    aliases: {
      'Customer AWS Account Number': ['Payer AWS Account ID'],
      Country: ['Payer Country'],
      State: ['Payer State'],
      'Zip Code': ['Payer Zip Code'],
      'Email Domain': ['Payer Email Domain'],
    },
    key: ['Transaction Reference ID', 'Product Code'],
    required: ['Product Code'],
  }),
  cas({
    dataSetType: 'us_sales_and_use_tax_records',
    category: 'Finance Operations',
    title: 'US sales and use tax records',
    description: 'Tax per line item and jurisdiction level for the previous calendar month.',
    cadence: MONTHLY,
    headers:
      'Line Item ID, Customer Bill ID, Product Name, Product Code, Product Tax Code, Seller ID, Seller Name, Transaction Date, Total Adjusted Price, Total Tax, Base Currency Code, Bill to City, Bill to State, Bill to Postal Code, Bill to Country, Transaction Type Code, Display Price Taxability Type, Tax Location Code Taxed Jurisdiction, Tax Type Code, Jurisdiction Level, Taxed Jurisdiction, Taxable Sale Amount, Nontaxable Sale Amount, Tax Amount, Tax Jurisdiction Tax Rate, Tax Calculation Reason Code, Date Used For Tax Calculation, Customer Exemption Certificate ID, Customer Exemption Certificate ID Domain, Customer Exemption Certificate Level, Customer Exemption Code, Customer Exemption Domain, Customer Reference ID, Transaction Reference ID, Payer Reference ID, Tax Liable Party',
    types: {
      'Line Item ID': 'id',
      'Customer Bill ID': 'id',
      'Seller ID': 'id',
      'Transaction Date': 'date',
      'Total Adjusted Price': 'decimal',
      'Total Tax': 'decimal',
      'Taxable Sale Amount': 'decimal',
      'Nontaxable Sale Amount': 'decimal',
      'Tax Amount': 'decimal',
      'Tax Jurisdiction Tax Rate': 'decimal',
      'Date Used For Tax Calculation': 'date',
      'Tax Location Code Taxed Jurisdiction': 'id',
      'Customer Exemption Certificate ID': 'id',
    },
    key: ['Line Item ID', 'Jurisdiction Level', 'Taxed Jurisdiction', 'Transaction Type Code'],
    required: ['Line Item ID'],
  }),
];
