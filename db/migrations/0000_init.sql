CREATE TYPE "public"."file_status" AS ENUM('loaded', 'unchanged', 'no-data', 'rejected');--> statement-breakpoint
CREATE TABLE "cas_metadata" (
	"data_key" text PRIMARY KEY NOT NULL,
	"data_set_type" text NOT NULL,
	"request_id" text,
	"publication_date" date,
	"coverage_start" timestamp with time zone,
	"coverage_end" timestamp with time zone,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"document" jsonb NOT NULL,
	"file_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_file" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ingest_file_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source" text NOT NULL,
	"bucket" text,
	"object_key" text NOT NULL,
	"location" text NOT NULL,
	"size_bytes" bigint,
	"sha256" text,
	"etag" text,
	"dataset" text,
	"period_start" date,
	"period_end" date,
	"data_through" timestamp with time zone,
	"status" "file_status" NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_inserted" integer DEFAULT 0 NOT NULL,
	"rows_replaced" integer DEFAULT 0 NOT NULL,
	"extra_columns" text[] DEFAULT '{}'::text[] NOT NULL,
	"error" text,
	"error_details" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_customer_subscriber_annual_subscriptions" (
	"customer_aws_account_number" text,
	"product_title" text,
	"product_id" text,
	"product_code" text,
	"subscription_id" text,
	"subscription_quantity" numeric,
	"subscription_type" text,
	"subscription_intent" text,
	"offer_id" text,
	"subscription_start_date" date,
	"previous_offer_id" text,
	"offer_visibility" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"reseller_account_id" text,
	"reseller_account_name" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_customer_subscriber_hourly_monthly_subscriptions" (
	"customer_aws_account_number" text,
	"product_title" text,
	"product_id" text,
	"product_code" text,
	"subscription_start_date" date,
	"offer_id" text,
	"offer_visibility" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"reseller_account_id" text,
	"reseller_account_name" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_canceled_product_subscribers" (
	"customer_reference_id" text,
	"users_state" text,
	"users_country" text,
	"product_title" text,
	"product_code" text,
	"subscribed_date" date,
	"offer_id" text,
	"offer_visibility" text,
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_fees" (
	"customer_reference_id" text,
	"users_state" text,
	"users_country" text,
	"product_title" text,
	"product_code" text,
	"amount" numeric,
	"currency" text,
	"fee_description" text,
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"start_date" date,
	"end_date" date,
	"quantity" numeric,
	"dimension" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_free_trial_conversions" (
	"product_title" text,
	"product_code" text,
	"new_free_trials" integer,
	"total_current_free_trials" integer,
	"converted_free_trials" integer,
	"non_converted_free_trials" integer,
	"solution_title" text,
	"solution_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_new_instances" (
	"customer_reference_id" text,
	"users_state" text,
	"users_country" text,
	"product_title" text,
	"product_code" text,
	"type" text,
	"count" integer,
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_new_product_subscribers" (
	"customer_reference_id" text,
	"users_state" text,
	"users_country" text,
	"product_title" text,
	"product_code" text,
	"offer_id" text,
	"offer_visibility" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_daily_business_usage_by_instance_type" (
	"customer_reference_id" text,
	"users_state" text,
	"users_country" text,
	"product_title" text,
	"product_code" text,
	"instance_type" text,
	"usage_units" numeric,
	"usage_unit_type" text,
	"offering_description" text,
	"estimated_revenue" numeric,
	"currency" text,
	"offer_id" text,
	"offer_visibility" text,
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_age_of_disbursed_funds" (
	"collected_lt_31_days" numeric,
	"collected_31_60_days" numeric,
	"collected_61_90_days" numeric,
	"collected_91_120_days" numeric,
	"collected_gt_120_days" numeric,
	"collected_overall" numeric,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_age_of_past_due_funds" (
	"past_due_lt_31_days" numeric,
	"past_due_31_60_days" numeric,
	"past_due_61_90_days" numeric,
	"past_due_91_120_days" numeric,
	"past_due_gt_120_days" numeric,
	"past_due_overall" numeric,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_age_of_uncollected_funds" (
	"uncollected_lt_31_days" numeric,
	"uncollected_31_60_days" numeric,
	"uncollected_61_90_days" numeric,
	"uncollected_91_120_days" numeric,
	"uncollected_gt_120_days" numeric,
	"uncollected_overall" numeric,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_customer_geo" (
	"settlement_id" text,
	"settlement_period_start_date" date,
	"settlement_period_end_date" date,
	"deposit_date" date,
	"disbursed_amount" numeric,
	"country_code" text,
	"state_or_region" text,
	"city" text,
	"postal_code" text,
	"net_amount_by_tax_location" numeric,
	"gross_amount_by_tax_location" numeric,
	"seller_us_sales_tax" numeric,
	"seller_us_sales_tax_refund" numeric,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_instance_hours" (
	"product" text,
	"product_code" text,
	"usage_type_description" text,
	"rate" numeric,
	"user_count" integer,
	"instance_hours" numeric,
	"solution_title" text,
	"solution_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_product" (
	"product" text,
	"product_code" text,
	"seller_rev" numeric,
	"aws_ref_fee" numeric,
	"seller_rev_refund" numeric,
	"aws_ref_fee_refund" numeric,
	"seller_rev_credit" numeric,
	"aws_ref_fee_credit" numeric,
	"net_amount" numeric,
	"transaction_reference_id" text,
	"seller_us_sales_tax" numeric,
	"seller_us_sales_tax_refund" numeric,
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_disbursed_amount_by_uncollected_funds_breakdown" (
	"payer_aws_account_number" text,
	"product_code" text,
	"gross_revenue" numeric,
	"aws_revenue_share" numeric,
	"gross_refunds" numeric,
	"aws_refunds_share" numeric,
	"net_revenue" numeric,
	"currency" text,
	"ar_period" date,
	"transaction_reference_id" text,
	"opportunity_name" text,
	"opportunity_description" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"payment_due_date" date,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_monthly_revenue_annual_subscriptions" (
	"customer_reference_id" text,
	"country" text,
	"state" text,
	"city" text,
	"zip_code" text,
	"product_title" text,
	"product_code" text,
	"subscription_quantity" numeric,
	"subscription_start_date" date,
	"subscription_end_date" date,
	"subscription_instance_type" text,
	"customer_billed_amount" numeric,
	"aws_listing_fee" numeric,
	"refunds_amount" numeric,
	"aws_fee_refund" numeric,
	"cost" numeric,
	"partner_revenue_amount" numeric,
	"currency" text,
	"transaction_reference_id" text,
	"us_sales_tax_customer_billed_amount" numeric,
	"us_sales_tax_refunds_amount" numeric,
	"customer_aws_account_number" text,
	"customer_email_domain" text,
	"offer_id" text,
	"offer_visibility" text,
	"contract_start_date" date,
	"contract_end_date" date,
	"opportunity_name" text,
	"opportunity_description" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_monthly_revenue_billing_and_revenue_data" (
	"customer_reference_id" text,
	"country" text,
	"state" text,
	"city" text,
	"zip_code" text,
	"product_title" text,
	"product_code" text,
	"customer_billed_amount" numeric,
	"aws_listing_fee" numeric,
	"refunds_amount" numeric,
	"aws_fee_refund" numeric,
	"cost" numeric,
	"partner_revenue_amount" numeric,
	"currency" text,
	"transaction_reference_id" text,
	"us_sales_tax_customer_billed_amount" numeric,
	"us_sales_tax_refunds_amount" numeric,
	"offer_id" text,
	"offer_visibility" text,
	"customer_aws_account_number" text,
	"customer_email_domain" text,
	"opportunity_name" text,
	"opportunity_description" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_monthly_revenue_field_demonstration_usage" (
	"product_title" text,
	"product_code" text,
	"instance_type" text,
	"usage_units" numeric,
	"usage_unit_types" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_monthly_revenue_flexible_payment_schedule" (
	"customer_aws_account_number" text,
	"customer_country" text,
	"customer_state" text,
	"customer_city" text,
	"customer_zip_code" text,
	"customer_email_domain" text,
	"user_reference_id" text,
	"user_aws_account_number" text,
	"product_id" text,
	"product_title" text,
	"product_type" text,
	"aws_marketplace_offer_id" text,
	"contract_create_date" date,
	"contract_expiration_date" date,
	"total_contract_value_usd" numeric,
	"number_of_payments" integer,
	"invoice_date" date,
	"invoice_amount_usd" numeric,
	"payer_reference_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_sales_compensation_billed_revenue" (
	"customer_aws_account_number" text,
	"country" text,
	"state" text,
	"city" text,
	"zip_code" text,
	"email_domain" text,
	"product_code" text,
	"product_title" text,
	"gross_revenue" numeric,
	"aws_revenue_share" numeric,
	"gross_refunds" numeric,
	"aws_refunds_share" numeric,
	"net_revenue" numeric,
	"currency" text,
	"ar_period" date,
	"transaction_reference_id" text,
	"opportunity_name" text,
	"opportunity_description" text,
	"solution_title" text,
	"solution_id" text,
	"payer_reference_id" text,
	"payer_address_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cas_us_sales_and_use_tax_records" (
	"line_item_id" text,
	"customer_bill_id" text,
	"product_name" text,
	"product_code" text,
	"product_tax_code" text,
	"seller_id" text,
	"seller_name" text,
	"transaction_date" date,
	"total_adjusted_price" numeric,
	"total_tax" numeric,
	"base_currency_code" text,
	"bill_to_city" text,
	"bill_to_state" text,
	"bill_to_postal_code" text,
	"bill_to_country" text,
	"transaction_type_code" text,
	"display_price_taxability_type" text,
	"tax_location_code_taxed_jurisdiction" text,
	"tax_type_code" text,
	"jurisdiction_level" text,
	"taxed_jurisdiction" text,
	"taxable_sale_amount" numeric,
	"nontaxable_sale_amount" numeric,
	"tax_amount" numeric,
	"tax_jurisdiction_tax_rate" numeric,
	"tax_calculation_reason_code" text,
	"date_used_for_tax_calculation" date,
	"customer_exemption_certificate_id" text,
	"customer_exemption_certificate_id_domain" text,
	"customer_exemption_certificate_level" text,
	"customer_exemption_code" text,
	"customer_exemption_domain" text,
	"customer_reference_id" text,
	"transaction_reference_id" text,
	"payer_reference_id" text,
	"tax_liable_party" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	"_period_start" date NOT NULL,
	"_period_end" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sdds_account" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"account_id" text,
	"aws_account_id" text,
	"encrypted_account_id" text,
	"mailing_address_id" text,
	"tax_address_id" text,
	"tax_registration_number" text,
	"tax_legal_name" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_account_revision_uq" UNIQUE NULLS NOT DISTINCT("account_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_address" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"address_id" text,
	"email_domain" text,
	"company_name" text,
	"country_code" text,
	"state_or_region" text,
	"city" text,
	"postal_code" text,
	"address_line_1" text,
	"address_line_2" text,
	"address_line_3" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_address_revision_uq" UNIQUE NULLS NOT DISTINCT("address_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_agreement" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"status" text,
	"estimated_agreement_value" numeric,
	"currency_code" text,
	"agreement_id" text,
	"license_ids" text,
	"proposer_account_id" text,
	"acceptor_account_id" text,
	"offer_id" text,
	"offer_revision_at_acceptance" integer,
	"offer_set_id" text,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"acceptance_time" timestamp with time zone,
	"intent" text,
	"preceding_agreement_id" text,
	"status_reason_code" text,
	"recipient_account_id" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_agreement_revision_uq" UNIQUE NULLS NOT DISTINCT("agreement_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_agreement_charge" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"amount" numeric,
	"currency_code" text,
	"time" timestamp with time zone,
	"agreement_id" text,
	"term_id" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_agreement_charge_revision_uq" UNIQUE NULLS NOT DISTINCT("agreement_id","term_id","time","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_agreement_term" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"agreement_id" text,
	"term_id" text,
	"term_type" text,
	"term_configuration" jsonb,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_agreement_term_revision_uq" UNIQUE NULLS NOT DISTINCT("agreement_id","term_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_billing_event" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"billing_event_id" text,
	"from_account_id" text,
	"to_account_id" text,
	"end_user_account_id" text,
	"product_id" text,
	"action" text,
	"transaction_type" text,
	"parent_billing_event_id" text,
	"disbursement_billing_event_id" text,
	"amount" numeric,
	"currency" text,
	"balance_impacting" boolean,
	"invoice_date" timestamp with time zone,
	"payment_due_date" timestamp with time zone,
	"usage_period_start_date" timestamp with time zone,
	"usage_period_end_date" timestamp with time zone,
	"invoice_id" text,
	"billing_address_id" text,
	"transaction_reference_id" text,
	"bank_trace_id" text,
	"broker_id" text,
	"agreement_id" text,
	"buyer_transaction_reference_id" text,
	"disbursement_amount" numeric,
	"disbursement_currency" text,
	"disbursement_reference_number" text,
	"catalog" text,
	"buyer_invoice_id" text,
	"invoice_variant" text,
	"action_date" timestamp with time zone,
	"offer_id" text,
	"buyer_invoice_date" timestamp with time zone,
	"line_item_id" text,
	"buyer_line_item_id" text,
	"charge_variant" text,
	"charge_side" text,
	"recipient_account_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_billing_event_revision_uq" UNIQUE NULLS NOT DISTINCT("billing_event_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_daily_usage" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"usage_feed_id" text,
	"usage_date" date,
	"product_id" text,
	"agreement_id" text,
	"end_user_account_id" text,
	"payer_account_id" text,
	"region" text,
	"dimension_key" text,
	"usage_unit" text,
	"usage_quantity" numeric,
	"pricing_currency" text,
	"estimated_revenue_in_pricing_currency" numeric,
	"recipient_account_id" text,
	"offer_id" text,
	"usage_rate_per_unit_in_pricing_currency" numeric,
	"charge_item_description" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_daily_usage_revision_uq" UNIQUE NULLS NOT DISTINCT("usage_feed_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_legacy_id_mapping" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"mapping_type" text,
	"legacy_id" text,
	"new_id" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_legacy_id_mapping_revision_uq" UNIQUE NULLS NOT DISTINCT("mapping_type","legacy_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_offer" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"offer_id" text,
	"offer_revision" integer,
	"name" text,
	"expiration_date" timestamp with time zone,
	"opportunity_name" text,
	"opportunity_description" text,
	"seller_account_id" text,
	"opportunity_id" text,
	"recipient_account_id" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_offer_revision_uq" UNIQUE NULLS NOT DISTINCT("offer_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_offer_product" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"offer_id" text,
	"offer_revision" integer,
	"product_id" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_offer_product_revision_uq" UNIQUE NULLS NOT DISTINCT("offer_id","offer_revision","product_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_offer_target" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"offer_target_id" text,
	"offer_id" text,
	"offer_revision" integer,
	"target_type" text,
	"polarity" text,
	"value" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_offer_target_revision_uq" UNIQUE NULLS NOT DISTINCT("offer_target_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_pii" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"address_id" text,
	"aws_account_id" text,
	"email_domain" text,
	"company_name" text,
	"country" text,
	"state_or_region" text,
	"city" text,
	"postal_code" text,
	"address_line_1" text,
	"address_line_2" text,
	"address_line_3" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_pii_revision_uq" UNIQUE NULLS NOT DISTINCT("address_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_product" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"product_id" text,
	"manufacturer_account_id" text,
	"product_code" text,
	"title" text,
	"catalog" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_product_revision_uq" UNIQUE NULLS NOT DISTINCT("product_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE TABLE "sdds_tax_item" (
	"valid_from" timestamp with time zone,
	"insert_date" timestamp with time zone,
	"update_date" timestamp with time zone,
	"delete_date" timestamp with time zone,
	"tax_item_id" text,
	"invoice_id" text,
	"line_item_id" text,
	"customer_bill_id" text,
	"tax_liable_party" text,
	"transaction_type_code" text,
	"product_id" text,
	"product_tax_code" text,
	"invoice_date" timestamp with time zone,
	"taxed_customer_account_id" text,
	"taxed_customer_country" text,
	"taxed_customer_state_or_region" text,
	"taxed_customer_city" text,
	"taxed_customer_postal_code" text,
	"tax_location_code_taxed_jurisdiction" text,
	"tax_type_code" text,
	"jurisdiction_level" text,
	"taxed_jurisdiction" text,
	"display_price_taxability_type" text,
	"taxable_amount" numeric,
	"nontaxable_amount" numeric,
	"tax_jurisdiction_rate" numeric,
	"tax_amount" numeric,
	"tax_currency" text,
	"tax_calculation_reason_code" text,
	"date_used_for_tax_calculation" timestamp with time zone,
	"customer_exemption_certificate_id" text,
	"customer_exemption_certificate_id_domain" text,
	"customer_exemption_certificate_level" text,
	"customer_exemption_code" text,
	"customer_exemption_domain" text,
	"transaction_reference_id" text,
	"_file_id" bigint NOT NULL,
	"_line" integer NOT NULL,
	"_extra" jsonb,
	CONSTRAINT "sdds_tax_item_revision_uq" UNIQUE NULLS NOT DISTINCT("tax_item_id","valid_from","update_date")
);
--> statement-breakpoint
CREATE INDEX "ingest_file_key_idx" ON "ingest_file" USING btree ("object_key","id");--> statement-breakpoint
CREATE INDEX "ingest_file_dataset_idx" ON "ingest_file" USING btree ("dataset","status");--> statement-breakpoint
CREATE INDEX "cas_customer_subscriber_annual_subscriptions_period_idx" ON "cas_customer_subscriber_annual_subscriptions" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_customer_subscriber_annual_subscriptions_file_idx" ON "cas_customer_subscriber_annual_subscriptions" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_customer_subscriber_hourly_monthly_subscriptions_period_idx" ON "cas_customer_subscriber_hourly_monthly_subscriptions" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_customer_subscriber_hourly_monthly_subscriptions_file_idx" ON "cas_customer_subscriber_hourly_monthly_subscriptions" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_canceled_product_subscribers_period_idx" ON "cas_daily_business_canceled_product_subscribers" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_canceled_product_subscribers_file_idx" ON "cas_daily_business_canceled_product_subscribers" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_fees_period_idx" ON "cas_daily_business_fees" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_fees_file_idx" ON "cas_daily_business_fees" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_free_trial_conversions_period_idx" ON "cas_daily_business_free_trial_conversions" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_free_trial_conversions_file_idx" ON "cas_daily_business_free_trial_conversions" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_new_instances_period_idx" ON "cas_daily_business_new_instances" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_new_instances_file_idx" ON "cas_daily_business_new_instances" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_new_product_subscribers_period_idx" ON "cas_daily_business_new_product_subscribers" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_new_product_subscribers_file_idx" ON "cas_daily_business_new_product_subscribers" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_daily_business_usage_by_instance_type_period_idx" ON "cas_daily_business_usage_by_instance_type" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_daily_business_usage_by_instance_type_file_idx" ON "cas_daily_business_usage_by_instance_type" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_disbursed_funds_period_idx" ON "cas_disbursed_amount_by_age_of_disbursed_funds" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_disbursed_funds_file_idx" ON "cas_disbursed_amount_by_age_of_disbursed_funds" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_past_due_funds_period_idx" ON "cas_disbursed_amount_by_age_of_past_due_funds" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_past_due_funds_file_idx" ON "cas_disbursed_amount_by_age_of_past_due_funds" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_uncollected_funds_period_idx" ON "cas_disbursed_amount_by_age_of_uncollected_funds" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_age_of_uncollected_funds_file_idx" ON "cas_disbursed_amount_by_age_of_uncollected_funds" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_customer_geo_period_idx" ON "cas_disbursed_amount_by_customer_geo" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_customer_geo_file_idx" ON "cas_disbursed_amount_by_customer_geo" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_instance_hours_period_idx" ON "cas_disbursed_amount_by_instance_hours" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_instance_hours_file_idx" ON "cas_disbursed_amount_by_instance_hours" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_product_period_idx" ON "cas_disbursed_amount_by_product" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_product_file_idx" ON "cas_disbursed_amount_by_product" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_uncollected_funds_breakdown_period_idx" ON "cas_disbursed_amount_by_uncollected_funds_breakdown" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_disbursed_amount_by_uncollected_funds_breakdown_file_idx" ON "cas_disbursed_amount_by_uncollected_funds_breakdown" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_annual_subscriptions_period_idx" ON "cas_monthly_revenue_annual_subscriptions" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_annual_subscriptions_file_idx" ON "cas_monthly_revenue_annual_subscriptions" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_billing_and_revenue_data_period_idx" ON "cas_monthly_revenue_billing_and_revenue_data" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_billing_and_revenue_data_file_idx" ON "cas_monthly_revenue_billing_and_revenue_data" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_field_demonstration_usage_period_idx" ON "cas_monthly_revenue_field_demonstration_usage" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_field_demonstration_usage_file_idx" ON "cas_monthly_revenue_field_demonstration_usage" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_flexible_payment_schedule_period_idx" ON "cas_monthly_revenue_flexible_payment_schedule" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_monthly_revenue_flexible_payment_schedule_file_idx" ON "cas_monthly_revenue_flexible_payment_schedule" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_sales_compensation_billed_revenue_period_idx" ON "cas_sales_compensation_billed_revenue" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_sales_compensation_billed_revenue_file_idx" ON "cas_sales_compensation_billed_revenue" USING btree ("_file_id");--> statement-breakpoint
CREATE INDEX "cas_us_sales_and_use_tax_records_period_idx" ON "cas_us_sales_and_use_tax_records" USING btree ("_period_start","_period_end");--> statement-breakpoint
CREATE INDEX "cas_us_sales_and_use_tax_records_file_idx" ON "cas_us_sales_and_use_tax_records" USING btree ("_file_id");--> statement-breakpoint
CREATE VIEW "public"."sdds_account_current" AS (select distinct on ("account_id") * from (select distinct on ("account_id", "valid_from") * from "sdds_account" order by "account_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "account_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_address_current" AS (select distinct on ("address_id") * from (select distinct on ("address_id", "valid_from") * from "sdds_address" order by "address_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "address_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_agreement_charge_current" AS (select distinct on ("agreement_id", "term_id", "time") * from (select distinct on ("agreement_id", "term_id", "time", "valid_from") * from "sdds_agreement_charge" order by "agreement_id", "term_id", "time", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "agreement_id", "term_id", "time", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_agreement_current" AS (select distinct on ("agreement_id") * from (select distinct on ("agreement_id", "valid_from") * from "sdds_agreement" order by "agreement_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "agreement_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_agreement_term_current" AS (select distinct on ("agreement_id", "term_id") * from (select distinct on ("agreement_id", "term_id", "valid_from") * from "sdds_agreement_term" order by "agreement_id", "term_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "agreement_id", "term_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_billing_event_current" AS (select distinct on ("billing_event_id") * from (select distinct on ("billing_event_id", "valid_from") * from "sdds_billing_event" order by "billing_event_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "billing_event_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_daily_usage_current" AS (select distinct on ("usage_feed_id") * from (select distinct on ("usage_feed_id", "valid_from") * from "sdds_daily_usage" order by "usage_feed_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "usage_feed_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_legacy_id_mapping_current" AS (select distinct on ("mapping_type", "legacy_id") * from (select distinct on ("mapping_type", "legacy_id", "valid_from") * from "sdds_legacy_id_mapping" order by "mapping_type", "legacy_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "mapping_type", "legacy_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_offer_current" AS (select distinct on ("offer_id") * from (select distinct on ("offer_id", "valid_from") * from "sdds_offer" order by "offer_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "offer_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_offer_product_current" AS (select distinct on ("offer_id", "offer_revision", "product_id") * from (select distinct on ("offer_id", "offer_revision", "product_id", "valid_from") * from "sdds_offer_product" order by "offer_id", "offer_revision", "product_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "offer_id", "offer_revision", "product_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_offer_target_current" AS (select distinct on ("offer_target_id") * from (select distinct on ("offer_target_id", "valid_from") * from "sdds_offer_target" order by "offer_target_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "offer_target_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_pii_current" AS (select distinct on ("address_id") * from (select distinct on ("address_id", "valid_from") * from "sdds_pii" order by "address_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "address_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_product_current" AS (select distinct on ("product_id") * from (select distinct on ("product_id", "valid_from") * from "sdds_product" order by "product_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "product_id", "valid_from" desc);--> statement-breakpoint
CREATE VIEW "public"."sdds_tax_item_current" AS (select distinct on ("tax_item_id") * from (select distinct on ("tax_item_id", "valid_from") * from "sdds_tax_item" order by "tax_item_id", "valid_from", "update_date" desc nulls last, "_file_id" desc) revisions where "delete_date" is null order by "tax_item_id", "valid_from" desc);