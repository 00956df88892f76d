//! Every error the API answers, as one JSON shape: `{"error": {"kind", "message", "diagnostics"?}}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironclad::check::DiagnosticReport;
use ironclad::{Error, Files};
use schemars::JsonSchema;
use serde::Serialize;

/// What went wrong, for a program (`kind`, stable) and for a person (`message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Malformed JSON, a missing or unknown field, an unknown variant, party or parameter.
    BadRequest,
    /// No such route or library entry.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The body is larger than the server accepts.
    TooLarge,
    /// The spec or scenario has errors; `diagnostics` says which.
    InvalidInput,
    /// More work than one request may ask for: past one of the server's cost limits
    /// (`--max-runs`, the design points of a sensitivity run, the frameworks of a comparison).
    TooExpensive,
    /// Well-formed, but this input cannot answer it: no `armed_attack` event to respond to, a
    /// metric that does not vary, more players or combinations than the method handles.
    Unservable,
    /// As many simulations as the server allows are running.
    Busy,
    /// The request ran past its deadline and was cancelled.
    Deadline,
    /// A bug: the server could not finish a request it accepted.
    Internal,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorDetail {
    pub kind: Kind,
    pub message: String,
    /// For `invalid_input`: the diagnostics, as in the `check` report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<DiagnosticReport>>,
}

/// An error answer: a status and its JSON body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: Kind, message: impl Into<String>) -> ApiError {
        ApiError { status, body: ErrorBody { error: ErrorDetail { kind, message: message.into(), diagnostics: None } } }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, Kind::BadRequest, message)
    }

    pub fn too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Kind::TooLarge,
            "the request body is larger than this server accepts",
        )
    }

    pub fn too_expensive(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, Kind::TooExpensive, message)
    }

    /// A front-door error of a request whose horizons are the list `horizons` (simulate,
    /// compare): the front door's `horizon` is that field.
    pub fn from_front_horizons(err: Error, files: &Files) -> ApiError {
        let mut e = ApiError::from_front(err, files);
        if e.body.error.kind == Kind::BadRequest {
            e.body.error.message = e.body.error.message.replace("`horizon`", "`horizons`");
        }
        e
    }

    /// A front-door error; `files` turns its diagnostics' spans into lines and columns.
    pub fn from_front(err: Error, files: &Files) -> ApiError {
        match err {
            Error::Invalid(diagnostics) => {
                let reports: Vec<DiagnosticReport> =
                    diagnostics.iter().map(|d| DiagnosticReport::new(files, d)).collect();
                let errors = reports.iter().filter(|d| d.severity == "error").count();
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Kind::InvalidInput,
                    format!("the input has {errors} error(s)"),
                );
                e.body.error.diagnostics = Some(reports);
                e
            }
            Error::Usage(m) => ApiError::bad_request(fields(&m)),
            Error::Unservable(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, Kind::Unservable, m),
            Error::Cancelled => ApiError::new(StatusCode::GATEWAY_TIMEOUT, Kind::Deadline, "the run was cancelled"),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::too_large();
        }
        // 415 (no JSON content type) keeps its status; every other rejection is the client's JSON.
        let status = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE { status } else { StatusCode::BAD_REQUEST };
        ApiError::new(status, Kind::BadRequest, shapes(&rejection.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// serde's message for an entry of an untagged list in the words of the request: the shapes it
/// takes, not the Rust type's name.
fn shapes(message: &str) -> String {
    message
        .replace(
            "data did not match any variant of untagged enum CompareFramework",
            "expected {\"id\": LIBRARY-ID} or {\"spec\": TEXT}, and nothing else",
        )
        .replace(
            "data did not match any variant of untagged enum CompareScenario",
            "expected {\"id\": LIBRARY-ID} or {\"text\": TEXT, \"name\"?: NAME}, and nothing else",
        )
}

/// A front-door usage message in the API's words: the CLI's flags (`--runs`, `--precision`,
/// `--scenario FILE`) become the request's fields (`runs`, `precision`, `scenario`); a flag with a
/// hyphen becomes its underscored name.
fn fields(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("--") {
        // Inside a word or an id (`ceasefire--first`), not a flag.
        if rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            out.push_str(&rest[..at + 2]);
            rest = &rest[at + 2..];
            continue;
        }
        let name_len =
            rest[at + 2..].find(|c: char| !(c.is_ascii_lowercase() || c == '-')).unwrap_or(rest.len() - at - 2);
        let name = &rest[at + 2..at + 2 + name_len];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push_str(&rest[..at + 2]);
            rest = &rest[at + 2..];
            continue;
        }
        out.push_str(&rest[..at]);
        let field = match name {
            "variant" => "variants".to_string(),
            other => other.replace('-', "_"),
        };
        // Inside a quotation already (`--with x`), the name alone; else quoted.
        if rest[..at].ends_with('`') {
            out.push_str(&field);
        } else {
            out.push('`');
            out.push_str(&field);
            out.push('`');
        }
        rest = &rest[at + 2 + name_len..];
        // The CLI's placeholder for a flag's value is not part of a field's name.
        for placeholder in [" FILE", " K/N"] {
            if let Some(r) = rest.strip_prefix(placeholder) {
                rest = r;
            }
        }
    }
    out.push_str(rest);
    // A JSON list is not repeated: "`horizons` is repeatable at most 63 times" → "takes at most
    // 63 values".
    if let Some(at) = out.find(" is repeatable at most ")
        && let Some(end) = out[at..].find(" times")
    {
        let n = out[at + " is repeatable at most ".len()..at + end].to_string();
        out.replace_range(at..at + end + " times".len(), &format!(" takes at most {n} values"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fields;

    #[test]
    fn usage_messages_name_the_request_fields_not_the_cli_flags() {
        assert_eq!(fields("--runs must be at least 1"), "`runs` must be at least 1");
        assert_eq!(
            fields("--until-ci takes a half-width in (0, 0.5), e.g. 0.005"),
            "`until_ci` takes a half-width in (0, 0.5), e.g. 0.005"
        );
        assert_eq!(
            fields("a report needs a scenario: give --scenario FILE"),
            "a report needs a scenario: give `scenario`"
        );
        assert_eq!(
            fields("--threshold applies to --metric credibility only"),
            "`threshold` applies to `metric` credibility only"
        );
        assert_eq!(fields("`--with x=y`: write member=PARTY@FRAMEWORK"), "`with x=y`: write member=PARTY@FRAMEWORK");
        assert_eq!(fields("--variant takes VARIANT=OPTION"), "`variants` takes VARIANT=OPTION");
        assert_eq!(
            fields("64 horizons: --horizon is repeatable at most 63 times"),
            "64 horizons: `horizon` takes at most 63 values"
        );
        // Not a flag: left alone.
        assert_eq!(fields("a range 1--2 and -- alone"), "a range 1--2 and -- alone");
        // Nor a double hyphen inside an id: ids may hold one.
        let ids = "no variant `phase--two`; variants: ceasefire--first, b";
        assert_eq!(fields(ids), ids);
    }
}
