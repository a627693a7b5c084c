//! JMA自動切替ルール: the rules that let a JMA message open an emergency, switch the menu and
//! post a first message by itself. Shipped rules come disabled; a clerk reads each and turns
//! it on here, and every change is in the audit log.

use crate::audit::{self, Actor};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::Crumb;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{html, Markup};
use std::sync::Arc;
use tayori_disaster::{DisasterError, RuleDesk};
use tayori_domain::emergency_rule::{
    area, EmergencyRule, FirstMessage, RuleError, RuleSettings, Trigger, AREAS, MAX_TEXT_CHARS,
};
use tayori_domain::hazard::Hazard;
use tayori_domain::time::format_jst;
use tayori_jma::{Family, Intensity};

pub const LIST_PATH: &str = "/admin/disaster/rules";
pub const NEW_PATH: &str = "/admin/disaster/rules/new";

const CRUMBS: [Crumb<'static>; 2] = [
    ("ホーム", "/admin"),
    ("JMA自動切替ルール", "/admin/disaster/rules"),
];

fn desk(state: &AdminState) -> RuleDesk {
    RuleDesk::new(state.platform.table.clone(), state.platform.clock.clone())
}

fn areas(rule: &EmergencyRule) -> String {
    rule.areas()
        .iter()
        .map(|c| area(c).map_or(c.clone(), |a| a.name.to_owned()))
        .collect::<Vec<_>>()
        .join("、")
}

