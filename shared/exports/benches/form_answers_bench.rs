//! How fast フォーム回答's file is made from a 10-question form's answers stored on the
//! embedded platform, and how much memory it takes: the whole path the export function runs
//! (read a page of answers, open the sealed personal values, turn each into a row, encode, write
//! the object), not just the CSV writer.
//!
//! The answers are submitted through `FormDesk::submit` (the citizens' path) in one process;
//! the file is made in another, so its peak memory (VmHWM) is the export's alone. Without
//! arguments this binary runs itself for 100,000 and 1,000,000 answers, UTF-8 and CP932:
//!
//! ```text
//! cargo bench -p tayori-exports --bench form_answers_bench            # 100k and 1M
//! cargo bench -p tayori-exports --bench form_answers_bench -- 20000   # other sizes
//! ```

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportStatus};
use tayori_domain::form::{
    Field, FieldId, FieldKind, FormId, FormKind, FormSettings, PerCitizen, Submitted,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_exports::sources::CitySources;
use tayori_exports::{Clerk, ExportDesk, PersonalValues};
use tayori_formdesk::FormDesk;
use tayori_ports::{ManualClock, Platform};
use tayori_records::StaffAccounts;

/// Where `submit` leaves the form's id for `export`.
const FORM_ID_FILE: &str = "form-id";

const DISTRICTS: [&str; 5] = ["小浜", "雲浜", "西津", "内外海", "国富"];
const OPINIONS: [&str; 4] = [
    "とても満足",
    "ごみの収集日をLINEで知らせてほしい、=SUM(A1)",
    "避難所までの道が暗いので街灯を増やしてください。\n夜は不安です。",
    "髙橋です🍣 よろしくお願いします",
];

fn started_at() -> DateTime<Utc> {
    // 2026-11-01 09:00 JST.
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn clerk() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("kikaku").unwrap(),
        StaffProfile {
            display_name: "企画課".into(),
            department: "企画課".into(),
            permissions: [
                Permission::FormsEdit,
                Permission::FormsViewAnswers,
                Permission::FormsExport,
            ]
            .into_iter()
            .collect(),
            scope: DepartmentScope::Only(["企画課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        started_at(),
    )
}

fn field(id: &str, label: &str, kind: FieldKind, personal: bool) -> Field {
    Field {
        id: FieldId::parse(id).unwrap(),
        label: label.into(),
        help: String::new(),
        required: true,
        kind,
        show_when: None,
        staff_only: false,
        personal,
    }
}

/// 市民満足度アンケート: ten questions of the kinds a city asks, two of them personal.
fn survey() -> FormSettings {
    let choices = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    FormSettings {
        title: "市民満足度アンケート".into(),
        description: String::new(),
        department: "企画課".into(),
        kind: FormKind::Questionnaire,
        per_citizen: PerCitizen::Many,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: Vec::new(),
        receipt_message: String::new(),
        notice_address: None,
        fields: vec![
            field(
                "name",
                "お名前",
                FieldKind::ShortText { max_chars: 50 },
                true,
            ),
            field(
                "age",
                "年代",
                FieldKind::Dropdown {
                    choices: choices(&["20代", "30代", "40代", "50代", "60代", "70代以上"]),
                },
                false,
            ),
            field(
                "district",
                "お住まいの地区",
                FieldKind::SingleChoice {
                    choices: choices(&DISTRICTS),
                },
                false,
            ),
            field(
                "score",
                "満足度（1〜5）",
                FieldKind::Number {
                    min: Some(1.0),
                    max: Some(5.0),
                    integer: true,
                },
                false,
            ),
            field(
                "services",
                "よく使うサービス",
                FieldKind::MultipleChoice {
                    choices: choices(&["ごみ", "防災", "子育て", "通報"]),
                    min_picks: None,
                    max_picks: None,
                },
                false,
            ),
            field(
                "opinion",
                "ご意見",
                FieldKind::LongText { max_chars: 500 },
                false,
            ),
            field(
                "wish",
                "ご要望",
                FieldKind::ShortText { max_chars: 200 },
                false,
            ),
            field(
                "visited",
                "来庁日",
                FieldKind::Date {
                    min: None,
                    max: None,
                },
                false,
            ),
            field("time", "来庁時刻", FieldKind::Time, false),
            field("phone", "電話番号", FieldKind::Phone, true),
        ],
    }
}

fn answer(i: usize) -> Submitted {
    let services = ["ごみ", "防災", "子育て", "通報"];
    let mut submitted = Submitted::new()
        .with("name", &format!("小浜 花子{}", i % 1000))
        .with(
            "age",
            ["20代", "30代", "40代", "50代", "60代", "70代以上"][i % 6],
        )
        .with("district", DISTRICTS[i % DISTRICTS.len()])
        .with("score", &(i % 5 + 1).to_string())
        .with("opinion", OPINIONS[i % OPINIONS.len()])
        .with("wish", OPINIONS[(i + 1) % OPINIONS.len()])
        .with("visited", &format!("2026-10-{:02}", i % 28 + 1))
        .with("time", &format!("{:02}:{:02}", 8 + i % 9, i % 60))
        .with("phone", &format!("0770-{:02}-{:04}", i % 100, i % 10_000));
    for pick in services.iter().take(i % services.len() + 1) {
        submitted = submitted.with("services", pick);
    }
    submitted
}

fn platform(dir: &Path) -> Platform {
    let clock = Arc::new(ManualClock::new(started_at()));
    tayori_adapters::embedded::platform_at(dir, clock, "http://127.0.0.1:9")
        .unwrap()
        .0
}

/// Stores the clerk, the published form and `answers` citizens' answers in `dir`.
async fn submit(dir: &Path, answers: usize) {
    let platform = platform(dir);
    let by = clerk();
    StaffAccounts::new(platform.table.clone(), platform.cipher.clone())
        .create(&by)
        .await
        .unwrap();
    let forms = FormDesk::new(&platform);
    let clerk = tayori_formdesk::Clerk {
        account: &by,
        ip: "-",
    };
    let form = forms.create(clerk, survey()).await.unwrap();
    forms.publish(clerk, form.id()).await.unwrap();
    std::fs::write(dir.join(FORM_ID_FILE), form.id().to_string()).unwrap();
    let started = Instant::now();
    for i in 0..answers {
        let at = started_at() + TimeDelta::seconds(i as i64);
        forms
            .submit(
                form.id(),
                &format!("U{i:032x}"),
                &answer(i),
                None,
                BTreeMap::new(),
                at,
            )
            .await
            .unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{answers} answers submitted in {seconds:.0} s ({:.0} answers/s)",
        answers as f64 / seconds
    );
}

/// Makes the answers' file as the export function does and prints its table row.
async fn export(dir: &Path, answers: usize, encoding: CsvEncoding) {
    let platform = platform(dir);
    let form = FormId::parse(&std::fs::read_to_string(dir.join(FORM_ID_FILE)).unwrap()).unwrap();
    let desk = ExportDesk::new(&platform, Arc::new(CitySources::new(&platform)));
    let by = clerk();
    let everything = ExportConditions::new(
        [("q", ""), ("status", ""), ("from", ""), ("to", "")],
        "すべての回答",
    );
    let asked = desk
        .request_form_answers(
            &Clerk {
                account: &by,
                ip: None,
            },
            &form,
            everything,
            PersonalValues::Included,
            encoding,
        )
        .await
        .unwrap();
    let started = Instant::now();
    let made = desk.run(asked.id()).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let ExportStatus::Ready {
        rows,
        bytes,
        replaced,
    } = made.status().clone()
    else {
        panic!("the file was not made: {:?}", made.status());
    };
    assert_eq!(rows, answers as u64, "every answer is a row");
    println!(
        "| {answers} | {} | {:.0} | {:.1} | {:.1} | {} |",
        match encoding {
            CsvEncoding::Cp932 => "CP932",
            CsvEncoding::Utf8Bom => "UTF-8 (BOM)",
        },
        answers as f64 / seconds,
        bytes as f64 / 1_048_576.0,
        peak_kb() as f64 / 1024.0,
        replaced,
    );
}

/// The process's peak resident memory in kB.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // `cargo bench` passes `--bench`; a step is `submit <dir> <n>` or `export <dir> <n> <enc>`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [step, dir, n] if step == "submit" => {
            return runtime.block_on(submit(Path::new(dir), n.parse().unwrap()));
        }
        [step, dir, n, encoding] if step == "export" => {
            let encoding = match encoding.as_str() {
                "cp932" => CsvEncoding::Cp932,
                _ => CsvEncoding::Utf8Bom,
            };
            return runtime.block_on(export(Path::new(dir), n.parse().unwrap(), encoding));
        }
        _ => {}
    }
    let sizes: Vec<String> = if args.is_empty() {
        vec!["100000".into(), "1000000".into()]
    } else {
        args
    };
    println!(
        "| answers | encoding | rows/s | file MB | peak memory (VmHWM) MB | replaced characters |"
    );
    println!("|---:|---|---:|---:|---:|---:|");
    let me = std::env::current_exe().unwrap();
    let run = |args: &[&str]| assert!(Command::new(&me).args(args).status().unwrap().success());
    // The answers are stored in memory (tmpfs) when the machine has it: the embedded store
    // syncs each answer's transaction to disk, which would make storing a million take hours
    // and measures the disk, not the export.
    let shm = Path::new("/dev/shm");
    for n in &sizes {
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .unwrap();
        let path = dir.path().to_str().unwrap();
        run(&["submit", path, n]);
        for encoding in ["utf8", "cp932"] {
            run(&["export", path, n, encoding]);
        }
    }
}
