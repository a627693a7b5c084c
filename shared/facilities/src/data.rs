//! 小浜市's rows of GSI's lists, shipped with Tayori so that a fresh install answers
//! 「近くの避難所」 at once (see `data/shelters/SOURCES.md` for their source, terms and caveats).

/// The city the shipped rows are for: another city's deployment starts with an empty registry
/// and imports its own lists.
pub const SHIPPED_FOR: &str = "小浜市";

pub const OBAMA_EMERGENCY_SITES: &[u8] =
    include_bytes!("../../../data/shelters/obama_gsi_designated_emergency_evacuation_sites.csv");
pub const OBAMA_SHELTERS: &[u8] =
    include_bytes!("../../../data/shelters/obama_gsi_designated_shelters.csv");

/// The attribution GSI's terms ask for, shown wherever the sites are.
pub const ATTRIBUTION: &str = "出典：国土地理院 指定緊急避難場所・指定避難所データ（小浜市）";

/// What anyone passing GSI's data on must tell (GSI's ご利用上の注意).
pub const CAVEAT: &str = "データは古い場合があります。避難の際は小浜市の最新の情報もご確認ください。指定緊急避難場所は災害の種類ごとに逃げる場所、指定避難所は避難生活を送る施設です。";
