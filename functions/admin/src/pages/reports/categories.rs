//! 通報の種類: the categories citizens choose from, which 課 handles each, what the intake asks
//! (photo required, anonymous allowed, up to three questions), whether it is urgent, its order;
//! retired and reinstated. A clerk edits only the categories of departments their scope covers.
//! Every save is audited with before → after.

use super::{account, MANUAL, PATH as REPORTS};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::report::category::MAX_QUESTIONS;
use tayori_domain::report::{Category, CategoryError, CategoryId, CategorySettings, Question};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_reporting::{CategoryChange, DeskError};

pub const PATH: &str = "/admin/reports/categories";
pub const NEW_PATH: &str = "/admin/reports/categories/new";

fn covers(by: &StaffAccount, department: &str) -> bool {
    by.may_in(Permission::ReportsHandle, department)
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let by = account(&page)?;
    let all = state.reports.categories().await?;
    Ok(page.render(
        "通報の種類",
        &[("ホーム", "/admin"), ("通報", REPORTS), ("通報の種類", PATH)],
        MANUAL,
        html! {
            p.toolbar { a.button.primary href=(NEW_PATH) { "種類を追加" } }
            table #categories {
                thead { tr { th.num { "順番" } th { "名前" } th { "担当課" } th { "写真" } th { "匿名" } th { "追加の質問" } th { "緊急" } th { "受付" } } }
                tbody {
                    @for c in &all {
                        tr {
                            td.num { (c.order()) }
                            td {
                                @if covers(by, c.department()) { a href=(format!("{PATH}/{}", c.id())) { (c.name()) } }
                                @else { (c.name()) }
                            }
                            td { (c.department()) }
                            td { (if c.photo_required() { "必須" } else { "任意" }) }
                            td { (if c.anonymous_allowed() { "可" } else { "不可（氏名・電話）" }) }
                            td.num { (c.questions().len()) }
                            td { (if c.is_urgent() { "緊急" } else { "" }) }
                            td { (if c.is_retired() { "停止中" } else { "受付中" }) }
                        }
                    }
                }
            }
            p.note { "担当課の範囲外の種類は編集できません。種類を変えても、受付済みの通報は受付時の種類のままです。" }
        },
    ))
}

/// The form as typed.
#[derive(Clone, Debug)]
struct Typed {
    id: String,
    settings: CategorySettings,
    order: String,
}

impl Typed {
    fn blank(by: &StaffAccount) -> Self {
        Self {
            id: String::new(),
            settings: CategorySettings {
                name: String::new(),
                department: by.profile().department.clone(),
                description: String::new(),
                photo_required: false,
                anonymous_allowed: true,
                questions: Vec::new(),
                urgent: false,
                order: 100,
            },
            order: "100".into(),
        }
    }

    fn of(c: &Category) -> Self {
        Self {
            id: c.id().to_string(),
            settings: c.settings(),
            order: c.order().to_string(),
        }
    }

    /// The form, and the problem with the order if it is not a number.
    fn read(form: &FormData) -> (Self, Option<&'static str>) {
        let order = form.get("order");
        let (number, problem) = match order.parse::<u32>() {
            Ok(n) => (n, None),
            Err(_) => (0, Some("順番は半角数字で入力してください。")),
        };
        let questions = (1..=MAX_QUESTIONS)
            .filter_map(|i| {
                let label = form.get(&format!("q{i}"));
                (!label.is_empty()).then(|| Question {
                    label,
                    required: form.get(&format!("q{i}_required")) == "yes",
                })
            })
            .collect();
        let typed = Self {
            id: form.get("id"),
            settings: CategorySettings {
                name: form.get("name"),
                department: form.get("department"),
                description: form.get("description"),
                photo_required: form.get("photo_required") == "yes",
                anonymous_allowed: form.get("anonymous_allowed") == "yes",
                questions,
                urgent: form.get("urgent") == "yes",
                order: number,
            },
            order,
        };
        (typed, problem)
    }
}

