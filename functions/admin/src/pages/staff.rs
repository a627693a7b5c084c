//! 職員アカウント: list, add, edit permissions and department scope, reset a password, unlock,
//! disable. At least one active account always keeps staff management, so the city can never
//! lock itself out of its console.

use super::permission_advice::{advice, warnings};
use crate::audit::{self, Actor};
use crate::auth::password;
use crate::ui::form::{password_field, text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use tayori_domain::staff::{
    check_password, DepartmentScope, LoginId, Permission, PermissionSet, RolePreset, StaffAccount,
    StaffProfile,
};
use tayori_domain::time::format_jst;

const PAGE_SIZE: usize = 20;

/// Every account (a city has tens to hundreds of staff accounts: reading them all is cheap).
pub async fn all_accounts(
    state: &AdminState,
) -> Result<Vec<StaffAccount>, tayori_records::RecordError> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = state.staff.list(cursor, 200).await?;
        all.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(all),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<usize>,
}

fn status(account: &StaffAccount, now: chrono::DateTime<chrono::Utc>) -> &'static str {
    if account.is_disabled() {
        "無効"
    } else if account.is_locked(now) {
        "ロック中"
    } else {
        "有効"
    }
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let accounts = all_accounts(&state).await?;
    let now = state.platform.clock.now();
    let search = q.q.clone().unwrap_or_default();
    let matching: Vec<_> = accounts
        .into_iter()
        .filter(|a| {
            search.is_empty()
                || a.login_id.as_str().contains(&search.to_lowercase())
                || a.profile().display_name.contains(&search)
                || a.profile().department.contains(&search)
        })
        .collect();
    let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
    let current = q.page.unwrap_or(1).clamp(1, pages);
    let shown = matching
        .iter()
        .skip((current - 1) * PAGE_SIZE)
        .take(PAGE_SIZE);
    Ok(page.render(
        "職員アカウント",
        &[("ホーム", "/admin"), ("職員アカウント", "/admin/staff")],
        "staff",
        html! {
            div.toolbar {
                form.search method="get" action="/admin/staff" role="search" {
                    label for="q" { "検索" }
                    input #q type="search" name="q" value=(search) placeholder="ID・氏名・所属";
                    button type="submit" { "検索" }
                }
                a.button.primary href="/admin/staff/new" { "職員を追加" }
            }
            table {
                caption { (matching.len()) "件" }
                thead { tr { th { "ログインID" } th { "氏名" } th { "所属" } th { "権限" } th { "状態" } th { "二段階認証" } th { "最終ログイン" } } }
                tbody {
                    @for a in shown {
                        tr {
                            td { a href=(format!("/admin/staff/{}", a.login_id)) { (a.login_id) } }
                            td { (a.profile().display_name) }
                            td { (a.profile().department) }
                            td { (a.profile().permissions.live().count()) "件" }
                            td { (status(a, now)) }
                            td { @if a.has_second_factor() { "設定済み" } @else { "未設定" } }
                            td { @if let Some(t) = a.last_sign_in() { (format_jst(t)) } @else { "—" } }
                        }
                    }
                }
            }
            (pager("/admin/staff", &search, current, pages))
        },
    ))
}

pub fn pager(base: &str, search: &str, current: usize, pages: usize) -> Markup {
    let q: String = form_urlencoded::byte_serialize(search.as_bytes()).collect();
    html! {
        @if pages > 1 {
            nav.pager aria-label="ページ送り" {
                @if current > 1 { a href=(format!("{base}?q={q}&page={}", current - 1)) { "前へ" } }
                span { (current) " / " (pages) " ページ" }
                @if current < pages { a href=(format!("{base}?q={q}&page={}", current + 1)) { "次へ" } }
            }
        }
    }
}

/// What the add/edit form holds, parsed from the post or from an account.
#[derive(Clone, Debug, Default)]
struct Draft {
    login_id: String,
    display_name: String,
    department: String,
    permissions: BTreeSet<Permission>,
    all_departments: bool,
    departments: String,
}

