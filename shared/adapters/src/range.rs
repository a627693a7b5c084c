//! Checks on a query's key range that DynamoDB makes server-side; the embedded store makes the
//! same ones so that a query refused in AWS is refused locally too.

use tayori_ports::{KeyRange, StoreError};

pub(crate) fn validate_range(range: &KeyRange) -> Result<(), StoreError> {
    match range {
        KeyRange::BeginsWith(prefix) if prefix.is_empty() => {
            Err(StoreError::Invalid("a key prefix must not be empty".into()))
        }
        KeyRange::Between(low, high) if low > high => Err(StoreError::Invalid(format!(
            "key range {low:?}..={high:?} is reversed"
        ))),
        _ => Ok(()),
    }
}
