//! フォーム (申請・アンケート・予約, 仕様書 3.2.6 / 6.2.2): the list of the forms a clerk's
//! permissions and 課 cover, the builder with its phone-frame preview, the answers with their
//! handling, and the analysis with charts drawn here as SVG (so they print and need no script).
//!
//! The handlers parse, call the [`FormDesk`](tayori_formdesk::FormDesk) and render what it
//! answers; the rules (who may edit or handle a form, what a form may hold) are the domain's,
//! and the desk writes every change and every view of personal values to the audit log.
//!
//! | file | holds |
//! |---|---|
//! | `forms.rs` | paths, the list, what the pages share |
//! | `forms/builder.rs` | new form, edit, publish / close / reopen, the citizens' link |
//! | `forms/draft.rs` | the builder's form as posted: parsed, changed (add, move, remove) and turned into settings |
//! | `forms/preview.rs` | the citizen's view of the fields in a 390 px phone frame |
//! | `forms/answers.rs` | the answers: list, filters, bulk status, one answer and its changes |
//! | `forms/analysis.rs` | per-question counts, charts, free texts, cross-tabulation |

pub mod analysis;
pub mod answers;
pub mod builder;
pub mod draft;
pub mod preview;

use crate::error::PageResult;
use crate::ui::{self, Page};
use crate::AdminState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::form::{AnswerError, Form, FormError, FormStatus};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_formdesk::{Clerk, FormDeskError, FormListing};

pub const PATH: &str = "/admin/forms";
pub const NEW_PATH: &str = "/admin/forms/new";
pub const MANUAL: &str = "forms";

pub fn form_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

pub fn answers_path(id: &str) -> String {
    format!("{PATH}/{id}/answers")
}

pub fn answer_path(form: &str, answer: &str) -> String {
    format!("{PATH}/{form}/answers/{answer}")
}

pub fn analysis_path(id: &str) -> String {
    format!("{PATH}/{id}/analysis")
}

pub fn preview_path(id: &str) -> String {
    format!("{PATH}/{id}/preview")
}

/// The signed-in account (every route here is behind sign-in).
pub fn account(page: &Page) -> Result<&StaffAccount, crate::ConsoleError> {
    crate::pages::reports::account(page)
}

/// The clerk as the desk records them: the account and the request's address.
pub fn clerk<'a>(account: &'a StaffAccount, ip: &'a str) -> Clerk<'a> {
    Clerk { account, ip }
}

/// The request's address as the audit log writes it.
pub fn ip_of(actor: &crate::audit::Actor) -> String {
    actor
        .ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "-".into())
}

/// Whether a refusal is about who may touch the form at all (not what was asked of it).
pub fn is_outside(e: &FormDeskError) -> bool {
    matches!(
        e,
        FormDeskError::Form(FormError::OtherDepartment(_) | FormError::NoPermission)
            | FormDeskError::Answer(AnswerError::OtherDepartment(_) | AnswerError::NoPermission)
    )
}

/// The desk refused the form itself (another department's, no permission): a 403 page that
/// says why, so nothing of the form is shown.
pub fn not_yours(e: &FormDeskError) -> Response {
    ui::plain(
        StatusCode::FORBIDDEN,
        "このフォームは担当外です",
        html! {
            p { (e.to_string()) }
            p { a href=(PATH) { "フォームの一覧に戻る" } }
        },
    )
}

/// A form the clerk may see, or the page that says why not (404 for none, 403 for another
/// department's).
pub async fn visible(
    state: &AdminState,
    by: &StaffAccount,
    id: &str,
) -> Result<Result<FormListing, Response>, crate::ConsoleError> {
    let Ok(form_id) = tayori_domain::form::FormId::parse(id) else {
        return Ok(Err(ui::not_found()));
    };
    match state.forms.get(clerk(by, "-"), &form_id).await {
        Ok(listing) => Ok(Ok(listing)),
        Err(e) if is_outside(&e) => Ok(Err(not_yours(&e))),
        Err(e) => Err(e.into()),
    }
}

/// The tabs every page of one form shows: what the clerk's permissions open.
pub fn tabs(page: &Page, form: &Form, current: &str) -> Markup {
    let id = form.id().as_str();
    let links: Vec<(String, &str)> = [
        (
            page.may(Permission::FormsEdit),
            form_path(id),
            "フォームの編集",
        ),
        (true, preview_path(id), "プレビュー"),
        (
            page.may(Permission::FormsViewAnswers),
            answers_path(id),
            "回答",
        ),
        (
            page.may(Permission::FormsViewAnswers),
            analysis_path(id),
            "集計",
        ),
    ]
    .into_iter()
    .filter(|(shown, _, _)| *shown)
    .map(|(_, href, label)| (href, label))
    .collect();
    html! {
        nav.form-tabs aria-label="フォームの画面" {
            ul {
                @for (href, label) in &links {
                    li { a href=(href) aria-current=[(href.as_str() == current).then_some("page")] { (label) } }
                }
            }
        }
        p.form-facts {
            (form.kind().label()) "　" span.status { (form.status().label()) }
            "　第" (form.version()) "版　担当課：" (form.department())
        }
    }
}

/// The new answers not yet seen over the forms `by` handles (the menu's and the home tile's
/// badge); 0 without フォーム回答の閲覧. A failed read loses the badge, never the page.
pub async fn new_answers(state: &AdminState, by: &StaffAccount) -> u32 {
    if !by.may(Permission::FormsViewAnswers) {
        return 0;
    }
    state
        .forms
        .new_count(clerk(by, "-"))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the forms' new-answer badge could not be read");
            0
        })
}

