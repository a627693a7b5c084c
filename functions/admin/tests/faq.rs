//! FAQ管理 over HTTP as a clerk uses it: write an FAQ, try it, refused input kept, a picture
//! checked and stored where LINE fetches it, the CSV out through the export function and back
//! in (a broken file changes nothing), the unresolved questions, and who may do any of it.

use crate::support;

use axum::http::StatusCode;
use support::Console;
use tayori_domain::faq::{FaqId, Unresolved};
use tayori_domain::staff::Permission;
use tayori_ports::ObjectKey;
use tayori_records::Occasion;

async fn clerk() -> Console {
    Console::signed_in(
        "shimin",
        "市民 花子",
        "市民課",
        [Permission::Faq].into_iter().collect(),
    )
    .await
}

fn faq_fields<'a>(question: &'a str, answer: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("question", question),
        ("phrasings", "住民票がほしい\r\n住民票の写しの取り方"),
        ("answer", answer),
        ("link_label", "市のページ"),
        ("link_url", "https://www1.city.obama.fukui.jp/"),
        ("category", "手続き"),
        ("department", "市民課"),
        ("published", "yes"),
    ]
}

/// The id in an FAQ page's address.
fn id_of(location: &str) -> FaqId {
    FaqId::parse(location.rsplit('/').next().unwrap()).unwrap()
}

