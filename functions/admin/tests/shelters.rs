//! 避難所・施設: the registry pages, a site's extras saved and audited with before and after,
//! and the field staff's status page: refused with a way forward while no emergency is open,
//! each press timestamped and audited once one is. Only staff with 避難所情報 get in.

use crate::support;

use axum::http::StatusCode;
use support::Console;
use tayori_domain::emergency::{Cause, Emergency};
use tayori_domain::facility::{Extras, Facility, KindId, Position, ShelterStatus, Site};
use tayori_domain::hazard::Hazard;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_records::{Emergencies, Facilities};

fn holding(permissions: &[Permission]) -> PermissionSet {
    permissions.iter().copied().collect()
}

fn site(id: &str, name: &str, designated_shelter: bool, hazards: &[Hazard]) -> Facility {
    Facility::new(
        Site {
            id: id.into(),
            kind: KindId::shelter(),
            name: name.into(),
            address: "福井県小浜市大手町6-3".into(),
            position: Position::new(35.4953, 135.7466).unwrap(),
            hazards: hazards.to_vec(),
            designated_shelter,
            accepts: None,
            gsi_ids: vec![],
        },
        Extras::default(),
    )
    .unwrap()
}

/// 小浜小学校 (a 指定避難所) and 小浜公園 (only a 指定緊急避難場所).
async fn registered(c: &Console) {
    let sites = [
        site("obama-sho", "小浜小学校", true, &[Hazard::Earthquake]),
        site("obama-koen", "小浜公園", false, &[Hazard::LargeFire]),
    ];
    Facilities::new(c.state.platform.table.clone())
        .replace(None, &sites, chrono::Utc::now())
        .await
        .unwrap();
}

async fn field_staff() -> Console {
    let c = Console::signed_in(
        "bousai",
        "防災 花子",
        "防災安全課",
        holding(&[Permission::Shelters]),
    )
    .await;
    registered(&c).await;
    c
}

async fn open_emergency(c: &Console) -> Emergency {
    let e = Emergency::open(
        "e1",
        "令和8年7月大雨",
        &[Hazard::Flood],
        Cause::Staff {
            by: "bousai".into(),
        },
        chrono::Utc::now(),
    )
    .unwrap();
    Emergencies::new(c.state.platform.table.clone())
        .open(e.clone())
        .await
        .unwrap();
    e
}

fn stored_status(site: &Facility, e: &Emergency) -> Option<ShelterStatus> {
    site.status_in(e).map(|m| m.status())
}

#[tokio::test]
async fn the_status_page_refuses_while_no_emergency_is_open_and_says_how_to_open_one() {
    let mut c = field_staff().await;
    let page = c.get("/admin/shelters/status").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("災害対応が始まっていないため、開設状況は入力できません。"));
    assert!(
        page.body.contains("防災担当"),
        "whom to ask, without the permission to open one"
    );
    assert!(!page.body.contains("name=\"status\""));

    // A post regardless (an old tab) is refused by the registry's own rule and stores nothing.
    let refused = c
        .post(
            "/admin/shelters/status",
            &[("id", "obama-sho"), ("status", "open")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/shelters/status").await.body;
    assert!(page.contains("先に災害対応を開始してください。"), "{page}");
    let stored = Facilities::new(c.state.platform.table.clone())
        .get("obama-sho")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_status(), None);
    assert!(!c
        .audit_actions()
        .await
        .contains(&"避難所の開設状況を変更".to_string()));

    let mut boss = c.another_browser();
    boss.add_staff(
        "kanri",
        "防災 課長",
        "防災安全課",
        holding(&[Permission::Shelters, Permission::EmergencySwitch]),
        chrono::Utc::now(),
    )
    .await;
    boss.sign_in("kanri").await;
    let page = boss.get("/admin/shelters/status").await.body;
    assert!(
        page.contains("href=\"/admin/disaster\""),
        "a link to open one"
    );
}

