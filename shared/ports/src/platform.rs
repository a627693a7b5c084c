//! Everything a function needs from the outside world, built once at start-up.

use crate::{Clock, EventBus, FieldCipher, Mailer, ObjectStore, TableStore};
use std::sync::Arc;

#[derive(Clone)]
pub struct Platform {
    pub table: Arc<dyn TableStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub bus: Arc<dyn EventBus>,
    pub cipher: Arc<FieldCipher>,
    pub clock: Arc<dyn Clock>,
    /// Mail to staff: SES when deployed with `MAIL_FROM`, files in the data folder locally.
    pub mailer: Arc<dyn Mailer>,
}
