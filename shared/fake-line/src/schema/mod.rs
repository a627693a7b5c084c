//! A validator for the part of OpenAPI 3.0's schema language that LINE's specs use.
//!
//! Generic validators treat `discriminator` as documentation, so a `Message` with `type: "txt"`
//! passes: every property of the base schema is optional apart from `type`. This one dispatches
//! on the discriminator: it reads the named property, looks it up in `mapping`, validates the
//! value against the mapped subtype (which includes the base through `allOf`) and refuses values
//! the mapping does not know.
//!
//! String lengths (`minLength`/`maxLength`) count UTF-16 code units, because that is how LINE
//! counts text ("5000 characters" of a text message are 5000 UTF-16 units, so an emoji outside the
//! Basic Multilingual Plane counts twice). JSON Schema counts code points; for the ASCII and
//! Japanese (BMP) text this project sends, the two agree.

mod compile;
mod validate;

pub use compile::{CompileError, SchemaId, SchemaSet};

/// One schema violation: where in the body (a JSON pointer, `/` for the body itself) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

impl SchemaError {
    /// The pointer in LINE's own notation for `details[].property`: `messages[0].text`.
    pub fn line_property(&self) -> String {
        let mut out = String::new();
        for segment in self.pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{segment}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segment);
            }
        }
        out
    }
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}
