//! Form pieces with inline validation messages, labelled for screen readers.

use maud::{html, Markup};
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

    /// A summary at the top of the form, so the clerk sees at once that something needs fixing.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.0.is_empty() {
                div.flash.err role="alert" {
                    p { "入力内容を確認してください。" }
                    ul { @for (field, message) in &self.0 { li { a href=(format!("#f-{field}")) { (message) } } } }
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
