//! The page a bubble's button opens. LINE opens only what its URI action takes, and a link is
//! also drawn in the console's phone preview, where a `javascript:` or `data:` URL would run in
//! a staff member's session: so a link is an `https://` URL of at most 1000 characters (LINE's
//! limit for a URI action, in UTF-16 units) with a host and no whitespace or control characters.

/// LINE's limit for a URI action's `uri`.
pub const MAX_LINK_UNITS: usize = 1000;

const SCHEME: &str = "https://";

/// Why a link cannot be used; renders as the end of a sentence that names the bubble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkProblem {
    #[error("リンク先URLは https:// で始まるURLにしてください。")]
    NotHttps,
    #[error("リンク先URLを正しく入力してください（https:// の後にサイトの名前が必要です。空白や改行は使えません）。")]
    Malformed,
    #[error("リンク先URLは{MAX_LINK_UNITS}文字以内にしてください（{0}文字）。")]
    TooLong(usize),
}

/// Checks a link as LINE and the console's preview need it.
pub fn check_link(url: &str) -> Result<(), LinkProblem> {
    // Compared as typed: "HTTPS://" or a leading space is refused rather than guessed at, so
    // what is stored is exactly what the preview and LINE get.
    let Some(rest) = url.strip_prefix(SCHEME) else {
        return Err(LinkProblem::NotHttps);
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkProblem::Malformed);
    }
    let units = url.encode_utf16().count();
    if units > MAX_LINK_UNITS {
        return Err(LinkProblem::TooLong(units));
    }
    Ok(())
}

/// Whether `url` may be drawn as a link (`href`). Stored drafts older than the check on save
/// can hold anything, so the preview asks this every time.
pub fn is_safe_link(url: &str) -> bool {
    check_link(url).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_page_of_the_city_is_a_link() {
        for url in [
            "https://www1.city.obama.fukui.jp/",
            "https://www1.city.obama.fukui.jp/kanko/index.html?lang=ja#access",
            "https://example.jp",
            "https://例え.jp/観光",
        ] {
            assert_eq!(check_link(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn scripts_data_and_plain_http_are_not_links() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "http://www1.city.obama.fukui.jp/",
            "HTTPS://www1.city.obama.fukui.jp/",
            " https://www1.city.obama.fukui.jp/",
            "//www1.city.obama.fukui.jp/",
            "",
        ] {
            assert_eq!(check_link(url), Err(LinkProblem::NotHttps), "{url:?}");
            assert!(!is_safe_link(url));
        }
    }

    #[test]
    fn a_link_without_a_host_or_with_spaces_or_line_breaks_is_refused() {
        for url in [
            "https://",
            "https:///path",
            "https://?q=1",
            "https://example.jp/a b",
            "https://example.jp/\njavascript:alert(1)",
            "https://example.jp/\t",
            "https://example.jp/\u{3000}",
        ] {
            assert_eq!(check_link(url), Err(LinkProblem::Malformed), "{url:?}");
        }
    }

    #[test]
    fn a_link_of_1000_units_is_accepted_and_1001_refused() {
        let at_limit = format!("{SCHEME}example.jp/{}", "a".repeat(1000 - 19));
        assert_eq!(at_limit.encode_utf16().count(), 1000);
        assert_eq!(check_link(&at_limit), Ok(()));
        let over = format!("{at_limit}a");
        assert_eq!(check_link(&over), Err(LinkProblem::TooLong(1001)));
        assert_eq!(
            LinkProblem::TooLong(1001).to_string(),
            "リンク先URLは1000文字以内にしてください（1001文字）。"
        );
    }
}
