//! Lead imports (线索导入): queries. An uploaded file waits in a `jobs` row of kind
//! [`KIND`] (status [`QUEUED`], the bytes in `result`, the upload's description in
//! `message`) while the user maps its columns; starting the import claims the row
//! (`queued` → `running`) and drops the bytes, which the job then holds in memory. Leads
//! are written many per statement with `ON CONFLICT (import_key) DO NOTHING`, so a re-run
//! of the same file after a crash (or on purpose) inserts each row once.

use crate::entity::job::{self, Entity as Job};
use crate::entity::lead::{self, Entity as Lead};
use crate::leads::{new_active_model, NewLead};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};

pub use job::Model;

/// The job kind of a lead import.
pub const KIND: &str = "lead_import";
/// An uploaded file waiting for its column mapping.
pub const QUEUED: &str = "queued";
/// Leads per INSERT statement (about 27 bound values each: well under both backends'
/// parameter limits).
pub const ROWS_PER_STATEMENT: usize = 400;
/// Keys per `IN (…)` lookup.
const KEYS_PER_QUERY: usize = 500;

/// Keeps an uploaded file (`bytes`) with its description (`meta`, JSON) until the import
/// starts.
pub async fn insert_upload<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
    meta: String,
    rows: i64,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    job::ActiveModel {
        kind: Set(KIND.to_string()),
        user_id: Set(user_id),
        status: Set(QUEUED.into()),
        done: Set(0),
        total: Set(Some(rows)),
        message: Set(Some(meta)),
        result: Set(Some(bytes)),
        result_name: Set(Some(file_name.to_string())),
        result_type: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// An import job, without the uploaded bytes or the report (`result` is `None`).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    crate::jobs::without_result(Job::find_by_id(id).filter(job::Column::Kind.eq(KIND)))
        .one(db)
        .await
}

/// An import job with the uploaded bytes while it is queued.
pub async fn find_with_upload<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Job::find_by_id(id)
        .filter(job::Column::Kind.eq(KIND))
        .one(db)
        .await
}

/// Starts a queued import: `queued` → `running`, dropping the stored bytes. False when it
/// was already started (two clicks, two servers): only one run may own the file.
pub async fn claim<C: ConnectionTrait>(db: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let res = Job::update_many()
        .col_expr(job::Column::Status, Expr::value("running"))
        .col_expr(job::Column::Result, Expr::value(Option::<Vec<u8>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Kind.eq(KIND))
        .filter(job::Column::Status.eq(QUEUED))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Replaces the job's description (the report, when the run ends).
pub async fn set_message<C: ConnectionTrait>(db: &C, id: i64, message: &str) -> Result<(), DbErr> {
    Job::update_many()
        .col_expr(job::Column::Message, Expr::value(message))
        .filter(job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets uploads nobody started before `before` (with their bytes).
pub async fn purge_uploads<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = Job::delete_many()
        .filter(job::Column::Kind.eq(KIND))
        .filter(job::Column::Status.eq(QUEUED))
        .filter(job::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// The import keys among `keys` that some lead (live or deleted) already carries.
pub async fn existing_keys<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
) -> Result<Vec<String>, DbErr> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let found: Vec<Option<String>> = Lead::find()
            .select_only()
            .column(lead::Column::ImportKey)
            .filter(lead::Column::ImportKey.is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(found.into_iter().flatten());
    }
    Ok(out)
}

/// The leads among `ids` that an import of the file `prefix` (`<digest>:`) wrote.
pub async fn from_file<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    prefix: &str,
) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KEYS_PER_QUERY) {
        let found: Vec<i64> = Lead::find()
            .select_only()
            .column(lead::Column::Id)
            .filter(lead::Column::Id.is_in(chunk.iter().copied()))
            .filter(lead::Column::ImportKey.starts_with(prefix))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// Inserts leads many per statement, skipping any whose `import_key` is already taken.
/// Returns how many were inserted.
pub async fn insert_leads<C: ConnectionTrait>(
    db: &C,
    rows: Vec<NewLead>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<lead::ActiveModel> = rows
            .by_ref()
            .take(ROWS_PER_STATEMENT)
            .map(|r| new_active_model(r, now))
            .collect();
        inserted += Lead::insert_many(batch)
            .on_conflict(
                OnConflict::column(lead::Column::ImportKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(inserted)
}
