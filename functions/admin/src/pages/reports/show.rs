//! One report's page: everything the citizen gave (photos through presigned URLs that live
//! five minutes, the place on a small map and on GSI's map, the contact only on request and
//! audited), its history and internal notes, the possible duplicates, and the forms for each
//! change. Every value the citizen typed is escaped by maud.

use super::{account, district_words, districts, gsi_map_link, is_outside, not_yours, report_path};
use super::{MANUAL, PATH};
use crate::error::PageResult;
use crate::pages::staff::all_accounts;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use std::sync::Arc;
use std::time::Duration;
use tayori_domain::report::{Report, ReportStatus, ResponseTemplate, MAX_COMMENT_CHARS};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_domain::time::format_jst;
use tayori_ports::{ObjectError, ObjectKey};

/// How long a photo's address works: long enough to look, short enough that a copied link
/// soon stops showing a citizen's photo to anyone.
pub const PHOTO_LINK_LIFE: Duration = Duration::from_secs(300);

/// What the page shows beyond the stored report: the status form as the clerk left it (after a
/// refusal or a template fill), and the contact once asked for.
#[derive(Clone, Debug, Default)]
pub struct Shown {
    pub status: String,
    pub comment: String,
    pub template: String,
    /// The status form's problem, shown beside it.
    pub problem: Option<String>,
    pub contact: bool,
}

/// Everything the page needs besides the report.
struct Around {
    duplicates: Vec<Report>,
    original: Option<Report>,
    templates: Vec<ResponseTemplate>,
    assignable: Vec<StaffAccount>,
    districts: Vec<String>,
    /// (the photo's presigned URL, or `None` when it cannot be shown)
    photos: Vec<Option<String>>,
}

async fn around(state: &AdminState, report: &Report) -> Result<Around, crate::ConsoleError> {
    let desk = &state.reports;
    let original = match report.duplicate_of() {
        Some(id) => desk.get(id).await.ok(),
        None => None,
    };
    let department = &report.category().department;
    let assignable = all_accounts(state)
        .await?
        .into_iter()
        .filter(|a| a.may_in(Permission::ReportsHandle, department))
        .collect();
    let mut photos = Vec::new();
    for photo in report.photos() {
        photos.push(photo_link(state, &photo.key).await);
    }
    Ok(Around {
        duplicates: desk.possible_duplicates(report).await?,
        original,
        templates: desk.templates().await?,
        assignable,
        districts: districts(state).await?,
        photos,
    })
}

/// A presigned GET for a report photo; `None` (and logged, unless the store simply has no
/// address to sign for) when it cannot be made.
async fn photo_link(state: &AdminState, key: &str) -> Option<String> {
    let key = ObjectKey::new(key).ok()?;
    match state
        .platform
        .objects
        .presign_get(&key, PHOTO_LINK_LIFE)
        .await
    {
        Ok(url) => Some(url),
        Err(ObjectError::NotServed) => None,
        Err(e) => {
            tracing::error!(error = %e, key = %key, "a report photo could not be signed");
            None
        }
    }
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    render(&state, &page, &id, Shown::default()).await
}

/// The report's page for the signed-in clerk, who must be able to handle it.
pub async fn render(state: &AdminState, page: &Page, id: &str, shown: Shown) -> PageResult {
    let by = account(page)?;
    let report = match state.reports.get_for(id, by).await {
        Ok(r) => r,
        Err(e) if is_outside(&e) => return Ok(not_yours(&e)),
        Err(e) => return Err(e.into()),
    };
    let around = around(state, &report).await?;
    Ok(report_page(page, &report, &around, &shown))
}

