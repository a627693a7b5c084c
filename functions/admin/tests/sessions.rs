//! Sessions end when they should, sign-in guesses are counted before they are checked, and the
//! second factor's secret is stored sealed: the console through its real router, as several
//! browsers (a clerk's own, an administrator's, an attacker's) would use it.

use crate::support;

use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use chrono::Utc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::totp;
use tayori_domain::staff::{Permission, PermissionSet, LOCKOUT_AFTER};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Condition, Item, Page, Query, StoreError, SystemClock, TableStore, Write};

use support::{Console, PASSWORD};

const WRONG: &str = "ログインIDまたはパスワードが違います。";
const LOCKED: &str = "一時的にロックされています";
const NEW_PASSWORD: &str = "wakasa-bay-2026-own";

fn usage_only() -> PermissionSet {
    [Permission::UsageReports].into_iter().collect()
}

/// An administrator signed in, with `clerk` (usage reports only) added beside them.
async fn office_with(clerk: &str) -> Console {
    let admin = Console::signed_in("admin", "管理 太郎", "総務課", PermissionSet::all()).await;
    admin
        .add_staff(clerk, "鈴木 一郎", "土木課", usage_only(), Utc::now())
        .await;
    admin
}

/// Whether this browser is still signed in: the home page (or 自分の設定, for a temporary
/// password) opens instead of the sign-in page.
async fn is_signed_in(b: &mut Console) -> bool {
    let home = b.get("/admin").await;
    match (home.status, home.location.as_deref()) {
        (StatusCode::OK, _) | (StatusCode::SEE_OTHER, Some("/admin/account")) => true,
        (StatusCode::SEE_OTHER, Some(to)) if to.starts_with("/admin/login") => false,
        (status, to) => panic!("home answered {status} to {to:?}"),
    }
}

/// The authenticator app's code `steps` 30-second steps from now.
fn code(secret: &str, steps: i64) -> String {
    let step = Utc::now().timestamp() / 30 + steps;
    totp::code_at(secret, step as u64).unwrap()
}

/// The key shown for typing in by hand on the enrolment page.
fn shown_secret(body: &str) -> Option<String> {
    let start = body.find("手入力してください：<code>")? + "手入力してください：<code>".len();
    let rest = &body[start..];
    Some(rest[..rest.find("</code>")?].to_string())
}

