ALTER TABLE "sdds_billing_event" DROP CONSTRAINT "sdds_billing_event_revision_uq";--> statement-breakpoint
ALTER TABLE "sdds_daily_usage" DROP CONSTRAINT "sdds_daily_usage_revision_uq";--> statement-breakpoint
ALTER TABLE "ingest_file" ADD COLUMN "valid_through" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "sdds_billing_event_key_hash" ON "sdds_billing_event" USING hash ("billing_event_id");--> statement-breakpoint
CREATE INDEX "sdds_daily_usage_key_hash" ON "sdds_daily_usage" USING hash ("usage_feed_id");--> statement-breakpoint
-- the latest valid_from of each file already loaded: the loader's watermark (src/ingest/dedupe.ts)
UPDATE "ingest_file" f SET "valid_through" = m.vt FROM (SELECT "_file_id", max("valid_from") AS vt FROM "sdds_billing_event" GROUP BY "_file_id") m WHERE f."id" = m."_file_id";--> statement-breakpoint
UPDATE "ingest_file" f SET "valid_through" = m.vt FROM (SELECT "_file_id", max("valid_from") AS vt FROM "sdds_daily_usage" GROUP BY "_file_id") m WHERE f."id" = m."_file_id";
