//! What the API and the pages share: reading a multipart upload within the size limit,
//! the words a source cell may hold, and the words of the .xlsx report.

use crate::i18n::Tr;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::http::StatusCode;
use crm_service::lead_import::{ReportLabels, FIELDS, MAX_BYTES};
use crm_service::leads::SOURCES;
use std::collections::HashMap;

/// The request body limit of the upload routes: the file plus room for the form.
pub const BODY_LIMIT: usize = MAX_BYTES + 256 * 1024;

/// An uploaded file and the text fields sent with it.
#[derive(Debug, Default)]
pub struct Uploaded {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Whether a `file` part was present.
    pub has_file: bool,
    pub fields: Vec<(String, String)>,
}

impl Uploaded {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Why an upload could not be read.
#[derive(Debug)]
pub enum UploadError {
    /// Larger than [`MAX_BYTES`].
    TooLarge,
    Malformed(String),
}

impl UploadError {
    fn of(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed(e.body_text())
        }
    }
}

/// Reads every part: the `file` part (stopping as soon as it passes [`MAX_BYTES`]) and
/// small text parts (such as `_csrf`).
pub async fn read(mut m: Multipart) -> Result<Uploaded, UploadError> {
    let mut out = Uploaded::default();
    while let Some(mut part) = m.next_field().await.map_err(UploadError::of)? {
        let name = part.name().unwrap_or("").to_string();
        if name == "file" {
            out.has_file = true;
            out.file_name = part.file_name().unwrap_or("").to_string();
            while let Some(chunk) = part.chunk().await.map_err(UploadError::of)? {
                if out.bytes.len() + chunk.len() > MAX_BYTES {
                    return Err(UploadError::TooLarge);
                }
                out.bytes.extend_from_slice(&chunk);
            }
        } else {
            let text = part.text().await.map_err(UploadError::of)?;
            out.fields.push((name, text.chars().take(10_000).collect()));
        }
    }
    Ok(out)
}

/// Each source code with its labels in every language (lower-cased): a cell saying
/// `展会` or `Exhibition` is the source `exhibition`.
pub fn source_aliases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for code in SOURCES {
        out.push((code.to_string(), code.to_string()));
        for locale in crate::i18n::LOCALES {
            let label = Tr::new(locale).t(&format!("leads.source.{code}"));
            out.push((label.to_lowercase(), code.to_string()));
        }
    }
    out
}

/// Field-error codes a row can get.
const CODES: [&str; 6] = [
    "required",
    "too_long",
    "invalid_characters",
    "invalid_phone",
    "invalid_email",
    "invalid_choice",
];

/// The words of the .xlsx report in the reader's language.
pub fn report_labels(tr: Tr) -> ReportLabels {
    let t = |k: &str| tr.t(&format!("lead_import.{k}"));
    let mut words = HashMap::new();
    for f in FIELDS {
        words.insert(f.to_string(), t(&format!("field.{f}")));
    }
    for k in ["customer", "contact", "lead", "import_row"] {
        words.insert(k.to_string(), t(&format!("kind.{k}")));
    }
    for code in CODES {
        let text = tr.field_error(code, "");
        if !text.is_empty() {
            words.insert(format!("error.{code}"), text);
        }
    }
    ReportLabels {
        failed_sheet: t("report.failed_sheet"),
        duplicates_sheet: t("report.duplicates_sheet"),
        row: t("row"),
        reason: t("report.reason"),
        matches: t("report.matches"),
        skipped: t("outcome.skip_duplicate"),
        flagged: t("outcome.import_flagged"),
        hidden: t("report.hidden"),
        words,
    }
}
