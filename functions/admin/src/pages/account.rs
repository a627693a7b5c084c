//! 自分の設定: the signed-in clerk's own password and TOTP second factor.

use crate::audit::{self, Actor};
use crate::auth::{password, totp};
use crate::ui::form::{password_field, text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use maud::{html, PreEscaped};
use qrcode::render::svg;
use qrcode::QrCode;
use std::sync::Arc;
use tayori_domain::staff::check_password;

const ISSUER: &str = "Tayori";

fn page_body(page: &Page, problems: &Problems, pending_secret: Option<&str>) -> Response {
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
            @if account.must_change_password {
                div.flash.err role="alert" {
                    "管理者が設定した初期パスワードのままです。ご自分だけが知る新しいパスワードに変更してください。変更するまで、ほかの画面は使えません。"
                }
            }
            h2 { "パスワードの変更" }
            (problems.summary())
            form.narrow method="post" action="/admin/account/password" {
                (page.csrf_field())
                (password_field("current", "現在のパスワード", problems, None))
                (password_field("password", "新しいパスワード", problems, Some("12文字以上、英字と数字（または記号）を含める")))
                (password_field("password_again", "新しいパスワード（確認）", problems, None))
                button.primary type="submit" { "パスワードを変更" }
            }
            h2 { "二段階認証（確認コード）" }
            @if account.totp_secret.is_some() {
                p { "設定済みです。ログインのたびに、認証アプリの確認コードが必要です。" }
                form method="post" action="/admin/account/totp/off" {
                    (page.csrf_field())
                    (password_field("current", "現在のパスワード", problems, None))
                    button.danger type="submit" { "二段階認証を解除" }
                }
            } @else if let Some(secret) = pending_secret {
                p { "スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）で、次のQRコードを読み取ってください。" }
                @let uri = totp::provisioning_uri(secret, id, ISSUER);
                @if let Ok(code) = QrCode::new(uri.as_bytes()) {
                    div.qr { (PreEscaped(code.render::<svg::Color>().min_dimensions(200, 200).build())) }
                }
                p { "読み取れない場合は、次のキーを手入力してください：" code { (secret) } }
                form.narrow method="post" action="/admin/account/totp/on" {
                    (page.csrf_field())
                    input type="hidden" name="secret" value=(secret);
                    (text_field("code", "アプリに表示された6桁のコード", "", problems, None))
                    button.primary type="submit" { "確認して有効にする" }
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

pub async fn change_password(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> Response {
    let Some(signed) = &page.signed else {
        return ui::not_found();
    };
    let form = FormData::parse(&body);
    let mut problems = Problems::default();
    if !password::verify(&form.get("current"), &signed.account.password_hash) {
        problems.add("current", "現在のパスワードが違います。");
    }
    let new = form.get("password");
    if let Err(p) = check_password(&new, signed.account.login_id.as_str()) {
        problems.add("password", p.to_string());
    } else if new != form.get("password_again") {
        problems.add("password_again", "確認用のパスワードが一致しません。");
    } else if new == form.get("current") {
        problems.add(
            "password",
            "現在のパスワードとは違うパスワードにしてください。",
        );
    }
    if !problems.is_empty() {
        return page_body(&page, &problems, None);
    }
    let hash = password::hash(&new);
    let now = state.platform.clock.now();
    match state
        .staff
        .update(&signed.account.login_id, |a| {
            a.password_hash = hash.clone();
            a.password_changed_at = now;
            a.must_change_password = false;
        })
        .await
    {
        Ok(_) => {
            audit::record(
                &state,
                &actor,
                "自分のパスワードを変更",
                &format!("staff:{}", signed.account.login_id),
                "",
            )
            .await;
            redirect_with(
                "/admin/account",
                FlashKind::Success,
                "パスワードを変更しました。",
                state.config.secure_cookies,
            )
        }
        Err(e) => ui::unavailable(&e),
    }
}

pub async fn totp_start(page: Page) -> Response {
    let secret = totp::new_secret();
    page_body(&page, &Problems::default(), Some(&secret))
}

pub async fn totp_on(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> Response {
    let Some(signed) = &page.signed else {
        return ui::not_found();
    };
    let form = FormData::parse(&body);
    let secret = form.get("secret");
    let now = state.platform.clock.now();
    let Some(step) = totp::verify(&secret, &form.get("code"), now.timestamp(), None) else {
        let mut problems = Problems::default();
        problems.add(
            "code",
            "確認コードが違います。アプリに表示されている最新のコードを入力してください。",
        );
        return page_body(&page, &problems, Some(&secret));
    };
    match state
        .staff
        .update(&signed.account.login_id, |a| {
            a.totp_secret = Some(secret.clone());
            a.totp_last_step = Some(step);
        })
        .await
    {
        Ok(_) => {
            audit::record(
                &state,
                &actor,
                "二段階認証を設定",
                &format!("staff:{}", signed.account.login_id),
                "",
            )
            .await;
            redirect_with(
                "/admin/account",
                FlashKind::Success,
                "二段階認証を有効にしました。",
                state.config.secure_cookies,
            )
        }
        Err(e) => ui::unavailable(&e),
    }
}

pub async fn totp_off(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> Response {
    let Some(signed) = &page.signed else {
        return ui::not_found();
    };
    if !password::verify(
        &FormData::parse(&body).get("current"),
        &signed.account.password_hash,
    ) {
        let mut problems = Problems::default();
        problems.add("current", "現在のパスワードが違います。");
        return page_body(&page, &problems, None);
    }
    match state
        .staff
        .update(&signed.account.login_id, |a| {
            a.totp_secret = None;
            a.totp_last_step = None;
        })
        .await
    {
        Ok(_) => {
            audit::record(
                &state,
                &actor,
                "二段階認証を解除",
                &format!("staff:{}", signed.account.login_id),
                "",
            )
            .await;
            redirect_with(
                "/admin/account",
                FlashKind::Success,
                "二段階認証を解除しました。",
                state.config.secure_cookies,
            )
        }
        Err(e) => ui::unavailable(&e),
    }
}
