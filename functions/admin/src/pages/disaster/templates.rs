//! ひな形: the disaster deliveries staff send on their worst day, ready in the composer
//! (`/admin/deliveries/new?template=level4`). The 避難情報 follow the 警戒レベル and their words
//! as 内閣府「避難情報に関するガイドライン」(令和3年5月改定) fixes them: レベル3 高齢者等避難
//! 「危険な場所から高齢者等は避難」, レベル4 避難指示「危険な場所から全員避難」, レベル5
//! 緊急安全確保「命の危険 直ちに安全確保！」, and 「警戒レベル４までに必ず避難！」.
//!
//! What only the clerk knows is a 【placeholder】; the composer refuses to send or submit a
//! delivery that still holds one, so a template can never go out half-filled.

/// One template: what the composer fills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// The code in `?template=`.
    pub code: &'static str,
    /// Its name in the choice.
    pub name: &'static str,
    /// The delivery's title (管理用).
    pub title: &'static str,
    /// The first text bubble.
    pub text: &'static str,
}

/// What the clerk must replace before sending.
pub const PLACEHOLDERS: [&str; 4] = [
    "【対象地区】",
    "【災害の種類】",
    "【開設避難所】",
    "【発令時刻】",
];

/// The category every template is filed under.
pub const CATEGORY: &str = "防災";

pub const TEMPLATES: [Template; 5] = [
    Template {
        code: "level3",
        name: "警戒レベル3 高齢者等避難",
        title: "【警戒レベル3】高齢者等避難",
        text: "【警戒レベル3】高齢者等避難\n\
小浜市です。【発令時刻】、【対象地区】に【災害の種類】に関する「警戒レベル3 高齢者等避難」を発令しました。\n\n\
危険な場所から高齢者等は避難してください。\n\
避難に時間のかかる高齢の方、障害のある方、乳幼児などと一緒の方は、危険な場所から避難してください。\n\
その他の方も、避難の準備をしたり、自主的に避難したりしてください。\n\n\
開設している避難所：【開設避難所】\n\n\
避難所への移動がかえって危険な場合は、近くの安全な場所や、自宅内のより安全な場所に避難してください。\n\
警戒レベル4までに必ず避難！",
    },
    Template {
        code: "level4",
        name: "警戒レベル4 避難指示",
        title: "【警戒レベル4】避難指示",
        text: "【警戒レベル4】避難指示\n\
小浜市です。【発令時刻】、【対象地区】に【災害の種類】に関する「警戒レベル4 避難指示」を発令しました。\n\n\
危険な場所から全員避難してください。\n\n\
開設している避難所：【開設避難所】\n\n\
避難所への移動がかえって危険な場合は、近くの安全な場所や、自宅内のより安全な場所に避難してください。\n\
警戒レベル4までに必ず避難！",
    },
    Template {
        code: "level5",
        name: "警戒レベル5 緊急安全確保",
        title: "【警戒レベル5】緊急安全確保",
        text: "【警戒レベル5】緊急安全確保\n\
小浜市です。【発令時刻】、【対象地区】に【災害の種類】に関する「警戒レベル5 緊急安全確保」を発令しました。\n\n\
命の危険 直ちに安全確保！\n\
すでに災害が発生しているか、切迫しています。\n\
避難所への移動がかえって危険な場合は、ただちに近くの少しでも安全な場所や、自宅の2階以上など、少しでも命が助かる可能性の高い場所へ移動してください。\n\n\
※緊急安全確保は、必ず発令されるものではありません。警戒レベル4までに必ず避難してください。",
    },
    Template {
        code: "tsunami",
        name: "津波",
        title: "【津波】避難の呼びかけ",
        text: "【津波】ただちに避難してください\n\
小浜市です。【発令時刻】、福井県に津波警報が発表されました。\n\n\
【対象地区】の方は、ただちに高台や津波避難ビルなど、できるだけ高い安全な場所へ避難してください。\n\
海岸や川の河口付近には、絶対に近づかないでください。\n\
津波は繰り返し襲ってきます。警報が解除されるまで、安全な場所から離れないでください。\n\n\
開設している避難所：【開設避難所】",
    },
    Template {
        code: "earthquake",
        name: "地震",
        title: "【地震】身の安全の確保",
        text: "【地震】身の安全を確保してください\n\
小浜市です。【発令時刻】ごろ、強い地震がありました。\n\n\
まず身の安全を確保してください。揺れがおさまったら、火の始末をし、出口を確保してください。\n\
海岸や川の河口付近にいる方は、津波に備えて、ただちに高い場所へ避難してください。\n\
崖や古いブロック塀には近づかないでください。\n\n\
【対象地区】の開設している避難所：【開設避難所】\n\
自宅が危険な方は避難所へ避難してください。",
    },
];

pub fn find(code: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.code == code)
}

/// The placeholders still in `text`, in the order of [`PLACEHOLDERS`].
pub fn placeholders_in(text: &str) -> Vec<&'static str> {
    PLACEHOLDERS
        .into_iter()
        .filter(|p| text.contains(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_template_is_found_by_its_code_and_is_a_disaster_delivery() {
        for t in &TEMPLATES {
            assert_eq!(find(t.code), Some(t));
            assert!(
                tayori_domain::delivery::CATEGORIES.contains(&CATEGORY),
                "the composer files it"
            );
            assert!(
                t.title.chars().count() <= tayori_domain::delivery::MAX_TITLE_CHARS,
                "{}",
                t.code
            );
            assert!(
                !placeholders_in(t.text).is_empty(),
                "{}: every template asks for something only the clerk knows",
                t.code
            );
        }
        assert_eq!(find("level6"), None);
    }

    #[test]
    fn the_evacuation_levels_say_the_guidelines_words() {
        let says = |code: &str, words: &str| find(code).unwrap().text.contains(words);
        assert!(says("level3", "警戒レベル3 高齢者等避難"));
        assert!(says("level3", "危険な場所から高齢者等は避難"));
        assert!(says("level4", "警戒レベル4 避難指示"));
        assert!(says("level4", "危険な場所から全員避難"));
        assert!(says("level5", "警戒レベル5 緊急安全確保"));
        assert!(says("level5", "命の危険 直ちに安全確保！"));
    }

    #[test]
    fn a_filled_in_text_has_no_placeholder_left() {
        let text = find("level4").unwrap().text;
        assert_eq!(
            placeholders_in(text),
            [
                "【対象地区】",
                "【災害の種類】",
                "【開設避難所】",
                "【発令時刻】"
            ]
        );
        let filled = text
            .replace("【対象地区】", "西津地区")
            .replace("【災害の種類】", "洪水")
            .replace("【開設避難所】", "西津公民館")
            .replace("【発令時刻】", "7月10日 14時30分");
        assert!(placeholders_in(&filled).is_empty());
    }
}
