//! Signing staff in: password hashes, TOTP codes, random tokens.

pub mod password;
pub mod tokens;
pub mod totp;