fn report_page(page: &Page, r: &Report, a: &Around, shown: &Shown) -> Response {
    let here = report_path(r.id());
    let title = format!("通報 {}", r.receipt());
    page.render(
        &title,
        &[("ホーム", "/admin"), ("通報", PATH), (r.receipt(), &here)],
        MANUAL,
        html! {
            @if let Some(p) = &shown.problem {
                (crate::ui::form::ErrorSummary::default().field("f-comment", p.clone()))
            }
            @if r.is_urgent_and_open() {
                p.flash.err #urgent role="status" { "緊急の種類の通報です。" }
            }
            (facts(r, a))
            (place(r))
            (photos(r, a))
            (contact(page, r, shown))
            (history(r))
            (status_form(page, r, a, shown))
            (alert_form(page, r))
            (assign_form(page, r, a))
            (note_form(page, r))
            (district_form(page, r, a))
            (duplicate_form(page, r, a))
        },
    )
}

fn facts(r: &Report, a: &Around) -> Markup {
    html! {
        h2 { "通報の内容" }
        dl.facts #report-facts {
            dt { "受付番号" } dd { (r.receipt()) }
            dt { "種類" } dd { (r.category().name) @if r.category().urgent { "（緊急）" } }
            dt { "担当課" } dd { (r.category().department) }
            dt { "状況" } dd #report-status { (r.status().label()) }
            @if let Some(original) = r.duplicate_of() {
                dt { "重複元" }
                dd { a href=(report_path(original)) { (a.original.as_ref().map_or(original, |o| o.receipt())) } }
            }
            dt { "受付日時" } dd { (format_jst(r.filed_at())) "（" (r.channel().label()) "）" }
            dt { "地区" } dd { (district_words(r.district())) }
            dt { "担当者" } dd { (r.assignee().map_or("未定", |s| s.name.as_str())) }
            dt { "内容" } dd.details { (r.details()) }
            @for answer in r.answers() {
                dt { (answer.question) } dd { (answer.text) }
            }
            @if let Some(delivery) = r.alert_delivery_id() {
                dt { "出没情報の配信" } dd { a href=(format!("/admin/deliveries/{delivery}")) { "作成した配信を開く" } }
            }
        }
        @if !a.duplicates.is_empty() {
            h2 { "重複の可能性がある通報" }
            p.note { "同じ種類で、50m以内・前後7日以内に受け付けた通報です。" }
            ul #possible-duplicates {
                @for d in &a.duplicates {
                    li {
                        a href=(report_path(d.id())) { (d.receipt()) }
                        " " (format_jst(d.filed_at())) "　" (d.status().label()) "　"
                        (format!("約{:.0}m", r.position().distance_m(d.position())))
                    }
                }
            }
        }
    }
}

fn place(r: &Report) -> Markup {
    let p = r.position();
    html! {
        h2 { "場所" }
        p #report-place {
            @if let Some(note) = r.place_note() { (note) "　" }
            (format!("緯度 {:.6}・経度 {:.6}", p.lat(), p.lng())) "　"
            a href=(gsi_map_link(r)) target="_blank" rel="noopener" { "地理院地図で開く" }
        }
        (super::list::map_of(std::slice::from_ref(r)))
    }
}

fn photos(r: &Report, a: &Around) -> Markup {
    html! {
        h2 { "写真（" (r.photos().len()) "枚）" }
        @if r.photos().is_empty() {
            p { "写真はありません。" }
        } @else {
            p.note { "写真のアドレスは5分で無効になります。表示されないときは、ページを開き直してください。" }
            ul.report-photos {
                @for (i, link) in a.photos.iter().enumerate() {
                    li {
                        @match link {
                            Some(url) => a href=(url) target="_blank" rel="noopener" {
                                img src=(url) alt=(format!("{}枚目の写真", i + 1)) loading="lazy";
                            },
                            None => span { (i + 1) "枚目：写真を表示できません。" },
                        }
                    }
                }
            }
        }
    }
}

