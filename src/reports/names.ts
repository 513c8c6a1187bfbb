/** The reports AWS publishes as SQL over the data feeds, by name: what help, Slack and export know of them without loading them. */

/** Every report AWS publishes as SQL over the data feeds, rebuilt: its export name and what it holds. */
export const FINANCE_REPORTS = {
  billed_revenue: 'billed-revenue: one row per invoice line item invoiced in the period (AWS billed_revenue_report)',
  collections_and_disbursements: 'collections-and-disbursements: one row per line item and disbursement paid out in the period (AWS collections_and_disbursements_report)',
  taxation: 'taxation: one row per tax item invoiced in the period (AWS taxation_report)',
  agreements: 'agreements: one row per agreement (and product) started in the period (AWS agreement_report)',
  usage_report: 'usage-report: one row per metered usage line on the days of the period (AWS usage_report)',
} as const;
export type FinanceReport = keyof typeof FINANCE_REPORTS;

/** The names people type for each report. */
const REPORT_NAMES: Record<string, FinanceReport> = {
  billed_revenue: 'billed_revenue',
  billed_revenue_report: 'billed_revenue',
  collections_and_disbursements: 'collections_and_disbursements',
  collections_and_disbursements_report: 'collections_and_disbursements',
  taxation: 'taxation',
  taxation_report: 'taxation',
  agreements: 'agreements',
  agreement_report: 'agreements',
  agreements_report: 'agreements',
  usage_report: 'usage_report',
};

/** `billed-revenue`, `billed_revenue_report`, `usage-report`, … → the report, or null. */
export function financeReport(name: string): FinanceReport | null {
  return REPORT_NAMES[name.toLowerCase().replace(/-/g, '_')] ?? null;
}

/** How a report is named in commands: billed-revenue, usage-report. */
export const reportCommandName = (report: FinanceReport) => report.replace(/_/g, '-');
