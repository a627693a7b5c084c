//! A colleague's first sign-in: the password the administrator set is temporary, and nothing
//! but 自分の設定 opens until the colleague has replaced it with one only they know. A reset
//! by the administrator makes it temporary again.

use crate::support;

use axum::http::StatusCode;
use tayori_domain::staff::{Permission, PermissionSet};

use support::{Console, PASSWORD};

const CHOSEN: &str = "wakasa-bay-2026-own";

async fn is_sent_to_own_account(c: &mut Console, path: &str) {
    let answer = c.get(path).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
    assert_eq!(answer.location.as_deref(), Some("/admin/account"), "{path}");
}

#[tokio::test]
async fn a_colleague_replaces_the_temporary_password_before_using_anything_else() {
    let mut admin = Console::signed_in("admin", "管理 太郎", "総務課", PermissionSet::all()).await;
    admin.get("/admin/staff/new").await;
    let created = admin
        .post(
            "/admin/staff",
            &[
                ("login_id", "suzuki"),
                ("display_name", "鈴木 一郎"),
                ("department", "土木課"),
                ("password", PASSWORD),
                ("perm", Permission::UsageReports.code()),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);

    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    for path in ["/admin", "/admin/usage", "/admin/staff"] {
        is_sent_to_own_account(&mut clerk, path).await;
    }
    let account = clerk.get("/admin/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("初期パスワードのままです"));
    // A post elsewhere, with a valid CSRF token, is not carried out either.
    let posted = clerk
        .post(
            "/admin/emergency",
            &[("mode", "emergency"), ("reason", "x")],
        )
        .await;
    assert_eq!(posted.location.as_deref(), Some("/admin/account"));

    let same = clerk
        .post(
            "/admin/account/password",
            &[
                ("current", PASSWORD),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(same
        .body
        .contains("現在のパスワードとは違うパスワードにしてください。"));
    let changed = clerk
        .post(
            "/admin/account/password",
            &[
                ("current", PASSWORD),
                ("password", CHOSEN),
                ("password_again", CHOSEN),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert!(!clerk
        .get("/admin/account")
        .await
        .body
        .contains("初期パスワードのままです"));
    assert_eq!(clerk.get("/admin/usage").await.status, StatusCode::OK);
    assert_eq!(
        clerk.get("/admin/staff").await.status,
        StatusCode::FORBIDDEN
    );

    // The administrator resets it (the colleague forgot it): temporary again.
    admin.get("/admin/staff/suzuki").await;
    let reset = admin
        .post("/admin/staff/suzuki/password", &[("password", PASSWORD)])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    let mut again = admin.another_browser();
    again.sign_in("suzuki").await;
    is_sent_to_own_account(&mut again, "/admin/usage").await;
}

#[tokio::test]
async fn a_password_with_spaces_at_its_ends_signs_in_exactly_as_it_was_chosen() {
    let mut clerk = Console::signed_in("suzuki", "鈴木 一郎", "土木課", PermissionSet::all()).await;
    let spaced = "  wakasa bay 2026  ";
    clerk.get("/admin/account").await;
    let changed = clerk
        .post(
            "/admin/account/password",
            &[
                ("current", PASSWORD),
                ("password", spaced),
                ("password_again", spaced),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    let mut again = clerk.another_browser();
    let trimmed = again.sign_in_with("suzuki", spaced.trim()).await;
    assert_eq!(
        trimmed.status,
        StatusCode::OK,
        "the trimmed password is another one"
    );
    let exact = again.sign_in_with("suzuki", spaced).await;
    assert_eq!(exact.status, StatusCode::SEE_OTHER, "{}", exact.body);
    assert_eq!(exact.location.as_deref(), Some("/admin"));
}
