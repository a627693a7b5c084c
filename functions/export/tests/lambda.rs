//! The deployed export function as Lambda runs it: the binary started against a Runtime API
//! emulator, its settings from the template's environment and its data on the AWS adapters
//! (moto), handed the `export.requested` event the console's request put on the bus
//! (events/bus/export-requested.json, with the id of an export requested here).

use chrono::Utc;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_exports::sources::CitySources;
use tayori_exports::{Clerk, ExportDesk};
use tayori_ports::ObjectKey;
use tayori_tests::lambda_runtime::{Answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{sample_event, MotoStack};

fn auditor() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("somu").unwrap(),
        StaffProfile {
            display_name: "総務 太郎".into(),
            department: "総務課".into(),
            permissions: [Permission::AuditLog].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        Utc::now(),
    )
}

#[tokio::test]
async fn the_export_function_starts_on_aws_and_writes_the_requested_file_to_s3() {
    let Some(stack) = MotoStack::start("export function").await else {
        return;
    };
    let platform = stack.platform();
    let desk = ExportDesk::new(&platform, Arc::new(CitySources::new(&platform)));
    let account = auditor();
    let month = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m")
        .to_string();
    let export = desk
        .request(
            &Clerk {
                account: &account,
                ip: None,
            },
            ExportKind::AuditLog,
            ExportConditions::new([("month", month.as_str()), ("q", "")], "今月"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let mut event = sample_event("bus/export-requested.json");
    event["detail"]["id"] = export.id().into();

    let env = stack.function_env("https://api.line.me");
    let api = RuntimeApi::start("tayori-export").await.unwrap();
    let mut function =
        LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-export"), &env, api).unwrap();
    let answer = function.invoke(event).await.unwrap();
    assert_eq!(
        answer,
        Answer::Response(serde_json::Value::Null),
        "{}",
        function.output()
    );

    let made = desk.mine(&account).await.unwrap().remove(0);
    assert_eq!(made.id(), export.id());
    assert_eq!(made.status().label(), "完了", "{}", function.output());
    let file = platform
        .objects
        .get(&ObjectKey::new(made.object_key()).unwrap())
        .await
        .unwrap()
        .expect("the file is in S3");
    let text = String::from_utf8_lossy(&file.bytes);
    // The request itself is the month's first audit entry.
    assert!(
        text.contains("日時,職員,IPアドレス,操作,対象,内容"),
        "{text}"
    );
    assert!(text.contains("CSVの作成を依頼"), "{text}");
}
