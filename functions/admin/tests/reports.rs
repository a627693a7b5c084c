//! 通報 in the console: each clerk sees only their departments' reports, every change is audited
//! and refused outside the department, posts need the CSRF token, a template fills the comment
//! without a script, a verified bear sighting becomes a delivery draft to its district that
//! takes the normal approval, the CSV is Excel-ready, and the citizen's words are escaped.

use crate::support;

use axum::http::StatusCode;
use chrono::Utc;
use support::{Console, PASSWORD};
use tayori_admin::auth::password;
use tayori_admin::pages::reports::export;
use tayori_deliveries::DeliveryDesk;
use tayori_domain::facility::{Extras, Facility, KindId, Position, Site};
use tayori_domain::report::CategoryId;
use tayori_domain::report::{Channel, Contact, Report, ReportForm, ReportStatus, Reporter};
use tayori_domain::segment::{Target, DISTRICT_ITEM};
use tayori_domain::staff::{
    DepartmentScope, LoginId, Permission, PermissionSet, StaffAccount, StaffProfile,
};
use tayori_records::Facilities;

const CITY_HALL: (f64, f64) = (35.4953, 135.7466);

fn holding(permissions: &[Permission]) -> PermissionSet {
    permissions.iter().copied().collect()
}

/// A clerk of `department` whose scope is that department only.
async fn add_clerk(
    c: &Console,
    login: &str,
    name: &str,
    department: &str,
    permissions: &[Permission],
) {
    let account = StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: name.into(),
            department: department.into(),
            permissions: holding(permissions),
            scope: DepartmentScope::Only([department.to_string()].into_iter().collect()),
        },
        password::hash(PASSWORD),
        Utc::now(),
    );
    assert!(c.state.staff.create(&account).await.unwrap());
}

/// A console with 市役所 registered (so a place near it is in the city) and `login` of
/// `department` signed in.
async fn console_of(
    login: &str,
    name: &str,
    department: &str,
    permissions: &[Permission],
) -> Console {
    let mut c = Console::signed_in("setup", "準備 係", "総務課", PermissionSet::default()).await;
    let site = Facility::new(
        Site {
            id: "city-hall".into(),
            kind: KindId::shelter(),
            name: "小浜市役所".into(),
            address: "福井県小浜市大手町6-3".into(),
            position: Position::new(CITY_HALL.0, CITY_HALL.1).unwrap(),
            hazards: vec![],
            designated_shelter: true,
            accepts: None,
            gsi_ids: vec![],
        },
        Extras::default(),
    )
    .unwrap();
    Facilities::new(c.state.platform.table.clone())
        .replace(None, &[site], Utc::now())
        .await
        .unwrap();
    add_clerk(&c, login, name, department, permissions).await;
    c.cookies.clear();
    c.sign_in(login).await;
    c
}