impl Draft {
    fn from_account(a: &StaffAccount) -> Self {
        let profile = a.profile();
        let (all_departments, departments) = match &profile.scope {
            DepartmentScope::All => (true, String::new()),
            DepartmentScope::Only(names) => {
                (false, names.iter().cloned().collect::<Vec<_>>().join("、"))
            }
        };
        Self {
            login_id: a.login_id.to_string(),
            display_name: profile.display_name.clone(),
            department: profile.department.clone(),
            permissions: profile.permissions.iter().collect(),
            all_departments,
            departments,
        }
    }

    fn from_form(form: &FormData) -> Self {
        Self {
            login_id: form.get("login_id"),
            display_name: form.get("display_name"),
            department: form.get("department"),
            permissions: form
                .all("perm")
                .iter()
                .filter_map(|c| Permission::from_code(c))
                .collect(),
            all_departments: form.get("scope") == "all",
            departments: form.get("departments"),
        }
    }

    fn profile(&self, problems: &mut Problems) -> StaffProfile {
        if self.display_name.is_empty() {
            problems.add("display_name", "氏名を入力してください。");
        }
        if self.department.is_empty() {
            problems.add("department", "所属課を入力してください。");
        }
        let scope = if self.all_departments {
            DepartmentScope::All
        } else {
            let mut names: BTreeSet<String> = self
                .departments
                .split(['、', ',', '，'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if names.is_empty() && !self.department.is_empty() {
                names.insert(self.department.clone());
            }
            DepartmentScope::Only(names)
        };
        StaffProfile {
            display_name: self.display_name.clone(),
            department: self.department.clone(),
            permissions: self.permissions.iter().copied().collect::<PermissionSet>(),
            scope,
        }
    }
}

/// Only permissions with pages today are offered (`Permission::is_live`); one the account
/// already holds for a page still to come is kept as it is, unseen.
fn permission_fields(draft: &Draft) -> Markup {
    let scoped = Permission::offered().any(Permission::is_department_scoped);
    html! {
        fieldset {
            legend { "使える機能（権限）" }
            div.checks {
                @for (i, p) in Permission::offered().enumerate() {
                    label.check {
                        // The first box carries the group's id, for the error summary's link.
                        input type="checkbox" name="perm" value=(p.code()) checked[draft.permissions.contains(&p)] id=[(i == 0).then_some("f-perm")];
                        (p.label())
                        @if p.is_department_scoped() { small { "（担当課のみ）" } }
                    }
                }
            }
            @for p in draft.permissions.iter().filter(|p| !p.is_live()) {
                input type="hidden" name="perm" value=(p.code());
            }
        }
        @if scoped {
            fieldset {
                legend { "担当課（フォーム・通報の範囲）" }
                label.check { input type="radio" name="scope" value="all" checked[draft.all_departments]; "全課" }
                label.check { input type="radio" name="scope" value="only" checked[!draft.all_departments]; "次の課のみ" }
                input type="text" name="departments" value=(draft.departments) aria-label="担当課（「、」区切り）" placeholder="例：環境衛生課、土木課（空欄なら所属課）";
            }
        } @else {
            input type="hidden" name="scope" value=(if draft.all_departments { "all" } else { "only" });
            input type="hidden" name="departments" value=(draft.departments);
        }
    }
}

/// `applied` is the preset last applied, kept selected so the clerk sees which one is in use.
fn new_page(
    page: &Page,
    draft: &Draft,
    presets: &[RolePreset],
    applied: Option<usize>,
    problems: &Problems,
    advice: Markup,
) -> Response {
    page.render(
        "職員を追加",
        &[("ホーム", "/admin"), ("職員アカウント", "/admin/staff"), ("職員を追加", "/admin/staff/new")],
        "staff",
        html! {
            (problems.summary())
            form.inline method="get" action="/admin/staff/new" {
                label for="preset" { "役割のひな形から始める" }
                select #preset name="preset" {
                    @for (i, p) in presets.iter().enumerate() { option value=(i) selected[applied == Some(i)] { (p.name) "：" (p.description) } }
                }
                button type="submit" { "ひな形を適用" }
            }
            (advice)
            form method="post" action="/admin/staff" {
                (page.csrf_field())
                (text_field("login_id", "ログインID", &draft.login_id, problems, Some("半角英小文字・数字・「.」「_」「-」で3〜32文字")))
                (text_field("display_name", "氏名", &draft.display_name, problems, None))
                (text_field("department", "所属課", &draft.department, problems, Some("例：企画部 情報政策課")))
                (password_field("password", "初期パスワード", problems, Some("12文字以上。本人に安全な方法で伝え、ログイン後に変更してもらってください。")))
                (permission_fields(draft))
                button.primary type="submit" { "追加する" }
            }
        },
    )
}

#[derive(Deserialize, Default)]
pub struct PresetQuery {
    preset: Option<usize>,
}

pub async fn new_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<PresetQuery>,
) -> PageResult {
    let presets = state.staff.presets().await?;
    let mut draft = Draft::default();
    if let Some(p) = q.preset.and_then(|i| presets.get(i)) {
        draft.permissions = p.permissions.iter().collect();
    }
    let applied = q.preset.filter(|i| *i < presets.len());
    let advice = advice_for(&state, &draft, None).await?;
    Ok(new_page(
        &page,
        &draft,
        &presets,
        applied,
        &Problems::default(),
        advice,
    ))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let draft = Draft::from_form(&form);
    let mut problems = Problems::default();
    let login_id = match LoginId::parse(&draft.login_id) {
        Ok(id) => Some(id),
        Err(bad) => {
            problems.add("login_id", bad.to_string());
            None
        }
    };
    let profile = draft.profile(&mut problems);
    let password = form.secret("password");
    if let Err(p) = check_password(&password, &draft.login_id) {
        problems.add("password", p.to_string());
    }
    if let (true, Some(login_id)) = (problems.is_empty(), login_id) {
        // The administrator knows it: the colleague replaces it at the first sign-in.
        let account = StaffAccount::new(
            login_id.clone(),
            profile,
            password::hash(&password),
            state.platform.clock.now(),
        )
        .with_temporary_password();
        match state.staff.create(&account).await? {
            true => {
                let codes: Vec<_> = account
                    .profile()
                    .permissions
                    .iter()
                    .map(|p| p.label())
                    .collect();
                audit::record(
                    &state,
                    &actor,
                    "職員アカウントを作成",
                    &format!("staff:{login_id}"),
                    format!("権限: {}", codes.join("・")),
                )
                .await;
                return Ok(redirect_with(
                    &format!("/admin/staff/{login_id}"),
                    FlashKind::Success,
                    format!(
                        "{}さんのアカウントを作成しました。",
                        account.profile().display_name
                    ),
                    state.config.secure_cookies,
                ));
            }
            false => problems.add("login_id", "このログインIDはすでに使われています。"),
        }
    }
    let presets = state.staff.presets().await.unwrap_or_default();
    let advice = advice_for(&state, &draft, None).await?;
    Ok(new_page(&page, &draft, &presets, None, &problems, advice))
}