fn contact(page: &Page, r: &Report, shown: &Shown) -> Markup {
    html! {
        h2 { "連絡先" }
        @match &r.reporter().contact {
            None => p { "連絡先はありません（匿名の通報です）。" },
            Some(c) if shown.contact => dl.facts #report-contact {
                dt { "お名前" } dd { (c.name) }
                dt { "電話番号" } dd { (c.phone) }
            },
            Some(_) => form.inline method="post" action=(format!("{}/contact", report_path(r.id()))) {
                (page.csrf_field())
                p { "市民が連絡先を残しています。表示すると操作ログに記録されます。" }
                button type="submit" #show-contact { "連絡先を表示" }
            },
        }
    }
}

fn history(r: &Report) -> Markup {
    html! {
        h2 { "対応の履歴" }
        @if r.history().is_empty() {
            p { "まだ状況の変更はありません。" }
        } @else {
            table #report-history {
                thead { tr { th { "日時" } th { "変更" } th { "職員" } th { "市民へのコメント" } th { "市民への通知" } } }
                tbody {
                    @for h in r.history() {
                        tr {
                            td { (format_jst(h.at)) }
                            td { (h.from.label()) " → " (h.to.label()) }
                            td { (h.by.name) }
                            td { (h.public_comment.as_deref().unwrap_or("")) }
                            td {
                                @if !h.tell_citizen { "通知なし" }
                                @else if let Some(at) = h.told_at { "通知済み（" (format_jst(at)) "）" }
                                @else { "通知待ち" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "内部メモ（職員のみ）" }
        @if r.notes().is_empty() {
            p { "内部メモはありません。" }
        } @else {
            ul #report-notes {
                @for n in r.notes() {
                    li { (format_jst(n.at)) "　" (n.by.name) "：" (n.text) }
                }
            }
        }
    }
}

/// What the citizen is told when a report moves to `to`.
fn told(to: ReportStatus) -> &'static str {
    match to {
        ReportStatus::Checking => "受付→確認中はコメントがあるときだけ通知します。",
        ReportStatus::Declined | ReportStatus::Duplicate => "理由のコメントが必要です。",
        _ => "",
    }
}

fn status_form(page: &Page, r: &Report, a: &Around, shown: &Shown) -> Markup {
    let action = format!("{}/status", report_path(r.id()));
    let next: Vec<ReportStatus> = r
        .status()
        .next()
        .iter()
        .copied()
        .filter(|s| *s != ReportStatus::Duplicate)
        .collect();
    html! {
        h2 #status-change { "状況の変更" }
        @if next.is_empty() {
            p { "この状況から変更できるのは「重複」だけです（下の「重複として登録」）。" }
        } @else {
            form.narrow #status-form method="post" action=(action) {
                (page.csrf_field())
                div.field {
                    label for="f-status-to" { "新しい状況" }
                    select #f-status-to name="status" {
                        @for s in &next {
                            option value=(s.code()) selected[shown.status == s.code()] { (s.label()) }
                        }
                    }
                    div.hint { @for s in &next { @let t = told(*s); @if !t.is_empty() { (s.label()) "：" (t) " " } } }
                }
                @if !a.templates.is_empty() {
                    div.field {
                        label for="f-template" { "定型文" }
                        select #f-template name="template" {
                            option value="" { "選ばない" }
                            @for t in &a.templates {
                                option value=(t.id()) selected[shown.template == t.id()] { (t.name()) }
                            }
                        }
                        " "
                        button type="submit" #fill-template name="action" value="fill" { "定型文をコメントに入れる" }
                    }
                }
                div.field {
                    label for="f-comment" { "市民へのコメント（LINEで届きます）" }
                    textarea #f-comment name="comment" rows="4" maxlength=(MAX_COMMENT_CHARS)
                        aria-invalid=[shown.problem.as_ref().map(|_| "true")] aria-describedby="h-comment" { (shown.comment) }
                    div.hint #h-comment {
                        @if let Some(p) = &shown.problem { span.problem { (p) } " " }
                        (MAX_COMMENT_CHARS) "文字以内。市民に通知されるので、個人情報や内部の事情は書かないでください。"
                    }
                }
                button.primary type="submit" #change-status name="action" value="change" { "状況を変更する" }
            }
        }
    }
}

