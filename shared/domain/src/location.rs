//! A citizen's position handed from the webhook to the shelters function over the bus
//! (`location.received`): a location message, or a hazard picked under an earlier answer.
//! The webhook publishes it and answers LINE at once; the shelters function looks the nearest
//! sites up and answers with the reply token it carries.

use crate::hazard::Hazard;
use serde::{Deserialize, Serialize};

/// The bus event's detail type; template.yaml routes it to the shelters function.
pub const LOCATION_RECEIVED: &str = "location.received";

/// The detail of [`LOCATION_RECEIVED`], in the bus's camelCase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationReceived {
    pub user_id: String,
    /// LINE's reply token of the event: answering with it is free of the monthly quota.
    pub reply_token: String,
    pub latitude: f64,
    pub longitude: f64,
    /// The LINE event's id: names the push sent if the reply token no longer works, so that a
    /// retried bus event does not push twice.
    pub webhook_event_id: String,
    /// The hazard the citizen picked; none means the open emergency's, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Hazard>,
    /// The facility kind asked for (公民館…); none means shelters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl LocationReceived {
    /// Whether the position is a coordinate at all (LINE's and a postback's may not be).
    pub fn is_coordinate(&self) -> bool {
        self.latitude.is_finite()
            && self.longitude.is_finite()
            && (-90.0..=90.0).contains(&self.latitude)
            && (-180.0..=180.0).contains(&self.longitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_detail_is_camel_case_and_the_hazard_optional() {
        let detail = json!({
            "userId": "U1", "replyToken": "t", "latitude": 35.4953, "longitude": 135.7466,
            "webhookEventId": "01E", "hazard": "tsunami"
        });
        let read: LocationReceived = serde_json::from_value(detail.clone()).unwrap();
        assert_eq!(read.hazard, Some(Hazard::Tsunami));
        assert_eq!(serde_json::to_value(&read).unwrap(), detail);
        let without = LocationReceived {
            hazard: None,
            ..read
        };
        assert!(serde_json::to_value(&without)
            .unwrap()
            .get("hazard")
            .is_none());
        assert!(without.is_coordinate());
        assert!(!LocationReceived {
            latitude: 91.0,
            ..without.clone()
        }
        .is_coordinate());
        assert!(!LocationReceived {
            longitude: f64::NAN,
            ..without
        }
        .is_coordinate());
    }
}
