//! The console's pages, one module per area, and the table of their routes.

pub mod account;
pub mod approvals;
pub mod audit_log;
pub mod childcare;
pub mod confirm;
pub mod consultations;
pub mod deliveries;
pub mod disaster;
pub mod disaster_log;
pub mod disaster_rules;
pub mod emergency;
pub mod exports;
pub mod faq;
pub mod forms;
pub mod friend_kit;
pub mod garbage;
pub mod greetings;
pub mod home;
pub mod login;
pub mod manual;
pub mod permission_advice;
pub mod programmes;
pub mod reports;
pub mod richmenus;
pub mod roles;
pub mod segments;
pub mod shelters;
pub mod staff;
pub mod testers;
pub mod usage;

use crate::routes::{Access, Routes};
use tayori_domain::staff::Permission::{self, *};

/// Who may open a delivery's page and its pictures: who writes it, who approves it, and who may
/// cancel or stop it. Each sees only the actions of their own permissions.
const DELIVERY_READERS: &[Permission] = &[DeliveryDraft, DeliveryApprove, DeliverySend];

pub fn routes() -> Routes {
    use Access::{AnyOf, Permission as Needs, Public, SignedIn};
    Routes::new()
        .get("/admin/static/{name}", Public, manual::static_file)
        .get(
            "/admin/static/leaflet/{*file}",
            Public,
            reports::list::leaflet,
        )
        .get("/admin/manual", Public, manual::index)
        .get("/admin/manual/{name}", Public, manual::show)
        .get("/admin/manual/images/{name}", Public, manual::image)
        .get("/admin/login", Public, login::login_form)
        .post("/admin/login", Public, login::login)
        .get("/admin/login/totp", Public, login::totp_form)
        .post("/admin/login/totp", Public, login::totp_submit)
        .post("/admin/logout", Public, login::logout)
        .get("/admin/setup", Public, login::setup_form)
        .post("/admin/setup", Public, login::setup_submit)
        .get("/admin", SignedIn, home::home)
        .get("/admin/account", SignedIn, account::show)
        .post(
            "/admin/account/password",
            SignedIn,
            account::change_password,
        )
        .post("/admin/account/totp/start", SignedIn, account::totp_start)
        .post("/admin/account/totp/on", SignedIn, account::totp_on)
        .post("/admin/account/totp/off", SignedIn, account::totp_off)
        .get("/admin/staff", Needs(StaffManagement), staff::list)
        .get("/admin/staff/new", Needs(StaffManagement), staff::new_form)
        .post("/admin/staff", Needs(StaffManagement), staff::create)
        .get("/admin/staff/{id}", Needs(StaffManagement), staff::show)
        .post("/admin/staff/{id}", Needs(StaffManagement), staff::update)
        .post(
            "/admin/staff/{id}/unlock",
            Needs(StaffManagement),
            staff::unlock,
        )
        .post(
            "/admin/staff/{id}/password",
            Needs(StaffManagement),
            staff::reset_password,
        )
        .post(
            "/admin/staff/{id}/status",
            Needs(StaffManagement),
            staff::set_status,
        )
        .get("/admin/roles", Needs(StaffManagement), roles::list)
        .get("/admin/roles/new", Needs(StaffManagement), roles::new_form)
        .post("/admin/roles", Needs(StaffManagement), roles::create)
        .get("/admin/roles/{index}", Needs(StaffManagement), roles::show)
        .post(
            "/admin/roles/{index}",
            Needs(StaffManagement),
            roles::update,
        )
        .post(
            "/admin/roles/{index}/delete",
            Needs(StaffManagement),
            roles::delete,
        )
        .get(faq::PATH, Needs(Faq), faq::list)
        .post(faq::PATH, Needs(Faq), faq::edit::create)
        .get(faq::NEW_PATH, Needs(Faq), faq::edit::new_form)
        .post(faq::IMPORT_PATH, Needs(Faq), faq::import)
        .post(faq::EXPORT_PATH, Needs(Faq), faq::request_csv)
        .get(faq::questions::PATH, Needs(Faq), faq::questions::list)
        .post(
            "/admin/faq/questions/{key}/close",
            Needs(Faq),
            faq::questions::close,
        )
        .get(
            faq::questions::SYNONYMS_PATH,
            Needs(Faq),
            faq::questions::synonyms,
        )
        .post(
            faq::questions::SYNONYMS_PATH,
            Needs(Faq),
            faq::questions::save_synonyms,
        )
        .get("/admin/faq/{id}", Needs(Faq), faq::edit::show)
        .post("/admin/faq/{id}", Needs(Faq), faq::edit::update)
        .post("/admin/faq/{id}/delete", Needs(Faq), faq::edit::delete)
        .post("/admin/faq/{id}/image", Needs(Faq), faq::edit::image)
        .get("/admin/audit", Needs(AuditLog), audit_log::list)
        .post(
            audit_log::EXPORT_PATH,
            Needs(AuditLog),
            audit_log::request_csv,
        )
        .post(
            "/admin/audit/retention",
            Needs(AuditLog),
            audit_log::set_retention,
        )
        .get("/admin/richmenus", Needs(RichMenus), richmenus::list)
        .get(
            "/admin/richmenus/new",
            Needs(RichMenus),
            richmenus::new_form,
        )
        .post("/admin/richmenus", Needs(RichMenus), richmenus::create)
        .get("/admin/richmenus/{id}", Needs(RichMenus), richmenus::show)
        .post("/admin/richmenus/{id}", Needs(RichMenus), richmenus::update)
        .post(
            "/admin/richmenus/{id}/image",
            Needs(RichMenus),
            richmenus::upload_image,
        )
        .get(
            "/admin/richmenus/{id}/image",
            Needs(RichMenus),
            richmenus::image,
        )
        .post(
            "/admin/richmenus/{id}/publish",
            Needs(RichMenus),
            richmenus::publish,
        )
        .post(
            "/admin/richmenus/{id}/unpublish",
            Needs(RichMenus),
            richmenus::unpublish,
        )
        .post(
            "/admin/richmenus/{id}/delete",
            Needs(RichMenus),
            richmenus::delete,
        )
        .post(
            "/admin/richmenus/{id}/designate",
            Needs(RichMenus),
            richmenus::designate,
        )
        .get("/admin/deliveries", Needs(DeliveryDraft), deliveries::list)
        .get(testers::PATH, Needs(DeliveryDraft), testers::list)
        .post(
            "/admin/deliveries/testers/code",
            Needs(DeliveryDraft),
            testers::issue_code,
        )
        .post(
            "/admin/deliveries/testers/remove",
            Needs(DeliveryDraft),
            testers::remove,
        )
        .post(
            deliveries::EXPORT_PATH,
            Needs(DeliveryDraft),
            deliveries::request_csv,
        )
        .get(
            "/admin/deliveries/new",
            Needs(DeliveryDraft),
            deliveries::new_form,
        )
        .post(
            "/admin/deliveries",
            Needs(DeliveryDraft),
            deliveries::create,
        )
        .get(approvals::PATH, Needs(DeliveryApprove), approvals::list)
        .get(
            "/admin/deliveries/{id}",
            AnyOf(DELIVERY_READERS),
            deliveries::show,
        )
        .post(
            "/admin/deliveries/{id}",
            Needs(DeliveryDraft),
            deliveries::update,
        )
        .post(
            "/admin/deliveries/{id}/send",
            Needs(DeliverySend),
            deliveries::send,
        )
        .post(
            "/admin/deliveries/{id}/approve",
            Needs(DeliveryApprove),
            deliveries::approve,
        )
        .post(
            "/admin/deliveries/{id}/return",
            Needs(DeliveryApprove),
            deliveries::return_to_draft,
        )
        .post(
            "/admin/deliveries/{id}/cancel",
            Needs(DeliverySend),
            deliveries::cancel,
        )
        .post(
            "/admin/deliveries/{id}/stop",
            Needs(DeliverySend),
            deliveries::stop,
        )
        .post(
            "/admin/deliveries/{id}/duplicate",
            Needs(DeliveryDraft),
            deliveries::duplicate,
        )
        .get(
            "/admin/media/{*key}",
            AnyOf(DELIVERY_READERS),
            deliveries::media,
        )
        .get("/admin/segments", Needs(Segments), segments::list)
        .post("/admin/segments", Needs(Segments), segments::add_item)
        .post("/admin/segments/{id}", Needs(Segments), segments::rename)
        .post(
            "/admin/segments/{id}/choices",
            Needs(Segments),
            segments::add_choice,
        )
        .post(
            "/admin/segments/{id}/move",
            Needs(Segments),
            segments::move_item,
        )
        .post(
            "/admin/segments/{id}/retire",
            Needs(Segments),
            segments::retire_item,
        )
        .post(
            "/admin/segments/{id}/choices/{index}/retire",
            Needs(Segments),
            segments::retire_choice,
        )
        .post(
            segments::RETENTION,
            Needs(Segments),
            segments::set_retention,
        )
        .get(disaster::PATH, Needs(EmergencySwitch), disaster::show)
        .post(disaster::PATH, Needs(EmergencySwitch), disaster::open)
        .post(
            "/admin/disaster/{id}/close",
            Needs(EmergencySwitch),
            disaster::close,
        )
        .get(
            "/admin/disaster/rules",
            Needs(EmergencySwitch),
            disaster_rules::show,
        )
        .get(
            disaster_rules::NEW_PATH,
            Needs(EmergencySwitch),
            disaster_rules::new_form,
        )
        .post(
            disaster_rules::NEW_PATH,
            Needs(EmergencySwitch),
            disaster_rules::create,
        )
        .get(
            "/admin/disaster/rules/{id}",
            Needs(EmergencySwitch),
            disaster_rules::edit_form,
        )
        .post(
            "/admin/disaster/rules/{id}",
            Needs(EmergencySwitch),
            disaster_rules::save,
        )
        .post(
            "/admin/disaster/rules/{id}/enabled",
            Needs(EmergencySwitch),
            disaster_rules::set_enabled,
        )
        .get(
            "/admin/disaster/log",
            Needs(EmergencySwitch),
            disaster_log::show,
        )
        .get("/admin/emergency", Needs(EmergencySwitch), emergency::show)
        .post(
            "/admin/emergency",
            Needs(EmergencySwitch),
            emergency::switch,
        )
        .get(
            "/admin/garbage",
            Needs(GarbageCalendars),
            garbage::calendar_view::show,
        )
        .get(
            "/admin/garbage/rules",
            Needs(GarbageCalendars),
            garbage::rules::show,
        )
        .post(
            "/admin/garbage/rules",
            Needs(GarbageCalendars),
            garbage::rules::save,
        )
        .get(
            "/admin/garbage/suspensions",
            Needs(GarbageCalendars),
            garbage::suspensions::list,
        )
        .post(
            "/admin/garbage/suspensions",
            Needs(GarbageCalendars),
            garbage::suspensions::create,
        )
        .post(
            "/admin/garbage/suspensions/{index}/remove",
            Needs(GarbageCalendars),
            garbage::suspensions::remove,
        )
        .get(
            "/admin/garbage/data",
            Needs(GarbageCalendars),
            garbage::import_export::show,
        )
        .post(
            "/admin/garbage/import",
            Needs(GarbageCalendars),
            garbage::import_export::import,
        )
        .post(
            "/admin/garbage/holidays",
            Needs(GarbageCalendars),
            garbage::import_export::upload_holidays,
        )
        .get(
            "/admin/garbage/export/{name}",
            Needs(GarbageCalendars),
            garbage::import_export::export,
        )
        .get(
            "/admin/garbage/notices",
            Needs(GarbageCalendars),
            garbage::notices::show,
        )
        .post(
            "/admin/garbage/notices",
            Needs(GarbageCalendars),
            garbage::notices::save,
        )
        .get(shelters::PATH, Needs(Shelters), shelters::list)
        .get(
            shelters::status::PATH,
            Needs(Shelters),
            shelters::status::show,
        )
        .post(
            shelters::status::PATH,
            Needs(Shelters),
            shelters::status::set,
        )
        .get(
            shelters::kinds::PATH,
            Needs(Shelters),
            shelters::kinds::list,
        )
        .post(
            shelters::kinds::PATH,
            Needs(Shelters),
            shelters::kinds::save,
        )
        .get(
            shelters::import::PATH,
            Needs(Shelters),
            shelters::import::show,
        )
        .post(
            shelters::import::PATH,
            Needs(Shelters),
            shelters::import::import_gsi,
        )
        .post(
            shelters::import::KIND_SITES,
            Needs(Shelters),
            shelters::import::import_sites,
        )
        .get("/admin/shelters/{id}", Needs(Shelters), shelters::show)
        .post("/admin/shelters/{id}", Needs(Shelters), shelters::save)
        .get(
            "/admin/shelters/{id}/photo",
            Needs(Shelters),
            shelters::photo::show,
        )
        .post(
            "/admin/shelters/{id}/photo",
            Needs(Shelters),
            shelters::photo::upload,
        )
        .get("/admin/usage", Needs(UsageReports), usage::show)
        .get(
            usage::MONTHLY_PATH,
            Needs(UsageReports),
            usage::monthly::pdf,
        )
        .get(programmes::PATH, Needs(UsageReports), programmes::show)
        .post(programmes::PATH, Needs(UsageReports), programmes::add)
        .post(
            programmes::REMOVE_PATH,
            Needs(UsageReports),
            programmes::remove,
        )
        .get(friend_kit::PATH, Needs(UsageReports), friend_kit::show)
        .post(
            friend_kit::ACCOUNT_PATH,
            Needs(UsageReports),
            friend_kit::save_account,
        )
        .post(
            friend_kit::PLACES_PATH,
            Needs(UsageReports),
            friend_kit::add_place,
        )
        .post(
            friend_kit::REMOVE_PATH,
            Needs(UsageReports),
            friend_kit::remove_place,
        )
        .get(
            friend_kit::POSTER_PATH,
            Needs(UsageReports),
            friend_kit::poster,
        )
        .post(usage::EXPORT_PATH, Needs(UsageReports), usage::request_csv)
        .get(
            consultations::PATH,
            Needs(Consultations),
            consultations::list,
        )
        .get(
            consultations::settings::PATH,
            Needs(Consultations),
            consultations::settings::show,
        )
        .post(
            consultations::settings::PATH,
            Needs(Consultations),
            consultations::settings::save,
        )
        .post(
            consultations::settings::TEMPLATES_PATH,
            Needs(Consultations),
            consultations::settings::add_template,
        )
        .post(
            "/admin/consultations/templates/{id}/delete",
            Needs(Consultations),
            consultations::settings::delete_template,
        )
        .get(
            "/admin/consultations/{id}",
            Needs(Consultations),
            consultations::show,
        )
        .post(
            "/admin/consultations/{id}/reply",
            Needs(Consultations),
            consultations::reply,
        )
        .post(
            "/admin/consultations/{id}/note",
            Needs(Consultations),
            consultations::note,
        )
        .post(
            "/admin/consultations/{id}/assign",
            Needs(Consultations),
            consultations::assign,
        )
        .post(
            "/admin/consultations/{id}/close",
            Needs(Consultations),
            consultations::close,
        )
        .get(childcare::PATH, Needs(DeliverySend), childcare::list)
        .post(
            childcare::SEND_TIME_PATH,
            Needs(DeliverySend),
            childcare::save_send_time,
        )
        .get(
            childcare::stages::NEW_PATH,
            Needs(DeliverySend),
            childcare::stages::new_form,
        )
        .post(
            childcare::stages::PATH,
            Needs(DeliverySend),
            childcare::stages::create,
        )
        .get(
            "/admin/childcare/stages/{id}",
            Needs(DeliverySend),
            childcare::stages::edit_form,
        )
        .post(
            "/admin/childcare/stages/{id}",
            Needs(DeliverySend),
            childcare::stages::update,
        )
        .post(
            "/admin/childcare/stages/{id}/delete",
            Needs(DeliverySend),
            childcare::stages::delete,
        )
        .get(reports::PATH, Needs(ReportsHandle), reports::list::list)
        .get(reports::MAP_PATH, Needs(ReportsHandle), reports::list::map)
        .post(
            reports::export::PATH,
            Needs(ReportsHandle),
            reports::export::request_csv,
        )
        .get(
            reports::categories::PATH,
            Needs(ReportsHandle),
            reports::categories::list,
        )
        .post(
            reports::categories::PATH,
            Needs(ReportsHandle),
            reports::categories::create,
        )
        .get(
            reports::categories::NEW_PATH,
            Needs(ReportsHandle),
            reports::categories::new_form,
        )
        .get(
            "/admin/reports/categories/{id}",
            Needs(ReportsHandle),
            reports::categories::edit_form,
        )
        .post(
            "/admin/reports/categories/{id}",
            Needs(ReportsHandle),
            reports::categories::save,
        )
        .post(
            "/admin/reports/categories/{id}/retire",
            Needs(ReportsHandle),
            reports::categories::retire,
        )
        .get(
            reports::templates::PATH,
            Needs(ReportsHandle),
            reports::templates::list,
        )
        .post(
            reports::templates::PATH,
            Needs(ReportsHandle),
            reports::templates::create,
        )
        .get(
            "/admin/reports/templates/{id}",
            Needs(ReportsHandle),
            reports::templates::edit_form,
        )
        .post(
            "/admin/reports/templates/{id}",
            Needs(ReportsHandle),
            reports::templates::save,
        )
        .post(
            "/admin/reports/templates/{id}/delete",
            Needs(ReportsHandle),
            reports::templates::delete,
        )
        .get(
            "/admin/reports/{id}",
            Needs(ReportsHandle),
            reports::show::show,
        )
        .post(
            "/admin/reports/{id}/status",
            Needs(ReportsHandle),
            reports::changes::change_status,
        )
        .post(
            "/admin/reports/{id}/assign",
            Needs(ReportsHandle),
            reports::changes::assign,
        )
        .post(
            "/admin/reports/{id}/note",
            Needs(ReportsHandle),
            reports::changes::add_note,
        )
        .post(
            "/admin/reports/{id}/district",
            Needs(ReportsHandle),
            reports::changes::set_district,
        )
        .post(
            "/admin/reports/{id}/duplicate",
            Needs(ReportsHandle),
            reports::changes::mark_duplicate,
        )
        .post(
            "/admin/reports/{id}/contact",
            Needs(ReportsHandle),
            reports::changes::show_contact,
        )
        // The report's department is checked by the desk; the draft needs the drafter's right.
        .post(
            "/admin/reports/{id}/alert",
            Needs(DeliveryDraft),
            reports::alert::create,
        )
        .get(greetings::PATH, Needs(Greetings), greetings::show)
        .post(greetings::PATH, Needs(Greetings), greetings::save)
        .get(forms::PATH, AnyOf(FORMS_READERS), forms::list)
        .get(forms::NEW_PATH, Needs(FormsEdit), forms::builder::new_form)
        .post(forms::NEW_PATH, Needs(FormsEdit), forms::builder::create)
        .get(
            "/admin/forms/{id}",
            Needs(FormsEdit),
            forms::builder::edit_form,
        )
        .post("/admin/forms/{id}", Needs(FormsEdit), forms::builder::save)
        .post(
            "/admin/forms/{id}/publish",
            Needs(FormsEdit),
            forms::builder::publish,
        )
        .post(
            "/admin/forms/{id}/close",
            Needs(FormsEdit),
            forms::builder::close,
        )
        .post(
            "/admin/forms/{id}/reopen",
            Needs(FormsEdit),
            forms::builder::reopen,
        )
        .get(
            "/admin/forms/{id}/preview",
            AnyOf(FORMS_READERS),
            forms::preview::show,
        )
        .get(
            "/admin/forms/{id}/answers",
            Needs(FormsViewAnswers),
            forms::answers::list,
        )
        .post(
            "/admin/forms/{id}/answers/export",
            Needs(FormsExport),
            forms::answers::request_csv,
        )
        .post(
            "/admin/forms/{id}/answers/bulk",
            Needs(FormsViewAnswers),
            forms::answers::bulk,
        )
        .get(
            "/admin/forms/{id}/answers/{answer}",
            Needs(FormsViewAnswers),
            forms::answers::show,
        )
        .post(
            "/admin/forms/{id}/answers/{answer}/reveal",
            Needs(FormsViewAnswers),
            forms::answers::reveal,
        )
        .post(
            "/admin/forms/{id}/answers/{answer}/status",
            Needs(FormsViewAnswers),
            forms::answers::change_status,
        )
        .post(
            "/admin/forms/{id}/answers/{answer}/memo",
            Needs(FormsViewAnswers),
            forms::answers::memo,
        )
        .post(
            "/admin/forms/{id}/answers/{answer}/staff",
            Needs(FormsViewAnswers),
            forms::answers::staff_values,
        )
        .get(
            "/admin/forms/{id}/analysis",
            Needs(FormsViewAnswers),
            forms::analysis::show,
        )
        .get(exports::PATH, AnyOf(exports::EXPORTERS), exports::list)
        .get(
            "/admin/exports/{id}/download",
            AnyOf(exports::EXPORTERS),
            exports::download,
        )
}

/// Who may open the forms' list and a form's preview: who builds forms and who handles their
/// answers, each seeing the actions their own permission allows.
const FORMS_READERS: &[Permission] = &[FormsEdit, FormsViewAnswers];
