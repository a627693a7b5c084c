//! Sign-in (with the optional TOTP step), sign-out, and the one-time setup page.

use crate::audit::{self, Actor};
use crate::auth::{password, tokens, totp};
use crate::session::{cookie_value, holds, set_cookie, SESSION_COOKIE};
use crate::setup::{create_first_admin, SetupError};
use crate::ui::form::{password_field, text_field, Problems};
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::staff::{LoginId, StaffAccount, LOCKOUT_AFTER};
use tayori_records::{Attempt, Session};

#[derive(Deserialize, Default)]
pub struct NextParam {
    next: Option<String>,
}

/// Only paths inside the console, so that the sign-in page cannot be used to send a clerk to
/// another site after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/admin")
                && !n.starts_with("//")
                && !n.contains("://")
                && !n.contains('\\') =>
        {
            n.into()
        }
        _ => "/admin".into(),
    }
}

fn login_page(page: &Page, login_id: &str, next: &str, error: Option<&str>) -> Response {
    let problems = Problems::default();
    page.render(
        "ログイン",
        &[("ログイン", "/admin/login")],
        "login",
        html! {
            @if let Some(e) = error { div.flash.err role="alert" { (e) } }
            form.narrow method="post" action="/admin/login" {
                (page.csrf_field())
                input type="hidden" name="next" value=(next);
                (text_field("login_id", "ログインID", login_id, &problems, None))
                (password_field("password", "パスワード", &problems, None))
                button.primary type="submit" { "ログイン" }
            }
            p.note { "パスワードを" (LOCKOUT_AFTER) "回続けて間違えると、15分間ログインできなくなります。" }
        },
    )
}

pub async fn login_form(page: Page, Query(q): Query<NextParam>) -> Response {
    if page.signed.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_page(&page, "", &safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login_id: String,
    password: String,
    next: Option<String>,
}

const WRONG: &str = "ログインIDまたはパスワードが違います。";
pub(crate) const LOCKED: &str = "続けて間違えたため、このアカウントは一時的にロックされています。15分ほど待つか、管理者にロック解除を依頼してください。";

pub async fn login(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let now = state.platform.clock.now();
    let next = safe_next(form.next.as_deref());
    // The attempt is counted before the password is checked, so that guesses sent in parallel
    // get no more checks than the lockout allows.
    let attempt = match LoginId::parse(&form.login_id) {
        Ok(id) => state.staff.reserve_attempt(&id, now).await?,
        Err(_) => Attempt::UnknownAccount,
    };
    let account = match attempt {
        Attempt::Granted(account) => account,
        Attempt::UnknownAccount => {
            password::verify(&form.password, password::dummy_hash());
            audit::record_as(
                &state,
                &form.login_id.chars().take(40).collect::<String>(),
                actor.ip,
                "ログイン失敗",
                "-",
                "存在しないログインID",
            )
            .await;
            return Ok(login_page(&page, &form.login_id, &next, Some(WRONG)));
        }
        Attempt::Locked(account) => {
            audit::record_as(
                &state,
                account.login_id.as_str(),
                actor.ip,
                "ログイン拒否",
                "-",
                "ロック中",
            )
            .await;
            return Ok(login_page(&page, &form.login_id, &next, Some(LOCKED)));
        }
    };
    if account.is_disabled() || !password::verify(&form.password, account.password_hash()) {
        return Ok(failed_attempt(&state, &page, &actor, &account, &form.login_id, &next).await);
    }
    if account.has_second_factor() {
        // The password is right: its attempt is given back, and the code's will be counted.
        state
            .staff
            .update(&account.login_id, |a| a.release_attempt())
            .await?;
        let token = tokens::random_token();
        let session = Session {
            login_id: account.login_id.clone(),
            csrf_token: tokens::random_token(),
            started: now,
            last_seen: now,
            awaiting_second_factor: true,
            generation: account.session_generation(),
        };
        state.sessions.start(&token, session).await?;
        let mut response = Redirect::to(&format!(
            "/admin/login/totp?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ))
        .into_response();
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, SESSION_COOKIE, &token, None),
        );
        return Ok(response);
    }
    state
        .staff
        .update(&account.login_id, |a| a.record_success(now))
        .await?;
    signed_in(&state, &actor, &account, &next, None).await
}

/// A wrong password or code, already counted when its attempt was reserved: `account` is as
/// that left it, locked if it was the last attempt.
async fn failed_attempt(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    account: &StaffAccount,
    typed: &str,
    next: &str,
) -> Response {
    let locked = account.is_locked(state.platform.clock.now());
    audit::record_as(
        state,
        account.login_id.as_str(),
        actor.ip,
        "ログイン失敗",
        "-",
        if locked {
            "失敗が続いたためロック"
        } else {
            "パスワードまたは確認コードの誤り"
        },
    )
    .await;
    login_page(page, typed, next, Some(if locked { LOCKED } else { WRONG }))
}

/// Starts a fresh session (a new token, so a token planted before sign-in is worthless). The
/// account's success is already recorded.
async fn signed_in(
    state: &AdminState,
    actor: &Actor,
    account: &StaffAccount,
    next: &str,
    old_token: Option<&str>,
) -> PageResult {
    let now = state.platform.clock.now();
    if let Some(old) = old_token {
        let _ = state.sessions.end(old).await;
    }
    let token = tokens::random_token();
    let session = Session {
        login_id: account.login_id.clone(),
        csrf_token: tokens::random_token(),
        started: now,
        last_seen: now,
        awaiting_second_factor: false,
        generation: account.session_generation(),
    };
    state.sessions.start(&token, session).await?;
    audit::record_as(
        state,
        account.login_id.as_str(),
        actor.ip,
        "ログイン",
        "-",
        "",
    )
    .await;
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, SESSION_COOKIE, &token, None),
    );
    Ok(response)
}

