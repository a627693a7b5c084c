//! Every change to a delivery is in the audit log (操作ログ, 仕様書 6.2.1.6) with what changed:
//! each save of a draft (title, target, bubbles, pictures added or removed), and each step of its
//! life (submit, return, approve, cancel, stop, duplicate) with the status before and after.

use crate::support;

use axum::http::StatusCode;
use chrono::{Datelike, Utc};
use tayori_domain::staff::Permission;
use tayori_domain::time::to_jst;
use tayori_images::fixtures::phone_photo;
use tayori_records::{AuditEntry, Deliveries};

use support::Console;

/// This month's entries about `target`, oldest first.
async fn entries_about(c: &Console, target: &str) -> Vec<AuditEntry> {
    let now = to_jst(Utc::now());
    let (mut entries, _) = c
        .state
        .audit
        .month(now.year(), now.month(), None, 100)
        .await
        .unwrap();
    entries.retain(|e| e.target == target);
    entries.reverse();
    entries
}

fn described(entries: &[AuditEntry]) -> String {
    entries
        .iter()
        .map(|e| format!("{}: {}", e.action, e.summary))
        .collect::<Vec<_>>()
        .join("\n")
}

const DRAFT: [(&str, &str); 7] = [
    ("title", "秋の健康づくり教室"),
    ("category", "健康"),
    ("kind0", "text"),
    ("text0", "10月の健康づくり教室は市民会館で開きます。"),
    ("target", "all"),
    ("send_at", ""),
    ("action", "save"),
];

/// `fields` with some replaced or added.
fn with<'a>(
    fields: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<_> = fields
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(changed, _)| changed == name))
        .copied()
        .collect();
    out.extend_from_slice(changes);
    out
}

