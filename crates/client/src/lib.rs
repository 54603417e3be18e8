//! haulout client library.
