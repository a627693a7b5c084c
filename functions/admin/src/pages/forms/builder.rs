//! The builder (フォームの作成・編集): the settings, the fields and the reservation slots in one
//! server-rendered form (see `draft.rs`), saved through the desk, whose domain says in Japanese
//! what does not hold; the page then shows it above what the clerk typed, all of it kept.
//! Publishing, closing and reopening ask for a confirmation first.

use super::draft::{file_type_code, kind_label, Draft, DraftField, DraftSlot, KIND_CODES};
use super::{
    account, answers_path, clerk, form_path, ip_of, is_outside, not_yours, preview_path, tabs,
    visible, MANUAL, NEW_PATH, PATH,
};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::ui::form::ErrorSummary;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::form::{
    format_bytes, Edited, FileType, FormKind, FormStatus, MAX_FILES, MAX_FILE_BYTES,
};
use tayori_formdesk::FormListing;

/// What the builder's page needs besides the draft.
struct Shown<'a> {
    /// Where the big form posts.
    action: String,
    /// The saved form, when editing one.
    saved: Option<&'a FormListing>,
    /// The problem to show first, and the input it is about.
    problem: Option<(String, String)>,
    /// The address citizens open the form at.
    link: Option<String>,
}

/// `GET /admin/forms/new`.
pub async fn new_form(page: Page) -> PageResult {
    let by = account(&page)?;
    let draft = Draft::new_for(&by.profile().department);
    Ok(render(
        &page,
        &draft,
        &Shown {
            action: NEW_PATH.into(),
            saved: None,
            problem: None,
            link: None,
        },
    ))
}

/// What a post of the builder asks for.
enum Asked {
    Save,
    AddField(String),
    Move(usize, bool),
    Remove(usize),
    AddSlot(DraftSlot),
    RemoveSlot(usize),
}

fn asked(form: &FormData) -> Asked {
    let action = form.get("action");
    let index = |prefix: &str| {
        action
            .strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
    };
    if action == "add-field" {
        return Asked::AddField(form.get("new_kind"));
    }
    if action == "add-slot" {
        return Asked::AddSlot(DraftSlot {
            id: String::new(),
            date: form.get("new_slot.date"),
            start: form.get("new_slot.start"),
            end: form.get("new_slot.end"),
            capacity: form.get("new_slot.capacity"),
        });
    }
    if let Some(i) = index("up:") {
        return Asked::Move(i, true);
    }
    if let Some(i) = index("down:") {
        return Asked::Move(i, false);
    }
    if let Some(i) = index("remove:") {
        return Asked::Remove(i);
    }
    if let Some(i) = index("remove-slot:") {
        return Asked::RemoveSlot(i);
    }
    Asked::Save
}

/// Applies a change that is not a save to the draft; `None` when the post asks to save.
fn changed(draft: &mut Draft, asked: Asked) -> Option<Option<(String, String)>> {
    match asked {
        Asked::Save => return None,
        Asked::AddField(code) => {
            if !draft.add_field(&code) {
                return Some(Some((
                    "f-new_kind".into(),
                    "追加する項目の種類を選んでください。".into(),
                )));
            }
        }
        Asked::Move(i, up) => draft.move_field(i, up),
        Asked::Remove(i) => draft.remove_field(i),
        Asked::AddSlot(slot) => draft.add_slot(slot),
        Asked::RemoveSlot(i) => draft.remove_slot(i),
    }
    Some(None)
}