fn alert_form(page: &Page, r: &Report) -> Markup {
    let verified = super::alert::is_verified(r);
    html! {
        @if r.category().urgent && r.alert_delivery_id().is_none() {
            h2 { "出没情報の配信" }
            @if !verified {
                p { "目撃を確認して状況を「確認中」以降にすると、この地区への配信の下書きを作成できます。" }
            } @else if !page.may(Permission::DeliveryDraft) {
                p { "配信の下書きを作成するには「配信の作成（下書き）」の権限が必要です。" }
            } @else if r.district().is_none() {
                p { "地区が未設定のため、配信先を決められません。下の「地区の修正」で地区を設定してください。" }
            } @else {
                form.inline method="post" action=(format!("{}/alert", report_path(r.id()))) {
                    (page.csrf_field())
                    p { (district_words(r.district())) "の市民に、出没情報の配信の下書きを作成します。配信は通常どおり承認を経て送られます。" }
                    button.primary type="submit" #create-alert { "出没情報の配信を作成" }
                }
            }
        }
    }
}

fn assign_form(page: &Page, r: &Report, a: &Around) -> Markup {
    let current = r
        .assignee()
        .map(|s| s.login_id.to_string())
        .unwrap_or_default();
    html! {
        h2 { "担当者" }
        form.inline #assign-form method="post" action=(format!("{}/assign", report_path(r.id()))) {
            (page.csrf_field())
            label for="f-assignee" { "担当者" }
            select #f-assignee name="assignee" {
                option value="" selected[current.is_empty()] { "未定" }
                @for s in &a.assignable {
                    @let login = s.login_id.to_string();
                    option value=(login) selected[current == login] { (s.profile().display_name) "（" (s.profile().department) "）" }
                }
            }
            button type="submit" { "担当者を設定" }
        }
    }
}

fn note_form(page: &Page, r: &Report) -> Markup {
    html! {
        h2 { "内部メモを追加" }
        form.narrow #note-form method="post" action=(format!("{}/note", report_path(r.id()))) {
            (page.csrf_field())
            div.field {
                label for="f-note" { "内部メモ（市民には届きません）" }
                textarea #f-note name="note" rows="3" maxlength=(MAX_COMMENT_CHARS) {}
            }
            button type="submit" { "メモを追加" }
        }
    }
}

fn district_form(page: &Page, r: &Report, a: &Around) -> Markup {
    let current = r.district().unwrap_or("");
    html! {
        h2 { "地区の修正" }
        form.inline #district-form method="post" action=(format!("{}/district", report_path(r.id()))) {
            (page.csrf_field())
            label for="f-district-set" { "地区" }
            select #f-district-set name="district" {
                option value="" selected[current.is_empty()] { "未設定" }
                @for d in &a.districts {
                    option value=(d) selected[current == d] { (d) }
                }
            }
            button type="submit" { "地区を修正" }
        }
    }
}

fn duplicate_form(page: &Page, r: &Report, a: &Around) -> Markup {
    let suggested = a.duplicates.first().map(|d| d.receipt()).unwrap_or("");
    html! {
        @if !r.status().is_closed() {
            h2 { "重複として登録" }
            form.narrow #duplicate-form method="post" action=(format!("{}/duplicate", report_path(r.id()))) {
                (page.csrf_field())
                div.field {
                    label for="f-original" { "元の通報の受付番号" }
                    input #f-original type="text" name="original" value=(suggested) placeholder="例 2612-0007";
                }
                div.field {
                    label for="f-duplicate-comment" { "市民へのコメント（必須）" }
                    textarea #f-duplicate-comment name="comment" rows="3" maxlength=(MAX_COMMENT_CHARS) {
                        "同じ場所について先に通報をいただいており、そちらで対応します。ご協力ありがとうございました。"
                    }
                }
                button type="submit" { "重複として登録" }
            }
        }
    }
}
