CREATE TABLE "invoice_balance" (
	"invoice_id" text NOT NULL,
	"currency" text NOT NULL,
	"customer" text,
	"invoice_date" timestamp with time zone,
	"payment_due_date" timestamp with time zone,
	"gross" numeric DEFAULT '0' NOT NULL,
	"billed_net" numeric DEFAULT '0' NOT NULL,
	"seller_billed" numeric DEFAULT '0' NOT NULL,
	"collected" numeric DEFAULT '0' NOT NULL,
	"seller_disbursed" numeric DEFAULT '0' NOT NULL,
	"disbursed" numeric DEFAULT '0' NOT NULL,
	"last_event" timestamp with time zone,
	"settled_at" timestamp with time zone,
	CONSTRAINT "invoice_balance_uq" UNIQUE NULLS NOT DISTINCT("invoice_id","currency","customer")
);
--> statement-breakpoint
CREATE TABLE "invoice_balance_file" (
	"file_id" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sdds_revised_key" (
	"dataset" text NOT NULL,
	"key" text NOT NULL,
	CONSTRAINT "sdds_revised_key_dataset_key_pk" PRIMARY KEY("dataset","key")
);
--> statement-breakpoint
CREATE INDEX "invoice_balance_open_idx" ON "invoice_balance" USING btree ("payment_due_date") WHERE settled_at is null;--> statement-breakpoint
CREATE INDEX "invoice_balance_settled_idx" ON "invoice_balance" USING btree ("settled_at");--> statement-breakpoint
CREATE INDEX "invoice_balance_invoice_date_idx" ON "invoice_balance" USING btree ("invoice_date");--> statement-breakpoint
CREATE INDEX "sdds_account_file_brin" ON "sdds_account" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_address_file_brin" ON "sdds_address" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_agreement_file_brin" ON "sdds_agreement" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_agreement_charge_file_brin" ON "sdds_agreement_charge" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_agreement_term_file_brin" ON "sdds_agreement_term" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_billing_event_file_brin" ON "sdds_billing_event" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_billing_event_collected_idx" ON "sdds_billing_event" USING btree (coalesce("action_date", "valid_from")) WHERE "action" = 'COLLECTED';--> statement-breakpoint
CREATE INDEX "sdds_billing_event_valid_from_brin" ON "sdds_billing_event" USING brin ("valid_from");--> statement-breakpoint
CREATE INDEX "sdds_daily_usage_file_brin" ON "sdds_daily_usage" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_legacy_id_mapping_file_brin" ON "sdds_legacy_id_mapping" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_offer_file_brin" ON "sdds_offer" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_offer_product_file_brin" ON "sdds_offer_product" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_offer_target_file_brin" ON "sdds_offer_target" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_pii_file_brin" ON "sdds_pii" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_product_file_brin" ON "sdds_product" USING brin ("_file_id");--> statement-breakpoint
CREATE INDEX "sdds_tax_item_file_brin" ON "sdds_tax_item" USING brin ("_file_id");--> statement-breakpoint
-- keys already stored with more than one revision (databases migrated with data in them)--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_account', "account_id"::text FROM "sdds_account" GROUP BY "account_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_address', "address_id"::text FROM "sdds_address" GROUP BY "address_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_pii', "address_id"::text FROM "sdds_pii" GROUP BY "address_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_product', "product_id"::text FROM "sdds_product" GROUP BY "product_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_offer', "offer_id"::text FROM "sdds_offer" GROUP BY "offer_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_offer_product', jsonb_build_array("offer_id", "offer_revision", "product_id")::text FROM "sdds_offer_product" GROUP BY "offer_id", "offer_revision", "product_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_offer_target', "offer_target_id"::text FROM "sdds_offer_target" GROUP BY "offer_target_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_legacy_id_mapping', jsonb_build_array("mapping_type", "legacy_id")::text FROM "sdds_legacy_id_mapping" GROUP BY "mapping_type", "legacy_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_billing_event', "billing_event_id"::text FROM "sdds_billing_event" GROUP BY "billing_event_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_tax_item', "tax_item_id"::text FROM "sdds_tax_item" GROUP BY "tax_item_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_agreement', "agreement_id"::text FROM "sdds_agreement" GROUP BY "agreement_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_agreement_term', jsonb_build_array("agreement_id", "term_id")::text FROM "sdds_agreement_term" GROUP BY "agreement_id", "term_id" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_agreement_charge', jsonb_build_array("agreement_id", "term_id", "time")::text FROM "sdds_agreement_charge" GROUP BY "agreement_id", "term_id", "time" HAVING count(*) > 1;--> statement-breakpoint
INSERT INTO "sdds_revised_key" ("dataset", "key") SELECT 'sdds_daily_usage', "usage_feed_id"::text FROM "sdds_daily_usage" GROUP BY "usage_feed_id" HAVING count(*) > 1;