fn actions(rule: &EmergencyRule) -> Vec<String> {
    let mut done = Vec::new();
    if rule.open_emergency() {
        let hazards: Vec<&str> = rule.hazards().iter().map(|h| h.label()).collect();
        done.push(format!("災害対応を開始（{}）", hazards.join("・")));
    }
    if rule.switch_menu() {
        done.push("緊急メニューに切替".into());
    }
    done.push(format!(
        "最初のメッセージ：{}",
        rule.first_message().label()
    ));
    done
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let rules = desk(&state).list().await?;
    Ok(page.render(
        "JMA自動切替ルール",
        &CRUMBS,
        "emergency",
        html! {
            p.note { "気象庁の防災情報XML（1分ごとに取得）が、有効なルールの条件に合うと、Tayoriが自動で動きます。訓練・試験の電文、取消、継続・解除は動きません。解除は職員へのお知らせだけで、メニューは戻しません。" }
            p { a href=(NEW_PATH) { "ルールを追加" } "　" a href="/admin/disaster/log" { "自動実行の記録を見る" } }
            table {
                thead { tr { th { "ルール" } th { "条件" } th { "地域" } th { "動作" } th { "状態" } } }
                tbody {
                    @for rule in &rules {
                        tr {
                            td { (rule.name()) br; small { "更新：" (format_jst(rule.updated_at())) "　" (rule.updated_by()) } br;
                                a href=(format!("{LIST_PATH}/{}", rule.id())) { "編集" } }
                            td { (rule.trigger().describe()) }
                            td { (areas(rule)) }
                            td {
                                ul { @for a in actions(rule) { li { (a) } } }
                                @if let Some(text) = rule.first_message().text() {
                                    details { summary { "本文" } p { (text) } }
                                }
                            }
                            td {
                                form method="post" action=(format!("/admin/disaster/rules/{}/enabled", rule.id())) {
                                    (page.csrf_field())
                                    @if rule.enabled() {
                                        strong { "有効" } " "
                                        input type="hidden" name="enabled" value="no";
                                        button.secondary type="submit" { "無効にする" }
                                    } @else {
                                        span { "無効" } " "
                                        input type="hidden" name="enabled" value="yes";
                                        button.primary type="submit" { "有効にする" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn set_enabled(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let enabled = form.get("enabled") == "yes";
    let secure = state.config.secure_cookies;
    match desk(&state)
        .set_enabled(&id, enabled, &actor.login_id())
        .await
    {
        Ok(change) => {
            let word = if enabled { "有効" } else { "無効" };
            audit::record(
                &state,
                &actor,
                &format!("JMA自動切替ルールを{word}に"),
                &format!("jma-rule:{id}"),
                change.after.name().to_owned(),
            )
            .await;
            Ok(redirect_with(
                "/admin/disaster/rules",
                FlashKind::Success,
                format!("「{}」を{word}にしました。", change.after.name()),
                secure,
            ))
        }
        Err(e) if e.is_refusal() => Ok(redirect_with(
            "/admin/disaster/rules",
            FlashKind::Error,
            e.to_string(),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}

/// What the form holds, as typed: re-shown as it was when a rule is refused.
#[derive(Clone, Debug, Default)]
struct RuleForm {
    name: String,
    family: Option<Family>,
    kinds: Vec<String>,
    intensity: String,
    areas: Vec<String>,
    hazards: Vec<String>,
    switch_menu: bool,
    open_emergency: bool,
    /// `none`, `automatic` or `draft`.
    message: String,
    text: String,
    /// When the rule was last changed as the form showed it (RFC 3339), for a stale edit.
    seen: String,
}

/// What the form can get wrong before the rule itself is checked.
#[derive(Debug, thiserror::Error)]
enum FormProblem {
    #[error("震度を選んでください。")]
    NoIntensity,
    #[error("災害の種類「{0}」は選べません。")]
    UnknownHazard(String),
    #[error("最初のメッセージの送り方を選んでください。")]
    NoMessageChoice,
}

impl RuleForm {
    fn blank(family: Family) -> Self {
        Self {
            family: Some(family),
            message: "draft".into(),
            switch_menu: true,
            open_emergency: true,
            ..Self::default()
        }
    }

    fn of(rule: &EmergencyRule) -> Self {
        let s = rule.settings();
        let (kinds, intensity) = match &s.trigger {
            Trigger::Kinds { codes, .. } => (codes.clone(), String::new()),
            Trigger::Intensity { at_least } => (Vec::new(), at_least.code().to_owned()),
        };
        let message = match &s.first_message {
            FirstMessage::None => "none",
            FirstMessage::Automatic { .. } => "automatic",
            FirstMessage::Draft { .. } => "draft",
        };
        Self {
            name: s.name,
            family: Some(s.trigger.family()),
            kinds,
            intensity,
            areas: s.areas,
            hazards: s.hazards.iter().map(|h| h.code().to_owned()).collect(),
            switch_menu: s.switch_menu,
            open_emergency: s.open_emergency,
            message: message.into(),
            text: s.first_message.text().unwrap_or_default().to_owned(),
            seen: rule
                .updated_at()
                .to_rfc3339_opts(SecondsFormat::Nanos, true),
        }
    }

    fn parse(form: &FormData) -> Self {
        Self {
            name: form.get("name"),
            family: Family::from_code(&form.get("family")),
            kinds: form.all("kinds"),
            intensity: form.get("intensity"),
            areas: form.all("areas"),
            hazards: form.all("hazards"),
            switch_menu: form.get("switch_menu") == "yes",
            open_emergency: form.get("open_emergency") == "yes",
            message: form.get("message"),
            // Browsers submit a textarea's line breaks as CRLF; LINE wants LF.
            text: form.get("text").replace("\r\n", "\n"),
            seen: form.get("seen"),
        }
    }

    fn settings(&self, family: Family) -> Result<RuleSettings, FormProblem> {
        let trigger = if family == Family::Earthquake {
            Trigger::Intensity {
                at_least: Intensity::from_code(&self.intensity).ok_or(FormProblem::NoIntensity)?,
            }
        } else {
            Trigger::Kinds {
                family,
                codes: self.kinds.clone(),
            }
        };
        let hazards = self
            .hazards
            .iter()
            .map(|c| Hazard::from_code(c).ok_or_else(|| FormProblem::UnknownHazard(c.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let text = self.text.clone();
        let first_message = match self.message.as_str() {
            "none" => FirstMessage::None,
            "automatic" => FirstMessage::Automatic { text },
            "draft" => FirstMessage::Draft { text },
            _ => return Err(FormProblem::NoMessageChoice),
        };
        Ok(RuleSettings {
            name: self.name.clone(),
            trigger,
            areas: self.areas.clone(),
            hazards,
            switch_menu: self.switch_menu,
            open_emergency: self.open_emergency,
            first_message,
        })
    }
}

/// The field a refusal belongs beside.
fn field_of(error: &RuleError) -> &'static str {
    match error {
        RuleError::NoName | RuleError::NameTooLong => "name",
        RuleError::NoKinds | RuleError::UnknownKind { .. } => "kinds",
        RuleError::EarthquakeNeedsIntensity => "intensity",
        RuleError::NoAreas | RuleError::UnknownArea(_) | RuleError::AreaNotForFamily { .. } => {
            "areas"
        }
        RuleError::NoText | RuleError::TextTooLong => "text",
        RuleError::NothingToDo => "actions",
    }
}

/// A rule in one line, for the audit log's before and after.
fn summary(rule: &EmergencyRule) -> String {
    format!(
        "{}｜{}｜{}｜{}｜{}",
        rule.name(),
        rule.trigger().describe(),
        areas(rule),
        actions(rule).join("・"),
        rule.first_message().text().unwrap_or("")
    )
}

#[derive(serde::Deserialize)]
pub struct FamilyQuery {
    family: Option<String>,
}

pub async fn new_form(page: Page, Query(q): Query<FamilyQuery>) -> PageResult {
    match q.family.as_deref().and_then(Family::from_code) {
        Some(family) => Ok(form_page(
            &page,
            None,
            &RuleForm::blank(family),
            &Problems::default(),
            StatusCode::OK,
        )),
        None => Ok(family_picker(&page, NEW_PATH)),
    }
}

pub async fn edit_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<FamilyQuery>,
) -> PageResult {
    let rule = match desk(&state).get(&id).await {
        Ok(rule) => rule,
        Err(DisasterError::NotFound) => return Ok(crate::ui::not_found()),
        Err(e) => return Err(e.into()),
    };
    let mut form = RuleForm::of(&rule);
    if q.family
        .as_deref()
        .is_some_and(|f| Family::from_code(f).is_none())
    {
        return Ok(family_picker(&page, &format!("{LIST_PATH}/{id}")));
    }
    // Another family: what was chosen for the old one does not apply.
    if let Some(family) = q.family.as_deref().and_then(Family::from_code) {
        if Some(family) != form.family {
            form.family = Some(family);
            form.kinds.clear();
            form.intensity.clear();
            form.areas.clear();
        }
    }
    Ok(form_page(
        &page,
        Some(&rule),
        &form,
        &Problems::default(),
        StatusCode::OK,
    ))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = RuleForm::parse(&FormData::parse(&body));
    let Some(family) = form.family else {
        return Ok(family_picker(&page, NEW_PATH));
    };
    let settings = match form.settings(family) {
        Ok(s) => s,
        Err(problem) => return Ok(refused(&page, None, &form, "form", problem.to_string())),
    };
    match desk(&state).create(settings, &actor.login_id()).await {
        Ok(change) => {
            audit::record(
                &state,
                &actor,
                "JMA自動切替ルールを追加",
                &format!("jma-rule:{}", change.after.id()),
                format!("後：{}", summary(&change.after)),
            )
            .await;
            Ok(redirect_with(
                LIST_PATH,
                FlashKind::Success,
                format!(
                    "「{}」を追加しました。無効のままです。内容を確かめてから有効にしてください。",
                    change.after.name()
                ),
                state.config.secure_cookies,
            ))
        }
        Err(DisasterError::Rule(e)) => Ok(refused(&page, None, &form, field_of(&e), e.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let desk = desk(&state);
    let rule = match desk.get(&id).await {
        Ok(rule) => rule,
        Err(DisasterError::NotFound) => return Ok(crate::ui::not_found()),
        Err(e) => return Err(e.into()),
    };
    let form = RuleForm::parse(&FormData::parse(&body));
    let Some(family) = form.family else {
        return Ok(family_picker(&page, &format!("{LIST_PATH}/{id}")));
    };
    let settings = match form.settings(family) {
        Ok(s) => s,
        Err(problem) => {
            return Ok(refused(
                &page,
                Some(&rule),
                &form,
                "form",
                problem.to_string(),
            ))
        }
    };
    // A form without a readable time cannot prove it saw the current rule.
    let seen = DateTime::parse_from_rfc3339(&form.seen)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    match desk
        .revise_seen(&id, settings, &actor.login_id(), seen)
        .await
    {
        Ok(change) => {
            let before = change.before.as_ref().map(summary).unwrap_or_default();
            audit::record(
                &state,
                &actor,
                "JMA自動切替ルールを変更",
                &format!("jma-rule:{id}"),
                format!("前：{before}／後：{}", summary(&change.after)),
            )
            .await;
            Ok(redirect_with(
                LIST_PATH,
                FlashKind::Success,
                format!("「{}」を保存しました。", change.after.name()),
                state.config.secure_cookies,
            ))
        }
        Err(DisasterError::Rule(e)) => Ok(refused(
            &page,
            Some(&rule),
            &form,
            field_of(&e),
            e.to_string(),
        )),
        Err(e @ DisasterError::Conflict) => {
            // Show the rule as it is now; what was typed is lost only after the clerk has read why.
            let mut problems = Problems::default();
            problems.add("form", e.to_string());
            let current = desk.get(&id).await?;
            Ok(form_page(
                &page,
                Some(&current),
                &RuleForm::of(&current),
                &problems,
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

fn refused(
    page: &Page,
    rule: Option<&EmergencyRule>,
    form: &RuleForm,
    field: &str,
    message: String,
) -> Response {
    let mut problems = Problems::default();
    problems.add(field, message);
    form_page(
        page,
        rule,
        form,
        &problems,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The first step of a new rule (or a change of family): kinds and areas depend on it.
fn family_picker(page: &Page, action: &str) -> Response {
    page.render(
        "ルールを追加",
        &[CRUMBS[0], CRUMBS[1], ("ルールを追加", NEW_PATH)],
        "emergency",
        html! {
            p { "まず、どの気象庁の情報で動くルールかを選んでください。選んだ情報に合わせて、種別と地域を選べるようになります。" }
            form method="get" action=(action) {
                fieldset {
                    legend { "気象庁の情報" }
                    @for family in Family::ALL {
                        label.choice {
                            input type="radio" name="family" value=(family.code()) required;
                            " " (family.label())
                        }
                    }
                }
                button.primary type="submit" { "次へ" }
            }
        },
    )
}

fn checked(on: bool) -> Option<&'static str> {
    on.then_some("checked")
}

fn problem(problems: &Problems, name: &str) -> Markup {
    html! {
        @if let Some(p) = problems.get(name) { p.problem id=(format!("f-{name}")) { (p) } }
    }
}

fn form_page(
    page: &Page,
    rule: Option<&EmergencyRule>,
    form: &RuleForm,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let family = form.family.unwrap_or(Family::Weather);
    let (title, action) = match rule {
        Some(rule) => (
            format!("ルールの編集：{}", rule.name()),
            format!("{LIST_PATH}/{}", rule.id()),
        ),
        None => ("ルールを追加".to_owned(), NEW_PATH.to_owned()),
    };
    let change_family = match rule {
        Some(rule) => format!("{LIST_PATH}/{}", rule.id()),
        None => NEW_PATH.to_owned(),
    };
    let mut response = page.render(
        &title,
        &[CRUMBS[0], CRUMBS[1], (title.as_str(), action.as_str())],
        "emergency",
        html! {
            (problems.summary())
            @if let Some(rule) = rule {
                p { "状態：" strong { @if rule.enabled() { "有効" } @else { "無効" } } "（有効・無効は一覧で切り替えます。保存しても変わりません。）" }
            } @else {
                p.note { "追加したルールは無効のまま保存されます。一覧で内容を確かめてから有効にしてください。" }
            }
            (problem(problems, "form"))
            form method="post" action=(action) {
                (page.csrf_field())
                input type="hidden" name="family" value=(family.code());
                input type="hidden" name="seen" value=(form.seen);
                (text_field("name", "ルールの名前", &form.name, problems, Some("一覧と自動実行の記録に出る名前です。40文字まで。")))
                p { "気象庁の情報：" strong { (family.label()) } " "
                    a href=(format!("{change_family}?family=choose")) { "情報を選び直す" } }
                @if family == Family::Earthquake {
                    div.field {
                        label for="f-intensity" { "震度（この震度以上で動きます）" }
                        select id="f-intensity" name="intensity" {
                            option value="" { "選んでください" }
                            @for i in Intensity::ALL {
                                option value=(i.code()) selected[form.intensity == i.code()] { (i.label()) "以上" }
                            }
                        }
                        div.hint { @if let Some(p) = problems.get("intensity") { span.problem { (p) } } }
                    }
                } @else {
                    fieldset {
                        legend { "対象の種別（発表されたときに動きます）" }
                        (problem(problems, "kinds"))
                        @for (code, name) in family.kinds() {
                            label.choice {
                                input type="checkbox" name="kinds" value=(code) checked=[checked(form.kinds.iter().any(|k| k == code))];
                                " " (name) "（" (code) "）"
                            }
                        }
                    }
                }
                fieldset {
                    legend { "対象の地域" }
                    (problem(problems, "areas"))
                    @for a in AREAS.iter().filter(|a| a.families.contains(&family)) {
                        label.choice {
                            input type="checkbox" name="areas" value=(a.code) checked=[checked(form.areas.iter().any(|c| c == a.code))];
                            " " (a.name) "（" (a.code) "）"
                        }
                    }
                }
                fieldset {
                    legend { "動作" }
                    (problem(problems, "actions"))
                    label.choice {
                        input type="checkbox" name="switch_menu" value="yes" checked=[checked(form.switch_menu)];
                        " 緊急メニュー（リッチメニュー）に切り替える"
                    }
                    label.choice {
                        input type="checkbox" name="open_emergency" value="yes" checked=[checked(form.open_emergency)];
                        " 災害対応を開始する（避難所の開設状況の入力などに使います）"
                    }
                    p { "災害対応の種類：" }
                    @for h in Hazard::ALL {
                        label.choice {
                            input type="checkbox" name="hazards" value=(h.code()) checked=[checked(form.hazards.iter().any(|c| c == h.code()))];
                            " " (h.label())
                        }
                    }
                }
                fieldset {
                    legend { "最初のメッセージ（友だち全員へ）" }
                    label.choice {
                        input type="radio" name="message" value="none" checked=[checked(form.message == "none")];
                        " 送らない"
                    }
                    label.choice {
                        input type="radio" name="message" value="draft" checked=[checked(form.message == "draft")];
                        " 下書きを作り承認待ちにする（配信の権限を持つ職員が確認して送ります）"
                    }
                    label.choice {
                        input type="radio" name="message" value="automatic" checked=[checked(form.message == "automatic")];
                        " 自動で送信する："
                        strong { "承認なしで、すぐに友だち全員に送られます。" }
                    }
                    div.field {
                        label for="f-text" { "本文" }
                        textarea id="f-text" name="text" rows="6"
                            aria-invalid=[problems.get("text").map(|_| "true")]
                            aria-describedby="h-text" { (form.text) }
                        div.hint id="h-text" {
                            @if let Some(p) = problems.get("text") { span.problem { (p) } " " }
                            (MAX_TEXT_CHARS) "文字まで。「送らない」のときは使いません。"
                        }
                    }
                }
                button.primary type="submit" { "保存" }
                " " a href=(LIST_PATH) { "一覧に戻る" }
            }
        },
    );
    *response.status_mut() = status;
    response
}
