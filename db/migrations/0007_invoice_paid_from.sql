ALTER TABLE "invoice_balance" ADD COLUMN "billed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoice_balance" ADD COLUMN "paid_from" timestamp with time zone;--> statement-breakpoint
-- the new columns are folded from the billing events: start the rollup over (the next refresh refolds every file)
TRUNCATE "invoice_balance", "invoice_balance_file";
