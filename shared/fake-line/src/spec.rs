//! LINE's OpenAPI specs, loaded as data: parsed from the YAML files in `openapi/` on first use,
//! patched with the documented limits the YAML leaves out (`openapi/line-limits.yml`), compiled
//! once and shared.

use crate::schema::{CompileError, SchemaError, SchemaId, SchemaSet};
use serde::Deserialize;
use serde_json::Value;
use std::sync::LazyLock;

const MESSAGING_API: &str = include_str!("../openapi/messaging-api.yml");
const WEBHOOK: &str = include_str!("../openapi/webhook.yml");
const LIMITS: &str = include_str!("../openapi/line-limits.yml");

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the spec is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error("limit patch for {schema} at {at:?} does not point at a schema object")]
    Patch { schema: String, at: String },
}

/// What an operation's request body must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBody {
    None,
    Json(SchemaId),
    /// An upload (`format: binary`); LINE takes JPEG or PNG.
    Binary,
}

#[derive(Debug)]
pub struct Operation {
    pub method: String,
    /// The path as written in the spec, e.g. `/v2/bot/richmenu/{richMenuId}`.
    pub template: String,
    pub operation_id: String,
    pub body: RequestBody,
    segments: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Parameter,
}

impl Operation {
    /// How specific a match is: literal segments beat parameters, so `/v2/bot/richmenu/list`
    /// wins over `/v2/bot/richmenu/{richMenuId}`.
    fn literal_matches(&self, path: &[&str]) -> Option<usize> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut literals = 0;
        for (segment, actual) in self.segments.iter().zip(path) {
            match segment {
                Segment::Literal(l) if l == actual => literals += 1,
                Segment::Literal(_) => return None,
                Segment::Parameter if actual.is_empty() => return None,
                Segment::Parameter => {}
            }
        }
        Some(literals)
    }
}

/// One compiled spec: its schemas and its operations.
#[derive(Debug)]
pub struct Spec {
    schemas: SchemaSet,
    operations: Vec<Operation>,
}

static MESSAGING: LazyLock<Spec> = LazyLock::new(|| {
    Spec::load(MESSAGING_API, Some(LIMITS)).expect("the bundled messaging-api.yml compiles")
});
static WEBHOOK_SPEC: LazyLock<Spec> =
    LazyLock::new(|| Spec::load(WEBHOOK, None).expect("the bundled webhook.yml compiles"));

impl Spec {
    /// LINE's Messaging API (messaging-api.yml plus the documented limits).
    pub fn messaging() -> &'static Spec {
        &MESSAGING
    }

    /// LINE's webhook spec (webhook.yml): validate what a simulator sends to a bot with
    /// `Spec::webhook().validate("CallbackRequest", &body)`.
    pub fn webhook() -> &'static Spec {
        &WEBHOOK_SPEC
    }

    pub fn load(yaml: &str, limits: Option<&str>) -> Result<Spec, SpecError> {
        let mut document: Value = serde_yaml::from_str(yaml)?;
        if let Some(limits) = limits {
            apply_limits(&mut document, serde_yaml::from_str(limits)?)?;
        }
        let mut schemas = SchemaSet::from_spec(&document)?;
        let mut operations = Vec::new();
        for (template, item) in document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for method in ["get", "post", "put", "delete", "patch"] {
                let Some(op) = item.get(method) else { continue };
                let body = request_body(&mut schemas, op, &format!("{method} {template}"))?;
                operations.push(Operation {
                    method: method.to_ascii_uppercase(),
                    template: template.clone(),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    body,
                    segments: template
                        .trim_start_matches('/')
                        .split('/')
                        .map(|s| {
                            if s.starts_with('{') && s.ends_with('}') {
                                Segment::Parameter
                            } else {
                                Segment::Literal(s.to_string())
                            }
                        })
                        .collect(),
                });
            }
        }
        Ok(Spec {
            schemas,
            operations,
        })
    }

    pub fn schemas(&self) -> &SchemaSet {
        &self.schemas
    }

    /// Validates `value` against the named schema; an unknown name is itself an error.
    pub fn validate(&self, schema: &str, value: &Value) -> Vec<String> {
        match self.schemas.id(schema) {
            Some(id) => self.schemas.validate(id, value),
            None => vec![format!("/: no schema named {schema} in the spec")],
        }
    }

    /// The operation a request addresses, by method and concrete path.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter_map(|op| op.literal_matches(&segments).map(|score| (score, op)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, op)| op)
    }

    /// Schema errors of a JSON request body for an operation (none when it takes no JSON).
    pub fn check_body(&self, operation: &Operation, body: &Value) -> Vec<SchemaError> {
        match operation.body {
            RequestBody::Json(id) => self.schemas.errors(id, body),
            RequestBody::None | RequestBody::Binary => Vec::new(),
        }
    }
}

fn request_body(
    schemas: &mut SchemaSet,
    operation: &Value,
    at: &str,
) -> Result<RequestBody, SpecError> {
    let Some(content) = operation
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
    else {
        return Ok(RequestBody::None);
    };
    if let Some(schema) = content
        .get("application/json")
        .and_then(|c| c.get("schema"))
    {
        return Ok(RequestBody::Json(schemas.add_inline(schema, at)?));
    }
    Ok(RequestBody::Binary)
}

#[derive(Deserialize)]
struct LimitPatch {
    schema: String,
    at: String,
    add: serde_json::Map<String, Value>,
}

fn apply_limits(document: &mut Value, patches: Vec<LimitPatch>) -> Result<(), SpecError> {
    for patch in patches {
        let pointer = format!("/components/schemas/{}{}", patch.schema, patch.at);
        let target = document
            .pointer_mut(&pointer)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| SpecError::Patch {
                schema: patch.schema.clone(),
                at: patch.at.clone(),
            })?;
        for (keyword, value) in patch.add {
            target.insert(keyword, value);
        }
    }
    Ok(())
}
