CREATE TABLE "email_send" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "email_send_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"digest" text NOT NULL,
	"period_key" text NOT NULL,
	"recipients" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"subject" text,
	"last_error" text,
	"late_datasets" text[] DEFAULT '{}'::text[] NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"message_id" text,
	"delivered_to" text,
	CONSTRAINT "email_send_uq" UNIQUE("digest","period_key","recipients")
);
--> statement-breakpoint
CREATE INDEX "email_send_status_idx" ON "email_send" USING btree ("status","claimed_at");