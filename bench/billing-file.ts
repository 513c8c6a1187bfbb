/** A realistic BillingEventFeed_V1 month file of any size. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { prng } from '../src/demo/random.ts';

const HEADER =
  'valid_from,insert_date,update_date,delete_date,billing_event_id,from_account_id,to_account_id,end_user_account_id,product_id,action,transaction_type,parent_billing_event_id,disbursement_billing_event_id,amount,currency,balance_impacting,invoice_date,payment_due_date,usage_period_start_date,usage_period_end_date,invoice_id,billing_address_id,transaction_reference_id,bank_trace_id,broker_id,agreement_id,buyer_transaction_reference_id';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';


/**
 * `rows` billing events of October 2026, written streaming. By default the days interleave; with
 * `inDayOrder`, day by day, as a month file appended to daily is (bench/append.ts).
 */
export async function writeBillingEventFile(path: string, rows: number, seed = 7, inDayOrder = false): Promise<void> {
  const rand = prng(seed);
  const id = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * 62)];
    return s;
  };
  const buyers = Array.from({ length: 5000 }, () => id(42));
  const products = Array.from({ length: 8 }, () => `prod-${id(13).toLowerCase()}`);
  const seller = id(42);
  const aws = id(42);
  const out = createWriteStream(path);
  let buf = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (inDayOrder ? Math.floor((i * 31) / rows) : i % 31)).padStart(2, '0');
    const ts = `2026-10-${day}T00:00:00Z`;
    const buyer = buyers[i % buyers.length]!;
    const fee = i % 3 === 1;
    const amount = (fee ? -1 : 1) * (rand() * 5000);
    buf +=
      `${ts},2026-10-${day}T06:10:00Z,2026-10-${day}T06:10:00Z,,${id(40)},${fee ? seller : buyer},${fee ? aws : seller},${buyer},` +
      `${products[i % products.length]},INVOICED,${fee ? 'AWS_REV_SHARE' : 'SELLER_REV_SHARE'},,,${amount.toFixed(6)},USD,1,` +
      `${ts},2026-11-${day === '31' ? '30' : day}T00:00:00Z,2026-09-01T00:00:00Z,2026-09-30T23:59:59Z,${2000000000 + (i >> 1)},` +
      `${fee ? '' : id(43)},${id(20)},,AWS_INC,agmt-${id(25).toLowerCase()},"${id(20)}"\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}
