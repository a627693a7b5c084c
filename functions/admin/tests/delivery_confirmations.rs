//! Actions that cannot be undone (配信する, 承認して配信する, 配信を取り消す, 配信を停止する, the
//! emergency menu switch) through the console's real router: posted without the confirmation
//! they change nothing and show a page that says what will happen; the page's own form does
//! it. And a delivery's details name the staff who acted, not their login ids.

use crate::support;

use axum::http::StatusCode;
use tayori_domain::delivery::{Bubble, Composition, Delivery, DeliveryStatus, Totals};
use tayori_domain::segment::Target;
use tayori_domain::staff::Permission;
use tayori_records::{Deliveries, RichMenus};

use support::Console;

const TITLE: &str = "年末年始のごみ収集";

/// A console where `sender` (清水 一郎) may draft and send, and `approver` (若狭 二郎) may also
/// approve.
async fn office() -> Console {
    let c = Console::signed_in(
        "sender",
        "清水 一郎",
        "環境課",
        [Permission::DeliveryDraft, Permission::DeliverySend]
            .into_iter()
            .collect(),
    )
    .await;
    c.add_staff(
        "approver",
        "若狭 二郎",
        "総務課",
        [
            Permission::DeliveryDraft,
            Permission::DeliverySend,
            Permission::DeliveryApprove,
        ]
        .into_iter()
        .collect(),
        chrono::Utc::now(),
    )
    .await;
    c
}

fn deliveries(c: &Console) -> Deliveries {
    Deliveries::new(c.state.platform.table.clone())
}

async fn status(c: &Console, id: &str) -> DeliveryStatus {
    deliveries(c).get(id).await.unwrap().unwrap().status()
}

/// A delivery by `sender` brought to `status` by its own steps, stored.
async fn stored(c: &Console, id: &str, status: DeliveryStatus) -> String {
    let now = c.state.platform.clock.now();
    let mut d = Delivery::draft(id.into(), "sender", now);
    let composition = Composition {
        title: TITLE.into(),
        category: "ごみ".into(),
        bubbles: vec![Bubble::Text {
            text: "12月31日から1月3日は収集をお休みします。".into(),
        }],
        target: Target::All,
        send_at: None,
    };
    d.compose(composition, now).unwrap();
    let everyone = || "すべての友だち".to_string();
    match status {
        DeliveryStatus::Draft => {}
        DeliveryStatus::AwaitingApproval => d.submit("sender", false, everyone(), now).unwrap(),
        _ => {
            d.submit("sender", true, everyone(), now).unwrap();
            if status != DeliveryStatus::Scheduled {
                assert!(d.start_sending(now));
            }
            if status == DeliveryStatus::Sent {
                let all_sent = Totals {
                    recipients: 1,
                    succeeded: 1,
                    ..Totals::default()
                };
                assert!(d.close(all_sent, Vec::new(), now));
            }
        }
    }
    assert_eq!(d.status(), status, "{id}");
    deliveries(c).create(&d).await.unwrap();
    format!("/admin/deliveries/{id}")
}

/// The page asks before it acts: it says so, and its form carries the confirmation.
fn assert_asks(body: &str, says: &[&str]) {
    assert!(body.contains("まだ実行していません。"), "{body}");
    assert!(body.contains("name=\"confirmed\" value=\"yes\""), "{body}");
    for words in says {
        assert!(body.contains(words), "{words:?} missing: {body}");
    }
}

