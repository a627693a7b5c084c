//! 自分の設定: the signed-in clerk's own password and TOTP second factor.
//!
//! Whatever here needs the current password (a new password, setting the second factor up
//! again, turning it off) counts a wrong one like a sign-in: the same counter, the same lock,
//! so that someone at an unlocked desk cannot guess it here instead.

use crate::audit::{self, Actor};
use crate::auth::{password, totp};
use crate::pages::login::LOCKED;
use crate::ui::form::{password_field, text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use maud::{html, PreEscaped};
use qrcode::render::svg;
use qrcode::QrCode;
use std::sync::Arc;
use tayori_domain::staff::{check_password, LoginId};
use tayori_records::{Attempt, RecordError};

const ISSUER: &str = "Tayori";
const WRONG_CURRENT: &str = "現在のパスワードが違います。";
/// The current-password field of the second-factor actions (apart from the password form's).
const TOTP_CURRENT: &str = "totp_current";

/// `enrolling`: the secret of a second factor being set up, shown as a QR code.
fn page_body(page: &Page, problems: &Problems, enrolling: Option<&str>) -> Response {
    let Some(signed) = &page.signed else {
        return ui::not_found();
    };
    let account = &signed.account;
    let id = account.login_id.as_str();
    page.render(
        "自分の設定",
        &[("ホーム", "/admin"), ("自分の設定", "/admin/account")],
        "account",
        html! {
            (problems.summary())
            @if account.must_change_password() {
                div.flash.err role="alert" {
                    "管理者が設定した初期パスワードのままです。ご自分だけが知る新しいパスワードに変更してください。変更するまで、ほかの画面は使えません。"
                }
            }
            h2 { "パスワードの変更" }
            p { "変更すると、ほかの端末やブラウザでのログインは終了します（この画面はそのまま使えます）。" }
            form.narrow method="post" action="/admin/account/password" {
                (page.csrf_field())
                (password_field("current", "現在のパスワード", problems, None))
                (password_field("password", "新しいパスワード", problems, Some("12文字以上、英字と数字（または記号）を含める")))
                (password_field("password_again", "新しいパスワード（確認）", problems, None))
                button.primary type="submit" { "パスワードを変更" }
            }
            h2 { "二段階認証（確認コード）" }
            @if let Some(secret) = enrolling {
                @if account.has_second_factor() {
                    p { "新しいコードを確認するまでは、今までの認証アプリのコードでログインできます。" }
                }
                p { "スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）で、次のQRコードを読み取ってください。" }
                @let uri = totp::provisioning_uri(secret, id, ISSUER);
                @if let Ok(code) = QrCode::new(uri.as_bytes()) {
                    div.qr { (PreEscaped(code.render::<svg::Color>().min_dimensions(200, 200).build())) }
                }
                p { "読み取れない場合は、次のキーを手入力してください：" code { (secret) } }
                form.narrow method="post" action="/admin/account/totp/on" {
                    (page.csrf_field())
                    (text_field("code", "アプリに表示された6桁のコード", "", problems, None))
                    button.primary type="submit" { "確認して有効にする" }
                }
            } @else if account.has_second_factor() {
                p { "設定済みです。ログインのたびに、認証アプリの確認コードが必要です。" }
                p { "スマートフォンを替えるときは「設定し直す」、やめるときは「二段階認証を解除」を、現在のパスワードを入力して押してください。" }
                form.narrow method="post" action="/admin/account/totp/start" {
                    (page.csrf_field())
                    (password_field(TOTP_CURRENT, "現在のパスワード", problems, None))
                    div.actions {
                        button type="submit" { "設定し直す" }
                        button.danger type="submit" formaction="/admin/account/totp/off" { "二段階認証を解除" }
                    }
                }
            } @else {
                p { "ログイン時に、パスワードに加えてスマートフォンの確認コードを求めます。設定をおすすめします。" }
                form method="post" action="/admin/account/totp/start" {
                    (page.csrf_field())
                    button type="submit" { "二段階認証を設定する" }
                }
            }
        },
    )
}

pub async fn show(page: Page) -> Response {
    page_body(&page, &Problems::default(), None)
}

/// What checking the current password came to.
enum Confirmation {
    Confirmed,
    Refused(&'static str),
}

/// Checks the current password typed on this page. Counted before it is checked, like a
/// sign-in attempt, and forgiven with the failures before it when right.
async fn confirm_current_password(
    state: &AdminState,
    actor: &Actor,
    login_id: &LoginId,
    typed: &str,
) -> Result<Confirmation, RecordError> {
    let now = state.platform.clock.now();
    let account = match state.staff.reserve_attempt(login_id, now).await? {
        Attempt::Granted(account) => account,
        Attempt::Locked(_) => return Ok(Confirmation::Refused(LOCKED)),
        Attempt::UnknownAccount => return Ok(Confirmation::Refused(WRONG_CURRENT)),
    };
    if password::verify(typed, account.password_hash()) {
        state
            .staff
            .update(login_id, |a| a.confirm_password())
            .await?;
        return Ok(Confirmation::Confirmed);
    }
    let locked = account.is_locked(now);
    audit::record(
        state,
        actor,
        "現在のパスワードの誤り",
        &format!("staff:{login_id}"),
        if locked {
            "失敗が続いたためロック"
        } else {
            ""
        },
    )
    .await;
    Ok(Confirmation::Refused(if locked {
        LOCKED
    } else {
        WRONG_CURRENT
    }))
}

pub async fn change_password(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let Some(signed) = &page.signed else {
        return Err(ConsoleError::NotFound);
    };
    let login_id = &signed.account.login_id;
    let form = FormData::parse(&body);
    let current = form.secret("current");
    let new = form.secret("password");
    let mut problems = Problems::default();
    // The new password is checked first: a slip in it should not cost an attempt.
    if let Err(p) = check_password(&new, login_id.as_str()) {
        problems.add("password", p.to_string());
    } else if new != form.secret("password_again") {
        problems.add("password_again", "確認用のパスワードが一致しません。");
    } else if new == current {
        problems.add(
            "password",
            "現在のパスワードとは違うパスワードにしてください。",
        );
    }
    if !problems.is_empty() {
        return Ok(page_body(&page, &problems, None));
    }
    match confirm_current_password(&state, &actor, login_id, &current).await? {
        Confirmation::Confirmed => {}
        Confirmation::Refused(message) => {
            problems.add("current", message);
            return Ok(page_body(&page, &problems, None));
        }
    }
    let hash = password::hash(&new);
    let now = state.platform.clock.now();
    let changed = match state
        .staff
        .update(login_id, |a| a.change_password(hash.clone(), now))
        .await?
    {
        Some(account) => account,
        None => return Err(ConsoleError::NotFound),
    };
    // Every session of the account has ended with the change; this one is carried over.
    let generation = changed.session_generation();
    if let Err(e) = state
        .sessions
        .save_if_live(&signed.token, &signed.live, now, |s| {
            s.generation = generation
        })
        .await
    {
        return Err(e.into());
    }
    audit::record(
        &state,
        &actor,
        "自分のパスワードを変更",
        &format!("staff:{login_id}"),
        "",
    )
    .await;
    Ok(redirect_with(
        "/admin/account",
        FlashKind::Success,
        "パスワードを変更しました。",
        state.config.secure_cookies,
    ))
}

/// Shows a new secret to enrol. While a second factor is on, only with the current password:
/// otherwise whoever found the clerk's desk unlocked could move it to their own phone.
pub async fn totp_start(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let Some(signed) = &page.signed else {
        return Err(ConsoleError::NotFound);
    };
    let login_id = &signed.account.login_id;
    if signed.account.has_second_factor() {
        let typed = FormData::parse(&body).secret(TOTP_CURRENT);
        match confirm_current_password(&state, &actor, login_id, &typed).await? {
            Confirmation::Confirmed => {}
            Confirmation::Refused(message) => {
                let mut problems = Problems::default();
                problems.add(TOTP_CURRENT, message);
                return Ok(page_body(&page, &problems, None));
            }
        }
    }
    let secret = totp::new_secret();
    state
        .staff
        .update(login_id, |a| a.begin_second_factor(secret.clone()))
        .await?;
    Ok(page_body(&page, &Problems::default(), Some(&secret)))
}

/// Puts the secret shown by `totp_start` in use once the app's code matches it. The secret is
/// the one kept on the account, never one sent with the form.
pub async fn totp_on(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let Some(signed) = &page.signed else {
        return Err(ConsoleError::NotFound);
    };
    let login_id = &signed.account.login_id;
    let pending = match state.staff.get(login_id).await? {
        Some(account) => state.staff.pending_second_factor_secret(&account).await,
        None => return Err(ConsoleError::NotFound),
    };
    let secret = match pending? {
        Some(secret) => secret,
        None => {
            return Ok(redirect_with(
                "/admin/account",
                FlashKind::Error,
                "設定の手続きが見つかりませんでした。もう一度、初めから設定してください。",
                state.config.secure_cookies,
            ))
        }
    };
    let now = state.platform.clock.now();
    let code = FormData::parse(&body).get("code");
    let Some(step) = totp::verify(&secret, &code, now.timestamp(), None) else {
        let mut problems = Problems::default();
        problems.add(
            "code",
            "確認コードが違います。アプリに表示されている最新のコードを入力してください。",
        );
        return Ok(page_body(&page, &problems, Some(&secret)));
    };
    let action = if signed.account.has_second_factor() {
        "二段階認証を再設定"
    } else {
        "二段階認証を設定"
    };
    state
        .staff
        .update(login_id, |a| {
            a.turn_on_second_factor(secret.to_string(), step)
        })
        .await?;
    audit::record(&state, &actor, action, &format!("staff:{login_id}"), "").await;
    Ok(redirect_with(
        "/admin/account",
        FlashKind::Success,
        "二段階認証を有効にしました。",
        state.config.secure_cookies,
    ))
}

pub async fn totp_off(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let Some(signed) = &page.signed else {
        return Err(ConsoleError::NotFound);
    };
    let login_id = &signed.account.login_id;
    let typed = FormData::parse(&body).secret(TOTP_CURRENT);
    match confirm_current_password(&state, &actor, login_id, &typed).await? {
        Confirmation::Confirmed => {}
        Confirmation::Refused(message) => {
            let mut problems = Problems::default();
            problems.add(TOTP_CURRENT, message);
            return Ok(page_body(&page, &problems, None));
        }
    }
    state
        .staff
        .update(login_id, |a| a.turn_off_second_factor())
        .await?;
    audit::record(
        &state,
        &actor,
        "二段階認証を解除",
        &format!("staff:{login_id}"),
        "",
    )
    .await;
    Ok(redirect_with(
        "/admin/account",
        FlashKind::Success,
        "二段階認証を解除しました。",
        state.config.secure_cookies,
    ))
}
