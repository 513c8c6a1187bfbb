/**
 * Rules of the billing event feed that every reader of it shares (metrics, rollups, reports), so a
 * sale counts the same everywhere, whichever generation of the feed delivered it.
 */

/** The seller of record's own account(s): derived from the listing-fee rows (db/schema/rollups.ts). */
export const SELLER_ACCOUNTS = `(select account_id from seller_account)`;

/**
 * Whether a billing row (`alias`) is cost of goods: what a reseller pays the manufacturer in a
 * channel partner private offer. It is not revenue; gross revenue is the buyer-facing amount.
 * - Rows with the June 2026 columns say so: charge_variant RESALE on the BUYING side.
 * - Older rows (and every CAS-era one) carry neither: there, as AWS's 2025 report queries do, a
 *   SELLER_REV_SHARE (or its _REFUND/_CREDIT) paid to an account other than the seller's own is
 *   cost of goods (or its refund). Without a known seller account nothing is, rather than guessing.
 */
export function costOfGoods(alias?: string): string {
  const c = (name: string) => (alias ? `${alias}.${name}` : name);
  return `(case when ${c('recipient_account_id')} is not null or ${c('charge_variant')} is not null or ${c('charge_side')} is not null
      then coalesce(${c('charge_variant')} = 'RESALE' and ${c('charge_side')} = 'BUYING', false)
    else ${c('transaction_type')} in ('SELLER_REV_SHARE', 'SELLER_REV_SHARE_REFUND', 'SELLER_REV_SHARE_CREDIT')
      and ${c('to_account_id')} is not null and exists (select 1 from seller_account)
      and ${c('to_account_id')} not in ${SELLER_ACCOUNTS} end)`;
}
