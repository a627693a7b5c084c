//! Writes a sample A4 poster and A6 flyer (PDF and SVG) into the target directory, so the
//! layout can be looked at: `cargo run -p tayori-outreach --example poster`.

use std::path::PathBuf;

use tayori_outreach::{pdf, svg, BasicId, Contact, Invitation, Layout, Paper};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let invitation = Invitation::new(
        "小浜市",
        BasicId::parse("@obama-city")?,
        [
            "ごみの収集日をお知らせ",
            "近くの避難所を案内",
            "道路や公園の不具合を写真で通報",
            "防災・気象情報をいち早くお届け",
            "子育て・健診のお知らせ",
        ],
        Contact::new("企画部 総合政策課", "0770-53-1111"),
    )?
    .with_link("https://liff.line.me/2000000000-abcdEFGH/join?ch=kouhou")?;
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()));
    for (paper, name) in [(Paper::A4Poster, "poster-a4"), (Paper::A6Flyer, "flyer-a6")] {
        let layout = Layout::new(&invitation, paper)?;
        let pdf_bytes = pdf(&layout);
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf_bytes)?;
        std::fs::write(dir.join(format!("{name}.svg")), svg(&layout))?;
        println!("{name}.pdf: {} bytes", pdf_bytes.len());
    }
    Ok(())
}
