//! Prints what the garbage chat makes of each message given as an argument: every intent's
//! best reading, for working on the phrases and synonyms.
//!
//! `cargo run -p tayori-garbage --example chat-intents-debug -- 明日のごみは？ 電池`

use tayori_garbage::intent::GarbageIntents;

fn main() {
    let sample = tayori_garbage::obama_sample();
    let intents = GarbageIntents::new(&sample.calendar, &sample.dictionary);
    for text in std::env::args().skip(1) {
        let folded = intents.index().normalizer().message(&text).as_string();
        println!("「{text}」 → {folded}: {:?}", intents.recognize(&text));
        for m in intents.index().matches(&text).iter().take(5) {
            let slots: Vec<String> = m
                .slots
                .iter()
                .map(|s| format!("{}={}({})", s.name, s.value.replace('\u{1F}', ","), s.text))
                .collect();
            println!(
                "  {:.3} {} complete={} {}",
                m.score,
                m.intent,
                m.complete,
                slots.join(" ")
            );
        }
    }
}
