//! Errors of the key-server API: Seal's error kinds, each with its HTTP status, answered as
//! `{"error": <kind>, "message": <text>}` so the `@mysten/seal` SDK maps them to its typed
//! errors. Requests refused before they reach Seal's checks (too large, not JSON, too many)
//! get their own kind names, which the SDK reports with the message and the status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haulout_seal::api::{ErrorBody, ErrorKind};

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {message}")]
pub struct ApiError {
    /// The error kind's name (Seal's where Seal has one).
    pub error: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the user.
    pub message: String,
}

impl ApiError {
    /// An error of Seal's `kind`, with Seal's status for it.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            error: kind.name().to_owned(),
            status: StatusCode::from_u16(kind.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: message.into(),
        }
    }

    /// An error Seal has no kind for.
    pub fn other(error: &str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            error: error.to_owned(),
            status,
            message: message.into(),
        }
    }

    /// `InvalidPTB`.
    pub fn ptb(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidPTB, message)
    }

    /// Whether this is Seal's `kind`.
    pub fn is(&self, kind: ErrorKind) -> bool {
        self.error == kind.name()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.error,
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}
