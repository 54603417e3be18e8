//! Opaque cursors and Relay pagination arguments.

use async_graphql::connection::CursorType;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// A page position: the sort key of the row it points at, as base64url(JSON) so that clients
/// treat it as opaque.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Which listing it belongs to (a cursor of blobs is refused by proposals).
    #[serde(rename = "t")]
    pub table: String,
    /// The sort key.
    #[serde(rename = "k")]
    pub key: Vec<serde_json::Value>,
}

/// A cursor that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("invalid cursor: not a cursor this service issued")]
pub struct CursorError;

impl CursorType for Cursor {
    type Error = CursorError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| CursorError)?;
        serde_json::from_slice(&bytes).map_err(|_| CursorError)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// Relay arguments, validated: at most one direction, a page size within the limit.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Page size.
    pub limit: usize,
    /// Backwards (`last`/`before`).
    pub backward: bool,
    /// Exclusive bound.
    pub bound: Option<Vec<serde_json::Value>>,
    /// Whether a bound was given in the direction of travel (there is a page before this one).
    pub has_bound: bool,
}

impl Page {
    /// Validates `first/after/last/before` for the listing `table`.
    ///
    /// # Errors
    /// A message for the client: both `first` and `last`, a negative or too large page, a
    /// cursor that does not decode or belongs to another listing.
    pub(crate) fn new(
        table: &str,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        limits: &super::Limits,
    ) -> async_graphql::Result<Self> {
        if first.is_some() && last.is_some() {
            return Err("pass either first or last, not both".into());
        }
        if after.is_some() && before.is_some() {
            return Err("pass either after or before, not both".into());
        }
        let backward = last.is_some() || before.is_some();
        let size = if backward { last } else { first };
        let limit = match size {
            None => limits.default_page_size,
            Some(n) if n < 0 => return Err(format!("page size {n} is negative").into()),
            Some(n) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                if n > limits.max_page_size {
                    return Err(format!(
                        "page size {n} exceeds the maximum of {}",
                        limits.max_page_size
                    )
                    .into());
                }
                n
            }
        };
        let cursor = if backward { before } else { after };
        let bound = match cursor {
            None => None,
            Some(c) => {
                let c = Cursor::decode_cursor(&c)
                    .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                if c.table != table {
                    return Err(
                        format!("invalid cursor: it belongs to {}, not {table}", c.table).into(),
                    );
                }
                Some(c.key)
            }
        };
        Ok(Self {
            limit,
            backward,
            has_bound: bound.is_some(),
            bound,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            table: "blobs".into(),
            key: vec![serde_json::json!("0xab")],
        };
        assert_eq!(Cursor::decode_cursor(&c.encode_cursor()).unwrap(), c);
        assert!(Cursor::decode_cursor("!!").is_err());
        assert!(Cursor::decode_cursor(&URL_SAFE_NO_PAD.encode("{}")).is_err());
    }
}
