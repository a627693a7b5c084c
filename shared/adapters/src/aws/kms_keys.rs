//! `KeyService` on KMS: AES-256 data keys from GenerateDataKey under the city's customer
//! managed key, unwrapped with Decrypt naming that key, so a blob wrapped under any other key
//! is refused rather than silently decrypted.

use super::error::{code, describe};
use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use aws_sdk_kms::Client;
use tayori_ports::{DataKey, KeyError, KeyService};
use zeroize::Zeroizing;

/// KMS answers these when the blob is not a key wrapped under our key: tampered, truncated, or
/// from elsewhere.
const NOT_OURS: &[&str] = &[
    "InvalidCiphertextException",
    "IncorrectKeyException",
    "ValidationException",
];

pub struct KmsKeys {
    client: Client,
    key_id: String,
}

impl KmsKeys {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

fn to_key(plaintext: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    (plaintext.len() == key.len()).then(|| {
        key.copy_from_slice(plaintext);
        key
    })
}

#[async_trait]
impl KeyService for KmsKeys {
    async fn generate_data_key(&self) -> Result<DataKey, KeyError> {
        let output = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .send()
            .await
            .map_err(|e| KeyError::Unavailable(describe(&e)))?;
        let plaintext = output
            .plaintext
            .as_ref()
            .and_then(|p| to_key(p.as_ref()))
            .ok_or_else(|| KeyError::Unavailable("KMS returned no 32-byte data key".into()))?;
        let wrapped = output
            .ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| KeyError::Unavailable("KMS returned no wrapped data key".into()))?;
        Ok(DataKey { plaintext, wrapped })
    }

    async fn unwrap_data_key(&self, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        let output = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(wrapped))
            .send()
            .await
            .map_err(|e| match code(&e) {
                Some(c) if NOT_OURS.contains(&c) => KeyError::Unwrap,
                _ => KeyError::Unavailable(describe(&e)),
            })?;
        output
            .plaintext
            .as_ref()
            .and_then(|p| to_key(p.as_ref()))
            .ok_or(KeyError::Unwrap)
    }
}
