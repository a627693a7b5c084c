use tayori_outreach::{pdf, Layout, Paper};

use crate::support::{load, media_box, obama, scan_qr, text, OFFERS};

const LANDING: &str = "https://liff.line.me/2000000000-abcdEFGH/join?ch=kouhou";

#[test]
fn the_qr_printed_on_a_poster_and_a_flyer_opens_the_add_friend_link() {
    for paper in [Paper::A4Poster, Paper::A6Flyer] {
        let doc = load(&pdf(&Layout::new(&obama(), paper).unwrap()));
        assert_eq!(
            scan_qr(&doc),
            "https://line.me/R/ti/p/%40obama-city",
            "{paper:?}"
        );
    }
}

#[test]
fn the_qr_opens_a_long_landing_url_with_its_query() {
    let invitation = obama().with_link(LANDING).unwrap();
    for paper in [Paper::A4Poster, Paper::A6Flyer] {
        let doc = load(&pdf(&Layout::new(&invitation, paper).unwrap()));
        assert_eq!(scan_qr(&doc), LANDING, "{paper:?}");
    }
}

#[test]
fn the_page_is_a4_or_a6_in_points() {
    let a4 = load(&pdf(&Layout::new(&obama(), Paper::A4Poster).unwrap()));
    let a6 = load(&pdf(&Layout::new(&obama(), Paper::A6Flyer).unwrap()));
    let close = |got: Vec<f32>, want: [f32; 4]| {
        got.len() == 4 && got.iter().zip(want).all(|(g, w)| (g - w).abs() < 0.01)
    };
    assert!(
        close(media_box(&a4), [0.0, 0.0, 595.276, 841.89]),
        "{:?}",
        media_box(&a4)
    );
    assert!(
        close(media_box(&a6), [0.0, 0.0, 297.638, 419.528]),
        "{:?}",
        media_box(&a6)
    );
}

#[test]
fn the_text_can_be_copied_and_searched() {
    for paper in [Paper::A4Poster, Paper::A6Flyer] {
        let doc = load(&pdf(&Layout::new(&obama(), paper).unwrap()));
        let text = text(&doc);
        for expected in [
            "小浜市 公式LINE",
            "友だち募集中",
            "LINEで小浜市の情報が届きます",
            "ID検索: @obama-city",
            "お問い合わせ: 企画部 総合政策課 0770-53-1111",
        ]
        .into_iter()
        .chain(OFFERS)
        {
            assert!(
                text.contains(expected),
                "{expected:?} in {paper:?}:\n{text}"
            );
        }
    }
}

#[test]
fn only_the_glyphs_used_are_embedded() {
    let bytes = pdf(&Layout::new(&obama(), Paper::A4Poster).unwrap());
    assert!(bytes.len() < 300_000, "{} bytes", bytes.len());
    let doc = load(&bytes);
    let mut embedded = 0;
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        if let Ok(length) = stream.dict.get(b"Length1").and_then(|n| n.as_i64()) {
            embedded += 1;
            // The whole committed font is about 1.9 MB; a poster uses a few dozen glyphs.
            assert!(length < 100_000, "a font file of {length} bytes");
        }
    }
    assert_eq!(embedded, 2, "Regular and Bold");
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|r| r.as_reference())
        .unwrap();
    let title = doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
    assert_eq!(lopdf::decode_text_string(title).unwrap(), "小浜市 公式LINE");
    for font in doc
        .get_page_fonts(crate::support::first_page(&doc))
        .unwrap()
        .values()
    {
        assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
        assert_eq!(
            font.get(b"Encoding").unwrap().as_name().unwrap(),
            b"Identity-H"
        );
        assert!(font.get(b"ToUnicode").is_ok());
    }
}

#[test]
fn the_same_invitation_always_prints_the_same_bytes() {
    let layout = Layout::new(&obama(), Paper::A6Flyer).unwrap();
    assert_eq!(pdf(&layout), pdf(&layout));
}

#[test]
fn the_qr_is_printed_on_white_with_a_quiet_zone_of_four_modules() {
    for paper in [Paper::A4Poster, Paper::A6Flyer] {
        let doc = load(&pdf(&Layout::new(&obama(), paper).unwrap()));
        let paths = crate::support::filled_paths(&doc);
        let at = (0..paths.len()).max_by_key(|&i| paths[i].len()).unwrap();
        let modules = &paths[at];
        let white = paths[at - 1][0];
        let module = modules.iter().map(|r| r[3]).fold(f32::MAX, f32::min);
        let left = modules.iter().map(|r| r[0]).fold(f32::MAX, f32::min);
        let bottom = modules.iter().map(|r| r[1]).fold(f32::MAX, f32::min);
        let right = modules.iter().map(|r| r[0] + r[2]).fold(f32::MIN, f32::max);
        let top = modules.iter().map(|r| r[1] + r[3]).fold(f32::MIN, f32::max);
        let quiet = 4.0 * module - 0.01;
        assert!(
            left - white[0] >= quiet && bottom - white[1] >= quiet,
            "{paper:?}"
        );
        assert!(
            white[0] + white[2] - right >= quiet && white[1] + white[3] - top >= quiet,
            "{paper:?}"
        );
        let symbol_mm = (right - left) * 25.4 / 72.0;
        assert!(
            symbol_mm >= paper.min_qr_mm(),
            "{symbol_mm} mm on {paper:?}"
        );
    }
}
