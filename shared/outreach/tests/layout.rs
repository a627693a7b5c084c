use tayori_outreach::{Layout, LayoutError, Paper, Weight};

use crate::support::{obama, obama_with, OFFERS};

const PAPERS: [Paper; 2] = [Paper::A4Poster, Paper::A6Flyer];

/// What a printed page must never show: text past the margins, text on the QR or its quiet
/// zone, two lines on top of each other, or a QR smaller than a phone reads from afar.
fn assert_fits(layout: &Layout) {
    let page = layout.printable_area();
    let qr = layout.qr();
    assert!(page.contains(&qr.area), "the QR is on the page");
    let symbol_mm = qr.symbol_area().width * 25.4 / 72.0;
    assert!(
        symbol_mm >= layout.paper().min_qr_mm(),
        "QR of {symbol_mm} mm"
    );
    for block in layout.blocks() {
        assert!(page.contains(&block.area), "{block:?} is on the page");
        assert!(!block.area.overlaps(&qr.area), "{block:?} stays off the QR");
    }
    let texts = layout.texts();
    for (i, run) in texts.iter().enumerate() {
        let area = run.area();
        assert!(
            page.contains(&area),
            "{:?} ({area:?}) stays inside {page:?}",
            run.text
        );
        assert!(!area.overlaps(&qr.area), "{:?} stays off the QR", run.text);
        for other in &texts[i + 1..] {
            assert!(
                !area.overlaps(&other.area()),
                "{:?} and {:?} overlap",
                run.text,
                other.text
            );
        }
    }
}

fn texts(layout: &Layout) -> Vec<&str> {
    layout.texts().iter().map(|run| run.text.as_str()).collect()
}

fn size_of(layout: &Layout, text: &str) -> f32 {
    layout
        .texts()
        .iter()
        .find(|run| run.text == text)
        .unwrap()
        .size
}

#[test]
fn a_poster_says_everything_in_order() {
    for paper in PAPERS {
        let layout = Layout::new(&obama(), paper).unwrap();
        assert_fits(&layout);
        let mut expected = vec![
            "小浜市 公式LINE",
            "友だち募集中",
            "LINEで小浜市の情報が届きます",
        ];
        for offer in OFFERS {
            expected.extend(["・", offer]);
        }
        expected.extend([
            "LINEアプリの「友だち追加」→「QRコード」で読み取ってください",
            "ID検索: @obama-city",
            "お問い合わせ: 企画部 総合政策課 0770-53-1111",
            "小浜市",
        ]);
        assert_eq!(texts(&layout), expected, "{paper:?}");
        assert!(!layout.shortened());
        let title = &layout.texts()[0];
        assert_eq!(title.weight, Weight::Bold);
        assert!(title.size > size_of(&layout, OFFERS[0]));
        // The QR sits below the offers and above its caption.
        let qr = layout.qr().area;
        assert!(layout.texts()[2 + 2 * OFFERS.len()].area().bottom() <= qr.y);
        assert!(layout.texts()[3 + 2 * OFFERS.len()].area().y >= qr.bottom());
    }
}

#[test]
fn a_longer_city_name_shrinks_the_title_to_stay_on_one_line() {
    let city = "北海道上川郡東神楽町";
    for paper in PAPERS {
        let layout = Layout::new(&obama_with(city, &OFFERS, "総務課"), paper).unwrap();
        assert_fits(&layout);
        let title = format!("{city} 公式LINE");
        assert!(texts(&layout).contains(&title.as_str()), "{paper:?}");
        let short = Layout::new(&obama(), paper).unwrap();
        assert!(size_of(&layout, &title) < size_of(&short, "小浜市 公式LINE"));
        assert!(!layout.shortened());
    }
}

