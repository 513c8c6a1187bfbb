CREATE INDEX "sdds_agreement_charge_time_idx" ON "sdds_agreement_charge" USING btree ("time");--> statement-breakpoint
CREATE INDEX "sdds_billing_event_invoice_date_idx" ON "sdds_billing_event" USING btree ("invoice_date");--> statement-breakpoint
CREATE INDEX "sdds_daily_usage_usage_date_idx" ON "sdds_daily_usage" USING btree ("usage_date");--> statement-breakpoint
CREATE INDEX "sdds_tax_item_invoice_date_idx" ON "sdds_tax_item" USING btree ("invoice_date");