CREATE TABLE "dead_letter" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letter_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"reason" text NOT NULL,
	"body" text NOT NULL,
	"receive_count" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dead_letter_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "feed_notification" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "feed_notification_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"notification_id" text NOT NULL,
	"kind" text NOT NULL,
	"dataset" text,
	"status" text NOT NULL,
	"message" text,
	"body" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "feed_notification_notification_id_unique" UNIQUE("notification_id")
);
--> statement-breakpoint
CREATE TABLE "marketplace_event" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "marketplace_event_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_id" text NOT NULL,
	"request_id" text,
	"source" text NOT NULL,
	"detail_type" text NOT NULL,
	"kind" text NOT NULL,
	"role" text,
	"agreement_id" text,
	"product_id" text,
	"acceptor_account_id" text,
	"event_time" timestamp with time zone,
	"body" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "marketplace_event_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE INDEX "feed_notification_dataset_idx" ON "feed_notification" USING btree ("dataset","received_at");--> statement-breakpoint
CREATE INDEX "marketplace_event_kind_time_idx" ON "marketplace_event" USING btree ("kind","event_time");--> statement-breakpoint
CREATE INDEX "marketplace_event_agreement_idx" ON "marketplace_event" USING btree ("agreement_id");