DROP INDEX "invoice_balance_open_idx";--> statement-breakpoint
DROP INDEX "invoice_balance_settled_idx";--> statement-breakpoint
CREATE INDEX "invoice_balance_open_cover" ON "invoice_balance" USING btree ("payment_due_date") INCLUDE ("invoice_date", "invoice_id", "currency", "customer", "seller_billed", "collected", "seller_disbursed", "last_event", "billed_until", "paid_from") WHERE settled_at is null;--> statement-breakpoint
CREATE INDEX "invoice_balance_settled_cover" ON "invoice_balance" USING btree ("settled_at", "payment_due_date") INCLUDE ("invoice_date", "invoice_id", "currency", "customer", "seller_billed", "collected", "seller_disbursed", "last_event", "billed_until", "paid_from");
