//! Cross-function scenarios and the port conformance suite; the tests live in tests/tests/.
