//! Excel export (资料导出) of customers and contacts: a real .xlsx, honouring the filter
//! and the user's scope. Rows stream from the database in batches into a workbook written
//! in constant-memory mode on a blocking thread, and the finished file waits in an
//! anonymous temporary file ([`XlsxFile`]), so a large export holds neither its rows nor
//! its file in memory (the API streams the file to the client).

use crate::custom_fields::{self, CustomField};
use crate::customers::scope_of;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use crm_domain::custom_field::FieldType;
use crm_domain::{Action, Module, Principal};
use crm_store::{contacts, customers, users};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::collections::HashMap;
use std::io::{BufWriter, Read, Seek, SeekFrom};
use tokio::sync::mpsc;

/// Rows fetched per database round trip.
const BATCH: u64 = 2000;
/// At most this many rows per export (Excel's limit is 1,048,575 data rows).
pub const MAX_ROWS: usize = 1_000_000;

/// Column keys of the customer export, in order (the web layer translates them).
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "name",
    "status",
    "nature",
    "size",
    "industry",
    "region",
    "province",
    "city",
    "district",
    "street",
    "postal_code",
    "phone",
    "website",
    "source",
    "owner",
    "notes",
    "created_at",
    "updated_at",
];

/// Column keys of the contact export, in order.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "customer",
    "name",
    "title",
    "mobile",
    "phone",
    "email",
    "address",
    "birthday",
    "is_primary",
    "notes",
    "created_at",
];

/// Translated headers and value labels (`"status.deal"` → `"成交"`), supplied by the caller.
/// Custom fields follow the fixed columns, headed by their Chinese label when `chinese`.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub headers: Vec<String>,
    pub values: HashMap<String, String>,
    pub yes: String,
    pub no: String,
    pub chinese: bool,
}

/// Joins the options of a multiple-choice value in a cell.
pub const CHOICE_SEPARATOR: &str = "、";

impl Labels {
    fn value(&self, kind: &str, code: &Option<String>) -> Cell {
        match code {
            Some(c) => Cell::Text(
                self.values
                    .get(&format!("{kind}.{c}"))
                    .cloned()
                    .unwrap_or_else(|| c.clone()),
            ),
            None => Cell::Empty,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// The headers of the custom-field columns.
fn custom_headers(defs: &[CustomField], labels: &Labels) -> Vec<String> {
    defs.iter()
        .map(|d| d.label(labels.chinese).to_string())
        .collect()
}

/// The custom-field cells of one record: numbers as numbers, dates as dates, checkboxes
/// as yes/no, multiple choices joined with "、".
fn custom_cells(defs: &[CustomField], custom: &str, labels: &Labels) -> Vec<Cell> {
    let values = custom_fields::values(custom);
    defs.iter()
        .map(|d| {
            let Some(v) = values.get(&d.key).filter(|v| !v.is_null()) else {
                return Cell::Empty;
            };
            match (d.kind(), v) {
                (FieldType::Number, serde_json::Value::Number(n)) => {
                    n.as_i64().map_or(Cell::Text(n.to_string()), Cell::Int)
                }
                (FieldType::Decimal, serde_json::Value::String(s)) => s
                    .parse::<f64>()
                    .map_or_else(|_| Cell::Text(s.clone()), Cell::Number),
                (FieldType::Date, serde_json::Value::String(s)) => {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_or_else(|_| Cell::Text(s.clone()), Cell::Date)
                }
                _ => Cell::Text(custom_fields::display(
                    v,
                    &labels.yes,
                    &labels.no,
                    CHOICE_SEPARATOR,
                )),
            }
        })
        .collect()
}

fn text(v: &Option<String>) -> Cell {
    v.as_ref().map_or(Cell::Empty, |s| Cell::Text(s.clone()))
}

/// Cells starting with = + - @ (or tab/CR) would run as formulas when the file is opened
/// or re-saved as CSV: they are prefixed with an apostrophe.
pub fn neutralize(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Times are written as local times of the installation's time zone (`Settings.tz`).
fn local(tz: chrono_tz::Tz, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(sea_orm::DbErr::Custom(format!("export: {e}")))
}

/// A finished workbook in an anonymous temporary file (removed by the system when it is
/// closed), positioned at its start.
#[derive(Debug)]
pub struct XlsxFile {
    pub file: std::fs::File,
    pub len: u64,
}

impl XlsxFile {
    /// The whole file in memory (a job's result, kept in the database). Blocking.
    pub fn into_bytes(mut self) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Writes batches of rows arriving on `rx` into a one-sheet workbook.
fn write_workbook(
    sheet: &str,
    headers: &[String],
    mut rx: mpsc::Receiver<Vec<Vec<Cell>>>,
) -> std::result::Result<XlsxFile, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDEBF7");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(sheet)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)?;
        ws.set_column_width(c as u16, 16)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    while let Some(batch) = rx.blocking_recv() {
        for cells in batch {
            for (c, cell) in cells.into_iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        ws.write_string(row, c, neutralize(&s))?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(row, c, n as f64)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(row, c, n)?;
                    }
                    Cell::Date(d) => {
                        ws.write_date_with_format(row, c, d, &date)?;
                    }
                    Cell::DateTime(t) => {
                        ws.write_datetime_with_format(row, c, t, &datetime)?;
                    }
                }
            }
            row += 1;
        }
    }
    let mut file = tempfile::tempfile()?;
    wb.save_to_writer(BufWriter::new(&mut file))?;
    let len = file.seek(SeekFrom::End(0))?;
    file.rewind()?;
    Ok(XlsxFile { file, len })
}

/// Streams batches produced by `produce` into a workbook.
async fn export<F, Fut>(sheet: &'static str, headers: Vec<String>, produce: F) -> Result<XlsxFile>
where
    F: FnOnce(mpsc::Sender<Vec<Vec<Cell>>>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let (tx, rx) = mpsc::channel::<Vec<Vec<Cell>>>(4);
    let writer = tokio::task::spawn_blocking(move || write_workbook(sheet, &headers, rx));
    let produced = produce(tx).await;
    let file = writer.await.map_err(internal)?.map_err(internal)?;
    produced?;
    Ok(file)
}

async fn owner_names(core: &Core, ids: impl Iterator<Item = i64>) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::names(&core.db, &ids).await?.into_iter().collect())
}

