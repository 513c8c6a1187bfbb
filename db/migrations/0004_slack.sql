CREATE TABLE "slack_alert" (
	"alert_key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"channel" text NOT NULL,
	"message_ts" text,
	"first_posted_at" timestamp with time zone NOT NULL,
	"last_posted_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "slack_snooze" (
	"target" text PRIMARY KEY NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"by_user" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "slack_alert_open_idx" ON "slack_alert" USING btree ("kind","subject") WHERE resolved_at is null;