//! `TableStore` on DynamoDB, the single table of template.yaml: keys `pk`/`sk`, sparse index
//! `gsi1` on `gsi1pk`/`gsi1sk`, TTL attribute `expires_at` (Number), `version` (Number) and the
//! item's JSON in `body` (String).
//!
//! DynamoDB's TTL deletes expired items lazily, up to days later, so expiry is also enforced
//! here with the store's clock: reads filter expired items out, and conditions treat them as
//! absent inside the condition expression itself, which keeps check-and-write atomic.

use super::error::{code, describe};
use crate::range::validate_range;
use async_trait::async_trait;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, ScalarAttributeType,
    TimeToLiveSpecification, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tayori_ports::table::{validate_query, validate_transaction};
use tayori_ports::{
    Clock, Condition, Cursor, Index, IndexKey, Item, KeyRange, Page, Query, StoreError, TableStore,
    Write,
};

const GSI1: &str = "gsi1";

pub struct DynamoTable {
    client: Client,
    table_name: String,
    clock: Arc<dyn Clock>,
}

impl DynamoTable {
    /// `clock` decides which items count as expired; tests move it instead of waiting.
    pub fn new(client: Client, table_name: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
            clock,
        }
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }
}

/// Creates the table as template.yaml defines it (on-demand, `gsi1` projecting everything, TTL
/// on `expires_at`) and waits until it is active; for tests against moto and for tooling.
pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
    let attribute = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(build_error)
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
            .map_err(build_error)
    };
    let gsi1 = GlobalSecondaryIndex::builder()
        .index_name(GSI1)
        .key_schema(key("gsi1pk", KeyType::Hash)?)
        .key_schema(key("gsi1sk", KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(build_error)?;
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("pk")?)
        .attribute_definitions(attribute("sk")?)
        .attribute_definitions(attribute("gsi1pk")?)
        .attribute_definitions(attribute("gsi1sk")?)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .global_secondary_indexes(gsi1)
        .send()
        .await
        .map_err(store_error)?;
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(Duration::from_secs(120))
        .await
        .map_err(|e| StoreError::Unavailable(describe(&e)))?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .map_err(build_error)?,
        )
        .send()
        .await
        .map_err(store_error)?;
    Ok(())
}

#[async_trait]
impl TableStore for DynamoTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        validate_key(pk, sk)?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let now = self.now();
        match output.item {
            Some(attributes) => {
                let item = from_attributes(attributes)?;
                Ok((!item.is_expired(now)).then_some(item))
            }
            None => Ok(None),
        }
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        item.validate()?;
        let guard = Guard::new(&condition, self.now());
        self.client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(to_attributes(&item)?))
            .set_condition_expression(guard.expression)
            .set_expression_attribute_names(guard.names)
            .set_expression_attribute_values(guard.values)
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        validate_key(pk, sk)?;
        let guard = Guard::new(&condition, self.now());
        self.client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(key(pk, sk)))
            .set_condition_expression(guard.expression)
            .set_expression_attribute_names(guard.names)
            .set_expression_attribute_values(guard.values)
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        validate_query(&query)?;
        validate_range(&query.range)?;
        let now = self.now();
        let (pk_name, sk_name) = match query.index {
            Index::Primary => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
        };
        let mut names = HashMap::from([
            ("#k".to_owned(), pk_name.to_owned()),
            ("#exp".to_owned(), "expires_at".to_owned()),
        ]);
        let mut values = HashMap::from([
            (":k".to_owned(), AttributeValue::S(query.pk.clone())),
            (":now".to_owned(), number(now)),
        ]);
        let mut key_condition = "#k = :k".to_owned();
        match &query.range {
            KeyRange::All => {}
            KeyRange::BeginsWith(prefix) => {
                names.insert("#r".into(), sk_name.into());
                values.insert(":p".into(), AttributeValue::S(prefix.clone()));
                key_condition += " AND begins_with(#r, :p)";
            }
            KeyRange::Between(low, high) => {
                names.insert("#r".into(), sk_name.into());
                values.insert(":lo".into(), AttributeValue::S(low.clone()));
                values.insert(":hi".into(), AttributeValue::S(high.clone()));
                key_condition += " AND #r BETWEEN :lo AND :hi";
            }
        }
        let start = query
            .cursor
            .as_ref()
            .map(|c| decode_cursor(c, query.index))
            .transpose()?;
        let mut request = self
            .client
            .query()
            .table_name(&self.table_name)
            .key_condition_expression(key_condition)
            // Filtered after the limit is applied: a page may come back short, or empty with a
            // cursor, which the port's contract allows.
            .filter_expression("attribute_not_exists(#exp) OR #exp > :now")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(!query.descending)
            .limit(i32::try_from(query.limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        request = match query.index {
            Index::Primary => request.consistent_read(true),
            Index::Gsi1 => request.index_name(GSI1),
        };
        let output = request.send().await.map_err(store_error)?;
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_attributes)
            .collect::<Result<Vec<Item>, StoreError>>()?
            .into_iter()
            .filter(|item| !item.is_expired(now))
            .collect();
        let cursor = output
            .last_evaluated_key
            .filter(|k| !k.is_empty())
            .map(|k| encode_cursor(&k))
            .transpose()?;
        Ok(Page { items, cursor })
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        let now = self.now();
        let mut items = Vec::with_capacity(writes.len());
        for write in &writes {
            items.push(self.transact_item(write, now)?);
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(transaction_error)?;
        Ok(())
    }
}

