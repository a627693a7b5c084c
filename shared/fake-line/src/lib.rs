//! A fake LINE Messaging API server that checks every request against LINE's OpenAPI spec.
