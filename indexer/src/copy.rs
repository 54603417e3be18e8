//! Rows in PostgreSQL's binary `COPY` format, for the tables whose new rows cannot conflict with
//! rows already stored (a batch's checkpoints, events and newly created blobs), so they are
//! streamed with `COPY … FROM STDIN (FORMAT binary)` instead of parsed from `INSERT` arrays.
//!
//! Format: <https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4>: an 11-byte
//! signature, flags and header-extension length, then per row a field count and per field its
//! length (−1 for NULL) and its value in the type's binary send format; a −1 trailer ends it.

use sqlx::PgConnection;

use crate::error::{IndexerError, Result};

/// The signature, the flags (no OIDs) and an empty header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// A binary `COPY` payload being built, row by row.
#[derive(Debug)]
pub(crate) struct BinaryRows {
    buf: Vec<u8>,
    columns: i16,
    rows: usize,
}

impl BinaryRows {
    /// An empty payload for rows of `columns` fields.
    pub(crate) fn new(columns: i16) -> Self {
        let mut buf = Vec::with_capacity(64 * 1024);
        buf.extend_from_slice(HEADER);
        Self {
            buf,
            columns,
            rows: 0,
        }
    }

    /// Starts a row; its `columns` fields must follow.
    pub(crate) fn row(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&self.columns.to_be_bytes());
        self.rows += 1;
        self
    }

    fn field(&mut self, bytes: &[u8]) -> Result<&mut Self> {
        let len = i32::try_from(bytes.len())
            .map_err(|_| IndexerError::Malformed("a COPY field over 2 GiB".to_owned()))?;
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
        Ok(self)
    }

    /// A `bigint`.
    pub(crate) fn int8(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// An `int`.
    pub(crate) fn int4(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&4i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A `smallint`.
    pub(crate) fn int2(&mut self, v: i16) -> &mut Self {
        self.buf.extend_from_slice(&2i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A `boolean`.
    pub(crate) fn bool(&mut self, v: bool) -> &mut Self {
        self.buf.extend_from_slice(&1i32.to_be_bytes());
        self.buf.push(u8::from(v));
        self
    }

    /// A NULL of any type.
    pub(crate) fn null(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
        self
    }

    /// A `bigint` or NULL.
    pub(crate) fn int8_opt(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int8(v),
            None => self.null(),
        }
    }

    /// A `text` (UTF-8, as the database's encoding is).
    pub(crate) fn text(&mut self, v: &str) -> Result<&mut Self> {
        self.field(v.as_bytes())
    }

    /// A `text` or NULL.
    pub(crate) fn text_opt(&mut self, v: Option<&str>) -> Result<&mut Self> {
        match v {
            Some(v) => self.text(v),
            None => Ok(self.null()),
        }
    }

    /// A `bytea`.
    pub(crate) fn bytea(&mut self, v: &[u8]) -> Result<&mut Self> {
        self.field(v)
    }

    /// A `jsonb`: version 1, then the JSON text.
    pub(crate) fn jsonb(&mut self, v: &serde_json::Value) -> Result<&mut Self> {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0i32.to_be_bytes());
        self.buf.push(1);
        serde_json::to_writer(&mut self.buf, v)
            .map_err(|e| IndexerError::Malformed(format!("JSON for COPY: {e}")))?;
        let len = i32::try_from(self.buf.len() - at - 4)
            .map_err(|_| IndexerError::Malformed("a COPY field over 2 GiB".to_owned()))?;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        Ok(self)
    }

    /// Number of rows so far.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// Sends the rows with `statement` (a `COPY … FROM STDIN (FORMAT binary)`), if there are
    /// any; returns how many rows the database took.
    pub(crate) async fn send(mut self, conn: &mut PgConnection, statement: &str) -> Result<u64> {
        if self.rows == 0 {
            return Ok(0);
        }
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        let mut copy = conn.copy_in_raw(statement).await?;
        if let Err(e) = copy.send(self.buf).await {
            // The connection is unusable until the COPY ends; the error that matters is `e`.
            let _ = copy.abort(e.to_string()).await;
            return Err(e.into());
        }
        Ok(copy.finish().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_its_field_count_then_length_prefixed_fields() {
        let mut rows = BinaryRows::new(3);
        rows.row().int8(-2).null().text("ab").unwrap();
        assert_eq!(rows.len(), 1);
        let body = &rows.buf[HEADER.len()..];
        let mut want = Vec::new();
        want.extend_from_slice(&3i16.to_be_bytes());
        want.extend_from_slice(&8i32.to_be_bytes());
        want.extend_from_slice(&(-2i64).to_be_bytes());
        want.extend_from_slice(&(-1i32).to_be_bytes());
        want.extend_from_slice(&2i32.to_be_bytes());
        want.extend_from_slice(b"ab");
        assert_eq!(body, want);
    }

    #[test]
    fn jsonb_is_version_one_then_the_text_with_its_length_patched_in() {
        let mut rows = BinaryRows::new(1);
        rows.row().jsonb(&serde_json::json!({"a": 1})).unwrap();
        let body = &rows.buf[HEADER.len() + 2..];
        let text = br#"{"a":1}"#;
        assert_eq!(&body[..4], &(1 + text.len() as i32).to_be_bytes());
        assert_eq!(body[4], 1);
        assert_eq!(&body[5..], text);
    }
}