#[tokio::test]
async fn a_clerk_writes_an_faq_tries_it_and_a_refused_save_keeps_what_was_typed() {
    let mut c = clerk().await;
    let list = c.get("/admin/faq").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("FAQはまだありません"));

    let refused = c
        .post("/admin/faq", &faq_fields("住民票の写しを取りたい", ""))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("回答を入力してください。"));
    assert!(
        refused.body.contains("住民票の写しを取りたい"),
        "what was typed stays"
    );
    let mut http_link = faq_fields("住民票の写しを取りたい", "市民課の窓口で");
    http_link.retain(|(name, _)| *name != "link_url");
    http_link.push(("link_url", "http://example.jp"));
    let http = c.post("/admin/faq", &http_link).await;
    assert_eq!(http.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(http.body.contains("https://"));

    let made = c
        .post(
            "/admin/faq",
            &faq_fields("住民票の写しを取りたい", "市民課の窓口で受け付けています。"),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let page_path = made.location.unwrap();
    let page = c.get(&page_path).await;
    assert!(page.body.contains("公開中"));
    assert!(page.body.contains("住民票がほしい\n住民票の写しの取り方"));

    let tried = c.get("/admin/faq?try=%E4%BD%8F%E6%B0%91%E7%A5%A8%E3%81%8C%E3%81%BB%E3%81%97%E3%81%84%E3%82%93%E3%81%A7%E3%81%99").await;
    assert!(tried.body.contains("回答："), "{}", tried.body);
    assert!(tried.body.contains(&format!("href=\"{page_path}\"")));
    let nothing = c.get("/admin/faq?try=%E5%A4%A9%E6%B0%97").await;
    assert!(nothing.body.contains("当てはまるFAQはありません"));

    let mut edit = faq_fields("住民票の写しを取りたい", "市民課の窓口で受け付けています。");
    edit.retain(|(name, _)| *name != "published");
    assert_eq!(
        c.post(&page_path, &edit).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(c.get(&page_path).await.body.contains("非公開"));
    let hidden = c
        .get("/admin/faq?try=%E4%BD%8F%E6%B0%91%E7%A5%A8%E3%81%8C%E3%81%BB%E3%81%97%E3%81%84")
        .await;
    assert!(
        hidden.body.contains("当てはまるFAQはありません"),
        "a hidden FAQ answers nothing"
    );

    // Delete asks first; only the confirmed post deletes.
    let asked = c.post(&format!("{page_path}/delete"), &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("まだ実行していません"));
    assert_eq!(c.get(&page_path).await.status, StatusCode::OK);
    let deleted = c
        .post(&format!("{page_path}/delete"), &[("confirmed", "yes")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get(&page_path).await.status, StatusCode::NOT_FOUND);

    let actions = c.audit_actions().await;
    for done in ["FAQを作成", "FAQを変更", "FAQを削除"] {
        assert!(actions.iter().any(|a| a == done), "{done}: {actions:?}");
    }
}

#[tokio::test]
async fn the_answers_picture_is_checked_and_stored_where_line_fetches_it() {
    let mut c = clerk().await;
    c.get("/admin/faq").await;
    let made = c
        .post(
            "/admin/faq",
            &faq_fields("ごみ袋の種類", "指定ごみ袋は3種類です。"),
        )
        .await;
    let page_path = made.location.unwrap();
    c.get(&page_path).await;
    let not_a_picture = c
        .upload(
            &format!("{page_path}/image"),
            &[("photo", "bag.png", b"not a png")],
        )
        .await;
    assert_eq!(not_a_picture.status, StatusCode::SEE_OTHER);
    let id = id_of(&page_path);
    let account = c
        .state
        .staff
        .get(&tayori_domain::staff::LoginId::parse("shimin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let clerk = tayori_records::audit::Clerk {
        account: &account,
        ip: "-",
    };
    assert!(c.state.faq.get(clerk, &id).await.unwrap().image().is_none());

    let photo = tayori_images::fixtures::phone_photo(3000, 2000, 1);
    c.get(&page_path).await;
    let stored = c
        .upload(
            &format!("{page_path}/image"),
            &[("photo", "bag.jpg", &photo)],
        )
        .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER);
    let image = c
        .state
        .faq
        .get(clerk, &id)
        .await
        .unwrap()
        .image()
        .cloned()
        .unwrap();
    for key in [&image.original, &image.preview] {
        assert!(key.starts_with(&format!("media/faq/{id}/")), "{key}");
        let object = c
            .state
            .platform
            .objects
            .get(&ObjectKey::new(key.clone()).unwrap())
            .await
            .unwrap();
        assert!(object.is_some(), "{key} stored");
    }
    let page = c.get(&page_path).await;
    assert!(page.body.contains(&format!("/admin/{}", image.preview)));

    // Removed with the FAQ's picture files.
    c.multipart(&format!("{page_path}/image"), &[("action", "remove")], &[])
        .await;
    assert!(c.state.faq.get(clerk, &id).await.unwrap().image().is_none());
    let gone = c
        .state
        .platform
        .objects
        .get(&ObjectKey::new(image.original.clone()).unwrap())
        .await
        .unwrap();
    assert!(gone.is_none());
}

#[tokio::test]
async fn the_faq_goes_out_as_csv_through_the_export_function_and_comes_back_the_same() {
    let mut c = clerk().await;
    c.get("/admin/faq").await;
    c.post(
        "/admin/faq",
        &faq_fields("住民票の写しを取りたい", "窓口で。"),
    )
    .await;
    c.post("/admin/faq", &faq_fields("=1+1 の質問", "回答"))
        .await;
    c.get("/admin/faq").await;
    let asked = c.post("/admin/faq/export", &[("encoding", "utf8")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let (export, bytes) = c.made_export("shimin").await;
    assert_eq!(export.kind(), tayori_domain::export::ExportKind::Faqs);
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "Excel reads UTF-8 with its BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("ID,分類,担当課,質問,言い換え,回答,リンクの文字,リンクURL,公開\r\n"));
    assert!(text.contains("住民票がほしい|住民票の写しの取り方"));
    assert!(
        text.contains("'=1+1 の質問"),
        "a formula is neutralised: {text}"
    );

    c.get("/admin/faq").await;
    let back = c
        .upload("/admin/faq/import", &[("file", "faq.csv", &bytes)])
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let list = c.get("/admin/faq").await;
    assert!(list.body.contains("新規0件、更新2件"), "{}", list.body);
    assert!(
        list.body.contains("=1+1 の質問"),
        "read back as it was written"
    );

    let broken = "ID,分類,担当課,質問,言い換え,回答,リンクの文字,リンクURL,公開\r\n,ごみ,,新しい質問,,回答,,,公開\r\n,ごみ,,,,回答だけ,,,公開\r\n";
    let refused = c
        .upload(
            "/admin/faq/import",
            &[("file", "faq.csv", broken.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("3行目: 質問を入力してください。"),
        "{}",
        refused.body
    );
    assert!(
        !c.get("/admin/faq").await.body.contains("新しい質問"),
        "nothing was imported"
    );

    c.get("/admin/faq").await;
    let not_csv = c
        .upload(
            "/admin/faq/import",
            &[("file", "faq.csv", b"\xff\xfe\x00garbage\"")],
        )
        .await;
    assert_eq!(not_csv.status, StatusCode::SEE_OTHER);
    assert!(c
        .get("/admin/faq")
        .await
        .body
        .contains("CSVを読み取れませんでした"));
}

#[tokio::test]
async fn unresolved_questions_become_faqs_or_are_marked_done() {
    let mut c = clerk().await;
    let at = chrono::Utc::now();
    c.state
        .faq
        .unanswered(
            "ペイペイで払えますか",
            at,
            &Occasion::each_time(),
            Default::default(),
        )
        .await
        .unwrap();
    c.state
        .faq
        .unanswered("こんにちは", at, &Occasion::each_time(), Default::default())
        .await
        .unwrap();
    let page = c.get("/admin/faq/questions").await;
    assert!(page.body.contains("ペイペイで払えますか"));
    let account = c
        .state
        .staff
        .get(&tayori_domain::staff::LoginId::parse("shimin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let clerk = tayori_records::audit::Clerk {
        account: &account,
        ip: "-",
    };
    let open = c.state.faq.open_questions(clerk).await.unwrap();
    let paypay = open
        .iter()
        .find(|q| q.text.starts_with("ペイペイ"))
        .unwrap();
    assert_eq!(paypay.kind, Unresolved::Unanswered);

    let form = c.get(&format!("/admin/faq/new?question=%E3%83%9A%E3%82%A4%E3%83%9A%E3%82%A4%E3%81%A7%E6%89%95%E3%81%88%E3%81%BE%E3%81%99%E3%81%8B&from={}", paypay.key)).await;
    assert!(form.body.contains("value=\"ペイペイで払えますか\""));
    let mut fields = faq_fields(
        "ペイペイで払えますか",
        "市税はスマートフォン決済で納付できます。",
    );
    fields.push(("from", &paypay.key));
    let made = c.post("/admin/faq", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let hello = open.iter().find(|q| q.text == "こんにちは").unwrap();
    c.get("/admin/faq/questions").await;
    c.post(&format!("/admin/faq/questions/{}/close", hello.key), &[])
        .await;
    let after = c.get("/admin/faq/questions").await;
    assert!(
        after.body.contains("未解決の質問はありません"),
        "{}",
        after.body
    );
    assert!(c
        .audit_actions()
        .await
        .iter()
        .any(|a| a == "未解決の質問を対応済みに"));
}

#[tokio::test]
async fn staff_without_faq_management_see_neither_the_menu_nor_the_pages() {
    let mut c = Console::signed_in(
        "kouhou",
        "広報 次郎",
        "広報課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await;
    assert!(!c.get("/admin").await.body.contains("FAQ（自動応答）"));
    for path in [
        "/admin/faq",
        "/admin/faq/new",
        "/admin/faq/questions",
        "/admin/faq/synonyms",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let posted = c.post("/admin/faq", &faq_fields("q", "a")).await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn synonyms_are_saved_and_a_word_too_long_is_refused_with_its_line() {
    let mut c = clerk().await;
    c.get("/admin/faq/synonyms").await;
    let saved = c
        .post(
            "/admin/faq/synonyms",
            &[("synonyms", "粗大ごみ、大型ごみ\r\n子ども,子供")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/faq/synonyms").await;
    assert!(
        page.body.contains("粗大ごみ、大型ごみ\n子ども、子供"),
        "{}",
        page.body
    );
    let long = format!("a、b\r\nc、{}", "長".repeat(31));
    let refused = c.post("/admin/faq/synonyms", &[("synonyms", &long)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("2行目"));
}
