//! 友だち集め in the console: who may use it, what is refused (with what was typed kept), the
//! poster listing only what the account does now, LINE's own count beside ours, and places
//! added and removed in the audit log.

use crate::support::{office_config, Console};

use axum::http::StatusCode;
use chrono::Utc;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::pages::forms::FormsLink;
use tayori_admin::AdminConfig;
use tayori_domain::faq::FaqDraft;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_records::audit::Clerk;

async fn console() -> (Console, FakeLine) {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    let config = AdminConfig {
        // Where the QR on a poster opens: the public page (no LIFF app set up here).
        forms_link: FormsLink::new(Some("https://line.example.jp".into()), None),
        ..office_config()
    };
    let c = Console::configured(platform, line, dir, config);
    for (login, permissions) in [
        ("kikaku", [Permission::UsageReports].into_iter().collect()),
        ("kouhou", [Permission::DeliveryDraft].into_iter().collect()),
        ("faq", PermissionSet::from_iter([Permission::Faq])),
    ] {
        c.add_staff(login, login, "企画課", permissions, Utc::now())
            .await;
    }
    (c, fake)
}

/// Every page's text of a PDF, with the spaces and line breaks of its layout taken out.
fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn a_clerk_sets_up_the_kit_and_prints_a_poster_of_what_the_account_does_now() {
    let (c, fake) = console().await;
    fake.set_followers(120, 100, 8);
    let mut other = c.another_browser();
    other.sign_in("kouhou").await;
    assert_eq!(
        other.get("/admin/friend-kit").await.status,
        StatusCode::FORBIDDEN
    );

    let mut b = c.another_browser();
    b.sign_in("kikaku").await;
    let page = b.get("/admin/friend-kit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("どの場所から友だち追加したかは数えられません"),
        "without the LIFF app, follows by place are not offered"
    );
    assert!(
        page.body.contains(
            "これまでに友だち追加した人 120人、ブロック中 8人、属性で絞り込んだ配信が届く人 100人"
        ),
        "LINE's own count: {}",
        page.body
    );

    let forged = b
        .post_exactly(
            "/admin/friend-kit/account",
            &[
                ("basic_id", "@123abcde"),
                ("department", "企画課"),
                ("phone", "0770-53-1111"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let refused = b
        .post(
            "/admin/friend-kit/account",
            &[
                ("basic_id", "123abcde"),
                ("department", "企画部 総合政策課"),
                ("phone", "代表"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("「@」で始まる英数字"));
    assert!(refused.body.contains("電話番号は数字とハイフン"));
    assert!(
        refused.body.contains("value=\"企画部 総合政策課\""),
        "typed kept"
    );
    let saved = b
        .post(
            "/admin/friend-kit/account",
            &[
                ("basic_id", "＠１２３ＡＢＣＤＥ"),
                ("department", "企画部 総合政策課"),
                ("phone", "0770-53-1111"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(b
        .get("/admin/friend-kit")
        .await
        .body
        .contains("value=\"@123abcde\""));

    let added = b
        .post("/admin/friend-kit/places", &[("place", "窓口")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let again = b
        .post("/admin/friend-kit/places", &[("place", "窓口")])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("「窓口」はもう登録されています。"));

    let poster = b.get("/admin/friend-kit/places/1/poster?paper=a4").await;
    assert_eq!(poster.status, StatusCode::OK);
    assert_eq!(poster.content_type.as_deref(), Some("application/pdf"));
    let text = text_of(&poster.bytes);
    for printed in [
        "小浜市",
        "友だち募集中",
        "@123abcde",
        "企画部総合政策課",
        "0770-53-1111",
        "近くの避難所のご案内",
    ] {
        assert!(text.contains(printed), "{printed} in {text}");
    }
    assert!(
        !text.contains("よくある質問") && !text.contains("子育て情報"),
        "no FAQ published and no child-rearing schedule: not offered. {text}"
    );

    // An FAQ published: the next poster offers it.
    let account = c
        .state
        .staff
        .get(&tayori_domain::staff::LoginId::parse("faq").unwrap())
        .await
        .unwrap()
        .unwrap();
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    c.state
        .faq
        .create(
            clerk,
            &FaqDraft {
                category: "手続き".into(),
                department: "市民課".into(),
                question: "住民票の取り方".into(),
                answer: "市民課の窓口で取れます。".into(),
                published: true,
                ..FaqDraft::default()
            },
        )
        .await
        .unwrap();
    let poster = b.get("/admin/friend-kit/places/1/poster?paper=a6").await;
    assert!(text_of(&poster.bytes).contains("よくある質問に自動でお答え"));

    let removed = b.post("/admin/friend-kit/places/1/remove", &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/admin/friend-kit/places/1/poster?paper=a4")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let actions = b.audit_actions().await;
    for action in [
        "友だち集めのアカウント情報を変更",
        "友だち集めの配る場所を追加",
        "友だち集めの配る場所を削除",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action}: {actions:?}"
        );
    }
}