/// A report of `category` filed by a citizen a few metres from 市役所.
async fn filed(c: &Console, category: &str, details: &str, contact: Option<Contact>) -> Report {
    c.state
        .reports
        .file_direct(
            &CategoryId::parse(category).unwrap(),
            ReportForm {
                position: Position::new(CITY_HALL.0 + 0.0001, CITY_HALL.1).unwrap(),
                place_note: Some("大手町の交差点".into()),
                photos: vec![],
                details: details.into(),
                answers: vec![],
                reporter: Reporter {
                    user_id: "U-citizen-1".into(),
                    contact,
                },
                channel: Channel::Liff,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_clerk_sees_only_the_reports_of_their_own_department() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    let animal = filed(&c, "animal", "猫の死骸があります", None).await;
    let list = c.get("/admin/reports").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(light.receipt()), "{}", list.body);
    assert!(!list.body.contains(animal.receipt()));
    assert!(!list.body.contains("動物の死骸"));
    // The department filter offers only the clerk's own.
    assert!(list.body.contains("<option value=\"土木課\""));
    assert!(!list.body.contains("<option value=\"環境衛生課\""));
    let other = c.get(&format!("/admin/reports/{}", animal.id())).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(other.body.contains("環境衛生課の担当です"));
    assert!(!other.body.contains("猫の死骸"));
    let map = c.get("/admin/reports/map").await;
    assert!(map.body.contains("id=\"map-reports\""));
    assert!(map.body.contains(light.receipt()));
    assert!(!map.body.contains(animal.receipt()));
}

#[tokio::test]
async fn urgent_open_reports_head_the_list() {
    let mut c = console_of(
        "nourin",
        "農林 三郎",
        "農林水産課",
        &[Permission::ReportsHandle],
    )
    .await;
    // A clerk whose scope is every department.
    c.add_staff(
        "kanri",
        "管理 花子",
        "総務課",
        holding(&[Permission::ReportsHandle]),
        Utc::now(),
    )
    .await;
    c.cookies.clear();
    c.sign_in("kanri").await;
    let bear = filed(&c, "wildlife", "クマを見ました", None).await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    let list = c.get("/admin/reports").await.body;
    let (b, l) = (
        list.find(bear.receipt()).unwrap(),
        list.find(light.receipt()).unwrap(),
    );
    assert!(b < l, "the bear comes first although it was filed first");
    assert!(list.contains("<tr class=\"urgent\">"));
}

#[tokio::test]
async fn a_status_change_is_audited_and_refused_in_another_department() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    let animal = filed(&c, "animal", "猫の死骸があります", None).await;
    c.get(&format!("/admin/reports/{}", light.id())).await;
    let changed = c
        .post(
            &format!("/admin/reports/{}/status", light.id()),
            &[
                ("action", "change"),
                ("status", "in_progress"),
                ("comment", "業者に修理を依頼しました。"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let stored = c.state.reports.get(light.id()).await.unwrap();
    assert_eq!(stored.status(), ReportStatus::InProgress);
    assert!(c
        .audit_actions()
        .await
        .contains(&"通報の状況を変更".to_string()));
    let (entries, _) = {
        let now = tayori_domain::time::to_jst(Utc::now());
        use chrono::Datelike;
        c.state
            .audit
            .month(now.year(), now.month(), None, 10)
            .await
            .unwrap()
    };
    let entry = entries
        .iter()
        .find(|e| e.action == "通報の状況を変更")
        .unwrap();
    assert!(entry.summary.contains("受付 → 対応中"), "{}", entry.summary);
    assert_eq!(entry.target, format!("report:{}", light.id()));

    let refused = c
        .post(
            &format!("/admin/reports/{}/status", animal.id()),
            &[
                ("action", "change"),
                ("status", "in_progress"),
                ("comment", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let untouched = c.state.reports.get(animal.id()).await.unwrap();
    assert_eq!(untouched.status(), ReportStatus::Received);
}

#[tokio::test]
async fn a_refused_move_is_said_on_the_page_with_the_comment_kept() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    c.get(&format!("/admin/reports/{}", light.id())).await;
    let refused = c
        .post(
            &format!("/admin/reports/{}/status", light.id()),
            &[
                ("action", "change"),
                ("status", "declined"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.body.contains("理由をコメントに書いてください"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"error-summary\""));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    let forged = c
        .post_exactly(
            &format!("/admin/reports/{}/status", light.id()),
            &[("action", "change"), ("status", "done"), ("comment", "")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let stored = c.state.reports.get(light.id()).await.unwrap();
    assert_eq!(stored.status(), ReportStatus::Received);
}

#[tokio::test]
async fn a_template_fills_the_comment_and_changes_nothing() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "街路灯が消えています", None).await;
    c.get("/admin/reports/templates").await;
    let added = c
        .post(
            "/admin/reports/templates",
            &[
                ("name", "現地確認"),
                ("text", "現地を確認しました。順次対応します。"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(c
        .audit_actions()
        .await
        .contains(&"定型文を追加".to_string()));
    let template = c.state.reports.templates().await.unwrap().remove(0);
    let page = c.get(&format!("/admin/reports/{}", light.id())).await;
    assert!(page.body.contains("id=\"f-template\""));
    let filled = c
        .post(
            &format!("/admin/reports/{}/status", light.id()),
            &[
                ("action", "fill"),
                ("template", template.id()),
                ("status", "checking"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(
        filled
            .body
            .contains("現地を確認しました。順次対応します。</textarea>"),
        "{}",
        filled.body
    );
    assert!(filled.body.contains("<option value=\"checking\" selected>"));
    let stored = c.state.reports.get(light.id()).await.unwrap();
    assert_eq!(stored.status(), ReportStatus::Received);
}

#[tokio::test]
async fn a_verified_bear_sighting_becomes_a_draft_to_its_district_that_awaits_approval() {
    let mut c = console_of(
        "nourin",
        "農林 三郎",
        "農林水産課",
        &[Permission::ReportsHandle, Permission::DeliveryDraft],
    )
    .await;
    let bear = filed(&c, "wildlife", "クマを見ました", None).await;
    let path = format!("/admin/reports/{}", bear.id());
    let page = c.get(&path).await;
    assert!(
        !page.body.contains("id=\"create-alert\""),
        "not yet verified"
    );
    c.post(&format!("{path}/district"), &[("district", "雲浜")])
        .await;
    c.get(&path).await;
    c.post(
        &format!("{path}/status"),
        &[
            ("action", "change"),
            ("status", "checking"),
            ("comment", ""),
        ],
    )
    .await;
    let page = c.get(&path).await;
    assert!(page.body.contains("出没情報の配信を作成"), "{}", page.body);
    let created = c.post(&format!("{path}/alert"), &[]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let to = created.location.unwrap();
    let delivery_id = to.strip_prefix("/admin/deliveries/").unwrap().to_string();
    let linked = c.state.reports.get(bear.id()).await.unwrap();
    assert_eq!(linked.alert_delivery_id(), Some(delivery_id.as_str()));
    let deliveries = DeliveryDesk::new(&c.state.platform);
    let draft = deliveries.get(&delivery_id).await.unwrap();
    let Target::Segment { conditions } = draft.target() else {
        panic!("a district target");
    };
    assert_eq!(conditions[0].item, DISTRICT_ITEM);
    assert_eq!(conditions[0].values, ["雲浜"]);
    let actions = c.audit_actions().await;
    assert!(actions.contains(&"出没情報の配信を作成".to_string()));
    assert!(actions.contains(&"通報を配信につなげる".to_string()));
    // The normal approval: the drafter asks for it, an approver sees it waiting.
    deliveries
        .submit(&delivery_id, "nourin", false)
        .await
        .unwrap();
    add_clerk(
        &c,
        "shonin",
        "承認 四郎",
        "総務課",
        &[Permission::DeliveryApprove],
    )
    .await;
    let mut approver = c.another_browser();
    approver.sign_in("shonin").await;
    let approvals = approver.get("/admin/approvals").await;
    assert!(
        approvals.body.contains("出没情報（雲浜地区"),
        "{}",
        approvals.body
    );
    // Once linked, the button is gone and a second post is refused.
    let again = c.post(&format!("{path}/alert"), &[]).await;
    assert_eq!(again.location.as_deref(), Some(path.as_str()));
}

#[tokio::test]
async fn without_the_draft_permission_no_alert_is_offered() {
    let mut c = console_of(
        "nourin",
        "農林 三郎",
        "農林水産課",
        &[Permission::ReportsHandle],
    )
    .await;
    let bear = filed(&c, "wildlife", "クマを見ました", None).await;
    let path = format!("/admin/reports/{}", bear.id());
    c.get(&path).await;
    c.post(
        &format!("{path}/status"),
        &[
            ("action", "change"),
            ("status", "checking"),
            ("comment", ""),
        ],
    )
    .await;
    let page = c.get(&path).await;
    assert!(!page.body.contains("id=\"create-alert\""));
    let refused = c.post(&format!("{path}/alert"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_csv_has_a_bom_and_the_rows_and_is_audited() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let light = filed(&c, "streetlight", "=HYPERLINK(\"x\")", None).await;
    let ask = |encoding: &'static str| {
        [
            ("category", ""),
            ("status", ""),
            ("district", ""),
            ("from", ""),
            ("to", ""),
            ("department", ""),
            ("encoding", encoding),
        ]
    };
    c.get("/admin/reports").await;
    let asked = c.post(export::PATH, &ask("utf8")).await;
    assert_eq!(asked.location.as_deref(), Some("/admin/exports"));
    let (made, bytes) = c.made_export("doboku").await;
    assert_eq!(made.conditions().described(), "担当するすべての通報");
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("受付番号,受付日時,種類"));
    assert!(csv.contains(light.receipt()));
    assert!(csv.contains("街路灯"));
    assert!(!csv.contains(",=HYPERLINK"), "formulas are defused: {csv}");
    c.get("/admin/reports").await;
    c.post(export::PATH, &ask("sjis")).await;
    let (_, bytes) = c.made_export("doboku").await;
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!malformed);
    assert!(text.contains(light.receipt()));
    assert!(c
        .audit_actions()
        .await
        .contains(&"CSVの作成を依頼".to_string()));
}

#[tokio::test]
async fn the_citizens_words_are_escaped_and_the_contact_is_shown_only_when_asked() {
    let mut c = console_of(
        "kankyo",
        "環境 五郎",
        "環境衛生課",
        &[Permission::ReportsHandle],
    )
    .await;
    let dumped = filed(
        &c,
        "dumping",
        "<script>alert(1)</script>ごみが捨てられています",
        Some(Contact {
            name: "小浜 太郎".into(),
            phone: "0770-53-1111".into(),
        }),
    )
    .await;
    let path = format!("/admin/reports/{}", dumped.id());
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains("0770-53-1111"));
    assert!(!c
        .audit_actions()
        .await
        .contains(&"通報の連絡先を表示".to_string()));
    let shown = c.post(&format!("{path}/contact"), &[]).await;
    assert!(shown.body.contains("0770-53-1111"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"通報の連絡先を表示".to_string()));
}

#[tokio::test]
async fn assignment_notes_district_and_duplicates_are_each_audited() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    add_clerk(
        &c,
        "doboku2",
        "土木 二郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    add_clerk(
        &c,
        "kankyo",
        "環境 五郎",
        "環境衛生課",
        &[Permission::ReportsHandle],
    )
    .await;
    let first = filed(&c, "streetlight", "街路灯が消えています", None).await;
    let second = filed(&c, "streetlight", "同じ街路灯です", None).await;
    let path = format!("/admin/reports/{}", second.id());
    let page = c.get(&path).await;
    assert!(page.body.contains("id=\"possible-duplicates\""));
    assert!(
        page.body.contains("土木 二郎"),
        "assignable in the department"
    );
    assert!(!page.body.contains("環境 五郎"), "not outside it");
    c.post(&format!("{path}/assign"), &[("assignee", "doboku2")])
        .await;
    let outside = c
        .post(&format!("{path}/assign"), &[("assignee", "kankyo")])
        .await;
    assert_eq!(outside.location.as_deref(), Some(path.as_str()));
    c.post(&format!("{path}/note"), &[("note", "明日現地確認")])
        .await;
    c.post(&format!("{path}/district"), &[("district", "小浜")])
        .await;
    c.post(
        &format!("{path}/duplicate"),
        &[
            ("original", first.receipt()),
            ("comment", "先の通報で対応します。"),
        ],
    )
    .await;
    let stored = c.state.reports.get(second.id()).await.unwrap();
    assert_eq!(stored.assignee().unwrap().name, "土木 二郎");
    assert_eq!(stored.notes().len(), 1);
    assert_eq!(stored.district(), Some("小浜"));
    assert_eq!(stored.status(), ReportStatus::Duplicate);
    assert_eq!(stored.duplicate_of(), Some(first.id()));
    let actions = c.audit_actions().await;
    for action in [
        "通報の担当者を変更",
        "通報に内部メモを追加",
        "通報の地区を修正",
        "通報を重複として登録",
    ] {
        assert!(actions.contains(&action.to_string()), "{action}");
    }
    let page = c.get(&path).await;
    assert!(page.body.contains(first.receipt()));
    assert!(page.body.contains("明日現地確認"));
}

#[tokio::test]
async fn categories_are_edited_within_the_scope_and_audited() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    let list = c.get("/admin/reports/categories").await;
    assert!(list.body.contains("クマ・イノシシ・シカの出没"));
    let outside = c.get("/admin/reports/categories/animal").await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    c.get("/admin/reports/categories/streetlight").await;
    let saved = c
        .post(
            "/admin/reports/categories/streetlight",
            &[
                ("name", "街路灯・防犯灯"),
                ("department", "土木課"),
                ("description", "消えている灯りを知らせてください。"),
                ("anonymous_allowed", "yes"),
                ("order", "3"),
                ("q1", "電柱の番号（わかれば）"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = c
        .state
        .reports
        .category(&CategoryId::parse("streetlight").unwrap())
        .await
        .unwrap();
    assert_eq!(stored.name(), "街路灯・防犯灯");
    assert_eq!(stored.questions().len(), 1);
    let moved = c
        .post(
            "/admin/reports/categories/streetlight",
            &[
                ("name", "街路灯"),
                ("department", "環境衛生課"),
                ("order", "3"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert!(moved.body.contains("担当課の範囲外の課は指定できません。"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"通報の種類を変更".to_string()));
}

#[tokio::test]
async fn the_usage_report_counts_reports_by_category_and_district() {
    let mut c = console_of(
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle, Permission::UsageReports],
    )
    .await;
    filed(&c, "streetlight", "街路灯が消えています", None).await;
    let usage = c.get("/admin/usage").await;
    assert!(
        usage.body.contains("id=\"usage-reports-category\""),
        "{}",
        usage.body
    );
    assert!(usage.body.contains("<th>街路灯</th>"));
    let home = c.get("/admin").await;
    assert!(home.body.contains("対応中の通報 1 件"), "{}", home.body);
}

#[tokio::test]
async fn photos_are_shown_through_short_lived_presigned_addresses_on_the_consoles_origin() {
    use std::sync::Arc;
    use tayori_adapters::embedded;
    use tayori_images::{Encoded, Format};
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus, _objects) = embedded::platform_at(
        dir.path(),
        Arc::new(tayori_ports::SystemClock),
        "http://127.0.0.1:3000",
    )
    .unwrap();
    let line = Arc::new(tayori_line::LineClient::new(
        tayori_line::LineConfig::default(),
    ));
    let mut c = Console::over(platform, line, dir);
    let site = Facility::new(
        Site {
            id: "city-hall".into(),
            kind: KindId::shelter(),
            name: "小浜市役所".into(),
            address: "福井県小浜市大手町6-3".into(),
            position: Position::new(CITY_HALL.0, CITY_HALL.1).unwrap(),
            hazards: vec![],
            designated_shelter: true,
            accepts: None,
            gsi_ids: vec![],
        },
        Extras::default(),
    )
    .unwrap();
    Facilities::new(c.state.platform.table.clone())
        .replace(None, &[site], Utc::now())
        .await
        .unwrap();
    add_clerk(
        &c,
        "doboku",
        "土木 一郎",
        "土木課",
        &[Permission::ReportsHandle],
    )
    .await;
    c.sign_in("doboku").await;
    let encoded = |bytes: &[u8]| Encoded {
        bytes: bytes.to_vec(),
        format: Format::Jpeg,
        width: 640,
        height: 480,
    };
    let photo = tayori_reporting::store_encoded(
        c.state.platform.objects.as_ref(),
        &encoded(b"photo"),
        &encoded(b"thumb"),
    )
    .await
    .unwrap();
    let report = c
        .state
        .reports
        .file_direct(
            &CategoryId::parse("road").unwrap(),
            ReportForm {
                position: Position::new(CITY_HALL.0, CITY_HALL.1).unwrap(),
                place_note: None,
                photos: vec![photo.clone()],
                details: "ガードレールが曲がっています".into(),
                answers: vec![],
                reporter: Reporter {
                    user_id: "U-citizen-2".into(),
                    contact: None,
                },
                channel: Channel::Liff,
            },
        )
        .await
        .unwrap();
    let page = c.get(&format!("/admin/reports/{}", report.id())).await;
    let src = format!("src=\"http://127.0.0.1:3000/_objects/{}", photo.key);
    assert!(page.body.contains(&src), "{}", page.body);
    assert!(page.body.contains("5分で無効"));
    let list = c.get("/admin/reports").await;
    assert!(
        list.body.contains("<td class=\"num\">1</td>"),
        "one photo counted"
    );
}