#[tokio::test]
async fn field_staff_set_a_shelters_status_which_is_timestamped_and_audited() {
    let mut c = field_staff().await;
    let e = open_emergency(&c).await;
    let page = c.get("/admin/shelters/status").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("小浜小学校"));
    assert!(
        !page.body.contains("小浜公園"),
        "only 指定避難所 have a status"
    );
    assert!(page.body.contains("未入力"));
    for label in ["未開設", "開設", "混雑", "満員", "閉鎖"] {
        assert!(page.body.contains(&format!(">{label}</button>")), "{label}");
    }

    let set = c
        .post(
            "/admin/shelters/status",
            &[("id", "obama-sho"), ("status", "full")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_eq!(
        set.location.as_deref(),
        Some("/admin/shelters/status#site-obama-sho")
    );
    let stored = Facilities::new(c.state.platform.table.clone())
        .get("obama-sho")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored_status(&stored, &e), Some(ShelterStatus::Full));
    let mark = stored.status_in(&e).unwrap();
    assert_eq!(mark.by(), "bousai");

    let page = c.get("/admin/shelters/status").await.body;
    assert!(
        page.contains("「小浜小学校」を「満員」にしました"),
        "{page}"
    );
    let shown_at = tayori_domain::time::to_jst(mark.at())
        .format("%-m/%-d %H:%M")
        .to_string();
    assert!(page.contains(&shown_at), "the time of the last update");
    assert!(page.contains("aria-pressed=\"true\" aria-label=\"小浜小学校を満員にする\""));

    let month = tayori_domain::time::to_jst(chrono::Utc::now());
    let (entries, _) = c
        .state
        .audit
        .month(
            chrono::Datelike::year(&month),
            chrono::Datelike::month(&month),
            None,
            100,
        )
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.action == "避難所の開設状況を変更")
        .expect("audited");
    assert!(
        entry.summary.contains("「小浜小学校」 未入力→満員"),
        "{}",
        entry.summary
    );
    assert_eq!(entry.target, "facility:obama-sho");

    // A site that is not a 指定避難所 gets no status, whatever is posted.
    c.post(
        "/admin/shelters/status",
        &[("id", "obama-koen"), ("status", "open")],
    )
    .await;
    let page = c.get("/admin/shelters/status").await.body;
    assert!(page.contains("指定避難所ではないため"), "{page}");
}