/// Turns the second factor on from 自分の設定 and answers its secret. The confirmation uses the
/// previous step's code so that the current step's is still unused for a sign-in.
async fn enrol_second_factor(b: &mut Console) -> String {
    b.get("/admin/account").await;
    let started = b.post("/admin/account/totp/start", &[]).await;
    let secret = shown_secret(&started.body).expect("the enrolment page shows the key");
    let on = b
        .post(
            "/admin/account/totp/on",
            &[("secret", &secret), ("code", &code(&secret, -1))],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    secret
}

/// Signs in with the password and then the current code of `secret`; answers the last page.
async fn sign_in_with_code(b: &mut Console, login: &str, secret: &str) -> support::Answered {
    let first = b.sign_in_with(login, PASSWORD).await;
    assert!(
        first
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/admin/login/totp")),
        "no second factor asked: {:?}",
        first.location
    );
    b.get("/admin/login/totp").await;
    b.post(
        "/admin/login/totp",
        &[("code", &code(secret, 0)), ("next", "/admin")],
    )
    .await
}

async fn stored_account(c: &Console, login: &str) -> Item {
    c.state
        .platform
        .table
        .get(&format!("STAFF#{login}"), "ACCOUNT")
        .await
        .unwrap()
        .expect("the account is stored")
}

#[tokio::test]
async fn changing_ones_own_password_ends_the_other_sessions_and_keeps_this_one() {
    let admin = office_with("suzuki").await;
    let mut desk = admin.another_browser();
    desk.sign_in("suzuki").await;
    let mut left_open = admin.another_browser();
    left_open.sign_in("suzuki").await;
    // The temporary password is not at issue here: the clerk already chose one.
    desk.get("/admin/account").await;
    let changed = desk
        .post(
            "/admin/account/password",
            &[
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(is_signed_in(&mut desk).await, "the desk was signed out");
    assert!(
        !is_signed_in(&mut left_open).await,
        "a session from before the change lives on"
    );
}

#[tokio::test]
async fn a_password_reset_by_an_administrator_ends_every_session_of_the_colleague() {
    let mut admin = office_with("suzuki").await;
    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    admin.get("/admin/staff/suzuki").await;
    let reset = admin
        .post(
            "/admin/staff/suzuki/password",
            &[("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    assert!(!is_signed_in(&mut clerk).await);
    assert!(is_signed_in(&mut admin).await, "the administrator's own");
}

#[tokio::test]
async fn a_disabled_accounts_sessions_stay_ended_when_it_is_enabled_again() {
    let mut admin = office_with("suzuki").await;
    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    for disabled in ["true", "false"] {
        admin.get("/admin/staff/suzuki").await;
        let set = admin
            .post("/admin/staff/suzuki/status", &[("disabled", disabled)])
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    }
    assert!(
        !is_signed_in(&mut clerk).await,
        "the session came back with the account"
    );
    clerk.sign_in("suzuki").await;
}

#[tokio::test]
async fn removing_a_permission_ends_the_colleagues_sessions_and_adding_one_does_not() {
    let mut admin = office_with("suzuki").await;
    admin
        .add_staff(
            "sato",
            "佐藤 花子",
            "総務課",
            [Permission::UsageReports, Permission::AuditLog]
                .into_iter()
                .collect(),
            Utc::now(),
        )
        .await;
    let mut suzuki = admin.another_browser();
    suzuki.sign_in("suzuki").await;
    let mut sato = admin.another_browser();
    sato.sign_in("sato").await;
    let edit = |perms: &'static [&'static str]| {
        let mut fields = vec![
            ("display_name", "名前"),
            ("department", "総務課"),
            ("scope", "all"),
        ];
        fields.extend(perms.iter().map(|p| ("perm", *p)));
        fields
    };
    admin.get("/admin/staff/suzuki").await;
    let widened = admin
        .post("/admin/staff/suzuki", &edit(&["usage", "audit"]))
        .await;
    assert_eq!(widened.status, StatusCode::SEE_OTHER, "{}", widened.body);
    admin.get("/admin/staff/sato").await;
    let narrowed = admin.post("/admin/staff/sato", &edit(&["usage"])).await;
    assert_eq!(narrowed.status, StatusCode::SEE_OTHER, "{}", narrowed.body);
    assert!(is_signed_in(&mut suzuki).await, "a granted permission");
    assert!(
        !is_signed_in(&mut sato).await,
        "a session from before the removal lives on"
    );
}

/// The table, except that the next save of a console session finds it deleted first: a sign-out
/// in another browser that lands while a request of this one is in flight.
struct SignedOutMeanwhile {
    table: Arc<dyn TableStore>,
    armed: AtomicBool,
}

#[async_trait]
impl TableStore for SignedOutMeanwhile {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.table.get(pk, sk).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        if item.pk.starts_with("SESSION#") && self.armed.swap(false, Ordering::SeqCst) {
            self.table
                .delete(&item.pk, &item.sk, Condition::Always)
                .await?;
        }
        self.table.put(item, condition).await
    }
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.table.delete(pk, sk, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.table.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.table.transact(writes).await
    }
}

#[tokio::test]
async fn a_request_in_flight_does_not_bring_back_a_session_signed_out_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let table = Arc::new(SignedOutMeanwhile {
        table: platform.table.clone(),
        armed: AtomicBool::new(false),
    });
    platform.table = table.clone();
    let line = Arc::new(LineClient::new(LineConfig::default()));
    let mut b = Console::over(platform, line, dir);
    b.add_staff("suzuki", "鈴木 一郎", "土木課", usage_only(), Utc::now())
        .await;
    b.sign_in("suzuki").await;
    assert!(is_signed_in(&mut b).await);

    table.armed.store(true, Ordering::SeqCst);
    b.get("/admin/usage").await;
    assert!(!table.armed.load(Ordering::SeqCst), "no session was saved");
    assert!(
        !is_signed_in(&mut b).await,
        "the sign-out was undone by the request in flight"
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_lockout_like_sign_in() {
    let admin = office_with("suzuki").await;
    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    clerk.get("/admin/account").await;
    for _ in 0..3 {
        let a = clerk
            .post(
                "/admin/account/password",
                &[
                    ("current", "a-wrong-guess-1"),
                    ("password", NEW_PASSWORD),
                    ("password_again", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    for _ in 0..LOCKOUT_AFTER - 3 {
        let a = clerk
            .post(
                "/admin/account/totp/off",
                &[("totp_current", "a-wrong-guess-2")],
            )
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    let right = clerk
        .post(
            "/admin/account/password",
            &[
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "changed while locked");
    assert!(right.body.contains(LOCKED), "{}", right.body);
    let mut elsewhere = admin.another_browser();
    let signed = elsewhere.sign_in_with("suzuki", PASSWORD).await;
    assert!(signed.body.contains(LOCKED), "signed in while locked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_parallel_guesses_in_one_lock_window_get_at_most_five_checks() {
    let admin = office_with("suzuki").await;
    let mut browsers = Vec::new();
    for _ in 0..100 {
        let mut b = admin.another_browser();
        b.get("/admin/login").await;
        browsers.push(b);
    }
    let start = Arc::new(tokio::sync::Barrier::new(browsers.len()));
    let guesses: Vec<_> = browsers
        .into_iter()
        .enumerate()
        .map(|(i, mut b)| {
            let start = start.clone();
            tokio::spawn(async move {
                let guess = format!("wrong-guess-{i:03}");
                let form = form_urlencoded::Serializer::new(String::new())
                    .append_pair("_csrf", &b.csrf)
                    .append_pair("login_id", "suzuki")
                    .append_pair("password", &guess)
                    .append_pair("next", "/admin")
                    .finish();
                let form_type = "application/x-www-form-urlencoded".to_string();
                start.wait().await;
                b.send(
                    Method::POST,
                    "/admin/login",
                    Some(form_type),
                    Some(form.into_bytes()),
                )
                .await
            })
        })
        .collect();
    let (mut wrong, mut locked) = (0, 0);
    for guess in guesses {
        let a = guess.await.unwrap();
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        if a.body.contains(WRONG) {
            wrong += 1;
        } else if a.body.contains(LOCKED) {
            locked += 1;
        } else {
            panic!("neither wrong nor locked: {}", a.body);
        }
    }
    // Each checked password is in the audit log as a failure; the rest were refused unchecked.
    let checked = admin
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "ログイン失敗")
        .count();
    assert!(
        checked <= LOCKOUT_AFTER as usize,
        "{checked} passwords checked ({wrong} wrong, {locked} locked)"
    );
    assert!(wrong < LOCKOUT_AFTER, "{wrong} answered as merely wrong");
    assert_eq!(wrong + locked, 100);
    let mut owner = admin.another_browser();
    assert!(owner
        .sign_in_with("suzuki", PASSWORD)
        .await
        .body
        .contains(LOCKED));
}

#[tokio::test]
async fn re_enrolling_the_second_factor_asks_for_the_current_password() {
    let admin = office_with("suzuki").await;
    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    let secret = enrol_second_factor(&mut clerk).await;

    // Someone at the clerk's unlocked desk tries to put the second factor on their own phone.
    let theirs = totp::new_secret();
    clerk.get("/admin/account").await;
    let started = clerk.post("/admin/account/totp/start", &[]).await;
    assert_eq!(
        shown_secret(&started.body),
        None,
        "a new key without the password"
    );
    let started = clerk
        .post(
            "/admin/account/totp/start",
            &[("totp_current", "a-wrong-guess-1")],
        )
        .await;
    assert_eq!(
        shown_secret(&started.body),
        None,
        "a new key for a wrong password"
    );
    clerk
        .post(
            "/admin/account/totp/on",
            &[("secret", &theirs), ("code", &code(&theirs, 0))],
        )
        .await;
    let off = clerk.post("/admin/account/totp/off", &[]).await;
    assert_eq!(
        off.status,
        StatusCode::OK,
        "turned off without the password"
    );

    let mut phone = admin.another_browser();
    let signed = sign_in_with_code(&mut phone, "suzuki", &secret).await;
    assert_eq!(
        signed.location.as_deref(),
        Some("/admin"),
        "{}",
        signed.body
    );

    // The clerk, with the password, moves to a new phone.
    clerk.get("/admin/account").await;
    let started = clerk
        .post("/admin/account/totp/start", &[("totp_current", PASSWORD)])
        .await;
    let new_phone = shown_secret(&started.body).expect("the clerk may re-enrol");
    assert_ne!(new_phone, secret);
    let on = clerk
        .post(
            "/admin/account/totp/on",
            &[("secret", &new_phone), ("code", &code(&new_phone, -1))],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let mut again = admin.another_browser();
    let signed = sign_in_with_code(&mut again, "suzuki", &new_phone).await;
    assert_eq!(
        signed.location.as_deref(),
        Some("/admin"),
        "{}",
        signed.body
    );
}

#[tokio::test]
async fn the_second_factor_secret_is_stored_sealed_and_still_signs_in() {
    let admin = office_with("suzuki").await;
    let mut clerk = admin.another_browser();
    clerk.sign_in("suzuki").await;
    let secret = enrol_second_factor(&mut clerk).await;

    let raw = stored_account(&admin, "suzuki").await;
    let body = raw.body.to_string();
    assert!(!body.contains(&secret), "the secret is stored in the clear");
    assert!(
        raw.body["totp_secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("enc:v1:")),
        "{body}"
    );
    let mut phone = admin.another_browser();
    let signed = sign_in_with_code(&mut phone, "suzuki", &secret).await;
    assert_eq!(
        signed.location.as_deref(),
        Some("/admin"),
        "{}",
        signed.body
    );
}

#[tokio::test]
async fn a_plain_secret_stored_before_sealing_still_works_and_is_sealed_on_the_next_write() {
    let admin = office_with("suzuki").await;
    let secret = totp::new_secret();
    let mut raw = stored_account(&admin, "suzuki").await;
    raw.body["totp_secret"] = serde_json::Value::String(secret.clone());
    let version = raw.version;
    raw.version += 1;
    admin
        .state
        .platform
        .table
        .put(raw, Condition::IfVersion(version))
        .await
        .unwrap();

    let mut phone = admin.another_browser();
    let signed = sign_in_with_code(&mut phone, "suzuki", &secret).await;
    assert_eq!(
        signed.location.as_deref(),
        Some("/admin"),
        "{}",
        signed.body
    );
    let raw = stored_account(&admin, "suzuki").await;
    assert!(
        !raw.body.to_string().contains(&secret),
        "still in the clear after the sign-in wrote the account"
    );
}
