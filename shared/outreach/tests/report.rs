use tayori_outreach::{report_pdf, Report, ReportError, ReportLayout, Table, TextRun, Weight};

use crate::support::load;

const TITLE: &str = "小浜市 LINE公式アカウント 利用状況報告";
const SUBTITLE: &str = "2026年11月1日〜11月30日　作成 2026年12月1日";
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

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

fn services() -> Table {
    let mut table = Table::new(
        "表1　サービス別の件数",
        strings(&["サービス", "受付", "完了", "前月比"]),
    );
    table.row(strings(&[
        "ごみの収集日のお知らせ",
        "3,210",
        "3,210",
        "+4.1%",
    ]));
    table.row(strings(&["避難所の案内", "1,022", "1,022", "+310.5%"]));
    table.row(strings(&["合計", "4,232", "4,232", "+52.0%"]));
    table
}

/// A week (or a district name) per row and thirteen numbers: the twelve districts and a total.
fn districts(head: &[&str], value: impl Fn(usize, usize) -> String) -> Table {
    let mut columns = vec!["週".to_owned()];
    columns.extend(head.iter().map(|d| d.to_string()));
    columns.push("合計".to_owned());
    let mut table = Table::new("表2　地区別の友だち追加数", columns);
    for week in 0..4 {
        let mut row = vec![format!("第{}週", week + 1)];
        row.extend((0..13).map(|column| value(week, column)));
        table.row(row);
    }
    table
}

fn page_text(doc: &lopdf::Document, page: u32) -> String {
    doc.extract_text(&[page]).expect("text extracts")
}

fn body_runs(layout: &ReportLayout, page: usize) -> &[TextRun] {
    let texts = layout.pages()[page].texts();
    // The first run is the running header, the last the page number.
    &texts[1..texts.len() - 1]
}

/// What a printed page must never show: anything past the margins, or two lines of text on
/// top of each other.
fn assert_fits(layout: &ReportLayout) {
    let page = layout.printable_area();
    for (n, sheet) in layout.pages().iter().enumerate() {
        for block in sheet.blocks() {
            assert!(
                page.contains(&block.area),
                "page {n}: {block:?} on the page"
            );
        }
        let texts = sheet.texts();
        for (i, run) in texts.iter().enumerate() {
            let area = run.area();
            assert!(
                page.contains(&area),
                "page {n}: {:?} ({area:?}) inside {page:?}",
                run.text
            );
            for other in &texts[i + 1..] {
                assert!(
                    !area.overlaps(&other.area()),
                    "page {n}: {:?} and {:?} overlap",
                    run.text,
                    other.text
                );
            }
        }
    }
}

