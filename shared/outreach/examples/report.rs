//! Writes a sample month's LINE usage report into the target directory, so its pages can be
//! looked at: `cargo run -p tayori-outreach --example report` (then e.g. `pdftoppm -png`).

use std::path::PathBuf;

use tayori_outreach::{report_pdf, Report, Table};

/// 小浜市's twelve districts (地区), as the usage report counts new friends by them.
const DISTRICTS: [&str; 12] = [
    "小浜",
    "雲浜",
    "西津",
    "内外海",
    "国富",
    "宮川",
    "松永",
    "遠敷",
    "今富",
    "口名田",
    "中名田",
    "加斗",
];

fn cells(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// 「1,234」 as the city prints counts.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut report = Report::new(
        "小浜市 LINE公式アカウント 利用状況報告",
        "2026年11月1日〜11月30日　作成 2026年12月1日",
    );
    report.heading("概要");
    report.paragraph(
        "11月の友だち数は前月より412人増えて12,874人になりました。広報おばま11月号にポスターを\
         掲載したことと、秋の防災訓練で避難所の案内をLINEで配信したことが増加の主な理由と考えられます。\
         ブロック数は前月並みでした。",
    );

    report.heading("サービス別の件数");
    let mut services = Table::new(
        "表1　サービス別の受付・配信件数",
        cells(&["サービス", "受付", "完了", "対応中", "前月比"]),
    );
    for (name, received, done, rate) in [
        ("ごみの収集日のお知らせ", 3_210, 3_210, "+4.1%"),
        ("道路・公園の不具合の通報（写真付き）", 148, 131, "+12.0%"),
        ("避難所の案内", 1_022, 1_022, "+310.5%"),
        ("粗大ごみ収集の申込み", 87, 80, "−3.3%"),
        ("子育て・健診のお知らせ", 954, 954, "+0.8%"),
    ] {
        services.row(vec![
            name.to_owned(),
            count(received),
            count(done),
            count(received - done),
            rate.to_owned(),
        ]);
    }
    services.row(cells(&["合計", "5,421", "5,397", "24", "+18.2%"]));
    report.table(services);

    report.heading("地区別の新しい友だち");
    report.paragraph("友だち追加の際に地区を選んだ方の数です（選ばなかった方は含みません）。");
    let mut head = vec!["週".to_owned()];
    head.extend(DISTRICTS.iter().map(|d| d.to_string()));
    head.push("合計".to_owned());
    let mut districts = Table::new("表2　地区別・週別の友だち追加数", head);
    for (week, label) in [
        "11月1日〜7日",
        "11月8日〜14日",
        "11月15日〜21日",
        "11月22日〜30日",
    ]
    .iter()
    .enumerate()
    {
        let numbers: Vec<u64> = (0..12)
            .map(|d| ((d * 37 + week * 11) % 90 + 3) as u64)
            .collect();
        let mut row = vec![label.to_string()];
        row.extend(numbers.iter().map(|&n| count(n)));
        row.push(count(numbers.iter().sum()));
        districts.row(row);
    }
    report.table(districts);

    report.heading("日別の配信数");
    let mut daily = Table::new(
        "表3　日別のメッセージ配信数",
        cells(&["日付", "一斉配信", "セグメント配信", "自動応答", "合計"]),
    );
    for day in 1..=30u64 {
        let broadcast = if day % 7 == 3 { 12_874 } else { 0 };
        let segment = (day * 131) % 900;
        let replies = 40 + (day * 17) % 60;
        daily.row(vec![
            format!("11月{day}日"),
            count(broadcast),
            count(segment),
            count(replies),
            count(broadcast + segment + replies),
        ]);
    }
    report.table(daily);

    report.heading("備考");
    report.paragraph(
        "配信数は月の無料メッセージ通数（30,000通）に含まれる数です。\n今月の利用は28,615通で、上限の95.4%でした。来月は一斉配信を地区別のセグメント配信に切り替えることで、上限内に収める予定です。",
    );

    let bytes = report_pdf(&report)?;
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()));
    let path = dir.join("report.pdf");
    std::fs::write(&path, &bytes)?;
    println!("{}: {} bytes", path.display(), bytes.len());
    Ok(())
}
