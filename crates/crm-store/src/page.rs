//! One page of a list whose visibility comes in several parts, merged by the database.
//!
//! `owner_id IN (…) ORDER BY name LIMIT 50` leaves the database a choice it can make
//! badly: with statistics that underestimate a team, SQLite reads every row of the team
//! and sorts it (1.8 s for a manager's 1M customers). Asked per owner instead —
//! `owner_id = ? ORDER BY name LIMIT 50`, one range of a covering index that starts with
//! the owner and continues in the list's order — each run stops after a page, and the runs
//! merge in a sort of ids. The statement reads at most `owners × limit` index entries,
//! whatever the statistics say.
//!
//! The same statement merges the owned rows with the rows shared with the user
//! (`RecordScope::parts`): each part is its own ordered range, and the merge happens in the
//! database so that names compare by its collation (an ICU `zh` collation on PostgreSQL
//! orders by pinyin, which no byte comparison reproduces), the same comparison the next
//! page's keyset condition makes.

use sea_orm::sea_query::{Alias, Asterisk, Order, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IdenStatic, QueryFilter,
};
use std::collections::HashMap;

/// Above this many owners a list asks with one `IN` instead (SQLite allows at most 500
/// parts in one compound statement).
pub const MAX_OWNER_RUNS: usize = 200;

/// The ids of one page, for `id IN (…)`: the first `limit` rows in `order` among the rows
/// of `parts` (owner runs from `RecordScope::owner_runs`, or `RecordScope::parts`) that
/// match `cond`. `order` must end with the id column (a total order). Parts that may share
/// rows (an owned row also shared with the user) are `overlapping`: the union then drops
/// the repeats.
pub fn ids_in_order<E: EntityTrait>(
    id_col: E::Column,
    parts: &[Condition],
    overlapping: bool,
    cond: &Condition,
    order: &[(E::Column, Order)],
    limit: u64,
) -> SelectStatement {
    let kind = if overlapping {
        UnionType::Distinct
    } else {
        UnionType::All
    };
    let mut compound: Option<SelectStatement> = None;
    for (i, part) in parts.iter().enumerate() {
        let mut run = Query::select();
        run.column(id_col)
            .from(E::default().table_ref())
            .cond_where(cond.clone().add(part.clone()))
            .limit(limit);
        for (col, dir) in order {
            if col.as_str() != id_col.as_str() {
                run.column(*col);
            }
            run.order_by(*col, dir.clone());
        }
        let part = Query::select()
            .column(Asterisk)
            .from_subquery(run, Alias::new(format!("run{i}")))
            .to_owned();
        compound = Some(match compound {
            None => part,
            Some(mut c) => c.union(kind, part).to_owned(),
        });
    }
    let mut page = compound.unwrap_or_else(|| {
        // No part: no row (an empty IN).
        Query::select()
            .column(id_col)
            .from(E::default().table_ref())
            .and_where(sea_orm::sea_query::Expr::val(1).eq(0))
            .to_owned()
    });
    for (col, dir) in order {
        page.order_by(Alias::new(col.as_str()), dir.clone());
    }
    page.limit(limit);
    Query::select()
        .column(Alias::new(id_col.as_str()))
        .from_subquery(page, Alias::new("page"))
        .to_owned()
}

/// The rows of a page of ids (from [`ids_in_order`]), in the page's order: the order of
/// the database's own comparison (its collation for names), which the keyset cursor of
/// the next page continues.
pub async fn rows_in_order<C, E>(
    db: &C,
    ids: &SelectStatement,
    id_col: E::Column,
    id_of: impl Fn(&E::Model) -> i64,
) -> Result<Vec<E::Model>, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let order: Vec<i64> = db
        .query_all(db.get_database_backend().build(ids))
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    let position: HashMap<i64, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut rows = E::find()
        .filter(id_col.is_in(order.iter().copied()))
        .all(db)
        .await?;
    rows.sort_by_key(|r| position.get(&id_of(r)).copied().unwrap_or(usize::MAX));
    Ok(rows)
}
