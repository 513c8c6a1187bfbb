/**
 * Any dataset as CSV with AWS's own column names: SDDS entities in their current state, SDDS
 * events (billing, tax, usage, charges) and CAS rows within the period.
 */
import type { Database } from '../db/client.ts';
import { AppError, closest } from '../errors.ts';
import type { Period } from '../periods.ts';
import { SpreadsheetSafeCsv, spreadsheetSafe } from '../spreadsheet-safe.ts';
import { exportFinanceReport } from '../reports/finance.ts';
import { FINANCE_REPORTS, financeReport, reportCommandName, type FinanceReport } from '../reports/names.ts';
import { DATASETS, getDataset } from './catalog.ts';
import { isPersonalColumn } from './personal.ts';
import type { DatasetDef } from './types.ts';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Values written the way AWS writes them: 2024-03-01T00:00:00Z, 0/1, YYYY-MM. */
function value(c: DatasetDef['columns'][number]): string {
  const col = ident(c.name);
  switch (c.type) {
    case 'timestamp':
      return `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    case 'boolean':
      return `case when ${col} then '1' when not ${col} then '0' end`;
    case 'month':
      return `to_char(${col}, 'YYYY-MM')`;
    default:
      return col;
  }
}

export function exportSql(def: DatasetDef): { sql: string; usesPeriod: boolean } {
  const columns = def.columns.map((c) => `${value(c)} as ${ident(c.header)}`).join(', ');
  if (def.source === 'cas') {
    // a file's period overlapping the asked period
    return { sql: `select ${columns} from ${ident(def.name)} where _period_start < $2::date and _period_end > $1::date order by _period_start, _file_id, _line`, usesPeriod: true };
  }
  if (def.eventDate) {
    const d = ident(def.eventDate);
    return { sql: `select ${columns} from ${ident(`${def.name}_current`)} where ${d} >= $3::timestamptz and ${d} < $4::timestamptz order by ${d}, ${def.key.map(ident).join(', ')}`, usesPeriod: true };
  }
  return { sql: `select ${columns} from ${ident(`${def.name}_current`)} order by ${def.key.map(ident).join(', ')}`, usesPeriod: false };
}

/** An export as it streams; once read, the personal columns it has, and whether their values were left out. */
export interface CsvExport extends AsyncIterable<Uint8Array> {
  readonly personalColumns: readonly string[];
  readonly personalLeftOut: boolean;
}

export interface ExportOptions {
  /** Write personal columns (addresses, email domains, legal names; datasets/personal.ts) empty: for a reader who may not see them. */
  withoutPersonal?: boolean;
}

/**
 * The dataset's rows, or one of the rebuilt finance reports, as CSV chunks; text a spreadsheet
 * would run as a formula (a buyer's company name "=HYPERLINK(…)") is neutralised.
 */
export function exportDataset(db: Database, name: string, period: Period, options: ExportOptions = {}): CsvExport {
  const report = financeReport(name);
  const guard = new SpreadsheetSafeCsv({ mark: isPersonalColumn, blankMarked: options.withoutPersonal === true });
  const source = report ? exportFinanceReport(db, report, period) : datasetRows(db, name, period);
  return {
    [Symbol.asyncIterator]: () => spreadsheetSafe(source, guard),
    get personalColumns() {
      return guard.marked;
    },
    personalLeftOut: options.withoutPersonal === true,
  };
}

function datasetRows(db: Database, name: string, period: Period): AsyncIterable<Uint8Array> {
  const def = getDataset(name);
  if (!def) {
    const reports = (Object.keys(FINANCE_REPORTS) as FinanceReport[]).map(reportCommandName);
    const near = closest(name, [...reports, ...DATASETS.map((d) => d.name)]);
    throw new AppError(
      'usage',
      `"${name}" is not a dataset or report.${near ? ` Did you mean ${near}?` : ''} Reports: ${reports.join(', ')}; datasets: see \`marketplace-pulse datasets\` (e.g. sdds_billing_event, cas_daily_business_fees)`,
    );
  }
  return db.copyOutCsv(exportSql(def).sql, [period.startDate, period.endDate, period.start, period.end]);
}
