/**
 * One table per dataset in the catalog (src/datasets), and a current-state view per SDDS feed.
 * drizzle-kit reads named exports only, so each dataset is listed here once; a test checks that
 * every catalog entry has its table.
 */
import { currentView, datasetTable } from './dataset-table.ts';

export const sddsAccount = datasetTable('sdds_account');
export const sddsAddress = datasetTable('sdds_address');
export const sddsPii = datasetTable('sdds_pii');
export const sddsProduct = datasetTable('sdds_product');
export const sddsOffer = datasetTable('sdds_offer');
export const sddsOfferProduct = datasetTable('sdds_offer_product');
export const sddsOfferTarget = datasetTable('sdds_offer_target');
export const sddsLegacyIdMapping = datasetTable('sdds_legacy_id_mapping');
export const sddsBillingEvent = datasetTable('sdds_billing_event');
export const sddsTaxItem = datasetTable('sdds_tax_item');
export const sddsAgreement = datasetTable('sdds_agreement');
export const sddsAgreementTerm = datasetTable('sdds_agreement_term');
export const sddsAgreementCharge = datasetTable('sdds_agreement_charge');
export const sddsDailyUsage = datasetTable('sdds_daily_usage');

export const sddsAccountCurrent = currentView('sdds_account');
export const sddsAddressCurrent = currentView('sdds_address');
export const sddsPiiCurrent = currentView('sdds_pii');
export const sddsProductCurrent = currentView('sdds_product');
export const sddsOfferCurrent = currentView('sdds_offer');
export const sddsOfferProductCurrent = currentView('sdds_offer_product');
export const sddsOfferTargetCurrent = currentView('sdds_offer_target');
export const sddsLegacyIdMappingCurrent = currentView('sdds_legacy_id_mapping');
export const sddsBillingEventCurrent = currentView('sdds_billing_event');
export const sddsTaxItemCurrent = currentView('sdds_tax_item');
export const sddsAgreementCurrent = currentView('sdds_agreement');
export const sddsAgreementTermCurrent = currentView('sdds_agreement_term');
export const sddsAgreementChargeCurrent = currentView('sdds_agreement_charge');
export const sddsDailyUsageCurrent = currentView('sdds_daily_usage');

export const casCustomerSubscriberHourlyMonthlySubscriptions = datasetTable('cas_customer_subscriber_hourly_monthly_subscriptions');
export const casCustomerSubscriberAnnualSubscriptions = datasetTable('cas_customer_subscriber_annual_subscriptions');
export const casDailyBusinessUsageByInstanceType = datasetTable('cas_daily_business_usage_by_instance_type');
export const casDailyBusinessFees = datasetTable('cas_daily_business_fees');
export const casDailyBusinessFreeTrialConversions = datasetTable('cas_daily_business_free_trial_conversions');
export const casDailyBusinessNewInstances = datasetTable('cas_daily_business_new_instances');
export const casDailyBusinessNewProductSubscribers = datasetTable('cas_daily_business_new_product_subscribers');
export const casDailyBusinessCanceledProductSubscribers = datasetTable('cas_daily_business_canceled_product_subscribers');
export const casMonthlyRevenueBillingAndRevenueData = datasetTable('cas_monthly_revenue_billing_and_revenue_data');
export const casMonthlyRevenueAnnualSubscriptions = datasetTable('cas_monthly_revenue_annual_subscriptions');
export const casMonthlyRevenueFieldDemonstrationUsage = datasetTable('cas_monthly_revenue_field_demonstration_usage');
export const casMonthlyRevenueFlexiblePaymentSchedule = datasetTable('cas_monthly_revenue_flexible_payment_schedule');
export const casDisbursedAmountByProduct = datasetTable('cas_disbursed_amount_by_product');
export const casDisbursedAmountByCustomerGeo = datasetTable('cas_disbursed_amount_by_customer_geo');
export const casDisbursedAmountByInstanceHours = datasetTable('cas_disbursed_amount_by_instance_hours');
export const casDisbursedAmountByAgeOfUncollectedFunds = datasetTable('cas_disbursed_amount_by_age_of_uncollected_funds');
export const casDisbursedAmountByAgeOfDisbursedFunds = datasetTable('cas_disbursed_amount_by_age_of_disbursed_funds');
export const casDisbursedAmountByAgeOfPastDueFunds = datasetTable('cas_disbursed_amount_by_age_of_past_due_funds');
export const casDisbursedAmountByUncollectedFundsBreakdown = datasetTable('cas_disbursed_amount_by_uncollected_funds_breakdown');
export const casSalesCompensationBilledRevenue = datasetTable('cas_sales_compensation_billed_revenue');
export const casUsSalesAndUseTaxRecords = datasetTable('cas_us_sales_and_use_tax_records');

