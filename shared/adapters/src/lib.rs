//! Adapters for Tayori's ports: `aws` (DynamoDB, S3, EventBridge, KMS, Secrets Manager) for the
//! deployed functions, `embedded` (SQLite, a folder, in-process dispatch, a local key file) for
//! the local run and fast tests. The conformance suite in `tests/` holds both to one contract.

pub mod aws;
pub mod embedded;
mod range;