#[test]
fn a_city_name_too_long_even_at_the_smallest_size_takes_two_lines_then_ends_in_an_ellipsis() {
    let city = "とても長い名前の架空の町".repeat(6);
    for paper in PAPERS {
        let layout = Layout::new(&obama_with(&city, &OFFERS, "総務課"), paper).unwrap();
        assert_fits(&layout);
        let band = layout.blocks()[0].area;
        let title: Vec<_> = layout
            .texts()
            .iter()
            .filter(|run| band.contains(&run.area()) && run.text != "友だち募集中")
            .collect();
        assert_eq!(title.len(), 2, "{paper:?}");
        assert!(title[0].text.starts_with("とても長い名前"));
        assert!(title[1].text.ends_with('…'), "{:?}", title[1].text);
        assert!(layout.shortened());
    }
}

#[test]
fn eight_offers_all_fit_on_a_poster_and_a_flyer_at_a_smaller_size() {
    let offers = [
        "ごみの収集日をお知らせ",
        "近くの避難所を案内",
        "道路の傷みを写真で通報",
        "子育て・健診のお知らせ",
        "防災・気象情報をいち早く",
        "イベント情報をお届け",
        "各種手続きの案内",
        "よくある質問に自動で回答",
    ];
    for paper in PAPERS {
        let layout = Layout::new(&obama_with("小浜市", &offers, "総合政策課"), paper).unwrap();
        assert_fits(&layout);
        let shown = texts(&layout);
        for offer in offers {
            assert!(shown.contains(&offer), "{offer} on {paper:?}");
        }
        assert!(!layout.shortened());
        let four = Layout::new(&obama(), paper).unwrap();
        assert!(size_of(&layout, offers[0]) <= size_of(&four, offers[0]));
    }
}

#[test]
fn an_offer_longer_than_two_lines_ends_in_an_ellipsis() {
    let offers: Vec<String> = (1..=8)
        .map(|n| format!("{n}番目のお知らせ：季節ごとの行事や手続きの締め切り、窓口の混雑状況、休日の当番医、図書館の新着本、公民館の講座、子ども食堂の開催日、ごみ出しの注意点、路線バスの運休情報まで、市役所の各課から毎週まとめて詳しくお届けします"))
        .collect();
    let offers: Vec<&str> = offers.iter().map(String::as_str).collect();
    let layout = Layout::new(&obama_with("小浜市", &offers, "総合政策課"), Paper::A6Flyer).unwrap();
    assert_fits(&layout);
    assert!(layout.shortened());
    let shown = texts(&layout);
    assert_eq!(
        shown.iter().filter(|t| **t == "・").count(),
        8,
        "every offer is kept"
    );
    let cut = shown.iter().filter(|t| t.ends_with('…')).count();
    assert_eq!(cut, 8, "each offer ends after its second line: {shown:#?}");
}

#[test]
fn offers_beyond_what_the_smallest_size_holds_are_left_off_and_the_last_shown_ends_in_an_ellipsis()
{
    let offers: Vec<String> = (1..=20)
        .map(|n| format!("{n}番目のお知らせ：季節ごとの行事や手続きの締め切りをお届けします"))
        .collect();
    let offers: Vec<&str> = offers.iter().map(String::as_str).collect();
    let layout = Layout::new(&obama_with("小浜市", &offers, "総合政策課"), Paper::A6Flyer).unwrap();
    assert_fits(&layout);
    assert!(layout.shortened());
    let shown = texts(&layout);
    let bullets = shown.iter().filter(|t| **t == "・").count();
    assert!((1..20).contains(&bullets), "{bullets} offers shown");
    let caption = shown
        .iter()
        .position(|t| t.starts_with("LINEアプリの"))
        .unwrap();
    assert!(
        shown[caption - 1].ends_with('…'),
        "{:?}",
        shown[caption - 1]
    );
    assert!(
        shown.iter().any(|t| t.starts_with("1番目")),
        "the first offer is kept"
    );
    let again = Layout::new(&obama_with("小浜市", &offers, "総合政策課"), Paper::A6Flyer).unwrap();
    assert_eq!(
        again, layout,
        "the same invitation is always cut the same way"
    );
}