/// The customers the principal sees, matching `filter`, as an .xlsx file.
/// `progress(rows_written)` is called after every batch.
pub async fn customers_xlsx(
    core: &Core,
    p: &Principal,
    filter: &customers::Filter,
    labels: &Labels,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<XlsxFile> {
    p.require(Module::Customers, Action::Export)?;
    let scope = scope_of(core, p).await?;
    let tz = core.settings.tz;
    let defs = crate::customers::field_defs(&core.db).await?;
    let mut headers = labels.headers.clone();
    headers.extend(custom_headers(&defs, labels));
    let defs = &defs;
    export("Customers", headers, |tx| async move {
        let mut after = 0i64;
        let mut done = 0usize;
        loop {
            let rows = customers::batch_after(&core.db, &scope, filter, after, BATCH).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let names = owner_names(core, rows.iter().map(|c| c.owner_id)).await?;
            let batch: Vec<Vec<Cell>> = rows
                .iter()
                .map(|c| {
                    let mut row = vec![
                        Cell::Int(c.id),
                        Cell::Text(c.name.clone()),
                        labels.value("status", &Some(c.status.clone())),
                        labels.value("nature", &c.nature),
                        labels.value("size", &c.size),
                        text(&c.industry),
                        text(&c.region),
                        text(&c.province),
                        text(&c.city),
                        text(&c.district),
                        text(&c.street),
                        text(&c.postal_code),
                        text(&c.phone),
                        text(&c.website),
                        labels.value("source", &c.source),
                        text(&names.get(&c.owner_id).cloned()),
                        text(&c.notes),
                        Cell::DateTime(local(tz, c.created_at)),
                        Cell::DateTime(local(tz, c.updated_at)),
                    ];
                    row.extend(custom_cells(defs, &c.custom, labels));
                    row
                })
                .collect();
            done += batch.len();
            if tx.send(batch).await.is_err() {
                break;
            }
            progress(done);
            if done >= MAX_ROWS {
                break;
            }
        }
        Ok(())
    })
    .await
}

/// The contacts the principal sees (through their customers), as an .xlsx file.
pub async fn contacts_xlsx(
    core: &Core,
    p: &Principal,
    filter: &contacts::Filter,
    labels: &Labels,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<XlsxFile> {
    p.require(Module::Customers, Action::Export)?;
    let scope = scope_of(core, p).await?;
    let tz = core.settings.tz;
    let defs = crate::contacts::field_defs(&core.db).await?;
    let mut headers = labels.headers.clone();
    headers.extend(custom_headers(&defs, labels));
    let defs = &defs;
    export("Contacts", headers, |tx| async move {
        let mut after = 0i64;
        let mut done = 0usize;
        loop {
            let rows = contacts::batch_after(&core.db, &scope, filter, after, BATCH).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let mut cids: Vec<i64> = rows.iter().map(|c| c.customer_id).collect();
            cids.sort_unstable();
            cids.dedup();
            let customer_names: HashMap<i64, String> = customers::names(&core.db, &cids)
                .await?
                .into_iter()
                .collect();
            let batch: Vec<Vec<Cell>> = rows
                .iter()
                .map(|c| {
                    let mut row = vec![
                        Cell::Int(c.id),
                        text(&customer_names.get(&c.customer_id).cloned()),
                        Cell::Text(c.name.clone()),
                        text(&c.title),
                        text(&c.mobile),
                        text(&c.phone),
                        text(&c.email),
                        text(&c.address),
                        c.birthday.map_or(Cell::Empty, Cell::Date),
                        Cell::Text(if c.is_primary {
                            labels.yes.clone()
                        } else {
                            labels.no.clone()
                        }),
                        text(&c.notes),
                        Cell::DateTime(local(tz, c.created_at)),
                    ];
                    row.extend(custom_cells(defs, &c.custom, labels));
                    row
                })
                .collect();
            done += batch.len();
            if tx.send(batch).await.is_err() {
                break;
            }
            progress(done);
            if done >= MAX_ROWS {
                break;
            }
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(
            neutralize("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralize("+86 10"), "'+86 10");
        assert_eq!(neutralize("-1"), "'-1");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("华信科技"), "华信科技");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn times_are_local_to_the_installation() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T20:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(
            local(chrono_tz::Asia::Shanghai, t).to_string(),
            "2026-03-02 04:30:00"
        );
        assert_eq!(
            local(chrono_tz::America::New_York, t).to_string(),
            "2026-03-01 15:30:00"
        );
    }
}