fn status_class(status: FormStatus) -> &'static str {
    match status {
        FormStatus::Draft => "draft",
        FormStatus::Open => "open",
        FormStatus::Closed => "closed",
    }
}

/// `GET /admin/forms`: the forms the clerk's permissions and 課 cover.
pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let by = account(&page)?;
    let listed = state.forms.list(clerk(by, "-")).await?;
    let may_edit = page.may(Permission::FormsEdit);
    let may_answers = page.may(Permission::FormsViewAnswers);
    Ok(page.render(
        "フォーム",
        &[("ホーム", "/admin"), ("フォーム", PATH)],
        MANUAL,
        html! {
            @if may_edit {
                p.toolbar { a.button.filled #new-form href=(NEW_PATH) { "新しいフォーム" } }
            }
            p #form-count { (listed.len()) " 件" }
            @if listed.is_empty() {
                p { "担当するフォームはまだありません。" }
            } @else {
                table #forms {
                    thead { tr {
                        th { "タイトル" } th { "種類" } th { "状態" } th { "受付期間" } th { "担当課" }
                        th.num { "回答" } th { "新着" }
                    } }
                    tbody {
                        @for l in &listed {
                            @let f = &l.form;
                            @let id = f.id().as_str();
                            tr {
                                td {
                                    @if may_edit { a href=(form_path(id)) { (f.title()) } }
                                    @else if may_answers { a href=(answers_path(id)) { (f.title()) } }
                                    @else { (f.title()) }
                                }
                                td { (f.kind().label()) }
                                td { span class=(format!("form-status {}", status_class(f.status()))) { (f.status().label()) } }
                                td { (f.period_label()) }
                                td { (f.department()) }
                                td.num {
                                    @if may_answers { a href=(answers_path(id)) { (l.counts.ever) } }
                                    @else { (l.counts.ever) }
                                }
                                td { @if l.counts.new > 0 { span.badge { "新着 " (l.counts.new) } } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Where citizens open a form (`FORMS_LIFF_ID`, `PUBLIC_BASE_URL`): the builder shows it for
/// a delivery's button or a rich menu.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormsLink {
    /// The public API's address without its closing slash.
    public_base_url: Option<String>,
    /// The forms' LIFF app, whose endpoint is `<PUBLIC_BASE_URL>/liff/forms`.
    liff_id: Option<String>,
    /// The registration LIFF app (`LIFF_ID`), whose endpoint is
    /// `<PUBLIC_BASE_URL>/liff/registration`: a place's add-friend page opens through it.
    registration_liff_id: Option<String>,
}

impl FormsLink {
    pub fn new(public_base_url: Option<String>, liff_id: Option<String>) -> Self {
        let some = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Self {
            public_base_url: some(public_base_url).map(|u| u.trim_end_matches('/').to_string()),
            liff_id: some(liff_id),
            registration_liff_id: None,
        }
    }

    pub fn with_registration_liff(mut self, id: Option<String>) -> Self {
        self.registration_liff_id = id.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        self
    }

    /// Whether a place's page can tell who opened it, so that follows count for the place:
    /// through the registration LIFF app, or in the local run, where the simulator signs in.
    pub fn counts_follows_by_place(&self) -> bool {
        self.registration_liff_id.is_some() || self.public_base_url.is_none()
    }

    /// Where place `code`'s add-friend QR opens: inside LINE through the registration LIFF
    /// app (so the page knows who opened it and their follow counts for the place), else the
    /// public page, which counts the read only; `None` when there is no public address.
    pub fn join_link(&self, code: &str, host: Option<&str>) -> Option<String> {
        match &self.registration_liff_id {
            Some(liff) => Some(format!("https://liff.line.me/{liff}/join/{code}")),
            None => Some(format!("{}/liff/join/{code}", self.public_origin(host)?)),
        }
    }

    /// The public API's address for a citizen's page, to print in a QR code: `PUBLIC_BASE_URL`,
    /// or in the local run (nothing set, the console on loopback) the console's own origin.
    /// `None` when neither: a printed link must be absolute and must not come from a header
    /// anyone can set.
    pub fn public_origin(&self, host: Option<&str>) -> Option<String> {
        if let Some(base) = &self.public_base_url {
            return Some(base.clone());
        }
        let host = host?;
        let loopback = ["127.0.0.1:", "localhost:"]
            .iter()
            .any(|l| host.starts_with(l));
        loopback.then(|| format!("http://{host}"))
    }

    /// `https://liff.line.me/<LIFF ID>/<id>` (LINE opens it inside the app, signed in), else
    /// `<PUBLIC_BASE_URL>/liff/forms/<id>`, else the path alone (the local run's same origin).
    pub fn for_form(&self, id: &tayori_domain::form::FormId) -> String {
        match (&self.liff_id, &self.public_base_url) {
            (Some(liff), _) => format!("https://liff.line.me/{liff}/{id}"),
            (None, Some(base)) => format!("{base}/liff/forms/{id}"),
            (None, None) => format!("/liff/forms/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_domain::form::FormId;

    #[test]
    fn the_citizens_link_prefers_the_liff_app_then_the_public_address() {
        let id = FormId::parse("abc123").unwrap();
        let both = FormsLink::new(
            Some("https://line.example.jp/prod/".into()),
            Some("1234-abcd".into()),
        );
        assert_eq!(both.for_form(&id), "https://liff.line.me/1234-abcd/abc123");
        let base = FormsLink::new(
            Some("https://line.example.jp/prod/".into()),
            Some(" ".into()),
        );
        assert_eq!(
            base.for_form(&id),
            "https://line.example.jp/prod/liff/forms/abc123"
        );
        assert_eq!(FormsLink::default().for_form(&id), "/liff/forms/abc123");
    }
}
