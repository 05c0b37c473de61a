//! Queries: competitors (竞争对手), company-wide reference data (not owner-scoped: callers
//! check the module permission; every live row is visible), their links to opportunities
//! ([`links`]) and the win/loss record over the opportunities in a viewer's scope
//! ([`record`]).

use crate::dialect;
use crate::entity::competitor::{self, Entity as Competitor};
use crate::soft::SoftDeletable;
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use competitor::Model;
pub use links::*;
pub use record::*;

mod links;
mod record;

pub const ENTITY: &str = "competitor";

impl SoftDeletable for Competitor {
    const ID: Self::Column = competitor::Column::Id;
    const VERSION: Self::Column = competitor::Column::Version;
    const DELETED_AT: Self::Column = competitor::Column::DeletedAt;
}

/// Every editable field of a competitor, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub website: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    pub products: Option<String>,
    pub market_share: Option<String>,
    pub notes: Option<String>,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            website: m.website.clone(),
            strengths: m.strengths.clone(),
            weaknesses: m.weaknesses.clone(),
            products: m.products.clone(),
            market_share: m.market_share.clone(),
            notes: m.notes.clone(),
        }
    }

    fn apply(self, am: &mut competitor::ActiveModel) {
        am.name = Set(self.name);
        am.website = Set(self.website);
        am.strengths = Set(self.strengths);
        am.weaknesses = Set(self.weaknesses);
        am.products = Set(self.products);
        am.market_share = Set(self.market_share);
        am.notes = Set(self.notes);
    }
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    fields: Fields,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut am = competitor::ActiveModel {
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    };
    fields.apply(&mut am);
    am.insert(db).await
}

/// A live competitor.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Competitor::find_by_id(id)
        .filter(competitor::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// A competitor, live or deleted.
pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Competitor::find_by_id(id).one(db).await
}

/// A live competitor other than `except` whose name equals `name` ignoring case
/// (`lower()` folds ASCII on SQLite and all of Unicode on PostgreSQL; Chinese names have no
/// case).
pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except: Option<i64>,
) -> Result<Option<Model>, DbErr> {
    let mut q = Competitor::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(competitor::Column::Name))).eq(name.to_lowercase()),
        )
        .filter(competitor::Column::DeletedAt.is_null());
    if let Some(id) = except {
        q = q.filter(competitor::Column::Id.ne(id));
    }
    q.one(db).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name or of the products text, case-insensitive.
    pub q: Option<String>,
}

fn filtered(backend: sea_orm::DbBackend, filter: &Filter) -> Condition {
    let mut cond = Condition::all().add(competitor::Column::DeletedAt.is_null());
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let needle = q.to_lowercase();
        cond = cond.add(
            Condition::any()
                .add(dialect::contains(
                    backend,
                    Func::lower(Expr::col((Competitor, competitor::Column::Name))).into(),
                    needle.clone(),
                ))
                .add(dialect::contains(
                    backend,
                    Func::lower(Expr::col((Competitor, competitor::Column::Products))).into(),
                    needle,
                )),
        );
    }
    cond
}

/// One page of live competitors by name; `after` is the id of the last row of the previous
/// page (keyset on `(name, id)`: no OFFSET, no COUNT).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = filtered(db.get_database_backend(), filter);
    if let Some(after) = after {
        if let Some(last) = find_any(db, after).await? {
            cond = cond.add(
                Condition::any()
                    .add(competitor::Column::Name.gt(last.name.clone()))
                    .add(
                        Condition::all()
                            .add(competitor::Column::Name.eq(last.name))
                            .add(competitor::Column::Id.gt(after)),
                    ),
            );
        }
    }
    Competitor::find()
        .filter(cond)
        .order_by_asc(competitor::Column::Name)
        .order_by_asc(competitor::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// `(id, name)` of up to `limit` live competitors by name (for a select).
pub async fn choices<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<(i64, String)>, DbErr> {
    Competitor::find()
        .select_only()
        .column(competitor::Column::Id)
        .column(competitor::Column::Name)
        .filter(competitor::Column::DeletedAt.is_null())
        .order_by_asc(competitor::Column::Name)
        .order_by_asc(competitor::Column::Id)
        .limit(limit)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    version: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut am: competitor::ActiveModel = current.clone().into();
    fields.apply(&mut am);
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    // The version check: write only if nobody changed the row since it was read.
    let res = Competitor::update_many()
        .set(am)
        .filter(competitor::Column::Id.eq(current.id))
        .filter(competitor::Column::Version.eq(version))
        .filter(competitor::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, current.id).await?)
}

/// To the recycle bin; its links to opportunities stay (and count again once restored).
pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<Competitor, _>(db, id, version, now, Condition::all()).await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<Competitor, _>(db, id).await
}

/// Names of competitors by id (live or deleted).
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Competitor::find()
        .select_only()
        .column(competitor::Column::Id)
        .column(competitor::Column::Name)
        .filter(competitor::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}