/// The form field a category refusal is about.
fn field_of(e: &CategoryError) -> &'static str {
    match e {
        CategoryError::BadId | CategoryError::DuplicateId(_) => "id",
        CategoryError::NoName | CategoryError::NameTooLong => "name",
        CategoryError::NoDepartment | CategoryError::DepartmentTooLong => "department",
        CategoryError::DescriptionTooLong => "description",
        CategoryError::TooManyQuestions
        | CategoryError::EmptyQuestion(_)
        | CategoryError::QuestionTooLong(_) => "q1",
    }
}

fn form_page(
    page: &Page,
    existing: Option<&Category>,
    typed: &Typed,
    problems: &Problems,
) -> Response {
    let (title, action) = match existing {
        Some(c) => (
            format!("種類「{}」", c.name()),
            format!("{PATH}/{}", c.id()),
        ),
        None => ("種類を追加".to_string(), PATH.to_string()),
    };
    let s = &typed.settings;
    let check = |name: &str, label: &str, on: bool| {
        html! { div.field { label.check { input type="checkbox" name=(name) value="yes" checked[on]; (label) } } }
    };
    page.render(
        &title,
        &[("ホーム", "/admin"), ("通報", REPORTS), ("通報の種類", PATH), (&title, &action)],
        MANUAL,
        html! {
            (problems.summary())
            form.narrow #category-form method="post" action=(action) {
                (page.csrf_field())
                @if existing.is_none() {
                    (text_field("id", "ID（半角英小文字・数字・「-」）", &typed.id, problems, Some("例 road。あとから変えられません。")))
                }
                (text_field("name", "名前", &s.name, problems, Some("市民が選ぶときに見る名前")))
                (text_field("department", "担当課", &s.department, problems, Some("この課を担当する職員が対応します")))
                (text_field("description", "説明", &s.description, problems, Some("市民に見せる一文")))
                (check("photo_required", "写真を必須にする", s.photo_required))
                (check("anonymous_allowed", "匿名の通報を受け付ける（外すと氏名と電話番号を尋ねます）", s.anonymous_allowed))
                (check("urgent", "緊急（一覧の先頭に表示し、出没情報の配信を作成できる）", s.urgent))
                (text_field("order", "順番（小さいほど先）", &typed.order, problems, None))
                fieldset {
                    legend { "追加の質問（" (MAX_QUESTIONS) "つまで）" }
                    @for i in 1..=MAX_QUESTIONS {
                        @let q = s.questions.get(i - 1);
                        (text_field(&format!("q{i}"), &format!("質問{i}"), q.map_or("", |q| q.label.as_str()), problems, None))
                        div.field { label.check { input type="checkbox" name=(format!("q{i}_required")) value="yes" checked[q.is_some_and(|q| q.required)]; "回答を必須にする" } }
                    }
                }
                button.primary type="submit" { "保存" }
            }
            @if let Some(c) = existing {
                form.inline method="post" action=(format!("{PATH}/{}/retire", c.id())) {
                    (page.csrf_field())
                    @if c.is_retired() {
                        p { "この種類は受付を停止しています。" }
                        button type="submit" name="action" value="reinstate" { "受付を再開" }
                    } @else {
                        p { "受付を停止すると、市民の選択肢から外れます。受付済みの通報はそのままです。" }
                        button.danger type="submit" name="action" value="retire" { "受付を停止" }
                    }
                }
            }
        },
    )
}

/// Who may edit `c`: staff whose scope covers its department.
fn may_edit(page: &Page, department: &str) -> Result<bool, crate::ConsoleError> {
    Ok(covers(account(page)?, department))
}

fn outside(department: &str) -> Response {
    super::not_yours(&DeskError::Rule(
        tayori_domain::report::ReportError::OtherDepartment(department.to_string()),
    ))
}

pub async fn new_form(page: Page) -> PageResult {
    let by = account(&page)?;
    Ok(form_page(
        &page,
        None,
        &Typed::blank(by),
        &Problems::default(),
    ))
}

pub async fn edit_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let id = CategoryId::parse(&id).map_err(|_| crate::ConsoleError::NotFound)?;
    let c = state.reports.category(&id).await?;
    if !may_edit(&page, c.department())? {
        return Ok(outside(c.department()));
    }
    Ok(form_page(
        &page,
        Some(&c),
        &Typed::of(&c),
        &Problems::default(),
    ))
}