#[tokio::test]
async fn sending_from_the_composer_asks_first_and_only_the_confirmation_sends() {
    let mut c = office().await;
    let path = stored(&c, "d-send", DeliveryStatus::Draft).await;
    c.get(&path).await;
    let asked = c
        .multipart(
            &path,
            &[
                ("title", TITLE),
                ("category", "ごみ"),
                ("kind0", "text"),
                ("text0", "12月31日から1月3日は収集をお休みします。"),
                ("target", "all"),
                ("send_at", ""),
                ("action", "submit"),
            ],
            &[],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_asks(
        &asked.body,
        &[
            "すべての友だち",
            "現在 0 人",
            "すぐに配信します",
            "配信する",
        ],
    );
    assert_eq!(status(&c, "d-send").await, DeliveryStatus::Draft);

    let unconfirmed = c.post(&format!("{path}/send"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::OK);
    assert_asks(&unconfirmed.body, &["すぐに配信します"]);
    assert_eq!(status(&c, "d-send").await, DeliveryStatus::Draft);

    let sent = c
        .post(&format!("{path}/send"), &[("confirmed", "yes")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&c, "d-send").await, DeliveryStatus::Scheduled);
}

#[tokio::test]
async fn approving_cancelling_and_stopping_happen_only_when_confirmed() {
    let office = office().await;
    let mut c = office.another_browser();
    c.sign_in("approver").await;
    let cases = [
        (
            "approve",
            DeliveryStatus::AwaitingApproval,
            DeliveryStatus::Scheduled,
            "承認して配信する",
        ),
        (
            "cancel",
            DeliveryStatus::Scheduled,
            DeliveryStatus::Cancelled,
            "取り消した配信は元に戻せません",
        ),
        (
            "stop",
            DeliveryStatus::Sending,
            DeliveryStatus::Sending,
            "停止した配信は再開できません",
        ),
    ];
    for (action, before, after, says) in cases {
        let id = format!("d-{action}");
        let path = stored(&c, &id, before).await;
        c.get(&path).await;
        let asked = c.post(&format!("{path}/{action}"), &[]).await;
        assert_eq!(asked.status, StatusCode::OK, "{action}");
        assert_asks(&asked.body, &[says, TITLE]);
        assert_eq!(
            status(&c, &id).await,
            before,
            "{action} without confirmation"
        );
        let done = c
            .post(&format!("{path}/{action}"), &[("confirmed", "yes")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(status(&c, &id).await, after, "{action}");
    }
    let stopping = deliveries(&c).get("d-stop").await.unwrap().unwrap();
    assert!(stopping.stop_requested().is_some(), "the stop is requested");
}

#[tokio::test]
async fn an_action_that_would_be_refused_is_not_offered_for_confirmation() {
    let mut c = office().await;
    let path = stored(&c, "d-sent", DeliveryStatus::Sent).await;
    c.get(&path).await;
    let refused = c.post(&format!("{path}/cancel"), &[]).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let back = c.get(&path).await;
    assert!(back
        .body
        .contains("この配信は「配信済み」のため、この操作はできません。"));
}

#[tokio::test]
async fn the_emergency_switch_asks_first_naming_the_menu_and_the_friends() {
    let mut c = Console::signed_in(
        "bousai",
        "防災 三郎",
        "防災課",
        [Permission::EmergencySwitch].into_iter().collect(),
    )
    .await;
    c.get("/admin/emergency").await;
    let asked = c
        .post(
            "/admin/emergency",
            &[("mode", "emergency"), ("reason", "大雨警報の発表")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_asks(
        &asked.body,
        &[
            "緊急メニュー",
            "友だち全員（現在 0 人）",
            "大雨警報の発表",
            "name=\"reason\" value=\"大雨警報の発表\"",
        ],
    );
    let designation = RichMenus::new(c.state.platform.table.clone())
        .designation()
        .await
        .unwrap();
    assert_eq!(designation.switched_at, None, "nothing was switched");
}

#[tokio::test]
async fn a_deliverys_details_name_the_staff_and_a_copy_says_it_is_one() {
    let office = office().await;
    let mut c = office.another_browser();
    c.sign_in("approver").await;
    let path = stored(&c, "d-names", DeliveryStatus::AwaitingApproval).await;
    c.get(&path).await;
    c.post(&format!("{path}/approve"), &[("confirmed", "yes")])
        .await;
    let page = c.get(&path).await;
    assert!(page.body.contains("<dd>清水 一郎（"), "{}", page.body);
    assert!(page.body.contains("<dd>若狭 二郎（"), "{}", page.body);
    assert!(!page.body.contains("<dd>sender（"));
    assert!(!page.body.contains("<dd>approver（"));

    let copy = c.post(&format!("{path}/duplicate"), &[]).await;
    let copy_path = copy.location.unwrap();
    let composer = c.get(&copy_path).await;
    assert!(composer
        .body
        .contains(&format!("value=\"{TITLE}（コピー）\"")));
}
