//! How fast `write_csv` turns rows into a file, and how much memory it takes: 100,000 and
//! 1,000,000 rows of a 10-column table of Japanese text, UTF-8 and CP932, into a writer that
//! discards the bytes and into the embedded object store (a file on disk).
//!
//! Peak memory is the process's VmHWM, so each case runs in a process of its own: without
//! arguments this binary runs itself once per case and prints the table for docs/benchmarks.md.
//!
//! ```text
//! cargo bench -p tayori-exports --bench export_bench
//! ```

use async_trait::async_trait;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use tayori_domain::export::CsvEncoding;
use tayori_exports::{write_csv, RowSource, SourceError};
use tayori_ports::{ObjectError, ObjectKey, ObjectStore, ObjectUpload};

const PAGE: usize = 1_000;

/// Rows made up as they are asked for, a page at a time, like a table read page by page.
struct Generated {
    left: usize,
    next: usize,
}

const DISTRICTS: [&str; 5] = ["小浜", "雲浜", "西津", "内外海", "国富"];
const ANSWERS: [&str; 4] = [
    "とても満足",
    "ごみの収集日をLINEで知らせてほしい、=SUM(A1)",
    "避難所までの道が暗いので街灯を増やしてください。\n夜は不安です。",
    "髙橋です🍣 よろしくお願いします",
];

#[async_trait]
impl RowSource for Generated {
    fn header(&self) -> Vec<String> {
        [
            "回答番号",
            "回答日時",
            "氏名",
            "年代",
            "地区",
            "満足度",
            "意見",
            "要望",
            "連絡先",
            "状態",
        ]
        .map(String::from)
        .to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        if self.left == 0 {
            return Ok(None);
        }
        let n = self.left.min(PAGE);
        self.left -= n;
        let rows = (0..n)
            .map(|_| {
                let i = self.next;
                self.next += 1;
                vec![
                    format!("A{i:07}"),
                    format!("2026年11月{}日 {:02}:{:02}", i % 28 + 1, i % 24, i % 60),
                    format!("小浜 花子{}", i % 1000),
                    format!("{}代", (i % 7 + 2) * 10),
                    DISTRICTS[i % DISTRICTS.len()].to_string(),
                    (i % 5 + 1).to_string(),
                    ANSWERS[i % ANSWERS.len()].to_string(),
                    ANSWERS[(i + 1) % ANSWERS.len()].to_string(),
                    format!("0770-{:02}-{:04}", i % 100, i % 10_000),
                    "受付".to_string(),
                ]
            })
            .collect();
        Ok(Some(rows))
    }
}

/// Counts the bytes and keeps none.
#[derive(Default)]
struct Discard(u64);

#[async_trait]
impl ObjectUpload for Discard {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), ObjectError> {
        self.0 += bytes.len() as u64;
        Ok(())
    }
    async fn finish(self: Box<Self>) -> Result<u64, ObjectError> {
        Ok(self.0)
    }
    async fn abort(self: Box<Self>) -> Result<(), ObjectError> {
        Ok(())
    }
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

fn one_case(rows: usize, encoding: &str, sink: &str) {
    let encoding = match encoding {
        "cp932" => CsvEncoding::Cp932,
        _ => CsvEncoding::Utf8Bom,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            tayori_adapters::embedded::FolderObjects::open(dir.path().to_path_buf()).unwrap(),
        );
        let mut upload: Box<dyn ObjectUpload> = match sink {
            "embedded" => store
                .writer(&ObjectKey::new("exports/bench.csv").unwrap(), "text/csv")
                .await
                .unwrap(),
            _ => Box::new(Discard::default()),
        };
        let mut source = Generated {
            left: rows,
            next: 0,
        };
        let started = Instant::now();
        let written = write_csv(&mut source, encoding, upload.as_mut())
            .await
            .unwrap();
        upload.finish().await.unwrap();
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| {rows} | {} | {sink} | {:.0} | {:.1} | {:.1} | {} |",
            match encoding {
                CsvEncoding::Cp932 => "CP932",
                CsvEncoding::Utf8Bom => "UTF-8 (BOM)",
            },
            written.rows as f64 / seconds,
            written.bytes as f64 / 1_048_576.0,
            peak_kb() as f64 / 1024.0,
            written.replaced,
        );
    });
}

fn main() {
    // `cargo bench` passes `--bench`; a case is `<rows> <encoding> <sink>`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [rows, encoding, sink] = args.as_slice() {
        one_case(rows.parse().unwrap(), encoding, sink);
        return;
    }
    println!("| rows | encoding | writer | rows/s | file MB | peak memory (VmHWM) MB | replaced characters |");
    println!("|---:|---|---|---:|---:|---:|---:|");
    let me = std::env::current_exe().unwrap();
    for sink in ["discard", "embedded"] {
        for encoding in ["utf8", "cp932"] {
            for rows in ["100000", "1000000"] {
                let status = Command::new(&me)
                    .args([rows, encoding, sink])
                    .status()
                    .unwrap();
                assert!(status.success());
            }
        }
    }
}
