//! The manual (docs/manual, in Japanese) and the console's static files, built into the binary
//! so that the Lambda serves them with no file system.

use crate::ui::{self, Page};
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../docs/manual/"]
struct Manual;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

pub async fn static_file(Path(name): Path<String>) -> Response {
    match Static::get(&name) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, content_type(&name)),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            file.data.into_owned(),
        )
            .into_response(),
        None => ui::not_found(),
    }
}

pub async fn image(Path(name): Path<String>) -> Response {
    match Manual::get(&format!("images/{name}")) {
        Some(file) => (
            [(header::CONTENT_TYPE, content_type(&name))],
            file.data.into_owned(),
        )
            .into_response(),
        None => ui::not_found(),
    }
}

/// Relative links in the manual resolve against `/admin/manual/<page>`, so the index lives
/// at a page path too.
pub async fn index() -> Response {
    axum::response::Redirect::to("/admin/manual/README").into_response()
}

pub async fn show(page: Page, Path(name): Path<String>) -> Response {
    render(&page, &name)
}

fn render(page: &Page, name: &str) -> Response {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let Some(file) = valid.then(|| Manual::get(&format!("{name}.md"))).flatten() else {
        return ui::not_found();
    };
    let text = String::from_utf8_lossy(&file.data).into_owned();
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("操作マニュアル")
        .to_string();
    let body = text
        .lines()
        .skip_while(|l| !l.starts_with("# "))
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    // Links between manual pages are written as `staff.md`; served here without the suffix.
    let body = body.replace(".md)", ")");
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&body));
    page.render(
        &title,
        &[("操作マニュアル", "/admin/manual"), (&title, "")],
        name,
        maud::html! { div.manual { (ui::trusted_html(html)) } },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every picture the manual shows is built in, is WebP (PNG screenshots made the console's
    /// Lambda package 3.4 MB larger), and nothing built in goes unshown.
    #[test]
    fn the_manual_shows_every_built_in_picture_and_each_is_webp() {
        let mut shown = BTreeSet::new();
        for page in Manual::iter().filter(|f| f.ends_with(".md")) {
            let text = String::from_utf8(Manual::get(&page).unwrap().data.into_owned()).unwrap();
            for (_, rest) in text
                .match_indices("](images/")
                .map(|(i, _)| text.split_at(i + 9))
            {
                let name = &rest[..rest.find(')').unwrap()];
                assert!(
                    Manual::get(&format!("images/{name}")).is_some(),
                    "{page} shows images/{name}, which is not in docs/manual/images"
                );
                assert_eq!(content_type(name), "image/webp", "{page}: {name}");
                shown.insert(format!("images/{name}"));
            }
        }
        let built_in: BTreeSet<String> = Manual::iter()
            .filter(|f| f.starts_with("images/"))
            .map(|f| f.into_owned())
            .collect();
        assert_eq!(built_in, shown, "pictures built in but shown on no page");
    }
}
