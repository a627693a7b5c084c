//! Walks a JSON value against a compiled schema, collecting every violation with its pointer.

use super::compile::{Additional, Format, Node, SchemaId, SchemaSet, Type};
use super::SchemaError;
use serde_json::Value;

impl SchemaSet {
    /// Every violation of `value` against schema `id`, as `"<pointer>: <what>"` lines.
    pub fn validate(&self, id: SchemaId, value: &Value) -> Vec<String> {
        self.errors(id, value)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Every violation of `value` against schema `id`, structured.
    pub fn errors(&self, id: SchemaId, value: &Value) -> Vec<SchemaError> {
        let mut walk = Walk {
            set: self,
            pointer: String::new(),
            errors: Vec::new(),
        };
        walk.check(id, value, None, None);
        walk.errors
    }
}

struct Walk<'a> {
    set: &'a SchemaSet,
    pointer: String,
    errors: Vec<SchemaError>,
}

impl Walk<'_> {
    fn fail(&mut self, message: String) {
        self.errors.push(SchemaError {
            pointer: self.pointer.clone(),
            message,
        });
    }

    fn fail_at(&mut self, child: &str, message: String) {
        self.errors.push(SchemaError {
            pointer: format!("{}/{}", self.pointer, escape(child)),
            message,
        });
    }

    fn child(&mut self, segment: &str, id: SchemaId, value: &Value) {
        let len = self.pointer.len();
        self.pointer.push('/');
        if segment.contains(['~', '/']) {
            self.pointer.push_str(&escape(segment));
        } else {
            self.pointer.push_str(segment);
        }
        // A child is a new instance: nothing has been checked against it yet.
        self.check(id, value, None, None);
        self.pointer.truncate(len);
    }

    /// `done` is the discriminator base already checked at this same instance. When a base
    /// dispatches to its subtype, the subtype's `allOf` names the base again; checking it a
    /// second time would dispatch again, forever.
    ///
    /// `subtype` is set while checking the `allOf` parts of a schema: when one of those parts is
    /// a discriminator base (a `FlexBox` reached directly, as a bubble's `body` is), the base
    /// must not dispatch back to the subtype, only confirm that the tag names it.
    fn check(
        &mut self,
        id: SchemaId,
        value: &Value,
        done: Option<SchemaId>,
        subtype: Option<SchemaId>,
    ) {
        if done == Some(id) {
            return;
        }
        let node = self.set.node(id);
        if let Some(target) = node.reference {
            return self.check(target, value, done, subtype);
        }
        if value.is_null() && node.nullable {
            return;
        }
        if let Some(ty) = node.ty {
            if !matches_type(ty, value) {
                return self.fail(format!(
                    "expected {}, found {}",
                    type_name(ty),
                    kind_of(value)
                ));
            }
        }
        if let Some(allowed) = &node.enumeration {
            if !allowed.contains(value) {
                let choices: Vec<String> = allowed.iter().map(Value::to_string).collect();
                self.fail(format!("{value} is not one of [{}]", choices.join(", ")));
            }
        }
        match value {
            Value::String(s) => self.string(node, s),
            Value::Number(_) => self.number(node, value),
            Value::Array(items) => self.array(node, items),
            Value::Object(_) => self.object(node, value),
            _ => {}
        }
        for &part in &node.all_of {
            self.check(part, value, done, Some(id));
        }
        if !node.one_of.is_empty() {
            let passing = self.passing(&node.one_of, value);
            if passing != 1 {
                self.fail(format!(
                    "matches {passing} of the oneOf schemas, expected exactly 1"
                ));
            }
        }
        if !node.any_of.is_empty() && self.passing(&node.any_of, value) == 0 {
            self.fail("matches none of the anyOf schemas".to_string());
        }
        if node.discriminator.is_some() && value.is_object() {
            self.dispatch(id, node, value, subtype);
        }
    }

    fn passing(&self, options: &[SchemaId], value: &Value) -> usize {
        options
            .iter()
            .filter(|&&option| self.set.errors(option, value).is_empty())
            .count()
    }

    fn dispatch(&mut self, id: SchemaId, node: &Node, value: &Value, subtype: Option<SchemaId>) {
        let Some(discriminator) = &node.discriminator else {
            return;
        };
        if discriminator.mapping.is_empty() {
            return;
        }
        let property = discriminator.property.as_str();
        match value.get(property) {
            None => {
                // `required` may already say so; say it once.
                if !node.required.iter().any(|r| r == property) {
                    self.fail_at(property, "required property is missing".to_string());
                }
            }
            Some(Value::String(tag)) => {
                let reached_from =
                    subtype.filter(|s| discriminator.mapping.iter().any(|(_, mapped)| mapped == s));
                match discriminator.mapping.iter().find(|(key, _)| key == tag) {
                    Some(&(_, mapped)) => match reached_from {
                        None => self.check(mapped, value, Some(id), None),
                        Some(expected) if expected == mapped => {}
                        Some(expected) => {
                            let allowed: Vec<&str> = discriminator
                                .mapping
                                .iter()
                                .filter(|(_, m)| *m == expected)
                                .map(|(k, _)| k.as_str())
                                .collect();
                            self.fail_at(
                                property,
                                format!(
                                    "{property} {tag:?} is not allowed here; expected {}",
                                    allowed.join(" or ")
                                ),
                            );
                        }
                    },
                    None => {
                        let known: Vec<&str> = discriminator
                            .mapping
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect();
                        self.fail_at(
                            property,
                            format!(
                                "unknown {property} {tag:?}; expected one of [{}]",
                                known.join(", ")
                            ),
                        );
                    }
                }
            }
            // A non-string tag was already reported by the base's own `type: string`.
            Some(_) => {}
        }
    }

    fn string(&mut self, node: &Node, s: &str) {
        let needs_length = node.min_length.is_some() || node.max_length.is_some();
        if needs_length {
            let length = s.encode_utf16().count() as u64;
            if let Some(max) = node.max_length.filter(|&max| length > max) {
                self.fail(format!("length {length} > maxLength {max}"));
            }
            if let Some(min) = node.min_length.filter(|&min| length < min) {
                self.fail(format!("length {length} < minLength {min}"));
            }
        }
        if let Some(pattern) = &node.pattern {
            if !pattern.is_match(s) {
                self.fail(format!("{s:?} does not match pattern {}", pattern.as_str()));
            }
        }
        match node.format {
            Some(Format::Uri) if !is_uri(s) => self.fail(format!("{s:?} is not an absolute URI")),
            Some(Format::Uuid) if uuid::Uuid::try_parse(s).is_err() => {
                self.fail(format!("{s:?} is not a UUID"))
            }
            Some(Format::DateTime) if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                self.fail(format!("{s:?} is not an RFC 3339 date-time"))
            }
            _ => {}
        }
    }

    fn number(&mut self, node: &Node, value: &Value) {
        let Some(n) = value.as_f64() else { return };
        if let Some(max) = node.maximum.filter(|&max| n > max) {
            self.fail(format!("{value} > maximum {max}"));
        }
        if let Some(min) = node.minimum.filter(|&min| n < min) {
            self.fail(format!("{value} < minimum {min}"));
        }
        if node.format == Some(Format::Int32) && (n < i32::MIN as f64 || n > i32::MAX as f64) {
            self.fail(format!("{value} does not fit int32"));
        }
    }

    fn array(&mut self, node: &Node, items: &[Value]) {
        let count = items.len() as u64;
        if let Some(max) = node.max_items.filter(|&max| count > max) {
            self.fail(format!("{count} items > maxItems {max}"));
        }
        if let Some(min) = node.min_items.filter(|&min| count < min) {
            self.fail(format!("{count} items < minItems {min}"));
        }
        if let Some(item_schema) = node.items {
            for (i, item) in items.iter().enumerate() {
                self.child(&i.to_string(), item_schema, item);
            }
        }
    }

    fn object(&mut self, node: &Node, value: &Value) {
        let Some(object) = value.as_object() else {
            return;
        };
        for name in &node.required {
            if !object.contains_key(name) {
                self.fail_at(name, "required property is missing".to_string());
            }
        }
        for (name, schema) in &node.properties {
            if let Some(child) = object.get(name) {
                self.child(name, *schema, child);
            }
        }
        match &node.additional {
            None | Some(Additional::Any) => {}
            Some(Additional::Forbidden) => {
                for name in object.keys() {
                    if !node.properties.iter().any(|(known, _)| known == name) {
                        self.fail_at(name, "property is not allowed".to_string());
                    }
                }
            }
            Some(Additional::Schema(schema)) => {
                for (name, child) in object {
                    if !node.properties.iter().any(|(known, _)| known == name) {
                        self.child(name, *schema, child);
                    }
                }
            }
        }
    }
}

fn matches_type(ty: Type, value: &Value) -> bool {
    match ty {
        Type::Object => value.is_object(),
        Type::String => value.is_string(),
        Type::Boolean => value.is_boolean(),
        Type::Array => value.is_array(),
        Type::Number => value.is_number(),
        Type::Integer => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
    }
}

fn type_name(ty: Type) -> &'static str {
    match ty {
        Type::Object => "object",
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Array => "array",
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A basic absolute-URI check: a scheme, a colon, something after it, and no whitespace.
/// (LINE's own checks are stricter, e.g. HTTPS for media; those come from the limits overlay.)
fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok && !rest.is_empty() && !s.chars().any(char::is_whitespace)
}

fn escape(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::is_uri;

    #[test]
    fn a_uri_needs_a_scheme_and_no_spaces() {
        assert!(is_uri("https://example.com/a.png"));
        assert!(is_uri("tel:0770-53-1111"));
        assert!(!is_uri("example.com/a.png"));
        assert!(!is_uri("https://example.com/a b.png"));
        assert!(!is_uri("1http://x"));
    }
}
