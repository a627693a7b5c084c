//! What every AWS adapter needs to know about an SDK error: its service error code, and a
//! description with the whole chain of causes for the logs.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};

pub(crate) fn code<E: ProvideErrorMetadata>(error: &E) -> Option<&str> {
    error.code()
}

pub(crate) fn describe<E: std::error::Error>(error: &E) -> String {
    DisplayErrorContext(error).to_string()
}
