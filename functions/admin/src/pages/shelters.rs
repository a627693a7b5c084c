//! 避難所・施設情報 (permission 避難所情報): the registry of sites by kind, each site's GSI data
//! (read-only) and the extras staff keep (capacity, phone, barrier-free…), saved with before
//! and after in the audit log. The field staff's status page is `status`; the GSI import is
//! `import`.

pub mod import;
pub mod kinds;
pub mod photo;
pub mod status;

use crate::audit::{self, Actor};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, Crumb, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Path, Query, State};
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::facility::extras::{MAX_HOURS_CHARS, MAX_NOTE_CHARS};
use tayori_domain::facility::{Extras, ExtrasError, Facility, Refusal};
use tayori_domain::time::format_jst;
use tayori_facilities::{Change, FacilityError};

pub const PATH: &str = "/admin/shelters";
pub const MANUAL: &str = "shelters";

const CRUMBS: [Crumb<'static>; 2] = [("ホーム", "/admin"), ("避難所・施設", PATH)];

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
}

/// A yes/no nobody may have answered yet, in words.
fn said(value: Option<bool>, yes: &str, no: &str) -> String {
    match value {
        Some(true) => yes.into(),
        Some(false) => no.into(),
        None => "未確認".into(),
    }
}

/// The hazards a site is a 指定緊急避難場所 for, and whether it is a 指定避難所.
fn designations(f: &Facility) -> String {
    let mut words = Vec::new();
    if !f.hazards().is_empty() {
        words.push(format!(
            "指定緊急避難場所（{}）",
            crate::pages::disaster::hazard_words(f.hazards())
        ));
    }
    if f.is_designated_shelter() {
        words.push("指定避難所".to_string());
    }
    words.join("・")
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let desk = &state.facilities;
    let kinds = desk.kinds().await?;
    let mut sites = Vec::new();
    for kind in &kinds {
        sites.extend(desk.list(kind.id()).await?);
    }
    let needle = query.q.trim();
    let shown: Vec<&Facility> = sites
        .iter()
        .filter(|f| query.kind.is_empty() || f.kind().as_str() == query.kind)
        .filter(|f| needle.is_empty() || f.name().contains(needle) || f.address().contains(needle))
        .collect();
    let kind_name = |f: &Facility| {
        kinds
            .iter()
            .find(|k| k.id() == f.kind())
            .map_or_else(|| f.kind().as_str().to_owned(), |k| k.name().to_owned())
    };
    Ok(page.render(
        "避難所・施設",
        &CRUMBS,
        MANUAL,
        html! {
            p.toolbar {
                a.button.primary href="/admin/shelters/status" { "開設状況の入力（現場用）" }
                a.button href=(import::PATH) { "国土地理院データの取込" }
                a.button href=(kinds::PATH) { "施設の種類" }
            }
            form.inline method="get" action=(PATH) role="search" {
                label for="f-kind" { "種類" }
                select #f-kind name="kind" {
                    option value="" selected[query.kind.is_empty()] { "すべて" }
                    @for k in &kinds {
                        option value=(k.id().as_str()) selected[query.kind == k.id().as_str()] { (k.name()) }
                    }
                }
                label for="f-q" { "名前・住所" }
                input #f-q type="search" name="q" value=(needle);
                button type="submit" { "絞り込む" }
            }
            @if sites.is_empty() {
                p { "まだ施設が登録されていません。" a href=(import::PATH) { "国土地理院のデータを取り込んで" } "ください。" }
            } @else {
                p { (shown.len()) " 件（全 " (sites.len()) " 件）" }
                table {
                    thead { tr { th { "名前" } th { "種類" } th { "住所" } th { "指定" } th.num { "収容人数" } } }
                    tbody {
                        @for f in &shown {
                            tr {
                                td { a href=(format!("{PATH}/{}", f.id())) { (f.name()) } }
                                td { (kind_name(f)) }
                                td { (f.address()) }
                                td { (designations(f)) }
                                td.num { @if let Some(c) = f.extras().capacity { (c) " 人" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// What was typed into the extras form, kept when it is refused.
struct Typed {
    capacity: String,
    extras: Extras,
}

impl Typed {
    fn of(f: &Facility) -> Self {
        Self {
            capacity: f
                .extras()
                .capacity
                .map(|c| c.to_string())
                .unwrap_or_default(),
            extras: f.extras().clone(),
        }
    }

    /// The form as typed, and the problem with the capacity if it is not a number.
    fn read(form: &FormData, kept_photo: Option<String>) -> (Self, Option<&'static str>) {
        let text = |name: &str| Some(form.get(name)).filter(|v| !v.is_empty());
        let yes_no = |name: &str| match form.get(name).as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let capacity = form.get("capacity");
        let digits: String = capacity
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | '人'))
            .collect();
        let (number, problem) = if digits.is_empty() {
            (None, None)
        } else {
            match digits.parse::<u32>() {
                Ok(n) => (Some(n), None),
                Err(_) => (None, Some("収容人数は半角数字で入力してください。")),
            }
        };
        let extras = Extras {
            capacity: number,
            phone: text("phone"),
            barrier_free: yes_no("barrier_free"),
            pets: yes_no("pets"),
            welfare: form.get("welfare") == "yes",
            photo: kept_photo,
            hours: text("hours"),
            url: text("url"),
            note: text("note"),
        };
        (Self { capacity, extras }, problem)
    }
}

/// The form field an extras refusal is about.
fn field_of(e: &ExtrasError) -> &'static str {
    match e {
        ExtrasError::Capacity => "capacity",
        ExtrasError::Phone => "phone",
        ExtrasError::Photo => "capacity",
        ExtrasError::Hours => "hours",
        ExtrasError::Url(_) => "url",
        ExtrasError::Note => "note",
    }
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let site = state.facilities.get(&id).await?;
    Ok(site_page(
        &page,
        &site,
        &Typed::of(&site),
        &Problems::default(),
    ))
}

fn yes_no_select(name: &str, label: &str, value: Option<bool>, yes: &str, no: &str) -> Markup {
    let code = match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    html! {
        div.field {
            label for=(format!("f-{name}")) { (label) }
            select id=(format!("f-{name}")) name=(name) {
                option value="" selected[code.is_empty()] { "未確認" }
                option value="yes" selected[code == "yes"] { (yes) }
                option value="no" selected[code == "no"] { (no) }
            }
        }
    }
}

fn site_page(
    page: &Page,
    site: &Facility,
    typed: &Typed,
    problems: &Problems,
) -> axum::response::Response {
    let action = format!("{PATH}/{}", site.id());
    let extras = &typed.extras;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    page.render(
        site.name(),
        &[("ホーム", "/admin"), ("避難所・施設", PATH), (site.name(), &action)],
        MANUAL,
        html! {
            (problems.summary())
            h2 { "国土地理院のデータ（取込で更新）" }
            dl.facts {
                dt { "名前" } dd { (site.name()) }
                dt { "住所" } dd { (site.address()) }
                dt { "緯度・経度" } dd { (format!("{:.6}, {:.6}", site.position().lat(), site.position().lng())) }
                dt { "指定" } dd { (designations(site)) }
                @if let Some(a) = site.accepts() { dt { "受入対象者" } dd { (a) } }
                @if !site.gsi_ids().is_empty() { dt { "共通ID" } dd { (site.gsi_ids().join("、")) } }
                @if let Some(mark) = site.last_status() {
                    dt { "最後の開設状況" } dd { (mark.status().label()) "（" (format_jst(mark.at())) "　" (mark.by()) "）" }
                }
                @if let Some(edited) = site.edited() {
                    dt { "追加情報の更新" } dd { (format_jst(edited.at)) "　" (edited.by) }
                }
            }
            h2 { "追加情報（市で管理）" }
            form.narrow method="post" action=(action) {
                (page.csrf_field())
                (text_field("capacity", "収容人数（人）", &typed.capacity, problems, Some("空欄なら表示しません")))
                (text_field("phone", "電話番号", &text(&extras.phone), problems, Some("例 0770-53-1111")))
                (yes_no_select("barrier_free", "バリアフリー", extras.barrier_free, "対応", "非対応"))
                (yes_no_select("pets", "ペット同行", extras.pets, "可", "不可"))
                div.field {
                    label.check { input type="checkbox" name="welfare" value="yes" checked[extras.welfare]; "福祉避難所" }
                }
                (text_field("hours", "開館時間", &text(&extras.hours), problems, Some(&format!("例 9:00〜17:00（月曜休館）、{MAX_HOURS_CHARS}文字以内"))))
                (text_field("url", "ホームページ", &text(&extras.url), problems, Some("https:// で始まるアドレス")))
                div.field {
                    label for="f-note" { "備考" }
                    textarea #f-note name="note" rows="3" aria-describedby="h-note" aria-invalid=[problems.get("note").map(|_| "true")] { (text(&extras.note)) }
                    div.hint #h-note {
                        @if let Some(p) = problems.get("note") { span.problem { (p) } " " }
                        (MAX_NOTE_CHARS) "文字以内"
                    }
                }
                button.primary type="submit" { "追加情報を保存" }
            }
            p.note { "保存すると、変更前と変更後が操作ログに記録されます。国土地理院データを取り込み直しても、追加情報は消えません。" }
            h2 { "写真" }
            @if site.extras().photo.is_some() {
                img.site-photo src=(format!("{action}/photo")) alt=(format!("{}の写真", site.name()));
            } @else {
                p { "まだ写真はありません。" }
            }
            form.narrow method="post" action=(format!("{action}/photo")) enctype="multipart/form-data" {
                (page.csrf_field())
                div.field {
                    label for="f-photo" { "写真（JPEGかPNG、4MBまで）" }
                    input #f-photo type="file" name="photo" accept="image/jpeg,image/png";
                }
                button.primary type="submit" name="action" value="upload" { "写真を保存" }
                @if site.extras().photo.is_some() {
                    " "
                    button.danger type="submit" name="action" value="remove" { "写真を削除" }
                }
            }
        },
    )
}

/// What changed between two sets of extras, field by field.
pub fn extras_changes(before: &Extras, after: &Extras) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "（なし）".into());
    let mut changes = Vec::new();
    let mut note = |label: &str, b: String, a: String| {
        if b != a {
            changes.push(format!("{label}：{b}→{a}"));
        }
    };
    let cap = |c: Option<u32>| c.map_or_else(|| "（なし）".into(), |c| format!("{c}人"));
    note("収容人数", cap(before.capacity), cap(after.capacity));
    note("電話番号", opt(&before.phone), opt(&after.phone));
    note(
        "バリアフリー",
        said(before.barrier_free, "対応", "非対応"),
        said(after.barrier_free, "対応", "非対応"),
    );
    note(
        "ペット同行",
        said(before.pets, "可", "不可"),
        said(after.pets, "可", "不可"),
    );
    let welfare = |w: bool| if w { "指定" } else { "指定なし" }.to_string();
    note(
        "福祉避難所",
        welfare(before.welfare),
        welfare(after.welfare),
    );
    note("開館時間", opt(&before.hours), opt(&after.hours));
    note("ホームページ", opt(&before.url), opt(&after.url));
    note("備考", opt(&before.note), opt(&after.note));
    changes
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let site = state.facilities.get(&id).await?;
    let form = FormData::parse(&body);
    let (typed, capacity_problem) = Typed::read(&form, site.extras().photo.clone());
    if let Some(problem) = capacity_problem {
        let mut problems = Problems::default();
        problems.add("capacity", problem);
        return Ok(site_page(&page, &site, &typed, &problems));
    }
    match state
        .facilities
        .edit(&id, typed.extras.clone(), &actor.login_id())
        .await
    {
        Err(FacilityError::Refused(refusal)) => {
            let mut problems = Problems::default();
            match &refusal {
                Refusal::Extras(e) => problems.add(field_of(e), e.to_string()),
                other => problems.add("capacity", other.to_string()),
            }
            Ok(site_page(&page, &site, &typed, &problems))
        }
        Err(e) => Err(e.into()),
        Ok(Change { before, after }) => {
            let changes = extras_changes(before.extras(), after.extras());
            let secure = state.config.secure_cookies;
            if changes.is_empty() {
                return Ok(redirect_with(
                    &format!("{PATH}/{id}"),
                    FlashKind::Success,
                    "変更はありませんでした。",
                    secure,
                ));
            }
            audit::record(
                &state,
                &actor,
                "施設の追加情報を変更",
                &format!("facility:{id}"),
                format!("「{}」 {}", after.name(), changes.join("、")),
            )
            .await;
            Ok(redirect_with(
                &format!("{PATH}/{id}"),
                FlashKind::Success,
                format!("「{}」の追加情報を保存しました。", after.name()),
                secure,
            ))
        }
    }
}
