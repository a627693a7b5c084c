//! The confirmation step before an action that cannot be undone (sending, approving, cancelling
//! or stopping a delivery, switching the menu for every friend): a page rendered by the server
//! that says what will happen, whose form posts the same action again with [`CONFIRMED`]. An
//! action posted without it only shows this page, so nothing happens by a slip of the mouse,
//! and it works without JavaScript.

use crate::ui::{Crumb, Page};
use axum::response::Response;
use maud::html;

/// The form field that says the clerk has seen the confirmation.
pub const CONFIRMED: &str = "confirmed";

/// Whether a posted field value confirms the action.
pub fn is_confirmed(value: &str) -> bool {
    value == "yes"
}

/// What the confirmation page says and posts.
pub struct Confirmation<'a> {
    pub title: &'a str,
    /// What will happen, fact by fact (label, value).
    pub facts: Vec<(&'a str, String)>,
    /// What cannot be undone afterwards.
    pub warning: String,
    /// Where the form posts: the action itself.
    pub action: String,
    /// Fields the action needs besides the confirmation (name, value).
    pub fields: Vec<(&'a str, String)>,
    pub button: &'a str,
    /// The page to go back to without doing anything.
    pub back: String,
}

impl Confirmation<'_> {
    pub fn render(&self, page: &Page, crumbs: &[Crumb], manual: &str) -> Response {
        page.render(
            self.title,
            crumbs,
            manual,
            html! {
                div.confirm role="alert" {
                    p { strong { "まだ実行していません。" } "内容を確認して、よければ下のボタンを押してください。" }
                    dl.facts {
                        @for (label, value) in &self.facts { dt { (label) } dd { (value) } }
                    }
                    p.warning { (self.warning) }
                }
                form.inline method="post" action=(self.action) {
                    (page.csrf_field())
                    @for (name, value) in &self.fields {
                        input type="hidden" name=(name) value=(value);
                    }
                    input type="hidden" name=(CONFIRMED) value="yes";
                    button.danger.filled type="submit" { (self.button) }
                    a.button href=(self.back) { "やめて戻る" }
                }
            },
        )
    }
}
