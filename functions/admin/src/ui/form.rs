//! Form pieces with inline validation messages, labelled for screen readers.

use maud::{html, Markup, Render};
use std::collections::BTreeMap;

/// Messages per field name, shown beside the field.
#[derive(Clone, Debug, Default)]
pub struct Problems(BTreeMap<String, String>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// The summary of these problems, each linking to its field (`f-<name>`).
    pub fn summary(&self) -> ErrorSummary {
        self.summary_in("")
    }

    /// The same, for a page with several forms whose fields are `f-<scope>-<name>`.
    pub fn summary_in(&self, scope: &str) -> ErrorSummary {
        let prefix = if scope.is_empty() {
            "f-".to_string()
        } else {
            format!("f-{scope}-")
        };
        self.0
            .iter()
            .fold(ErrorSummary::default(), |summary, (field, message)| {
                summary.field(&format!("{prefix}{field}"), message)
            })
    }
}

/// What needs fixing after a refused post, as the first thing under the page's title: each
/// message links to its field, and `console.js` moves focus here on load, so the clerk is not
/// left looking at the top of a long page while the problem sits below. Without JavaScript it
/// is still the first thing read. Put it first in the page's body; one per page.
#[derive(Clone, Debug, Default)]
pub struct ErrorSummary {
    /// (the id of the field in error, the message)
    entries: Vec<(String, String)>,
}

impl ErrorSummary {
    /// A problem with the field whose id is `id`.
    pub fn field(mut self, id: &str, message: impl Into<String>) -> Self {
        self.entries.push((id.to_string(), message.into()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Render for ErrorSummary {
    fn render(&self) -> Markup {
        html! {
            @if !self.entries.is_empty() {
                div.error-summary #error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 #error-summary-title { "入力内容を確認してください（" (self.entries.len()) "件）" }
                    ul { @for (id, message) in &self.entries { li { a href=(format!("#{id}")) { (message) } } } }
                }
            }
        }
    }
}

pub fn text_field(
    name: &str,
    label: &str,
    value: &str,
    problems: &Problems,
    hint: Option<&str>,
) -> Markup {
    field(
        name,
        label,
        problems,
        hint,
        html! {
            input type="text" id=(format!("f-{name}")) name=(name) value=(value)
                aria-invalid=[problems.get(name).map(|_| "true")]
                aria-describedby=(format!("h-{name}"));
        },
    )
}

pub fn password_field(name: &str, label: &str, problems: &Problems, hint: Option<&str>) -> Markup {
    field(
        name,
        label,
        problems,
        hint,
        html! {
            input type="password" id=(format!("f-{name}")) name=(name) autocomplete="new-password"
                aria-invalid=[problems.get(name).map(|_| "true")]
                aria-describedby=(format!("h-{name}"));
        },
    )
}

pub fn field(
    name: &str,
    label: &str,
    problems: &Problems,
    hint: Option<&str>,
    control: Markup,
) -> Markup {
    html! {
        div.field {
            label for=(format!("f-{name}")) { (label) }
            (control)
            div.hint id=(format!("h-{name}")) {
                @if let Some(p) = problems.get(name) { span.problem { (p) } " " }
                @if let Some(h) = hint { (h) }
            }
        }
    }
}
