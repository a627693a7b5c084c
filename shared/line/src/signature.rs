//! The `x-line-signature` check: LINE signs each webhook body with the channel secret
//! (base64 of HMAC-SHA256 over the raw bytes). It must be checked on the bytes as received,
//! before any parsing, since re-serialised JSON would not match.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, body: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The signature LINE would send for `body`: base64 of HMAC-SHA256 keyed by the channel secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    STANDARD.encode(mac(secret, body))
}

/// Whether `signature` is LINE's signature of `body`. Compared in constant time so that the
/// answer's timing tells an attacker nothing about how close a forged signature came.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(given) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let expected = mac(secret, body);
    given.len() == expected.len() && bool::from(given.ct_eq(&expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_SECRET: &str = "test_secret";
    const DOC_BODY: &[u8] = br#"{"hello":"world"}"#;
    const DOC_SIGNATURE: &str = "t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=";

    #[test]
    fn lines_documented_example_is_signed_as_line_signs_it() {
        assert_eq!(sign(DOC_SECRET, DOC_BODY), DOC_SIGNATURE);
    }

    #[test]
    fn lines_documented_example_is_accepted() {
        assert!(verify(DOC_SECRET, DOC_BODY, DOC_SIGNATURE));
    }

    #[test]
    fn a_body_changed_by_one_byte_is_refused() {
        let mut body = DOC_BODY.to_vec();
        body[10] ^= 0x01;
        assert!(!verify(DOC_SECRET, &body, DOC_SIGNATURE));
    }

    #[test]
    fn a_wrong_signature_is_refused() {
        assert!(!verify(
            DOC_SECRET,
            DOC_BODY,
            &sign("another_secret", DOC_BODY)
        ));
        assert!(!verify(DOC_SECRET, DOC_BODY, "not base64 at all!"));
        assert!(!verify(DOC_SECRET, DOC_BODY, ""));
        // A valid base64 prefix of the right signature is still wrong.
        assert!(!verify(DOC_SECRET, DOC_BODY, &DOC_SIGNATURE[..20]));
    }

    #[test]
    fn a_non_ascii_body_is_verified_on_its_raw_bytes() {
        let body = r#"{"events":[{"message":{"text":"ごみの日🗑️を教えて"}}]}"#.as_bytes();
        let signature = sign(DOC_SECRET, body);
        assert!(verify(DOC_SECRET, body, &signature));
        // The same text with its escapes spelled out is a different byte string.
        let escaped = br#"{"events":[{"message":{"text":"\u3054\u307f"}}]}"#;
        assert!(!verify(DOC_SECRET, escaped, &signature));
    }
}
