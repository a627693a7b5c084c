//! `ObjectStore` on S3: every object encrypted with the city's KMS key (SSE-KMS with a bucket
//! key, which cuts KMS calls and cost for many small photos).

use super::error::{code, describe};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use aws_sdk_s3::Client;
use std::time::Duration;
use tayori_ports::object::attachment_disposition;
use tayori_ports::object::{check_presigned_life, MAX_OBJECT_BYTES};
use tayori_ports::{
    ObjectError, ObjectKey, ObjectStore, ObjectUpload, PresignedUpload, StoredObject,
};

const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// The size of each part of a multipart upload: S3's smallest (every part but the last must be
/// at least 5 MiB), so a writer holds at most this much. 10,000 parts make 48 GiB, far beyond
/// any export.
pub const PART_BYTES: usize = 5 * 1024 * 1024;

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

    async fn writer(
        &self,
        key: &ObjectKey,
        content_type: &str,
    ) -> Result<Box<dyn ObjectUpload>, ObjectError> {
        Ok(Box::new(MultipartUpload {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            kms_key_id: self.kms_key_id.clone(),
            key: key.as_str().to_owned(),
            content_type: content_type.to_owned(),
            buffer: Vec::new(),
            upload_id: None,
            parts: Vec::new(),
            written: 0,
        }))
    }

    async fn presign_download(
        &self,
        key: &ObjectKey,
        filename: &str,
        expires_in: Duration,
    ) -> Result<String, ObjectError> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .response_content_disposition(attachment_disposition(filename))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(presigned.uri().to_owned())
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

/// An object written in parts of [`PART_BYTES`]. The multipart upload starts only when the
/// first part is full: a small object is one `PutObject` on `finish`, so most exports cost one
/// request and leave nothing to abort. Parts carry no encryption headers: S3 encrypts them with
/// the key given when the upload was created.
struct MultipartUpload {
    client: Client,
    bucket: String,
    kms_key_id: String,
    key: String,
    content_type: String,
    /// Less than one part, waiting to be sent.
    buffer: Vec<u8>,
    upload_id: Option<String>,
    parts: Vec<CompletedPart>,
    written: u64,
}

impl MultipartUpload {
    async fn upload_id(&mut self) -> Result<String, ObjectError> {
        if let Some(id) = &self.upload_id {
            return Ok(id.clone());
        }
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .content_type(&self.content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key_id)
            .bucket_key_enabled(true)
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        let id = created
            .upload_id()
            .ok_or_else(|| ObjectError::Unavailable("S3 gave no upload id".into()))?
            .to_owned();
        self.upload_id = Some(id.clone());
        Ok(id)
    }

    /// Sends `bytes` as the next part.
    async fn send_part(&mut self, bytes: Vec<u8>) -> Result<(), ObjectError> {
        let upload_id = self.upload_id().await?;
        let number = self.parts.len() as i32 + 1;
        let sent = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        self.parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(sent.e_tag().map(str::to_owned))
                .build(),
        );
        Ok(())
    }
}

#[async_trait]
impl ObjectUpload for MultipartUpload {
    async fn write(&mut self, mut bytes: &[u8]) -> Result<(), ObjectError> {
        self.written += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = PART_BYTES - self.buffer.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buffer.extend_from_slice(now);
            bytes = later;
            if self.buffer.len() == PART_BYTES {
                let part = std::mem::replace(&mut self.buffer, Vec::with_capacity(PART_BYTES));
                self.send_part(part).await?;
            }
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<u64, ObjectError> {
        match self.complete().await {
            Ok(()) => Ok(self.written),
            Err(e) => {
                // A failed completion leaves the parts behind: given up on at once.
                if let Err(abort) = self.abort().await {
                    tracing::warn!(error = %abort, "abandoned multipart upload not aborted");
                }
                Err(e)
            }
        }
    }

    async fn abort(self: Box<Self>) -> Result<(), ObjectError> {
        let Some(upload_id) = &self.upload_id else {
            return Ok(());
        };
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(())
    }
}

impl MultipartUpload {
    /// Sends what is left and makes the object visible.
    async fn complete(&mut self) -> Result<(), ObjectError> {
        if self.upload_id.is_none() {
            let bytes = std::mem::take(&mut self.buffer);
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_type(&self.content_type)
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(&self.kms_key_id)
                .bucket_key_enabled(true)
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
            return Ok(());
        }
        if !self.buffer.is_empty() {
            let last = std::mem::take(&mut self.buffer);
            self.send_part(last).await?;
        }
        let upload_id = self.upload_id().await?;
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(std::mem::take(&mut self.parts)))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| ObjectError::Unavailable(describe(&e)))?;
        Ok(())
    }
}