#[tokio::test]
async fn a_sites_extras_are_saved_and_audited_with_before_and_after_and_bad_ones_refused() {
    let mut c = field_staff().await;
    let list = c.get("/admin/shelters").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("小浜小学校"));
    assert!(list.body.contains("小浜公園"));
    let found = c.get("/admin/shelters?q=%E5%85%AC%E5%9C%92").await.body;
    assert!(
        found.contains("小浜公園") && !found.contains(">小浜小学校<"),
        "search by name"
    );

    let page = c.get("/admin/shelters/obama-sho").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("指定緊急避難場所（地震）・指定避難所"));
    let refused = c
        .post(
            "/admin/shelters/obama-sho",
            &[("capacity", "300"), ("phone", "0770-53-11")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("電話番号は半角数字とハイフンで"));
    assert!(
        refused.body.contains("value=\"0770-53-11\""),
        "kept as typed"
    );

    let saved = c
        .post(
            "/admin/shelters/obama-sho",
            &[
                ("capacity", "300"),
                ("phone", "0770-53-1111"),
                ("barrier_free", "yes"),
                ("pets", "no"),
                ("welfare", "yes"),
                ("hours", ""),
                ("url", ""),
                ("note", "体育館を使用"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = Facilities::new(c.state.platform.table.clone())
        .get("obama-sho")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.extras().capacity, Some(300));
    assert_eq!(stored.extras().pets, Some(false));
    assert!(stored.extras().welfare);
    assert_eq!(stored.edited().unwrap().by, "bousai");

    let now = tayori_domain::time::to_jst(chrono::Utc::now());
    let (entries, _) = c
        .state
        .audit
        .month(
            chrono::Datelike::year(&now),
            chrono::Datelike::month(&now),
            None,
            100,
        )
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.action == "施設の追加情報を変更")
        .expect("audited");
    for change in [
        "収容人数：（なし）→300人",
        "電話番号：（なし）→0770-53-1111",
        "ペット同行：未確認→不可",
        "福祉避難所：指定なし→指定",
        "備考：（なし）→体育館を使用",
    ] {
        assert!(
            entry.summary.contains(change),
            "{change}: {}",
            entry.summary
        );
    }
    assert!(
        !entry.summary.contains("開館時間"),
        "unchanged: {}",
        entry.summary
    );
    let page = c.get("/admin/shelters/obama-sho").await.body;
    assert!(page.contains("「小浜小学校」の追加情報を保存しました。"));
    assert!(page.contains("value=\"300\""));
}

#[tokio::test]
async fn a_clerk_without_the_shelter_permission_is_refused_everywhere() {
    let mut c = Console::signed_in(
        "kouhou",
        "広報 次郎",
        "広報課",
        holding(&[Permission::DeliveryDraft, Permission::EmergencySwitch]),
    )
    .await;
    registered(&c).await;
    open_emergency(&c).await;
    for path in [
        "/admin/shelters",
        "/admin/shelters/status",
        "/admin/shelters/obama-sho",
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.body.contains("「避難所情報」の権限が必要です"),
            "{path}"
        );
    }
    c.get("/admin").await;
    let refused = c
        .post(
            "/admin/shelters/status",
            &[("id", "obama-sho"), ("status", "full")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stored = Facilities::new(c.state.platform.table.clone())
        .get("obama-sho")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_status(), None);
}

#[tokio::test]
async fn staff_add_a_kind_of_facility_which_is_listed_and_audited() {
    let mut c = field_staff().await;
    let page = c.get("/admin/shelters/kinds").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("避難所（組み込み）"));
    let refused = c
        .post(
            "/admin/shelters/kinds",
            &[("id", "Kominkan!"), ("name", "公民館")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("種別IDは英小文字・数字・ハイフンで"));
    assert!(refused.body.contains("value=\"公民館\""), "kept as typed");

    let saved = c
        .post(
            "/admin/shelters/kinds",
            &[("id", "kominkan"), ("name", "公民館")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let kinds = Facilities::new(c.state.platform.table.clone())
        .kinds()
        .await
        .unwrap();
    assert_eq!(kinds.len(), 1);
    assert_eq!(kinds[0].name(), "公民館");
    assert!(c
        .audit_actions()
        .await
        .contains(&"施設の種類を追加".to_string()));
    let list = c.get("/admin/shelters").await.body;
    assert!(
        list.contains("<option value=\"kominkan\">公民館</option>"),
        "{list}"
    );

    // Sites of that kind, from a CSV: an unknown kind is reported by line, a good file listed.
    let header = "種別,名称,住所,緯度,経度,電話番号,開館時間,URL,備考\n";
    let good = "公民館,雲浜公民館,福井県小浜市雲浜1-1,35.50,135.74,0770-52-0000,9:00〜17:00,,\n";
    let bad = format!("{header}{good}給水所,城内給水所,福井県小浜市城内1-1,35.49,135.74,,,,\n");
    c.get("/admin/shelters/import").await;
    let refused = c
        .upload(
            "/admin/shelters/import/sites",
            &[("sites", "sites.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("3行目「種別」"), "{}", refused.body);
    assert!(
        refused.body.contains("種別「給水所」は登録されていません"),
        "{}",
        refused.body
    );
    assert!(
        !c.get("/admin/shelters").await.body.contains("雲浜公民館"),
        "nothing imported"
    );
    c.get("/admin/shelters/import").await;
    let imported = c
        .upload(
            "/admin/shelters/import/sites",
            &[("sites", "sites.csv", format!("{header}{good}").as_bytes())],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let list = c.get("/admin/shelters?kind=kominkan").await.body;
    assert!(list.contains("雲浜公民館"), "{list}");
    assert!(!list.contains("小浜小学校"), "only that kind");
}

#[tokio::test]
async fn a_sites_photo_is_stored_phone_sized_shown_and_audited_and_a_non_image_refused() {
    let mut c = field_staff().await;
    c.get("/admin/shelters/obama-sho").await;
    let refused = c
        .upload(
            "/admin/shelters/obama-sho/photo",
            &[("photo", "memo.csv", b"not,a,picture\n")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/shelters/obama-sho").await.body;
    assert!(page.contains("JPEGかPNGの画像を選んでください。"), "{page}");

    let photo = tayori_images::fixtures::phone_photo(3000, 2000, 1);
    let saved = c
        .upload(
            "/admin/shelters/obama-sho/photo",
            &[("photo", "gym.jpg", &photo)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stored = Facilities::new(c.state.platform.table.clone())
        .get("obama-sho")
        .await
        .unwrap()
        .unwrap();
    let key = stored.extras().photo.clone().expect("kept as an extra");
    assert!(key.starts_with("media/facilities/obama-sho/"), "{key}");
    let shown = c.get("/admin/shelters/obama-sho/photo").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.content_type.as_deref(), Some("image/jpeg"));
    let size = imagesize::blob_size(&shown.bytes).unwrap();
    assert!(size.width <= 1024 && size.height <= 1024, "phone-sized");
    assert!(c
        .audit_actions()
        .await
        .contains(&"施設の写真を変更".to_string()));
    let page = c.get("/admin/shelters/obama-sho").await.body;
    assert!(page.contains("alt=\"小浜小学校の写真\""));
}

const GSI_SITES: &[u8] =
    include_bytes!("../../../data/shelters/obama_gsi_designated_emergency_evacuation_sites.csv");
const GSI_SHELTERS: &[u8] =
    include_bytes!("../../../data/shelters/obama_gsi_designated_shelters.csv");

#[tokio::test]
async fn gsis_lists_are_imported_whole_and_a_bad_row_imports_nothing_with_each_line_reported() {
    let mut c = Console::signed_in(
        "bousai",
        "防災 花子",
        "防災安全課",
        holding(&[Permission::Shelters]),
    )
    .await;
    let page = c.get("/admin/shelters/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    // The 指定避難所 list with one row's latitude gone and another's out of range.
    let text = String::from_utf8(GSI_SHELTERS.to_vec()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replace(",35.532156,", ",,");
    lines[2] = lines[2].replace(",35.531804099072,", ",95.5,");
    let broken = lines.join("\n");
    let refused = c
        .upload(
            "/admin/shelters/import",
            &[
                ("emergency_sites", "sites.csv", GSI_SITES),
                ("shelters", "shelters.csv", broken.as_bytes()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("避難所を取り込めませんでした（2件の誤り）"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("指定避難所 2行目「緯度」"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("指定避難所 3行目「緯度」"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("何も取り込んでいません"));
    assert_eq!(
        Facilities::new(c.state.platform.table.clone())
            .registry()
            .await
            .unwrap(),
        None,
        "nothing imported"
    );
    assert!(!c
        .audit_actions()
        .await
        .contains(&"避難所を取込".to_string()));

    let imported = c
        .upload(
            "/admin/shelters/import",
            &[
                ("emergency_sites", "sites.csv", GSI_SITES),
                ("shelters", "shelters.csv", GSI_SHELTERS),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let list = c.get("/admin/shelters").await.body;
    assert!(list.contains("避難所を "), "{list}");
    assert!(list.contains("内外海コミュニティセンター"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"避難所を取込".to_string()));
}
