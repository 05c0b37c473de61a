//! Reading an uploaded file into rows of text: .xlsx (first worksheet, after the zip-bomb
//! checks; formulas never evaluated: a formula cell gives its cached value, or its formula
//! text when it has none; dates as `YYYY-MM-DD`, whole numbers without a decimal point) or
//! .csv (UTF-8 with or without BOM, UTF-16 with BOM, otherwise GB18030/GBK; `,` `;` or tab
//! separated). The first non-blank row is the header; blank rows are skipped; row numbers
//! are the file's own (1-based). Reading stops with an error at [`MAX_ROWS`] + 1 data rows.

use super::zipcheck::{self, not_xlsx};
use calamine::{DataRef, Reader, Xlsx};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::Cursor;

/// At most this many bytes per upload.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// At most this many data rows (the header and blank rows not counted).
pub const MAX_ROWS: usize = 100_000;
/// At most this many columns.
pub const MAX_COLUMNS: usize = 100;

/// Why a file cannot be imported (reported as a `file` field error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub code: &'static str,
    pub message: String,
}

impl FileError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// One data row: its number in the file and its cells.
pub type Row = (u32, Vec<String>);

#[derive(Debug, Clone)]
pub struct Table {
    pub format: Format,
    /// CSV only: the text encoding that was detected.
    pub encoding: Option<&'static str>,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// A column's label: its header, or its spreadsheet letter when the header is blank.
pub fn column_label(index: usize, header: &str) -> String {
    let h = header.trim();
    if !h.is_empty() {
        return h.to_string();
    }
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Collects rows: the header first, then at most `limit` data rows.
struct Builder {
    headers: Option<Vec<String>>,
    rows: Vec<Row>,
    limit: usize,
}

impl Builder {
    /// False once `limit` rows were read.
    fn push(&mut self, number: u32, mut cells: Vec<String>) -> Result<bool, FileError> {
        while cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(true);
        }
        if cells.len() > MAX_COLUMNS {
            return Err(FileError::new(
                "too_many_columns",
                format!(
                    "At most {MAX_COLUMNS} columns (row {number} has {})",
                    cells.len()
                ),
            ));
        }
        if self.headers.is_none() {
            self.headers = Some(cells);
            return Ok(true);
        }
        if self.rows.len() == MAX_ROWS {
            return Err(FileError::new(
                "too_many_rows",
                format!("At most {MAX_ROWS} data rows per import; this file has more. Split it"),
            ));
        }
        self.rows.push((number, cells));
        Ok(self.rows.len() < self.limit)
    }

    fn finish(self, format: Format, encoding: Option<&'static str>) -> Result<Table, FileError> {
        let mut headers = self
            .headers
            .ok_or_else(|| FileError::new("empty", "The file is empty"))?;
        if self.rows.is_empty() {
            return Err(FileError::new(
                "empty",
                "The file has a header row but no data",
            ));
        }
        let width = self.rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        if headers.len() < width {
            headers.resize(width, String::new());
        }
        while headers.len() > 1 && headers.last().is_some_and(|h| h.trim().is_empty()) {
            let last = headers.len() - 1;
            if self
                .rows
                .iter()
                .any(|r| r.1.get(last).is_some_and(|c| !c.is_empty()))
            {
                break;
            }
            headers.pop();
        }
        Ok(Table {
            format,
            encoding,
            headers,
            rows: self.rows,
        })
    }
}

/// Reads `bytes` (named `file_name`): every row, or with `head` only the first `head`
/// data rows. `inflate` runs the costly zip check (real sizes), done once on upload.
pub fn read(
    bytes: &[u8],
    file_name: &str,
    head: Option<usize>,
    inflate: bool,
) -> Result<Table, FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::new(
            "too_large",
            format!("At most {} MB per file", MAX_BYTES / (1024 * 1024)),
        ));
    }
    if bytes.is_empty() {
        return Err(FileError::new("empty", "The file is empty"));
    }
    let lower = file_name.to_lowercase();
    let b = Builder {
        headers: None,
        rows: Vec::new(),
        limit: head.unwrap_or(usize::MAX),
    };
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, b, inflate);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || lower.ends_with(".xls") {
        return Err(FileError::new(
            "old_xls",
            "Old .xls workbooks cannot be read: save the file as .xlsx or .csv",
        ));
    }
    if lower.ends_with(".xlsx") {
        return Err(not_xlsx("it is not a zip archive"));
    }
    read_csv(bytes, b)
}

fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn cell_text(v: DataRef<'_>, formula: Option<String>) -> String {
    match v {
        DataRef::Empty => formula.map(|f| format!("={f}")).unwrap_or_default(),
        DataRef::String(s) => s,
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(f),
        DataRef::Bool(b) => (if b { "TRUE" } else { "FALSE" }).to_string(),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) if d.is_datetime() && t.time() == chrono::NaiveTime::MIN => {
                t.format("%Y-%m-%d").to_string()
            }
            Some(t) if d.is_datetime() => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            _ => number(d.as_f64()),
        },
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s,
        DataRef::Error(e) => e.to_string(),
    }
}

