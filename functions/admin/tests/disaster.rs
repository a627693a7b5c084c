//! 災害対応: staff open an emergency with its hazards, every console page then carries the
//! banner, a second one cannot be opened while it is, and closing is confirmed first; both are
//! audited. Only staff with 緊急メニュー切替 open or close one.

use crate::support;

use axum::http::StatusCode;
use support::Console;
use tayori_domain::hazard::Hazard;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_records::Emergencies;

fn holding(permissions: &[Permission]) -> PermissionSet {
    permissions.iter().copied().collect()
}

fn emergencies(c: &Console) -> Emergencies {
    Emergencies::new(c.state.platform.table.clone())
}

const BANNER: &str = "災害対応中：令和8年7月大雨";

#[tokio::test]
async fn an_opened_emergency_shows_on_every_page_until_it_is_closed_and_both_are_audited() {
    let mut c = Console::signed_in(
        "bousai",
        "防災 花子",
        "防災安全課",
        holding(&[Permission::EmergencySwitch, Permission::Greetings]),
    )
    .await;
    let page = c.get("/admin/disaster").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("現在、開始している災害対応はありません"));
    assert!(!c.get("/admin").await.body.contains("災害対応中："));

    let opened = c
        .post(
            "/admin/disaster",
            &[
                ("title", "令和8年7月大雨"),
                ("hazard", "flood"),
                ("hazard", "landslide"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let open = emergencies(&c).current().await.unwrap().expect("open");
    assert_eq!(open.title(), "令和8年7月大雨");
    assert_eq!(open.hazards(), &[Hazard::Flood, Hazard::Landslide]);
    assert!(c
        .audit_actions()
        .await
        .contains(&"災害対応を開始".to_string()));

    // The banner, with the time it opened in JST, on pages of two different areas.
    let opened_at = tayori_domain::time::format_jst(open.opened_at());
    for path in ["/admin", "/admin/greetings", "/admin/emergency"] {
        let body = c.get(path).await.body;
        assert!(body.contains(BANNER), "{path}");
        assert!(body.contains(&format!("（{opened_at}〜）")), "{path}");
        assert!(body.contains("class=\"disaster-banner\""), "{path}");
    }
    let page = c.get("/admin/disaster").await.body;
    assert!(page.contains("この災害対応を終了する"));
    assert!(page.contains("洪水・土砂災害"));

    // A second one is refused while the first is open.
    let second = c
        .post(
            "/admin/disaster",
            &[("title", "地震"), ("hazard", "earthquake")],
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/disaster").await.body;
    assert!(
        page.contains("すでに災害対応「令和8年7月大雨」が開始されています"),
        "{page}"
    );
    assert_eq!(emergencies(&c).recent(10).await.unwrap().len(), 1);

    // Closing asks first; only the confirmed post closes it.
    let close = format!("/admin/disaster/{}/close", open.id());
    let asked = c.post(&close, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("災害対応の終了の確認"));
    assert!(emergencies(&c).current().await.unwrap().is_some());
    let closed = c.post(&close, &[("confirmed", "yes")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    assert_eq!(emergencies(&c).current().await.unwrap(), None);
    let stored = emergencies(&c).get(open.id()).await.unwrap().unwrap();
    assert_eq!(stored.closed_by(), Some("bousai"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"災害対応を終了".to_string()));

    for path in ["/admin", "/admin/greetings"] {
        assert!(!c.get(path).await.body.contains("災害対応中："), "{path}");
    }
    let page = c.get("/admin/disaster").await.body;
    assert!(page.contains("これまでの災害対応"));
    assert!(page.contains("令和8年7月大雨"));
    assert!(page.contains("職員（bousai）"));
}

#[tokio::test]
async fn an_emergency_without_a_name_is_refused_with_the_choices_kept() {
    let mut c = Console::signed_in(
        "bousai",
        "防災 花子",
        "防災安全課",
        holding(&[Permission::EmergencySwitch]),
    )
    .await;
    c.get("/admin/disaster").await;
    let refused = c
        .post("/admin/disaster", &[("title", "  "), ("hazard", "tsunami")])
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("災害対応の名前を入力してください。"));
    assert!(
        refused.body.contains("value=\"tsunami\" checked"),
        "{}",
        refused.body
    );
    assert_eq!(emergencies(&c).current().await.unwrap(), None);
}

#[tokio::test]
async fn a_clerk_without_the_emergency_switch_cannot_open_one_but_sees_the_banner() {
    let mut boss = Console::signed_in(
        "bousai",
        "防災 花子",
        "防災安全課",
        holding(&[Permission::EmergencySwitch]),
    )
    .await;
    boss.get("/admin/disaster").await;
    boss.post("/admin/disaster", &[("title", "令和8年7月大雨")])
        .await;

    let mut clerk = boss.another_browser();
    clerk
        .add_staff(
            "kouhou",
            "広報 次郎",
            "広報課",
            holding(&[Permission::Greetings]),
            chrono::Utc::now(),
        )
        .await;
    clerk.sign_in("kouhou").await;
    assert_eq!(
        clerk.get("/admin/disaster").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = clerk
        .post("/admin/disaster", &[("title", "勝手な災害")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(clerk.get("/admin/greetings").await.body.contains(BANNER));
    // Nobody signed in: the sign-in page says nothing of it.
    let mut stranger = boss.another_browser();
    assert!(!stranger.get("/admin/login").await.body.contains(BANNER));
}

/// The composer's fields for one text bubble to everyone, submitted.
fn submitted(text: &str) -> Vec<(&str, &str)> {
    vec![
        ("title", "【警戒レベル4】避難指示"),
        ("category", "防災"),
        ("kind0", "text"),
        ("text0", text),
        ("target", "all"),
        ("action", "submit"),
    ]
}

#[tokio::test]
async fn a_template_fills_the_composer_and_cannot_be_submitted_until_its_blanks_are_filled() {
    use tayori_domain::delivery::DeliveryStatus;
    let mut c = Console::signed_in(
        "kouhou",
        "広報 次郎",
        "広報課",
        holding(&[Permission::DeliveryDraft]),
    )
    .await;
    let blank = c.get("/admin/deliveries/new").await.body;
    assert!(blank.contains("ひな形から作る"));
    assert!(blank.contains("警戒レベル3 高齢者等避難"));
    assert!(!blank.contains("危険な場所から全員避難"));

    let page = c.get("/admin/deliveries/new?template=level4").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("「警戒レベル4 避難指示」を発令しました"));
    assert!(page.body.contains("危険な場所から全員避難してください。"));
    assert!(page.body.contains("value=\"【警戒レベル4】避難指示\""));
    assert!(page.body.contains("<option value=\"防災\" selected>"));
    let text = tayori_admin::pages::disaster::templates::find("level4")
        .unwrap()
        .text;

    let refused = c
        .multipart("/admin/deliveries", &submitted(text), &[])
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert!(
        refused.body.contains(
            "ひな形の記入欄 【対象地区】【災害の種類】【開設避難所】【発令時刻】 が残っています"
        ),
        "{}",
        refused.body
    );
    let deliveries = tayori_records::Deliveries::new(c.state.platform.table.clone());
    let kept = deliveries.list(10, None).await.unwrap().0;
    assert_eq!(kept.len(), 1, "kept as a draft");
    assert_eq!(kept[0].status(), DeliveryStatus::Draft);

    let filled = text
        .replace("【対象地区】", "西津地区")
        .replace("【災害の種類】", "洪水")
        .replace("【開設避難所】", "西津公民館")
        .replace("【発令時刻】", "7月10日 14時30分");
    let path = format!("/admin/deliveries/{}", kept[0].id());
    c.get(&path).await;
    let asked = c.multipart(&path, &submitted(&filled), &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let sent = deliveries.get(kept[0].id()).await.unwrap().unwrap();
    assert_ne!(
        sent.status(),
        DeliveryStatus::Draft,
        "submitted for approval"
    );
}
