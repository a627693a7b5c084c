use tayori_outreach::{svg, Layout, Paper};

use crate::support::{load, obama, obama_with, text, OFFERS};

#[test]
fn the_preview_has_every_line_of_the_poster_at_its_size() {
    for (paper, size) in [
        (Paper::A4Poster, r#"width="210mm" height="297mm""#),
        (Paper::A6Flyer, r#"width="105mm" height="148mm""#),
    ] {
        let layout = Layout::new(&obama(), paper).unwrap();
        let preview = svg(&layout);
        assert!(preview.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(preview.contains(size), "{paper:?}");
        assert!(preview.contains("font-family=\"'BIZ UDGothic', sans-serif\""));
        for run in layout.texts() {
            assert!(
                preview.contains(&format!(">{}</text>", run.text)),
                "{:?}",
                run.text
            );
        }
    }
}

#[test]
fn a_city_name_with_markup_is_escaped_in_the_preview_and_kept_in_the_pdf() {
    let city = "<script>alert(1)</script> & 市";
    let layout = Layout::new(
        &obama_with(city, &OFFERS, "総務課 \"広報\""),
        Paper::A4Poster,
    )
    .unwrap();
    let preview = svg(&layout);
    assert!(!preview.contains("<script>"));
    assert!(preview.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 市"));
    assert!(preview.contains("総務課 &quot;広報&quot;"));
    assert_eq!(preview.matches("<text ").count(), layout.texts().len());
    let pdf_text = text(&load(&tayori_outreach::pdf(&layout)));
    assert!(pdf_text.contains(city), "{pdf_text}");
}
