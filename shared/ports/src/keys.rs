//! The key service: KMS in AWS, a local key file in the local run. It only makes and unwraps
//! data keys; `FieldCipher` does the envelope encryption with them.

use async_trait::async_trait;
use zeroize::Zeroizing;

/// A fresh AES-256 data key: the plaintext for use now, the wrapped form to store beside the data.
pub struct DataKey {
    pub plaintext: Zeroizing<[u8; 32]>,
    pub wrapped: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the wrapped key could not be unwrapped")]
    Unwrap,
    #[error("key service unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait KeyService: Send + Sync {
    async fn generate_data_key(&self) -> Result<DataKey, KeyError>;
    async fn unwrap_data_key(&self, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError>;
}
