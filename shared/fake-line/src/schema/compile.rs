//! Turns the `components.schemas` of a parsed spec into an indexed tree, once, so that
//! validating a request walks plain structs: no map lookups by `$ref` string, no regex
//! compilation per request.

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Index of a compiled schema inside its [`SchemaSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaId(pub(crate) usize);

#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("the spec has no components.schemas object")]
    NoSchemas,
    #[error("unsupported $ref {0:?}: only #/components/schemas/<name> is understood")]
    UnsupportedRef(String),
    #[error("$ref to unknown schema {0:?}")]
    UnknownSchema(String),
    #[error("schema {at}: invalid pattern {pattern:?}: {source}")]
    Pattern {
        at: String,
        pattern: String,
        source: regex::Error,
    },
    #[error("schema {0}: {1}")]
    Malformed(String, &'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Object,
    String,
    Integer,
    Number,
    Boolean,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Uri,
    Uuid,
    Int32,
    Int64,
    DateTime,
}

#[derive(Debug)]
pub(crate) enum Additional {
    Any,
    Forbidden,
    Schema(SchemaId),
}

#[derive(Debug)]
pub(crate) struct Discriminator {
    pub property: String,
    /// Sorted by value, so that error messages list the choices in a stable order.
    pub mapping: Vec<(String, SchemaId)>,
}

/// One schema object. OpenAPI 3.0 ignores the siblings of `$ref`, so a node is either a
/// reference or a set of keywords.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub reference: Option<SchemaId>,
    pub ty: Option<Type>,
    pub nullable: bool,
    pub properties: Vec<(String, SchemaId)>,
    pub required: Vec<String>,
    pub additional: Option<Additional>,
    pub items: Option<SchemaId>,
    pub enumeration: Option<Vec<Value>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub format: Option<Format>,
    pub pattern: Option<Regex>,
    pub all_of: Vec<SchemaId>,
    pub one_of: Vec<SchemaId>,
    pub any_of: Vec<SchemaId>,
    pub discriminator: Option<Discriminator>,
}

/// All named schemas of one spec, compiled.
#[derive(Debug)]
pub struct SchemaSet {
    pub(crate) nodes: Vec<Node>,
    names: HashMap<String, SchemaId>,
}

impl SchemaSet {
    /// Compiles `components.schemas` of a whole spec document.
    pub fn from_spec(spec: &Value) -> Result<SchemaSet, CompileError> {
        let schemas = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .ok_or(CompileError::NoSchemas)?;
        let mut compiler = Compiler::default();
        // Reserve an id per name first so that references compile in any order, cycles included.
        for name in schemas.keys() {
            let id = SchemaId(compiler.nodes.len());
            compiler.nodes.push(Node::default());
            compiler.names.insert(name.clone(), id);
        }
        for (name, schema) in schemas {
            let id = compiler.names[name];
            let node = compiler.node(schema, name)?;
            compiler.nodes[id.0] = node;
        }
        Ok(SchemaSet {
            nodes: compiler.nodes,
            names: compiler.names,
        })
    }

    /// The id of a schema under `components.schemas`.
    pub fn id(&self, name: &str) -> Option<SchemaId> {
        self.names.get(name).copied()
    }

    /// Compiles an inline schema (such as an operation's request body) against this set's names.
    pub fn add_inline(&mut self, schema: &Value, at: &str) -> Result<SchemaId, CompileError> {
        let mut compiler = Compiler {
            nodes: std::mem::take(&mut self.nodes),
            names: std::mem::take(&mut self.names),
        };
        let result = compiler.inline(schema, at);
        self.nodes = compiler.nodes;
        self.names = compiler.names;
        result
    }

    pub(crate) fn node(&self, id: SchemaId) -> &Node {
        &self.nodes[id.0]
    }
}

#[derive(Default)]
struct Compiler {
    nodes: Vec<Node>,
    names: HashMap<String, SchemaId>,
}

impl Compiler {
    fn inline(&mut self, schema: &Value, at: &str) -> Result<SchemaId, CompileError> {
        let node = self.node(schema, at)?;
        self.nodes.push(node);
        Ok(SchemaId(self.nodes.len() - 1))
    }

    fn reference(&self, target: &str) -> Result<SchemaId, CompileError> {
        let name = target
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| CompileError::UnsupportedRef(target.to_string()))?;
        self.names
            .get(name)
            .copied()
            .ok_or_else(|| CompileError::UnknownSchema(name.to_string()))
    }

    fn list(&mut self, value: Option<&Value>, at: &str) -> Result<Vec<SchemaId>, CompileError> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let items = value.as_array().ok_or(CompileError::Malformed(
            at.to_string(),
            "allOf/oneOf/anyOf is not a list",
        ))?;
        items
            .iter()
            .enumerate()
            .map(|(i, s)| self.inline(s, &format!("{at}/{i}")))
            .collect()
    }

    fn node(&mut self, schema: &Value, at: &str) -> Result<Node, CompileError> {
        let object = schema.as_object().ok_or(CompileError::Malformed(
            at.to_string(),
            "schema is not an object",
        ))?;
        if let Some(target) = object.get("$ref").and_then(Value::as_str) {
            return Ok(Node {
                reference: Some(self.reference(target)?),
                ..Node::default()
            });
        }
        let mut node = Node {
            ty: object
                .get("type")
                .and_then(Value::as_str)
                .and_then(parse_type),
            nullable: object
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            required: strings(object.get("required")),
            enumeration: object.get("enum").and_then(Value::as_array).cloned(),
            min_length: object.get("minLength").and_then(Value::as_u64),
            max_length: object.get("maxLength").and_then(Value::as_u64),
            min_items: object.get("minItems").and_then(Value::as_u64),
            max_items: object.get("maxItems").and_then(Value::as_u64),
            minimum: object.get("minimum").and_then(Value::as_f64),
            maximum: object.get("maximum").and_then(Value::as_f64),
            format: object
                .get("format")
                .and_then(Value::as_str)
                .and_then(parse_format),
            ..Node::default()
        };
        if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
            node.pattern = Some(Regex::new(pattern).map_err(|source| CompileError::Pattern {
                at: at.to_string(),
                pattern: pattern.to_string(),
                source,
            })?);
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            node.properties = self.properties(properties, at)?;
        }
        node.additional = match object.get("additionalProperties") {
            None | Some(Value::Bool(true)) => None,
            Some(Value::Bool(false)) => Some(Additional::Forbidden),
            Some(schema) if schema.as_object().is_some_and(Map::is_empty) => Some(Additional::Any),
            Some(schema) => Some(Additional::Schema(
                self.inline(schema, &format!("{at}/additionalProperties"))?,
            )),
        };
        if let Some(items) = object.get("items") {
            node.items = Some(self.inline(items, &format!("{at}/items"))?);
        }
        node.all_of = self.list(object.get("allOf"), &format!("{at}/allOf"))?;
        node.one_of = self.list(object.get("oneOf"), &format!("{at}/oneOf"))?;
        node.any_of = self.list(object.get("anyOf"), &format!("{at}/anyOf"))?;
        if let Some(discriminator) = object.get("discriminator") {
            node.discriminator = Some(self.discriminator(discriminator, at)?);
        }
        Ok(node)
    }

    fn properties(
        &mut self,
        properties: &Map<String, Value>,
        at: &str,
    ) -> Result<Vec<(String, SchemaId)>, CompileError> {
        properties
            .iter()
            .map(|(name, schema)| {
                let id = self.inline(schema, &format!("{at}/properties/{name}"))?;
                Ok((name.clone(), id))
            })
            .collect()
    }

    fn discriminator(&mut self, value: &Value, at: &str) -> Result<Discriminator, CompileError> {
        let property = value
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or(CompileError::Malformed(
                at.to_string(),
                "discriminator without propertyName",
            ))?
            .to_string();
        let mut mapping = Vec::new();
        for (key, target) in value
            .get("mapping")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let target = target.as_str().ok_or(CompileError::Malformed(
                at.to_string(),
                "discriminator mapping value is not a string",
            ))?;
            mapping.push((key.clone(), self.reference(target)?));
        }
        mapping.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Discriminator { property, mapping })
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_type(name: &str) -> Option<Type> {
    Some(match name {
        "object" => Type::Object,
        "string" => Type::String,
        "integer" => Type::Integer,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "array" => Type::Array,
        _ => return None,
    })
}

fn parse_format(name: &str) -> Option<Format> {
    Some(match name {
        "uri" => Format::Uri,
        "uuid" => Format::Uuid,
        "int32" => Format::Int32,
        "int64" => Format::Int64,
        "date-time" => Format::DateTime,
        // `binary`, `double` and the odd `"^[0-9]{8}$"` add nothing a JSON value can break.
        _ => return None,
    })
}