impl DynamoTable {
    fn transact_item(&self, write: &Write, now: i64) -> Result<TransactWriteItem, StoreError> {
        let item = match write {
            Write::Put { item, condition } => {
                let guard = Guard::new(condition, now);
                let put = Put::builder()
                    .table_name(&self.table_name)
                    .set_item(Some(to_attributes(item)?))
                    .set_condition_expression(guard.expression)
                    .set_expression_attribute_names(guard.names)
                    .set_expression_attribute_values(guard.values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().put(put).build()
            }
            Write::Delete { pk, sk, condition } => {
                validate_key(pk, sk)?;
                let guard = Guard::new(condition, now);
                let delete = Delete::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(key(pk, sk)))
                    .set_condition_expression(guard.expression)
                    .set_expression_attribute_names(guard.names)
                    .set_expression_attribute_values(guard.values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().delete(delete).build()
            }
        };
        Ok(item)
    }
}

/// A condition as a DynamoDB condition expression. An item whose `expires_at` has passed
/// counts as absent, because TTL may not have deleted it yet.
struct Guard {
    expression: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, AttributeValue>>,
}

impl Guard {
    fn new(condition: &Condition, now: i64) -> Self {
        const LIVE: &str = "(attribute_not_exists(#exp) OR #exp > :now)";
        let (expression, version) = match condition {
            Condition::Always => {
                return Self {
                    expression: None,
                    names: None,
                    values: None,
                }
            }
            Condition::IfAbsent => ("attribute_not_exists(#pk) OR #exp <= :now".to_owned(), None),
            Condition::IfExists => (format!("attribute_exists(#pk) AND {LIVE}"), None),
            Condition::IfVersion(v) => (
                format!("attribute_exists(#pk) AND #ver = :ver AND {LIVE}"),
                Some(*v),
            ),
        };
        let mut names = HashMap::from([
            ("#pk".to_owned(), "pk".to_owned()),
            ("#exp".to_owned(), "expires_at".to_owned()),
        ]);
        let mut values = HashMap::from([(":now".to_owned(), number(now))]);
        if let Some(v) = version {
            names.insert("#ver".into(), "version".into());
            values.insert(":ver".into(), AttributeValue::N(v.to_string()));
        }
        Self {
            expression: Some(expression),
            names: Some(names),
            values: Some(values),
        }
    }
}

fn validate_key(pk: &str, sk: &str) -> Result<(), StoreError> {
    if pk.is_empty() || sk.is_empty() {
        return Err(StoreError::Invalid("pk and sk must not be empty".into()));
    }
    Ok(())
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn key(pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

fn to_attributes(item: &Item) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let mut attributes = key(&item.pk, &item.sk);
    // Items without a gsi1 key carry no gsi1 attributes, so the index stays sparse.
    if let Some(g) = &item.gsi1 {
        attributes.insert("gsi1pk".into(), AttributeValue::S(g.pk.clone()));
        attributes.insert("gsi1sk".into(), AttributeValue::S(g.sk.clone()));
    }
    if let Some(t) = item.expires_at {
        attributes.insert("expires_at".into(), number(t));
    }
    attributes.insert(
        "version".into(),
        AttributeValue::N(item.version.to_string()),
    );
    attributes.insert("body".into(), AttributeValue::S(item.body.to_string()));
    Ok(attributes)
}

fn from_attributes(mut attributes: HashMap<String, AttributeValue>) -> Result<Item, StoreError> {
    let malformed = |what: &str| StoreError::Unavailable(format!("malformed stored item: {what}"));
    let mut text = |name: &str| match attributes.remove(name) {
        Some(AttributeValue::S(s)) => Ok(Some(s)),
        None => Ok(None),
        Some(_) => Err(malformed(name)),
    };
    let pk = text("pk")?.ok_or_else(|| malformed("pk"))?;
    let sk = text("sk")?.ok_or_else(|| malformed("sk"))?;
    let gsi1 = match (text("gsi1pk")?, text("gsi1sk")?) {
        (Some(pk), Some(sk)) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    let body = text("body")?.ok_or_else(|| malformed("body"))?;
    let body = serde_json::from_str(&body).map_err(|_| malformed("body"))?;
    let expires_at = match attributes.remove("expires_at") {
        Some(AttributeValue::N(n)) => Some(n.parse().map_err(|_| malformed("expires_at"))?),
        None => None,
        Some(_) => return Err(malformed("expires_at")),
    };
    let version = match attributes.remove("version") {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| malformed("version"))?,
        None => 0,
        Some(_) => return Err(malformed("version")),
    };
    Ok(Item {
        pk,
        sk,
        gsi1,
        expires_at,
        version,
        body,
    })
}

/// The cursor is DynamoDB's LastEvaluatedKey (all string keys), as URL-safe base64 JSON.
fn encode_cursor(last: &HashMap<String, AttributeValue>) -> Result<Cursor, StoreError> {
    let keys = last
        .iter()
        .map(|(name, value)| match value {
            AttributeValue::S(s) => Ok((name.clone(), s.clone())),
            _ => Err(StoreError::Unavailable(format!(
                "unexpected key attribute {name} in LastEvaluatedKey"
            ))),
        })
        .collect::<Result<BTreeMap<String, String>, StoreError>>()?;
    let json = serde_json::to_vec(&keys).expect("a map of strings serialises");
    Ok(Cursor(B64.encode(json)))
}

fn decode_cursor(
    cursor: &Cursor,
    index: Index,
) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let invalid = || StoreError::Invalid("the cursor is not one this store made".into());
    let bytes = B64.decode(&cursor.0).map_err(|_| invalid())?;
    let keys: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let expected: &[&str] = match index {
        Index::Primary => &["pk", "sk"],
        Index::Gsi1 => &["gsi1pk", "gsi1sk", "pk", "sk"],
    };
    if keys.len() != expected.len() || !expected.iter().all(|k| keys.contains_key(*k)) {
        return Err(StoreError::Invalid(
            "the cursor belongs to a query on another index".into(),
        ));
    }
    Ok(keys
        .into_iter()
        .map(|(name, value)| (name, AttributeValue::S(value)))
        .collect())
}

fn store_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match code(&error) {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
        Some("ValidationException") => {
            StoreError::Invalid(error.message().unwrap_or("rejected by DynamoDB").to_owned())
        }
        _ => StoreError::Unavailable(describe(&error)),
    }
}

