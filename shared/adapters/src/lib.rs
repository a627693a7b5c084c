//! AWS and embedded adapters for Tayori's ports.