async fn edit_page(
    state: &AdminState,
    page: &Page,
    account: &StaffAccount,
    draft: &Draft,
    problems: &Problems,
) -> PageResult {
    let advice = advice_for(state, draft, Some(&account.login_id)).await?;
    let now = state.platform.clock.now();
    let id = account.login_id.as_str();
    Ok(page.render(
        &format!("{}（{}）", account.profile().display_name, id),
        &[("ホーム", "/admin"), ("職員アカウント", "/admin/staff"), (id, "")],
        "staff",
        html! {
            (problems.summary())
            dl.facts {
                dt { "状態" } dd { (status(account, now)) }
                dt { "二段階認証" } dd { @if account.has_second_factor() { "設定済み" } @else { "未設定" } }
                dt { "作成日時" } dd { (format_jst(account.created_at)) }
                dt { "最終ログイン" } dd { @if let Some(t) = account.last_sign_in() { (format_jst(t)) } @else { "—" } }
            }
            (advice)
            form method="post" action=(format!("/admin/staff/{id}")) {
                (page.csrf_field())
                (text_field("display_name", "氏名", &draft.display_name, problems, None))
                (text_field("department", "所属課", &draft.department, problems, None))
                (permission_fields(draft))
                button.primary type="submit" { "変更を保存" }
            }
            h2 { "アカウントの操作" }
            div.actions {
                @if account.is_locked(now) {
                    form method="post" action=(format!("/admin/staff/{id}/unlock")) {
                        (page.csrf_field())
                        button type="submit" { "ロックを解除" }
                    }
                }
                form method="post" action=(format!("/admin/staff/{id}/password")) {
                    (page.csrf_field())
                    (password_field("password", "新しい初期パスワード", problems, Some("12文字以上")))
                    button type="submit" { "パスワードを再設定" }
                }
                form method="post" action=(format!("/admin/staff/{id}/status")) {
                    (page.csrf_field())
                    @if account.is_disabled() {
                        input type="hidden" name="disabled" value="false";
                        button type="submit" { "アカウントを有効にする" }
                    } @else {
                        input type="hidden" name="disabled" value="true";
                        button.danger type="submit" { "アカウントを無効にする" }
                    }
                }
            }
        },
    ))
}