fn words(c: &Category) -> String {
    let s = c.settings();
    let questions: Vec<String> = s
        .questions
        .iter()
        .map(|q| format!("{}{}", q.label, if q.required { "（必須）" } else { "" }))
        .collect();
    format!(
        "名前「{}」担当課「{}」写真{} 匿名{} 緊急{} 順番{} 質問[{}]{}",
        s.name,
        s.department,
        if s.photo_required { "必須" } else { "任意" },
        if s.anonymous_allowed { "可" } else { "不可" },
        if s.urgent { "あり" } else { "なし" },
        s.order,
        questions.join("、"),
        if c.is_retired() { " 停止中" } else { "" }
    )
}

async fn audited(state: &AdminState, actor: &Actor, action: &str, change: &CategoryChange) {
    let before = change
        .before
        .as_ref()
        .map_or_else(|| "（新規）".to_string(), words);
    audit::record(
        state,
        actor,
        action,
        &format!("report-category:{}", change.after.id()),
        format!("{before} → {}", words(&change.after)),
    )
    .await;
}

async fn save_typed(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    existing: Option<Category>,
    form: &FormData,
) -> PageResult {
    let (mut typed, order_problem) = Typed::read(form);
    if let Some(c) = &existing {
        typed.id = c.id().to_string();
    }
    let mut problems = Problems::default();
    if let Some(p) = order_problem {
        problems.add("order", p);
    }
    let id = match CategoryId::parse(&typed.id) {
        Ok(id) => Some(id),
        Err(e) => {
            problems.add("id", e.to_string());
            None
        }
    };
    let by = account(page)?;
    if !typed.settings.department.is_empty() && !covers(by, &typed.settings.department) {
        problems.add("department", "担当課の範囲外の課は指定できません。");
    }
    if existing.is_none() {
        if let Some(id) = &id {
            if state
                .reports
                .categories()
                .await?
                .iter()
                .any(|c| c.id() == id)
            {
                problems.add("id", CategoryError::DuplicateId(id.to_string()).to_string());
            }
        }
    }
    let (Some(id), true) = (id, problems.is_empty()) else {
        return Ok(form_page(page, existing.as_ref(), &typed, &problems));
    };
    match state
        .reports
        .save_category(id, typed.settings.clone())
        .await
    {
        Ok(change) => {
            let action = if change.before.is_some() {
                "通報の種類を変更"
            } else {
                "通報の種類を追加"
            };
            audited(state, actor, action, &change).await;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                format!("種類「{}」を保存しました。", change.after.name()),
                state.config.secure_cookies,
            ))
        }
        Err(DeskError::Category(e)) => {
            problems.add(field_of(&e), e.to_string());
            Ok(form_page(page, existing.as_ref(), &typed, &problems))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    save_typed(&state, &page, &actor, None, &form).await
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = CategoryId::parse(&id).map_err(|_| crate::ConsoleError::NotFound)?;
    let c = state.reports.category(&id).await?;
    if !may_edit(&page, c.department())? {
        return Ok(outside(c.department()));
    }
    let form = FormData::parse(&body);
    save_typed(&state, &page, &actor, Some(c), &form).await
}

pub async fn retire(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = CategoryId::parse(&id).map_err(|_| crate::ConsoleError::NotFound)?;
    let c = state.reports.category(&id).await?;
    if !may_edit(&page, c.department())? {
        return Ok(outside(c.department()));
    }
    let form = FormData::parse(&body);
    let (change, action, done) = if form.get("action") == "reinstate" {
        (
            state.reports.reinstate_category(&id).await?,
            "通報の種類の受付を再開",
            "受付を再開しました。",
        )
    } else {
        (
            state.reports.retire_category(&id).await?,
            "通報の種類の受付を停止",
            "受付を停止しました。",
        )
    };
    audited(&state, &actor, action, &change).await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("種類「{}」の{done}", change.after.name()),
        state.config.secure_cookies,
    ))
}
