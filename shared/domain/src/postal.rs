//! Postal codes (郵便番号) of 福井県, from Japan Post's KEN_ALL (see `data/postal/SOURCES.md`),
//! compiled into the binary so that a form's address field can be filled from a postal code
//! without any network call. Codes outside 福井県 are not known: the citizen types the address.

use crate::form::value::postal_code;
use std::collections::BTreeMap;
use std::sync::LazyLock;

const FUKUI_CSV: &str = include_str!("../../../data/postal/fukui.csv");

/// One place a postal code covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Seven digits, no hyphen.
    pub code: String,
    pub prefecture: String,
    pub city: String,
    /// 町域; empty when the code covers the whole city or several towns.
    pub town: String,
}

impl Address {
    /// 「福井県小浜市大手町」: what the address field is filled with.
    pub fn text(&self) -> String {
        format!("{}{}{}", self.prefecture, self.city, self.town)
    }
}

/// Code → the places it covers, in Japan Post's order.
static TABLE: LazyLock<BTreeMap<String, Vec<Address>>> = LazyLock::new(|| {
    let mut table: BTreeMap<String, Vec<Address>> = BTreeMap::new();
    // The file is ours and checked by the tests; a malformed line is skipped rather than
    // taking the LIFF page down.
    for line in FUKUI_CSV.lines().skip(1) {
        let mut cols = line.split(',');
        let (Some(code), Some(prefecture), Some(city), Some(town)) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        table.entry(code.to_string()).or_default().push(Address {
            code: code.to_string(),
            prefecture: prefecture.to_string(),
            city: city.to_string(),
            town: town.to_string(),
        });
    }
    table
});

/// Every place `code` covers (`917-0078`, `９１７００７８`, `〒917-0078` are all taken).
pub fn candidates(code: &str) -> &'static [Address] {
    postal_code(code)
        .and_then(|c| TABLE.get(&c))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The address to fill in for `code`. When the code covers several towns only the prefecture
/// and city are filled (the town left empty for the citizen): a wrong town is worse than none.
pub fn lookup(code: &str) -> Option<Address> {
    match candidates(code) {
        [] => None,
        [one] => Some(one.clone()),
        [first, ..] => Some(Address {
            town: String::new(),
            ..first.clone()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_obama_gives_its_town() {
        let a = lookup("917-0078").unwrap();
        assert_eq!(a.text(), "福井県小浜市大手町");
        assert_eq!(a.code, "9170078");
        assert_eq!(lookup("９１７－００７８"), Some(a.clone()));
        assert_eq!(lookup("〒9170078"), Some(a));
    }

    #[test]
    fn a_code_shared_by_towns_fills_only_the_city() {
        let towns: Vec<_> = candidates("9170002")
            .iter()
            .map(|a| a.town.as_str())
            .collect();
        assert_eq!(towns, ["北長町", "北塩屋"]);
        assert_eq!(lookup("917-0002").unwrap().text(), "福井県小浜市");
    }

    #[test]
    fn the_whole_prefecture_is_there_and_nothing_else() {
        assert_eq!(lookup("910-0005").unwrap().text(), "福井県福井市大手");
        assert_eq!(
            lookup("919-1541").map(|a| a.city),
            Some("三方上中郡若狭町".into())
        );
        assert!(TABLE.values().flatten().all(|a| a.prefecture == "福井県"));
        assert!(TABLE.len() > 2000, "{}", TABLE.len());
        assert_eq!(lookup("100-0001"), None, "千代田区 is not bundled");
        assert_eq!(lookup("917-00"), None);
        assert_eq!(lookup("abc"), None);
    }
}
