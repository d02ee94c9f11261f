//! Thin HTTP handlers, one file per resource: parse, authorize (an `Auth<scope>` argument),
//! call the domain and the store, reply. Every failure is an `ApiError`.

pub mod adjustments;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod benefits;
pub mod card_recoveries;
pub mod claims;
pub mod events;
pub mod extract;
pub mod households;
pub mod idempotency;
pub mod import;
pub mod members;
pub mod ops;
pub mod paging;
pub mod payments;
pub mod plans;
pub mod receivables;
pub mod registrations;
pub mod schema;
pub mod settings;
pub mod simulate;
pub mod statistics;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/v1` operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(households::create_household)
        .service(households::list_households)
        .service(households::get_household)
        .service(households::update_household)
        .service(households::put_tax_arrears)
        .service(members::create_member)
        .service(members::find_members)
        .service(members::get_member)
        .service(members::update_member)
        .service(claims::create_claim)
        .service(import::import_claims)
        .service(claims::list_claims)
        .service(claims::get_claim)
        .service(claims::void_claim)
        .service(simulate::simulate_benefit)
        .service(simulate::simulate_annual_outpatient)
        .service(benefits::create_benefit_calculation)
        .service(benefits::list_benefit_calculations)
        .service(benefits::get_benefit_calculation)
        .service(benefits::decide_benefit_calculation)
        .service(benefits::create_benefit_run)
        .service(benefits::list_benefit_runs)
        .service(benefits::get_benefit_run)
        .service(registrations::create_registration)
        .service(registrations::list_registrations)
        .service(registrations::get_registration)
        .service(registrations::update_registration)
        .service(registrations::end_registration)
        .service(applications::create_application)
        .service(applications::list_applications)
        .service(applications::get_application)
        .service(applications::transition_application)
        .service(settings::get_scheme)
        .service(settings::put_scheme)
        .service(payments::create_payment_run)
        .service(payments::list_payment_runs)
        .service(payments::get_payment_run)
        .service(payments::list_run_payments)
        .service(payments::list_run_forms)
        .service(payments::get_transfer_file)
        .service(payments::record_transfer_results)
        .service(payments::list_payments)
        .service(payments::get_payment)
        .service(payments::get_payment_notice)
        .service(payments::get_application_form)
        .service(receivables::detect_ineligible_visits)
        .service(receivables::create_receivable)
        .service(receivables::list_receivables)
        .service(receivables::get_receivable)
        .service(receivables::record_action)
        .service(receivables::record_collection)
        .service(receivables::write_off)
        .service(receivables::get_late_charge)
        .service(receivables::dunning_worklist)
        .service(receivables::create_installment_plan)
        .service(receivables::file_legal_action)
        .service(receivables::record_legal_event)
        .service(events::list_events)
        .service(webhooks::create_webhook_subscription)
        .service(webhooks::list_webhook_subscriptions)
        .service(webhooks::get_webhook_subscription)
        .service(webhooks::update_webhook_subscription)
        .service(webhooks::delete_webhook_subscription)
        .service(webhooks::list_webhook_deliveries)
        .service(adjustments::create_adjustment_request)
        .service(adjustments::list_adjustment_requests)
        .service(adjustments::get_adjustment_request)
        .service(adjustments::move_adjustment_request)
        .service(plans::put_counterparty)
        .service(plans::list_counterparties)
        .service(plans::put_plan)
        .service(plans::get_plan)
        .service(card_recoveries::open_card_recovery)
        .service(card_recoveries::list_card_recoveries)
        .service(card_recoveries::record_card_recovery_event)
        .service(statistics::benefit_statistics)
        .service(statistics::application_statistics)
        .service(statistics::recovery_statistics)
        .service(statistics::recovery_breakdown)
        .service(statistics::rebuild_recovery)
        .service(statistics::activity_statistics)
        .service(statistics::adjustment_statistics)
        .service(statistics::card_recovery_statistics)
        .service(audit::list_audit_events);
}