/// `POST /admin/forms/new`: a change to the draft, or 「保存する」 (the form is created 下書き).
pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let mut draft = Draft::parse(&form);
    let mut shown = Shown {
        action: NEW_PATH.into(),
        saved: None,
        problem: None,
        link: None,
    };
    if let Some(problem) = changed(&mut draft, asked(&form)) {
        shown.problem = problem;
        return Ok(render(&page, &draft, &shown));
    }
    let settings = match draft.settings() {
        Ok(s) => s,
        Err(e) => {
            shown.problem = Some((e.input.clone(), e.to_string()));
            return Ok(render(&page, &draft, &shown));
        }
    };
    let ip = ip_of(&actor);
    match state.forms.create(clerk(by, &ip), settings).await {
        Ok(created) => Ok(redirect_with(
            &form_path(created.id().as_str()),
            FlashKind::Success,
            "フォームを下書きとして保存しました。",
            state.config.secure_cookies,
        )),
        Err(e) if e.is_refusal() => {
            shown.problem = Some(("form-builder".into(), e.to_string()));
            Ok(render(&page, &draft, &shown))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/forms/{id}`: the builder on the saved form.
pub async fn edit_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let draft = Draft::from_form(&listing.form);
    Ok(render(
        &page,
        &draft,
        &Shown {
            action: form_path(&id),
            saved: Some(&listing),
            problem: None,
            link: Some(state.config.forms_link.for_form(listing.form.id())),
        },
    ))
}

/// `POST /admin/forms/{id}`: a change to the draft, or 「保存する」 (a new version when the form
/// has answers).
pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let form = FormData::parse(&body);
    let mut draft = Draft::parse(&form);
    let mut shown = Shown {
        action: form_path(&id),
        saved: Some(&listing),
        problem: None,
        link: Some(state.config.forms_link.for_form(listing.form.id())),
    };
    if let Some(problem) = changed(&mut draft, asked(&form)) {
        shown.problem = problem;
        return Ok(render(&page, &draft, &shown));
    }
    let settings = match draft.settings() {
        Ok(s) => s,
        Err(e) => {
            shown.problem = Some((e.input.clone(), e.to_string()));
            return Ok(render(&page, &draft, &shown));
        }
    };
    let ip = ip_of(&actor);
    match state
        .forms
        .edit(clerk(by, &ip), listing.form.id(), settings)
        .await
    {
        Ok((_, edited)) => {
            let done = match edited {
                Edited::InPlace { .. } => "フォームを保存しました。".to_string(),
                Edited::NewVersion { from, to } => format!(
                    "回答があるため、第{from}版を残して第{to}版として保存しました。これまでの回答は第{from}版の項目で表示されます。"
                ),
            };
            Ok(redirect_with(
                &form_path(&id),
                FlashKind::Success,
                done,
                state.config.secure_cookies,
            ))
        }
        Err(e) if is_outside(&e) => Ok(not_yours(&e)),
        Err(e) if e.is_refusal() => {
            shown.problem = Some(("form-builder".into(), e.to_string()));
            Ok(render(&page, &draft, &shown))
        }
        Err(e) => Err(e.into()),
    }
}

/// Publish, close or reopen: which, in words.
#[derive(Clone, Copy)]
enum Move {
    Publish,
    Close,
    Reopen,
}

impl Move {
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Move::Publish => (
                "フォームを公開する",
                "公開すると、市民がLINEから回答できるようになります（受付期間内）。",
                "公開しました。",
            ),
            Move::Close => (
                "フォームの受付を終了する",
                "受付終了日時を待たずに、すぐに回答の受付を止めます。回答はそのまま残ります。",
                "受付を終了しました。",
            ),
            Move::Reopen => (
                "フォームの受付を再開する",
                "市民が再び回答できるようになります。",
                "受付を再開しました。",
            ),
        }
    }

    fn path(self, id: &str) -> String {
        let verb = match self {
            Move::Publish => "publish",
            Move::Close => "close",
            Move::Reopen => "reopen",
        };
        format!("{PATH}/{id}/{verb}")
    }
}

async fn move_form(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    body: &Bytes,
    to: Move,
) -> PageResult {
    let by = account(page)?;
    let listing = match visible(state, by, id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let (title, warning, done) = to.words();
    let form = FormData::parse(body);
    let here = form_path(id);
    if !is_confirmed(&form.get(CONFIRMED)) {
        let f = &listing.form;
        return Ok(Confirmation {
            title,
            facts: vec![
                ("フォーム", f.title().to_string()),
                ("種類", f.kind().label().to_string()),
                ("受付期間", f.period_label()),
                ("今の状態", f.status().label().to_string()),
            ],
            warning: warning.to_string(),
            action: to.path(id),
            fields: Vec::new(),
            button: title,
            back: here.clone(),
        }
        .render(
            page,
            &[("ホーム", "/admin"), ("フォーム", PATH), (f.title(), &here)],
            MANUAL,
        ));
    }
    let ip = ip_of(actor);
    let who = clerk(by, &ip);
    let form_id = listing.form.id();
    let result = match to {
        Move::Publish => state.forms.publish(who, form_id).await,
        Move::Close => state.forms.close(who, form_id).await,
        Move::Reopen => state.forms.reopen(who, form_id).await,
    };
    let secure = state.config.secure_cookies;
    match result {
        Ok(_) => Ok(redirect_with(&here, FlashKind::Success, done, secure)),
        Err(e) if is_outside(&e) => Ok(not_yours(&e)),
        Err(e) if e.is_refusal() => Ok(redirect_with(
            &here,
            FlashKind::Error,
            e.to_string(),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn publish(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    move_form(&state, &page, &actor, &id, &body, Move::Publish).await
}

pub async fn close(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    move_form(&state, &page, &actor, &id, &body, Move::Close).await
}

pub async fn reopen(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    move_form(&state, &page, &actor, &id, &body, Move::Reopen).await
}

// ---- the page -------------------------------------------------------------------------------

fn render(page: &Page, draft: &Draft, shown: &Shown) -> Response {
    let (title, here) = match shown.saved {
        Some(l) => (l.form.title().to_string(), form_path(l.form.id().as_str())),
        None => ("新しいフォーム".to_string(), NEW_PATH.to_string()),
    };
    page.render(
        &title,
        &[("ホーム", "/admin"), ("フォーム", PATH), (&title, &here)],
        MANUAL,
        html! {
            @if let Some((input, message)) = &shown.problem {
                (ErrorSummary::default().field(input, message.clone()))
            }
            @if let Some(l) = shown.saved {
                (tabs(page, &l.form, &here))
                (state_actions(page, l))
                @if let Some(link) = &shown.link {
                    (citizens_link(l, link))
                }
                @if l.counts.ever > 0 {
                    p.note #versioning {
                        "このフォームには回答があります（" (l.counts.ever) "件）。保存すると第"
                        (l.form.version() + 1) "版になり、これまでの回答は回答した時の版（第"
                        (l.form.version()) "版まで）の項目で表示されます。回答があるため、種類の変更と、予約のある枠の削除はできません。"
                    }
                }
            }
            form.builder #form-builder method="post" action=(shown.action) {
                (page.csrf_field())
                p.toolbar { button.filled type="submit" name="action" value="save" { "保存する" } }
                (settings(draft))
                (fields(draft))
                @if draft.kind == FormKind::Reservation.code() {
                    (slots(draft))
                }
                p.toolbar { button.filled #save-form type="submit" name="action" value="save" { "保存する" } }
            }
        },
    )
}

fn state_actions(page: &Page, l: &FormListing) -> Markup {
    let id = l.form.id().as_str();
    let (verb, label) = match l.form.status() {
        FormStatus::Draft => ("publish", "公開する"),
        FormStatus::Open => ("close", "受付を終了する"),
        FormStatus::Closed => ("reopen", "受付を再開する"),
    };
    html! {
        form.inline #form-state method="post" action=(format!("{PATH}/{id}/{verb}")) {
            (page.csrf_field())
            span { "状態：" strong #form-status { (l.form.status().label()) } "　" }
            button type="submit" { (label) }
            " " a.button href=(preview_path(id)) { "スマートフォンでの表示を確認" }
            " " a.button href=(answers_path(id)) { "回答を見る" }
        }
    }
}

fn citizens_link(l: &FormListing, link: &str) -> Markup {
    html! {
        section.citizens-link aria-labelledby="citizens-link-title" {
            h2 #citizens-link-title { "市民が回答するリンク" }
            p {
                input #citizens-link type="text" readonly value=(link) aria-labelledby="citizens-link-title";
            }
            p.note {
                "配信のボタンやリッチメニューのリンク先に使います。"
                @if l.form.status() == FormStatus::Draft { "下書きのあいだは、市民が開いても回答できません。" }
            }
        }
    }
}

fn text_input(id: &str, name: &str, label: &str, value: &str, kind: &str, hint: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(value);
            @if !hint.is_empty() { div.hint { (hint) } }
        }
    }
}

fn settings(d: &Draft) -> Markup {
    html! {
        fieldset #form-settings {
            legend { "基本設定" }
            (text_input("f-title", "title", "タイトル（必須）", &d.title, "text", "LINEの画面の一番上に表示されます。"))
            div.field {
                label for="f-description" { "説明" }
                textarea #f-description name="description" rows="3" { (d.description) }
            }
            div.field {
                label for="f-kind" { "種類" }
                select #f-kind name="kind" {
                    @for k in FormKind::ALL {
                        option value=(k.code()) selected[d.kind == k.code()] { (k.label()) }
                    }
                }
                div.hint { "予約を選ぶと、保存後に予約枠を設定できます。回答の状態も種類で決まります。" }
            }
            (text_input("f-department", "department", "担当課", &d.department, "text", "この課の担当の職員が、編集・回答の確認をできます。"))
            (text_input("f-opens_at", "opens_at", "受付開始（日本時間）", &d.opens_at, "datetime-local", "空欄なら公開してすぐ受け付けます。"))
            (text_input("f-closes_at", "closes_at", "受付終了（日本時間）", &d.closes_at, "datetime-local", "空欄なら受付を終了するまで受け付けます。"))
            (text_input("f-capacity", "capacity", "定員（全体）", &d.capacity, "number", "空欄なら定員なし。キャンセルされた回答は数えません。"))
            fieldset.choices {
                legend { "1人が回答できる回数" }
                label { input type="radio" name="per_citizen" value="once" checked[d.per_citizen != "many"]; "1回のみ" }
                label { input type="radio" name="per_citizen" value="many" checked[d.per_citizen == "many"]; "何度でも" }
            }
            div.field {
                label for="f-receipt_message" { "受付メッセージ" }
                textarea #f-receipt_message name="receipt_message" rows="3" { (d.receipt_message) }
                div.hint { "回答した市民にLINEで届きます。回答内容の要約が後に続きます。" }
            }
            (text_input("f-notice_address", "notice_address", "新しい回答の通知先メールアドレス（任意）", &d.notice_address, "email", "回答があるたびに、このアドレスへフォーム名と受付番号をお知らせします（回答内容は送りません）。空欄なら送りません。"))
        }
    }
}

/// The fields a condition may look at: earlier ones offering choices (or a consent).
fn condition_sources(d: &Draft, before: usize) -> Vec<&DraftField> {
    d.fields[..before]
        .iter()
        .filter(|f| {
            matches!(
                f.kind.as_str(),
                "single_choice" | "multiple_choice" | "dropdown" | "consent"
            )
        })
        .collect()
}

fn fields(d: &Draft) -> Markup {
    let count = d.fields.len();
    html! {
        h2 #fields-title { "項目（" (count) "）" }
        @if d.fields.is_empty() {
            p { "まだ項目がありません。下の「項目を追加」から追加してください。" }
        }
        ol.form-fields #form-fields {
            @for (i, f) in d.fields.iter().enumerate() {
                li.form-field id=(format!("field-{i}")) {
                    (field(d, i, f, count))
                }
            }
        }
        div.field.add-field {
            label for="f-new_kind" { "項目を追加" }
            select #f-new_kind name="new_kind" {
                @for code in KIND_CODES {
                    option value=(code) { (kind_label(code)) }
                }
            }
            " " button #add-field type="submit" name="action" value="add-field" { "追加" }
        }
    }
}

fn checkbox(id: &str, name: &str, label: &str, checked: bool) -> Markup {
    html! {
        label.check for=(id) { input id=(id) type="checkbox" name=(name) checked[checked]; (label) }
    }
}

fn field(d: &Draft, i: usize, f: &DraftField, count: usize) -> Markup {
    let name = |n: &str| format!("f{i}.{n}");
    let id = |n: &str| DraftField::input(i, n);
    let takes_answer = !matches!(f.kind.as_str(), "heading" | "description");
    let sources = condition_sources(d, i);
    html! {
        fieldset {
            legend { (i + 1) ". " (kind_label(&f.kind)) @if !f.label.is_empty() { "：" (f.label) } }
            input type="hidden" name=(name("id")) value=(f.id);
            input type="hidden" name=(name("kind")) value=(f.kind);
            (text_input(&id("label"), &name("label"), if f.kind == "heading" { "見出し" } else { "項目名" }, &f.label, "text", ""))
            @if f.kind != "heading" && f.kind != "description" {
                (text_input(&id("help"), &name("help"), "補足説明", &f.help, "text", ""))
            }
            @match f.kind.as_str() {
                "short_text" | "long_text" => {
                    (text_input(&id("max_chars"), &name("max_chars"), "最大文字数", &f.max_chars, "number", ""))
                }
                "number" => {
                    (text_input(&id("min"), &name("min"), "最小値", &f.min, "text", ""))
                    (text_input(&id("max"), &name("max"), "最大値", &f.max, "text", ""))
                    (checkbox(&id("integer"), &name("integer"), "整数のみ", f.integer))
                }
                "date" => {
                    (text_input(&id("min"), &name("min"), "選べる最初の日", &f.min, "date", ""))
                    (text_input(&id("max"), &name("max"), "選べる最後の日", &f.max, "date", ""))
                }
                "single_choice" | "dropdown" | "multiple_choice" => {
                    div.field {
                        label for=(id("choices")) { "選択肢（1行に1つ）" }
                        textarea id=(id("choices")) name=(name("choices")) rows="4" { (f.choices) }
                    }
                    @if f.kind == "multiple_choice" {
                        (text_input(&id("min"), &name("min"), "最低いくつ選ぶか", &f.min, "number", ""))
                        (text_input(&id("max"), &name("max"), "最大いくつまで選べるか", &f.max, "number", ""))
                    }
                }
                "consent" | "description" => {
                    div.field {
                        label for=(id("text")) { @if f.kind == "consent" { "同意する内容" } @else { "本文" } }
                        textarea id=(id("text")) name=(name("text")) rows="4" { (f.text) }
                    }
                }
                "file" => {
                    fieldset.file-types id=(id("file_types")) {
                        legend { "受け付けるファイルの種類" }
                        @for t in FileType::ALL {
                            @let code = file_type_code(t);
                            label.check for=(id(&format!("file_types-{code}"))) {
                                input id=(id(&format!("file_types-{code}"))) type="checkbox" name=(name("file_types")) value=(code) checked[f.file_types.iter().any(|c| c == code)];
                                (t.label())
                            }
                        }
                        div.hint { "写真はJPEG・PNG（市民のスマートフォンではカメラも選べます）。写真は位置情報などを取り除いて保存します。" }
                    }
                    (text_input(&id("max_mb"), &name("max_mb"), "1ファイルの上限（MB）", &f.max_mb, "text", &format!("{}まで。", format_bytes(MAX_FILE_BYTES))))
                    (text_input(&id("max_files"), &name("max_files"), "添付できるファイルの数", &f.max_files, "number", &format!("1〜{MAX_FILES}。")))
                }
                "address" => {
                    div.field {
                        label for=(id("postal_field")) { "郵便番号から住所を入れる項目" }
                        select id=(id("postal_field")) name=(name("postal_field")) {
                            option value="" { "使わない" }
                            @for p in d.fields[..i].iter().filter(|p| p.kind == "postal_code") {
                                option value=(p.id) selected[f.postal_field == p.id] { (p.label) }
                            }
                        }
                    }
                }
                _ => {}
            }
            div.flags {
                @if takes_answer {
                    (checkbox(&id("required"), &name("required"), "必須", f.required))
                    (checkbox(&id("personal"), &name("personal"), "個人情報（暗号化して保存し、閲覧を記録）", f.personal))
                }
                (checkbox(&id("staff_only"), &name("staff_only"), "管理者用（市民には表示しない）", f.staff_only))
            }
            div.field.condition {
                label for=(id("cond_field")) { "表示条件" }
                select id=(id("cond_field")) name=(name("cond_field")) {
                    option value="" { "常に表示" }
                    @for s in &sources {
                        option value=(s.id) selected[f.cond_field == s.id] { "「" (s.label) "」が次の値のとき" }
                    }
                    @if !f.cond_field.is_empty() && !sources.iter().any(|s| s.id == f.cond_field) {
                        option value=(f.cond_field) selected { (f.cond_field) }
                    }
                }
                label for=(id("cond_value")) { "値" }
                input id=(id("cond_value")) type="text" name=(name("cond_value")) value=(f.cond_value);
                div.hint { "選択肢の文字をそのまま入力します。同意チェックは「yes」（同意）か「no」。" }
            }
            p.field-actions {
                @if i > 0 { button type="submit" name="action" value=(format!("up:{i}")) aria-label=(format!("{}番目の項目を上へ", i + 1)) { "上へ" } }
                @if i + 1 < count { button type="submit" name="action" value=(format!("down:{i}")) aria-label=(format!("{}番目の項目を下へ", i + 1)) { "下へ" } }
                button.danger type="submit" name="action" value=(format!("remove:{i}")) aria-label=(format!("{}番目の項目を削除", i + 1)) { "削除" }
            }
        }
    }
}

fn slots(d: &Draft) -> Markup {
    html! {
        h2 #slots-title { "予約枠（" (d.slots.len()) "）" }
        @if !d.slots.is_empty() {
            table #form-slots {
                thead { tr { th { "日付" } th { "開始" } th { "終了" } th.num { "定員" } th { span.visually-hidden { "操作" } } } }
                tbody {
                    @for (i, s) in d.slots.iter().enumerate() {
                        @let name = |n: &str| format!("s{i}.{n}");
                        @let id = |n: &str| DraftSlot::input(i, n);
                        tr {
                            td {
                                input type="hidden" name=(name("id")) value=(s.id);
                                input id=(id("date")) type="date" name=(name("date")) value=(s.date) aria-label=(format!("{}番目の枠の日付", i + 1));
                            }
                            td { input id=(id("start")) type="time" name=(name("start")) value=(s.start) aria-label=(format!("{}番目の枠の開始", i + 1)); }
                            td { input id=(id("end")) type="time" name=(name("end")) value=(s.end) aria-label=(format!("{}番目の枠の終了", i + 1)); }
                            td.num { input id=(id("capacity")) type="number" name=(name("capacity")) value=(s.capacity) aria-label=(format!("{}番目の枠の定員", i + 1)); }
                            td { button.danger type="submit" name="action" value=(format!("remove-slot:{i}")) aria-label=(format!("{}番目の枠を削除", i + 1)) { "削除" } }
                        }
                    }
                }
            }
        }
        fieldset #new-slot {
            legend { "予約枠を追加" }
            (text_input("f-new_slot-date", "new_slot.date", "日付", "", "date", ""))
            (text_input("f-new_slot-start", "new_slot.start", "開始", "", "time", ""))
            (text_input("f-new_slot-end", "new_slot.end", "終了", "", "time", ""))
            (text_input("f-new_slot-capacity", "new_slot.capacity", "定員", "", "number", ""))
            button #add-slot type="submit" name="action" value="add-slot" { "枠を追加" }
        }
    }
}