#[tokio::test]
async fn a_draft_edited_twice_has_both_edits_in_the_audit_log_with_what_changed() {
    let mut c = Console::signed_in(
        "clerk",
        "小浜 花子",
        "健康課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await;
    c.get("/admin/deliveries/new").await;
    let created = c.multipart("/admin/deliveries", &DRAFT, &[]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location.unwrap();
    let target = format!("delivery:{}", path.rsplit('/').next().unwrap());

    // First edit: the title.
    c.get(&path).await;
    let first = with(&DRAFT, &[("title", "秋の健康づくり教室（会場変更）")]);
    let saved = c.multipart(&path, &first, &[]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Second edit: the text and who receives it.
    c.get(&path).await;
    let second = with(
        &first,
        &[
            ("text0", "10月の健康づくり教室は文化会館で開きます。"),
            ("target", "segment"),
            ("seg.age_group", "60代"),
        ],
    );
    let saved = c.multipart(&path, &second, &[]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let entries = entries_about(&c, &target).await;
    let log = described(&entries);
    assert_eq!(entries.len(), 3, "{log}");
    assert_eq!(entries[0].action, "配信の下書きを作成");
    assert!(entries[0].summary.contains("秋の健康づくり教室"), "{log}");
    assert!(entries[0].summary.contains("すべての友だち"), "{log}");

    assert_eq!(entries[1].action, "配信の下書きを保存");
    assert!(
        entries[1]
            .summary
            .contains("タイトル「秋の健康づくり教室」→「秋の健康づくり教室（会場変更）」"),
        "{log}"
    );
    assert!(
        !entries[1].summary.contains("配信先"),
        "only what changed: {log}"
    );

    assert_eq!(entries[2].action, "配信の下書きを保存");
    assert!(
        entries[2]
            .summary
            .contains("配信先「すべての友だち」→「年代: 60代」"),
        "{log}"
    );
    assert!(entries[2].summary.contains("1つ目の本文"), "{log}");
    assert!(
        !entries[2].summary.contains("タイトル"),
        "only what changed: {log}"
    );
    assert!(entries.iter().all(|e| e.actor == "clerk"));

    // Saving with nothing changed adds no entry.
    c.get(&path).await;
    c.multipart(&path, &second, &[]).await;
    assert_eq!(entries_about(&c, &target).await.len(), 3);
}

#[tokio::test]
async fn pictures_added_and_removed_and_every_step_of_a_delivery_are_audited() {
    let mut drafter = Console::signed_in(
        "drafter",
        "小浜 花子",
        "健康課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await;
    drafter
        .add_staff(
            "approver",
            "若狭 一郎",
            "健康課",
            [
                Permission::DeliveryDraft,
                Permission::DeliveryApprove,
                Permission::DeliverySend,
            ]
            .into_iter()
            .collect(),
            Utc::now(),
        )
        .await;
    let mut approver = drafter.another_browser();
    approver.sign_in("approver").await;

    drafter.get("/admin/deliveries/new").await;
    let created = drafter.multipart("/admin/deliveries", &DRAFT, &[]).await;
    let path = created.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let target = format!("delivery:{id}");

    // A picture in the second bubble, then taken out again.
    let photo = phone_photo(800, 600, 1);
    drafter.get(&path).await;
    let with_picture = with(&DRAFT, &[("kind1", "image")]);
    let saved = drafter
        .multipart(&path, &with_picture, &[("file1", "kyoshitsu.jpg", &photo)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    drafter.get(&path).await;
    drafter.multipart(&path, &DRAFT, &[]).await;

    // Asked for approval, returned, asked again, approved.
    drafter.get(&path).await;
    drafter
        .multipart(&path, &with(&DRAFT, &[("action", "submit")]), &[])
        .await;
    approver.get(&path).await;
    approver.post(&format!("{path}/return"), &[]).await;
    drafter.get(&path).await;
    let later = to_jst(Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT09:00")
        .to_string();
    drafter
        .multipart(
            &path,
            &with(&DRAFT, &[("action", "submit"), ("send_at", later.as_str())]),
            &[],
        )
        .await;
    approver.get(&path).await;
    approver
        .post(&format!("{path}/approve"), &[("confirmed", "yes")])
        .await;
    approver.get(&path).await;
    approver
        .post(&format!("{path}/cancel"), &[("confirmed", "yes")])
        .await;
    approver.get(&path).await;
    let copy = approver.post(&format!("{path}/duplicate"), &[]).await;
    let copy_id = copy
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();

    // A delivery being sent is stopped: the copy, released and started as the sender would.
    let deliveries = Deliveries::new(drafter.state.platform.table.clone());
    let now = drafter.state.platform.clock.now();
    let sending = deliveries
        .update(&copy_id, |d| {
            d.submit("approver", true, String::new(), now)?;
            assert!(d.start_sending(now));
            Ok::<_, tayori_deliveries::DeskError>(())
        })
        .await;
    assert!(sending.is_ok());
    approver.get(&format!("/admin/deliveries/{copy_id}")).await;
    approver
        .post(
            &format!("/admin/deliveries/{copy_id}/stop"),
            &[("confirmed", "yes")],
        )
        .await;

    let entries = entries_about(&drafter, &target).await;
    let log = described(&entries);
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "配信の下書きを作成",
            "配信の下書きを保存",
            "配信の下書きを保存",
            "配信の承認を依頼",
            "配信を差し戻し",
            "配信の下書きを保存",
            "配信の承認を依頼",
            "配信を承認",
            "配信を取消",
            "配信を複製",
        ],
        "{log}"
    );
    assert!(entries[1].summary.contains("2つ目に画像を追加"), "{log}");
    assert!(entries[2].summary.contains("2つ目の画像を削除"), "{log}");
    assert!(entries[3].summary.contains("下書き → 承認待ち"), "{log}");
    assert!(entries[4].summary.contains("承認待ち → 下書き"), "{log}");
    assert!(entries[5].summary.contains("配信日時「すぐ」→"), "{log}");
    assert!(entries[7].summary.contains("承認待ち → 予約済み"), "{log}");
    assert!(entries[8].summary.contains("予約済み → 取消"), "{log}");
    assert!(entries[9].summary.contains(&copy_id), "{log}");
    assert_eq!(
        (entries[4].actor.as_str(), entries[7].actor.as_str()),
        ("approver", "approver")
    );

    let stopped = entries_about(&drafter, &format!("delivery:{copy_id}")).await;
    let log = described(&stopped);
    assert_eq!(stopped.last().unwrap().action, "配信を停止", "{log}");
    assert!(
        stopped.last().unwrap().summary.contains("停止を指示"),
        "{log}"
    );
}