async fn load(state: &AdminState, id: &str) -> Result<StaffAccount, ConsoleError> {
    let Ok(login_id) = LoginId::parse(id) else {
        return Err(ConsoleError::NotFound);
    };
    state
        .staff
        .get(&login_id)
        .await?
        .ok_or(ConsoleError::NotFound)
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let account = load(&state, &id).await?;
    edit_page(
        &state,
        &page,
        &account,
        &Draft::from_account(&account),
        &Problems::default(),
    )
    .await
}

/// The warnings for `draft`'s permissions; `account` is the one being edited (not counted as
/// an approver for itself).
async fn advice_for(
    state: &AdminState,
    draft: &Draft,
    account: Option<&LoginId>,
) -> Result<Markup, ConsoleError> {
    let accounts = all_accounts(state).await?;
    let approver_elsewhere = accounts.iter().any(|a| {
        Some(&a.login_id) != account && !a.is_disabled() && a.may(Permission::DeliveryApprove)
    });
    let held: Vec<Permission> = draft.permissions.iter().copied().collect();
    Ok(warnings(&advice(&held, Some(approver_elsewhere))))
}

/// Whether some other active account keeps staff management after `account` loses it.
async fn another_manager_remains(
    state: &AdminState,
    account: &LoginId,
) -> Result<bool, tayori_records::RecordError> {
    Ok(all_accounts(state)
        .await?
        .iter()
        .any(|a| &a.login_id != account && a.may(Permission::StaffManagement)))
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let account = load(&state, &id).await?;
    let form = FormData::parse(&body);
    let mut draft = Draft::from_form(&form);
    draft.login_id = account.login_id.to_string();
    let mut problems = Problems::default();
    let profile = draft.profile(&mut problems);
    if account.may(Permission::StaffManagement)
        && !profile.permissions.contains(Permission::StaffManagement)
    {
        match another_manager_remains(&state, &account.login_id).await? {
            true => {}
            false => problems.add("perm", "職員アカウント管理の権限を持つ有効なアカウントが他にないため、この権限は外せません。"),
        }
    }
    if !problems.is_empty() {
        return edit_page(&state, &page, &account, &draft, &problems).await;
    }
    let before: Vec<_> = account
        .profile()
        .permissions
        .iter()
        .map(|p| p.label())
        .collect();
    let after: Vec<_> = profile.permissions.iter().map(|p| p.label()).collect();
    let scope = profile.scope.describe();
    let changed = state
        .staff
        .update(&account.login_id, |a| a.set_profile(profile.clone()))
        .await?;
    let signed_out =
        changed.is_some_and(|a| a.session_generation() != account.session_generation());
    audit::record(
        &state,
        &actor,
        "職員アカウントを変更",
        &format!("staff:{}", account.login_id),
        format!(
            "権限 {} → {}／担当課 {}{}",
            before.join("・"),
            after.join("・"),
            scope,
            if signed_out {
                "／ログイン中の画面を終了"
            } else {
                ""
            }
        ),
    )
    .await;
    Ok(redirect_with(
        &format!("/admin/staff/{}", account.login_id),
        FlashKind::Success,
        if signed_out {
            "変更を保存しました。権限や担当課を減らしたため、本人のログインを終了しました。"
        } else {
            "変更を保存しました。"
        },
        state.config.secure_cookies,
    ))
}

