CREATE TABLE "sdds_revised_file" (
	"file_id" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- files loaded before this migration had their revised keys recorded by 0003 (or as they loaded)
INSERT INTO "sdds_revised_file" ("file_id") SELECT "id" FROM "ingest_file" WHERE "dataset" LIKE 'sdds\_%' AND "status" = 'loaded';