fn transaction_error<R: std::fmt::Debug>(
    error: SdkError<TransactWriteItemsError, R>,
) -> StoreError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    {
        let reasons = cancelled.cancellation_reasons();
        // `TransactionConflict`: another transaction was writing one of the items at that
        // moment. Like a failed condition, someone else wrote first: an optimistic writer
        // reads again and decides afresh (e.g. a form's last place), instead of failing.
        if reasons.iter().any(|r| {
            matches!(
                r.code(),
                Some("ConditionalCheckFailed") | Some("TransactionConflict")
            )
        }) {
            return StoreError::ConditionFailed;
        }
        if reasons.iter().any(|r| r.code() == Some("ValidationError")) {
            return StoreError::Invalid("DynamoDB refused an item of the transaction".into());
        }
    }
    store_error(error)
}

fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Invalid(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_item_survives_the_trip_through_dynamodb_attributes() {
        let item = Item::new("report#1", "meta", json!({"status": "受付", "n": 2}))
            .with_gsi1("reports#open", "2026-11-25T09:00:00Z")
            .expiring_at(1_800_000_000)
            .with_version(7);
        let back = from_attributes(to_attributes(&item).unwrap()).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn an_item_without_an_index_key_has_no_index_attributes() {
        let attributes = to_attributes(&Item::new("a", "b", json!({}))).unwrap();
        assert!(!attributes.contains_key("gsi1pk"));
        assert!(!attributes.contains_key("gsi1sk"));
        assert!(!attributes.contains_key("expires_at"));
    }

    #[test]
    fn a_cursor_from_one_index_is_refused_on_the_other() {
        let last = key("p", "s");
        let cursor = encode_cursor(&last).unwrap();
        assert_eq!(decode_cursor(&cursor, Index::Primary).unwrap(), last);
        assert!(matches!(
            decode_cursor(&cursor, Index::Gsi1),
            Err(StoreError::Invalid(_))
        ));
    }
}
