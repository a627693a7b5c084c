//! `ObjectStore` on S3: every object encrypted with the city's KMS key (SSE-KMS with a bucket
//! key, which cuts KMS calls and cost for many small photos).

use super::error::{code, describe};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_s3::Client;
use std::time::Duration;
use tayori_ports::object::{check_presigned_life, MAX_OBJECT_BYTES};
use tayori_ports::{ObjectError, ObjectKey, ObjectStore, PresignedUpload, StoredObject};

const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// An S3 client with path-style addressing, which moto and other S3-compatible endpoints need
/// and AWS still serves.
pub fn s3_client(sdk: &SdkConfig) -> Client {
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

pub struct S3Objects {
    client: Client,
    bucket: String,
    kms_key_id: String,
}

impl S3Objects {
    pub fn new(client: Client, bucket: impl Into<String>, kms_key_id: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            kms_key_id: kms_key_id.into(),
        }
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), ObjectError> {
        if bytes.len() > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge(bytes.len()));
        }
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key_id)
            .bucket_key_enabled(true)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(())
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, ObjectError> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) if matches!(e.as_service_error(), Some(GetObjectError::NoSuchKey(_))) => {
                return Ok(None)
            }
            // Some S3-compatible endpoints answer a bare 404 without the NoSuchKey code.
            Err(e) if code(&e) == Some("NotFound") => return Ok(None),
            Err(e) => return Err(ObjectError::Unavailable(describe(&e))),
        };
        let content_type = output
            .content_type
            .clone()
            .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned());
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?
            .into_bytes()
            .to_vec();
        Ok(Some(StoredObject {
            bytes,
            content_type,
        }))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError> {
        // S3 answers 204 for an absent key too, as the port's contract wants.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(())
    }

    async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: Duration,
    ) -> Result<String, ObjectError> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(presigned.uri().to_owned())
    }

    /// The same encryption headers as `put`, signed: S3 refuses an upload that leaves them out,
    /// so no photo lands unencrypted or under another key. `max_bytes` cannot be signed into a
    /// PUT (only an exact Content-Length can, and the browser's file has its own size).
    async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        max_bytes: usize,
        expires_in: Duration,
    ) -> Result<PresignedUpload, ObjectError> {
        if max_bytes > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge(max_bytes));
        }
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key_id)
            .bucket_key_enabled(true)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(upload(&presigned))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| ObjectError::Unavailable(describe(&e)))?;
            for object in page.contents() {
                let Some(name) = object.key() else { continue };
                match ObjectKey::new(name) {
                    Ok(key) => keys.push(key),
                    // Only Tayori writes to the bucket; a key it could not have made is noted,
                    // not handed to callers.
                    Err(_) => tracing::warn!(key = name, "object with a foreign key skipped"),
                }
            }
        }
        keys.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(keys)
    }
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, ObjectError> {
    check_presigned_life(expires_in)?;
    PresigningConfig::expires_in(expires_in).map_err(|_| ObjectError::PresignedLife(expires_in))
}

/// The headers the signature covers, which the browser must send as they are; `host` is set by
/// the browser itself (and may not be set by script).
fn upload(presigned: &PresignedRequest) -> PresignedUpload {
    let mut headers: Vec<(String, String)> = presigned
        .headers()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    headers.sort();
    PresignedUpload {
        url: presigned.uri().to_owned(),
        method: "PUT",
        headers,
    }
}