pub async fn totp_form(page: Page, Query(q): Query<NextParam>) -> Response {
    totp_page(&page, &safe_next(q.next.as_deref()), None)
}

fn totp_page(page: &Page, next: &str, error: Option<&str>) -> Response {
    let problems = Problems::default();
    page.render(
        "確認コードの入力",
        &[
            ("ログイン", "/admin/login"),
            ("確認コード", "/admin/login/totp"),
        ],
        "login",
        html! {
            @if let Some(e) = error { div.flash.err role="alert" { (e) } }
            p { "スマートフォンの認証アプリに表示されている6桁の確認コードを入力してください。" }
            form.narrow method="post" action="/admin/login/totp" {
                (page.csrf_field())
                input type="hidden" name="next" value=(next);
                (text_field("code", "確認コード（6桁）", "", &problems, None))
                button.primary type="submit" { "確認" }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
    next: Option<String>,
}

pub async fn totp_submit(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    headers: axum::http::HeaderMap,
    Form(form): Form<TotpForm>,
) -> PageResult {
    let now = state.platform.clock.now();
    let next = safe_next(form.next.as_deref());
    let Some(token) = cookie_value(&headers, SESSION_COOKIE) else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let half = match state.sessions.find(&token, now).await? {
        Some(live) if live.session.awaiting_second_factor => live,
        _ => return Ok(Redirect::to("/admin/login").into_response()),
    };
    let login_id = half.session.login_id.clone();
    // Counted before the code is checked, like a password: six digits must not be guessed in
    // parallel.
    let account = match state.staff.reserve_attempt(&login_id, now).await? {
        Attempt::Granted(account) if holds(&account, &half) => account,
        Attempt::Granted(_) | Attempt::UnknownAccount => {
            // The password was changed or the account stopped since the password step.
            let _ = state.sessions.end(&token).await;
            return Ok(Redirect::to("/admin/login").into_response());
        }
        Attempt::Locked(account) => {
            let _ = state.sessions.end(&token).await;
            return Ok(login_page(
                &page,
                account.login_id.as_str(),
                &next,
                Some(LOCKED),
            ));
        }
    };
    let secret = state.staff.second_factor_secret(&account).await?;
    let step = secret.as_deref().and_then(|secret| {
        totp::verify(
            secret,
            &form.code,
            now.timestamp(),
            account.last_code_step(),
        )
    });
    let accepted = match step {
        Some(step) => state.staff.accept_code(&login_id, step, now).await? == Some(true),
        None => false,
    };
    if accepted {
        return signed_in(&state, &actor, &account, &next, Some(&token)).await;
    }
    audit::record_as(
        &state,
        account.login_id.as_str(),
        actor.ip,
        "ログイン失敗",
        "-",
        "確認コードの誤り",
    )
    .await;
    if account.is_locked(now) {
        let _ = state.sessions.end(&token).await;
        return Ok(login_page(
            &page,
            account.login_id.as_str(),
            &next,
            Some(LOCKED),
        ));
    }
    Ok(totp_page(
        &page,
        &next,
        Some("確認コードが違います。最新のコードを入力してください。"),
    ))
}

pub async fn logout(State(state): State<Arc<AdminState>>, actor: Actor) -> Response {
    if let Some(s) = &actor.signed {
        let _ = state.sessions.end(&s.token).await;
        audit::record(&state, &actor, "ログアウト", "-", "").await;
    }
    let mut response = redirect_with(
        "/admin/login",
        FlashKind::Success,
        "ログアウトしました。",
        state.config.secure_cookies,
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", Some(0)),
    );
    response
}

async fn setup_open(state: &AdminState) -> Result<bool, tayori_records::RecordError> {
    Ok(state.config.setup_token.is_some() && !state.staff.any().await?)
}

fn setup_page(page: &Page, login_id: &str, name: &str, problems: &Problems) -> Response {
    page.render(
        "初期設定：最初の管理者の登録",
        &[("初期設定", "/admin/setup")],
        "setup",
        html! {
            p { "導入時に一度だけ使う画面です。配布されたセットアップ用トークンを入力し、最初の管理者アカウントを作成してください。" }
            (problems.summary())
            form.narrow method="post" action="/admin/setup" {
                (page.csrf_field())
                (password_field("setup_token", "セットアップ用トークン", problems, None))
                (text_field("login_id", "ログインID", login_id, problems, Some("半角英小文字・数字で3〜32文字")))
                (text_field("display_name", "氏名", name, problems, None))
                (password_field("password", "パスワード", problems, Some("12文字以上、英字と数字（または記号）を含める")))
                (password_field("password_again", "パスワード（確認）", problems, None))
                button.primary type="submit" { "管理者を作成" }
            }
        },
    )
}

pub async fn setup_form(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    Ok(match setup_open(&state).await? {
        true => setup_page(&page, "", "", &Problems::default()),
        false => ui::not_found(),
    })
}

#[derive(Deserialize)]
pub struct SetupForm {
    setup_token: String,
    login_id: String,
    display_name: String,
    password: String,
    password_again: String,
}

pub async fn setup_submit(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Form(form): Form<SetupForm>,
) -> PageResult {
    match setup_open(&state).await? {
        true => {}
        false => return Err(ConsoleError::NotFound),
    }
    let mut problems = Problems::default();
    let expected = state.config.setup_token.clone().unwrap_or_default();
    if !tokens::same(form.setup_token.trim(), &expected) {
        audit::record_as(&state, "-", actor.ip, "初期設定失敗", "-", "トークンの誤り").await;
        problems.add("setup_token", "セットアップ用トークンが違います。");
    } else if form.password != form.password_again {
        problems.add("password_again", "確認用のパスワードが一致しません。");
    }
    if problems.is_empty() {
        match create_first_admin(&state, &form.login_id, &form.display_name, &form.password).await {
            Ok(account) => {
                audit::record_as(
                    &state,
                    account.login_id.as_str(),
                    actor.ip,
                    "初期管理者を作成",
                    &format!("staff:{}", account.login_id),
                    "全権限",
                )
                .await;
                return Ok(redirect_with(
                    "/admin/login",
                    FlashKind::Success,
                    "管理者を作成しました。ログインしてください。",
                    state.config.secure_cookies,
                ));
            }
            Err(SetupError::Invalid(message)) => problems.add("password", message),
            Err(SetupError::AlreadySetUp) => return Err(ConsoleError::NotFound),
            Err(SetupError::Storage(e)) => return Err(e.into()),
        }
    }
    Ok(setup_page(
        &page,
        &form.login_id,
        &form.display_name,
        &problems,
    ))
}