pub async fn unlock(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let account = load(&state, &id).await?;
    state
        .staff
        .update(&account.login_id, |a| a.unlock())
        .await?;
    audit::record(
        &state,
        &actor,
        "ロックを解除",
        &format!("staff:{}", account.login_id),
        "",
    )
    .await;
    Ok(redirect_with(
        &format!("/admin/staff/{}", account.login_id),
        FlashKind::Success,
        "ロックを解除しました。",
        state.config.secure_cookies,
    ))
}

pub async fn reset_password(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let account = load(&state, &id).await?;
    let password = FormData::parse(&body).secret("password");
    if let Err(p) = check_password(&password, account.login_id.as_str()) {
        let mut problems = Problems::default();
        problems.add("password", p.to_string());
        return edit_page(
            &state,
            &page,
            &account,
            &Draft::from_account(&account),
            &problems,
        )
        .await;
    }
    let hash = password::hash(&password);
    let now = state.platform.clock.now();
    state
        .staff
        .update(&account.login_id, |a| a.reset_password(hash.clone(), now))
        .await?;
    audit::record(
        &state,
        &actor,
        "パスワードを再設定",
        &format!("staff:{}", account.login_id),
        "",
    )
    .await;
    Ok(redirect_with(
            &format!("/admin/staff/{}", account.login_id),
            FlashKind::Success,
            "パスワードを再設定しました。本人のログインはすべて終了しました。新しいパスワードは本人に安全な方法で伝えてください。次のログインで本人が自分のパスワードに変更します。",
            state.config.secure_cookies,
        ))
}

pub async fn set_status(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let account = load(&state, &id).await?;
    let disable = FormData::parse(&body).get("disabled") == "true";
    if disable && account.may(Permission::StaffManagement) {
        match another_manager_remains(&state, &account.login_id).await? {
            true => {}
            false => return Ok(redirect_with(
                &format!("/admin/staff/{}", account.login_id),
                FlashKind::Error,
                "職員アカウント管理の権限を持つ有効なアカウントが他にないため、無効にできません。",
                state.config.secure_cookies,
            )),
        }
    }
    state
        .staff
        .update(&account.login_id, |a| {
            if disable {
                a.disable()
            } else {
                a.enable()
            }
        })
        .await?;
    let action = if disable {
        "アカウントを無効化"
    } else {
        "アカウントを有効化"
    };
    audit::record(
        &state,
        &actor,
        action,
        &format!("staff:{}", account.login_id),
        "",
    )
    .await;
    Ok(redirect_with(
        &format!("/admin/staff/{}", account.login_id),
        FlashKind::Success,
        if disable {
            format!("{action}しました。本人のログインはすべて終了しました。")
        } else {
            format!("{action}しました。")
        },
        state.config.secure_cookies,
    ))
}