#[test]
fn a_long_department_wraps_under_the_qr_without_touching_it() {
    let department =
        "市民福祉部 子育て支援課 こども家庭センター 母子保健グループ（健康管理センター内）";
    for paper in PAPERS {
        let layout = Layout::new(&obama_with("小浜市", &OFFERS, department), paper).unwrap();
        assert_fits(&layout);
        let shown = texts(&layout);
        let id = shown.iter().position(|t| t.starts_with("ID検索")).unwrap();
        let contact = shown[id + 1..shown.len() - 1].concat();
        let whole = format!("お問い合わせ: {department} 0770-53-1111");
        assert_eq!(contact.replace(' ', ""), whole.replace(' ', ""));
        assert!(
            shown[id + 1..shown.len() - 1].len() >= 2,
            "{paper:?}: wrapped"
        );
    }
}

#[test]
fn no_line_starts_with_a_closing_mark_or_small_kana() {
    // Padding moves every break point along, so some break falls right before a mark.
    for padding in 0..24 {
        let pad = "あ".repeat(padding);
        let offers = [
            format!("{pad}ごみ、資源物、粗大ごみの収集日を、前日の夕方にお知らせします。"),
            format!("{pad}「避難所」「給水所」（開設中のもの）を、地図でご案内します。"),
            format!("{pad}ちょっとした困りごと、ぜひご相談ください。ショートメッセージでも。"),
        ];
        let offers: Vec<&str> = offers.iter().map(String::as_str).collect();
        for paper in PAPERS {
            let layout = Layout::new(&obama_with("小浜市", &offers, "総合政策課"), paper).unwrap();
            assert_fits(&layout);
            for run in layout.texts() {
                let first = run.text.chars().next().unwrap();
                assert!(
                    !"、。，．」）』ーっゃゅょァィッャュョ…".contains(first),
                    "{:?} on {paper:?}",
                    run.text
                );
                let last = run.text.chars().last().unwrap();
                assert!(!"「（『".contains(last), "{:?} on {paper:?}", run.text);
            }
        }
    }
}

#[test]
fn a_phone_number_is_never_split_across_lines() {
    for padding in 0..40 {
        let department = format!("市民福祉部 子育て支援課 {}", "総".repeat(padding));
        for paper in PAPERS {
            let layout = Layout::new(&obama_with("小浜市", &OFFERS, &department), paper).unwrap();
            assert_fits(&layout);
            let shown = texts(&layout);
            assert!(
                shown.iter().any(|t| t.contains("0770-53-1111")),
                "{paper:?} with {padding}: {shown:?}"
            );
        }
    }
}

#[test]
fn a_character_the_font_lacks_is_named_rather_than_left_blank() {
    let error = Layout::new(&obama_with("𠮷野町", &OFFERS, "総務課"), Paper::A4Poster).unwrap_err();
    assert_eq!(
        error,
        LayoutError::MissingCharacters {
            characters: "𠮷".into()
        }
    );
    assert_eq!(error.to_string(), "ポスターに使えない文字があります: 𠮷");
    let error = Layout::new(
        &obama_with("小浜市", &["髙橋医院の休診日"], "𠮷田課"),
        Paper::A6Flyer,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "ポスターに使えない文字があります: 𠮷、髙"
    );
}

#[test]
fn everything_long_at_once_still_stays_on_the_page_and_off_the_qr() {
    let city = "とても長い名前の架空の町".repeat(6);
    let offers: Vec<String> = (1..=8)
        .map(|n| format!("{n}番目のお知らせ：季節ごとの行事や手続きの締め切り、窓口の混雑状況、休日の当番医、図書館の新着本までお届けします"))
        .collect();
    let offers: Vec<&str> = offers.iter().map(String::as_str).collect();
    let department =
        "市民福祉部 子育て支援課 こども家庭センター 母子保健グループ（健康管理センター内）"
            .repeat(3);
    for paper in PAPERS {
        let layout = Layout::new(&obama_with(&city, &offers, &department), paper).unwrap();
        assert_fits(&layout);
        assert!(layout.shortened());
        assert!(texts(&layout).contains(&"ID検索: @obama-city"), "{paper:?}");
    }
}
