CREATE TABLE "seller_account" (
	"account_id" text PRIMARY KEY NOT NULL,
	"first_file_id" bigint NOT NULL
);
--> statement-breakpoint
-- billing files already folded into the rollups name their seller here once
INSERT INTO "seller_account" ("account_id", "first_file_id")
SELECT "from_account_id", min("_file_id") FROM "sdds_billing_event"
 WHERE "action" = 'INVOICED' AND "transaction_type" = 'AWS_REV_SHARE' AND "from_account_id" IS NOT NULL
 GROUP BY "from_account_id"
ON CONFLICT DO NOTHING;
