//! The few steps the harness takes on a delivery itself: releasing one and reading its end.
//! They use the domain type's API, so they are kept here, in one place.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::delivery::{Bubble, Composition, Delivery, DeliveryStatus, Totals};
use tayori_domain::segment::Target;
use tayori_ports::TableStore;
use tayori_records::{Deliveries, RecordError};

/// A delivery of one text, composed and released at `now` by a clerk who may send: due at once.
pub async fn release(
    table: Arc<dyn TableStore>,
    id: &str,
    target: Target,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    let mut d = Delivery::draft(id.into(), "tanaka", now);
    d.compose(
        Composition {
            title: format!("お知らせ {id}"),
            category: "防災".into(),
            bubbles: vec![Bubble::Text { text: text.into() }],
            target,
            send_at: None,
        },
        now,
    )
    .map_err(|e| RecordError::Corrupt(id.into(), e.to_string()))?;
    let deliveries = Deliveries::new(table);
    deliveries.create(&d).await?;
    deliveries
        .update(id, |d| {
            d.submit("tanaka", true, "対象".into(), now)
                .map_err(|e| RecordError::Corrupt(id.into(), e.to_string()))
        })
        .await?;
    Ok(())
}

/// Where the delivery ended: its status and totals.
pub async fn end(
    table: Arc<dyn TableStore>,
    id: &str,
) -> Result<Option<(DeliveryStatus, Totals)>, RecordError> {
    Ok(Deliveries::new(table)
        .get(id)
        .await?
        .map(|d| (d.status(), d.totals())))
}
