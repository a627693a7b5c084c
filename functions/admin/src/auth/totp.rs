//! TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the kind every
//! authenticator app on a clerk's phone understands.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

const STEP_SECONDS: i64 = 30;
/// One step either side, for a phone clock a little off.
const WINDOW: i64 = 1;

pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_uri(secret: &str, login_id: &str, issuer: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(login_id),
        enc(issuer)
    )
}

pub fn code_at(secret: &str, step: u64) -> Option<String> {
    let key = BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    Some(format!("{:06}", binary % 1_000_000))
}

/// The step the code matches within the window, if any, and only if it is later than the last
/// step accepted (a code is good once).
pub fn verify(secret: &str, code: &str, unix_seconds: i64, last_step: Option<u64>) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_seconds / STEP_SECONDS;
    (now - WINDOW..=now + WINDOW)
        .filter(|s| *s >= 0)
        .map(|s| s as u64)
        .filter(|s| last_step.is_none_or(|last| *s > last))
        .find(|s| code_at(secret, *s).is_some_and(|c| crate::auth::tokens::same(&c, code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA1 seed "12345678901234567890", last 6 digits.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        assert_eq!(code_at(RFC_SECRET, 59 / 30).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1111111109 / 30).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 20000000000 / 30).unwrap(), "353130");
    }

    #[test]
    fn a_code_is_accepted_once_within_the_window() {
        let t = 1111111109;
        let step = verify(RFC_SECRET, "081804", t, None).unwrap();
        assert_eq!(verify(RFC_SECRET, "081804", t + 30, None), Some(step));
        assert_eq!(
            verify(RFC_SECRET, "081804", t, Some(step)),
            None,
            "replayed"
        );
        assert_eq!(
            verify(RFC_SECRET, "081804", t + 120, None),
            None,
            "too late"
        );
        assert_eq!(verify(RFC_SECRET, "000000", t, None), None);
        assert_eq!(verify(RFC_SECRET, "08180", t, None), None);
    }
}