#[test]
fn the_title_headings_and_every_cell_can_be_copied_from_an_a4_page() {
    let mut report = Report::new(TITLE, SUBTITLE);
    report.heading("サービス別の件数");
    report.paragraph("11月の友だち数は12,874人になりました。");
    report.table(services());
    let bytes = report_pdf(&report).unwrap();
    let doc = load(&bytes);
    assert_eq!(doc.get_pages().len(), 1);
    let text = page_text(&doc, 1);
    let expected = [
        TITLE,
        "2026年11月1日〜11月30日",
        "作成 2026年12月1日",
        "サービス別の件数",
        "11月の友だち数は12,874人になりました。",
        "表1",
        "サービス別の件数",
        "1 / 1 ページ",
    ];
    let cells = [
        "サービス",
        "受付",
        "完了",
        "前月比",
        "ごみの収集日のお知らせ",
        "3,210",
        "+4.1%",
        "避難所の案内",
        "1,022",
        "+310.5%",
        "合計",
        "4,232",
        "+52.0%",
    ];
    for expected in expected.into_iter().chain(cells) {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let size = crate::support::media_box(&doc);
    assert!((size[2] - 595.276).abs() < 0.01 && (size[3] - 841.89).abs() < 0.01);
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let title = doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
    assert_eq!(lopdf::decode_text_string(title).unwrap(), TITLE);

    let layout = ReportLayout::new(&report).unwrap();
    assert_fits(&layout);
    let title = &body_runs(&layout, 0)[0];
    assert_eq!((title.text.as_str(), title.weight), (TITLE, Weight::Bold));
    let body = layout.pages()[0]
        .texts()
        .iter()
        .find(|run| run.text.starts_with("11月の友だち数"))
        .unwrap();
    assert!(title.size > body.size && (9.0..=10.0).contains(&body.size));
}

#[test]
fn a_long_table_continues_on_the_next_pages_under_its_header_row() {
    let mut report = Report::new(TITLE, SUBTITLE);
    report.heading("問い合わせの一覧");
    let mut table = Table::new("表3　受付番号別", strings(&["受付番号", "件数", "日数"]));
    for n in 1..=120 {
        table.row(vec![
            format!("受付{n:03}"),
            format!("{}", n * 7),
            format!("{}", n % 9),
        ]);
    }
    report.table(table);
    let layout = ReportLayout::new(&report).unwrap();
    assert_fits(&layout);
    let pages = layout.pages().len();
    assert!(pages >= 3, "{pages} pages");

    let doc = load(&report_pdf(&report).unwrap());
    assert_eq!(doc.get_pages().len(), pages);
    let mut rows_seen = 0;
    for page in 0..pages {
        let body = body_runs(&layout, page);
        let head_at = body.iter().position(|run| run.text == "受付番号").unwrap();
        let head = &body[head_at];
        assert_eq!(head.weight, Weight::Bold, "page {}", page + 1);
        // The header row is the first thing of the table on the page, above every row.
        let rows: Vec<&TextRun> = body
            .iter()
            .filter(|run| run.text.starts_with("受付") && run.text != "受付番号")
            .collect();
        assert!(rows.iter().all(|row| row.baseline > head.baseline));
        rows_seen += rows.len();

        let text = page_text(&doc, page as u32 + 1);
        let footer = format!("{} / {pages} ページ", page + 1);
        assert!(text.contains(&footer), "{footer:?} in:\n{text}");
        assert!(text.contains(TITLE), "the header on page {}", page + 1);
        assert!(text.contains("受付番号") && text.contains("日数"));
    }
    assert_eq!(rows_seen, 120, "every row printed once");
}

#[test]
fn a_wide_district_table_is_set_smaller_within_the_page() {
    let mut report = Report::new(TITLE, SUBTITLE);
    // Six-digit counts: too wide for thirteen columns at 9 pt.
    report.table(districts(&DISTRICTS, |week, column| {
        format!("{}{column:02},{:03}", week + 1, column * 37)
    }));
    let layout = ReportLayout::new(&report).unwrap();
    assert_fits(&layout);
    let cell = layout.pages()[0]
        .texts()
        .iter()
        .find(|run| run.text == "101,037")
        .unwrap();
    assert!((7.0..9.0).contains(&cell.size), "{} pt", cell.size);
    let text = page_text(&load(&report_pdf(&report).unwrap()), 1);
    assert!(!text.contains("（続き）"));
    for district in DISTRICTS {
        assert!(text.contains(district), "{district}");
    }
}

#[test]
fn a_district_table_too_wide_even_at_7_pt_splits_into_groups_that_repeat_the_labels() {
    let long: Vec<String> = DISTRICTS.iter().map(|d| format!("{d}地区")).collect();
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    let mut report = Report::new(TITLE, SUBTITLE);
    report.table(districts(&long, |week, column| {
        format!("{},{:03},{:03}", week + 1, column * 37, column * 11)
    }));
    let layout = ReportLayout::new(&report).unwrap();
    assert_fits(&layout);
    let runs: Vec<&TextRun> = layout
        .pages()
        .iter()
        .flat_map(|page| page.texts())
        .collect();
    let continued = runs
        .iter()
        .filter(|run| run.text == "表2　地区別の友だち追加数（続き）".replace('　', "  "))
        .count();
    assert!(continued >= 1, "a second group of columns");
    // Each group repeats the label column: every week's label once per group.
    let labels = runs.iter().filter(|run| run.text == "第1週").count();
    assert_eq!(labels, continued + 1);
    for column in long.iter().chain(&["合計"]) {
        let printed = runs.iter().filter(|run| run.text == *column).count();
        assert_eq!(printed, 1, "{column} in exactly one group");
    }
    assert!(runs
        .iter()
        .filter(|run| run.text.contains(',') && !run.text.contains('表'))
        .all(|run| run.size >= 7.0));
}

#[test]
fn long_labels_wrap_inside_their_column_and_numbers_stand_flush_right() {
    let mut report = Report::new(TITLE, SUBTITLE);
    let mut table = Table::new("", strings(&["サービス", "受付", "完了"]));
    let long = "道路・公園・河川・水路・街路灯・カーブミラーなどの不具合の通報（写真付き）と、\
                その後の補修の状況のお知らせ、および補修が済んだことの確認のお願い";
    table.row(vec![long.to_owned(), "12,345".into(), "7".into()]);
    table.row(strings(&["避難所の案内", "1,022", "1,000"]));
    table.row(strings(&["合計", "13,367", "1,007"]));
    // A wide number column leaves the label column less than the label needs.
    for _ in 0..3 {
        table.row(strings(&["予備", "1,234,567,890,123,456,789,012", "0"]));
    }
    report.table(table);
    let layout = ReportLayout::new(&report).unwrap();
    assert_fits(&layout);
    let texts = body_runs(&layout, 0);
    let first = texts
        .iter()
        .position(|run| long.starts_with(&run.text))
        .unwrap();
    let label_lines: Vec<&TextRun> = texts
        .iter()
        .filter(|run| run.x == texts[first].x && run.baseline >= texts[first].baseline)
        .take_while(|run| run.text != "避難所の案内")
        .collect();
    assert!(label_lines.len() >= 2, "the label wraps: {label_lines:?}");
    let joined: String = label_lines.iter().map(|run| run.text.as_str()).collect();
    assert_eq!(joined, long);
    let numbers_left = texts
        .iter()
        .filter(|run| run.text == "12,345" || run.text == "1,022")
        .map(|run| run.x)
        .fold(f32::MAX, f32::min);
    for line in &label_lines {
        assert!(
            line.x + line.width < numbers_left,
            "{:?} inside its column",
            line.text
        );
    }
    for column in [
        ["受付", "12,345", "1,022", "13,367"],
        ["完了", "7", "1,000", "1,007"],
    ] {
        let rights: Vec<f32> = column
            .iter()
            .map(|text| {
                let run = texts.iter().find(|run| run.text == *text).unwrap();
                run.x + run.width
            })
            .collect();
        assert!(
            rights.iter().all(|right| (right - rights[0]).abs() < 0.01),
            "{column:?} end at {rights:?}"
        );
    }
}

#[test]
fn a_heading_is_never_the_last_line_of_a_page() {
    for filler in 30..70 {
        let mut report = Report::new(TITLE, SUBTITLE);
        for i in 0..filler {
            report.paragraph(&format!("{i}行目の説明です。"));
        }
        report.heading("地区別の新しい友だち");
        report.table(services());
        let layout = ReportLayout::new(&report).unwrap();
        assert_fits(&layout);
        for page in 0..layout.pages().len() {
            let last = body_runs(&layout, page).last().unwrap();
            assert_ne!(
                last.text, "地区別の新しい友だち",
                "{filler} lines before it"
            );
            assert_ne!(last.text, "サービス", "a header row without rows");
        }
    }
}

#[test]
fn a_character_the_font_lacks_is_named() {
    let mut report = Report::new(TITLE, SUBTITLE);
    let mut table = Table::new("担当者", strings(&["氏名", "件数"]));
    table.row(strings(&["𠮷田", "3"]));
    report.table(table);
    let error = report_pdf(&report).unwrap_err();
    assert_eq!(
        error,
        ReportError::MissingCharacters {
            characters: "𠮷".into()
        }
    );
    assert_eq!(error.to_string(), "報告書に使えない文字があります: 𠮷");
}

#[test]
fn the_same_report_prints_the_same_bytes_with_each_glyph_embedded_once() {
    let mut report = Report::new(TITLE, SUBTITLE);
    let mut table = Table::new("表", strings(&["日付", "件数"]));
    for day in 1..=150 {
        table.row(vec![format!("{day}日目"), format!("{}", day * 3)]);
    }
    report.table(table);
    let bytes = report_pdf(&report).unwrap();
    assert_eq!(bytes, report_pdf(&report).unwrap());
    let doc = load(&bytes);
    assert!(doc.get_pages().len() >= 3);
    let fonts: Vec<i64> = doc
        .objects
        .values()
        .filter_map(|object| object.as_stream().ok())
        .filter_map(|stream| stream.dict.get(b"Length1").and_then(|n| n.as_i64()).ok())
        .collect();
    // One subset of each weight for the whole document, not one per page.
    assert_eq!(fonts.len(), 2, "Regular and Bold");
    assert!(fonts.iter().all(|&length| length < 100_000), "{fonts:?}");
}