fn read_xlsx(bytes: &[u8], mut b: Builder, inflate: bool) -> Result<Table, FileError> {
    zipcheck::check(bytes, inflate)?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let sheet = wb
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| not_xlsx("it has no worksheet"))?;
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(not_xlsx)?;
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(c) = cells.next_cell_with_formula().map_err(not_xlsx)? {
        let (r, col) = (c.pos.0 + 1, c.pos.1 as usize);
        if current.as_ref().is_some_and(|(n, _)| *n != r) {
            if let Some((n, row)) = current.take() {
                if !b.push(n, row)? {
                    break;
                }
            }
        }
        let row = &mut current.get_or_insert_with(|| (r, Vec::new())).1;
        if col >= MAX_COLUMNS {
            if matches!(c.value, DataRef::Empty) && c.formula.is_none() {
                continue;
            }
            return Err(FileError::new(
                "too_many_columns",
                format!("At most {MAX_COLUMNS} columns (row {r} has more)"),
            ));
        }
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = cell_text(c.value, c.formula);
    }
    if let Some((n, row)) = current {
        b.push(n, row)?;
    }
    b.finish(Format::Xlsx, None)
}

/// The text of a CSV file and the name of its encoding.
fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), FileError> {
    let bad = || {
        FileError::new(
            "encoding",
            "The file is neither UTF-8 nor GBK/GB18030 text: save it as CSV UTF-8",
        )
    };
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = &bytes[bom..];
        if enc == encoding_rs::UTF_8 {
            return std::str::from_utf8(rest)
                .map(|s| (Cow::Borrowed(s), "UTF-8 (BOM)"))
                .map_err(|_| bad());
        }
        return enc
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|s| (s, enc.name()))
            .ok_or_else(bad);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(s), "UTF-8"));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| (s, "GB18030 (GBK)"))
        .ok_or_else(bad)
}

fn read_csv(bytes: &[u8], mut b: Builder) -> Result<Table, FileError> {
    let (text, encoding) = decode(bytes)?;
    if text.contains('\0') {
        return Err(FileError::new(
            "unreadable",
            "This is not a text (CSV) file: upload .xlsx or .csv",
        ));
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|c| c == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let bytes = text.as_bytes();
    let (mut seen, mut line, mut number) = (0usize, 0u32, 0u32);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The line the record starts on (what an editor or Excel shows); the
                // reader itself skips blank lines without counting them.
                let at = record.position().map_or(seen, |p| p.byte() as usize);
                let mut at = at.clamp(seen, bytes.len());
                while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
                line += bytes[seen..at].iter().filter(|b| **b == b'\n').count() as u32;
                seen = at;
                number = line + 1;
                let cells: Vec<String> = record.iter().map(str::to_string).collect();
                if !b.push(number, cells)? {
                    break;
                }
            }
            Err(e) => {
                let line = e.position().map_or(number as u64 + 1, |p| p.line());
                return Err(FileError::new(
                    "unreadable",
                    format!("The CSV file cannot be read at line {line}: {e}"),
                ));
            }
        }
    }
    b.finish(Format::Csv, Some(encoding))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn gbk_and_utf8_bom_csv_decode_with_their_encoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,公司\n张三,华为技术有限公司\n");
        let t = read(&gbk, "a.csv", None, true).unwrap();
        assert_eq!(t.encoding, Some("GB18030 (GBK)"));
        assert_eq!(t.headers, vec!["姓名", "公司"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["张三".into(), "华为技术有限公司".into()])]
        );
        let bom = [
            &[0xEF, 0xBB, 0xBF][..],
            "名字;电话\n\n李四;138\n".as_bytes(),
        ]
        .concat();
        let t = read(&bom, "b.csv", None, true).unwrap();
        assert_eq!(t.encoding, Some("UTF-8 (BOM)"));
        assert_eq!(t.rows, vec![(3, vec!["李四".into(), "138".into()])]);
    }

    #[test]
    fn refusals_name_their_reason() {
        let code = |b: &[u8], n: &str| read(b, n, None, true).unwrap_err().code;
        assert_eq!(code(b"", "a.csv"), "empty");
        assert_eq!(code(b"name\n", "a.csv"), "empty");
        assert_eq!(code(b"hello", "a.xlsx"), "not_xlsx");
        assert_eq!(code(&[0xD0, 0xCF, 0x11, 0xE0, 1], "a.xls"), "old_xls");
        assert_eq!(code(&[0xFF, 0x80, 0x81, 0xFF], "a.csv"), "encoding");
        let mut many = String::from("name\n");
        for i in 0..=MAX_ROWS {
            many.push_str(&format!("n{i}\n"));
        }
        assert_eq!(code(many.as_bytes(), "a.csv"), "too_many_rows");
        assert_eq!(
            read(many.as_bytes(), "a.csv", Some(20), false)
                .unwrap()
                .rows
                .len(),
            20
        );
    }

    #[test]
    fn labels_and_numbers() {
        assert_eq!(column_label(0, " "), "A");
        assert_eq!(column_label(27, ""), "AB");
        assert_eq!(column_label(1, "电话"), "电话");
        assert_eq!(number(13812345678.0), "13812345678");
        assert_eq!(number(1.5), "1.5");
    }
}
