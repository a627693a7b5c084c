//! LINE Messaging API: webhook and message models, signature check, validation, client.
