//! Sums over opportunities: "likely to close soon" and the board's columns. Amounts are
//! minor units; weighted amounts are rounded per row before they are added.

use super::list::by_close;
use super::{visible, Col, Model, Opportunity, OPEN};
use crate::scope::{RecordScope, Visible};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Count, amount and weighted amount of a set of opportunities (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub amount: i64,
    pub weighted: i64,
}

impl Totals {
    fn add(&mut self, o: Totals) {
        self.count += o.count;
        self.amount = self.amount.saturating_add(o.amount);
        self.weighted = self.weighted.saturating_add(o.weighted);
    }
}

/// `amount × probability / 100` rounded half up, per row, in SQL (amounts are never
/// negative, so integer division after adding 50 rounds half up on both databases).
fn weighted_expr() -> SimpleExpr {
    Expr::col(Col::Amount)
        .mul(Expr::col(Col::Probability))
        .add(50)
        .div(100)
}

/// `COALESCE(CAST(SUM(e) AS BIGINT), 0)`: PostgreSQL sums BIGINT into NUMERIC.
fn sum_i64(e: SimpleExpr) -> SimpleExpr {
    Func::coalesce([
        Func::cast_as(Func::sum(e), Alias::new("BIGINT")).into(),
        Expr::val(0i64).into(),
    ])
    .into()
}

/// The owner sets to query one at a time so each walks an index that starts with
/// `owner_id`: the visible owners, or every user for an unrestricted scope (a few hundred
/// index ranges beat scanning a million rows).
async fn owner_chunks<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
) -> Result<Vec<Vec<i64>>, DbErr> {
    let ids: Vec<i64> = match &scope.visible {
        Visible::Owners(ids) => ids.clone(),
        Visible::All => {
            use crate::entity::user;
            user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .order_by_asc(user::Column::Id)
                .into_tuple::<i64>()
                .all(db)
                .await?
        }
    };
    Ok(ids.chunks(500).map(<[i64]>::to_vec).collect())
}

/// "Likely to close soon": open, expected to close within `[from, to]`, at least
/// `min_probability` %.
#[derive(Debug, Clone)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub min_probability: i32,
    pub owner_id: Option<i64>,
}

fn window_cond(owners: &[i64], w: &Window) -> Condition {
    let mut c = Condition::all()
        .add(Col::OwnerId.is_in(owners.iter().copied()))
        .add(Col::Status.eq(OPEN))
        .add(Col::ExpectedClose.gte(w.from))
        .add(Col::ExpectedClose.lte(w.to))
        .add(Col::Probability.gte(w.min_probability))
        .add(Col::DeletedAt.is_null());
    if let Some(o) = w.owner_id {
        c = c.add(Col::OwnerId.eq(o));
    }
    c
}

/// Owner sets this small are listed one owner at a time.
const PER_OWNER_LISTING: usize = 64;

/// The first `limit` opportunities of the window in scope (soonest first) and the totals
/// of all of them.
///
/// The page is read per owner when there are few owners: each query then walks the
/// covering index `ix_opportunities_closing` in `(expected_close, id)` order and stops
/// after `limit` keys, the keys are merged here and only the final page's rows are
/// fetched; one `owner_id IN (…)` query would have to fetch and sort every row of the
/// window. The totals come from the same index (no table rows).
pub async fn closing_soon<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    w: &Window,
    limit: u64,
) -> Result<(Vec<Model>, Totals), DbErr> {
    let mut keys: Vec<(Option<NaiveDate>, i64)> = Vec::new();
    let mut totals = Totals::default();
    for owners in owner_chunks(db, scope).await? {
        let groups: Vec<Vec<i64>> = if owners.len() <= PER_OWNER_LISTING {
            owners.iter().map(|o| vec![*o]).collect()
        } else {
            vec![owners.clone()]
        };
        for group in groups {
            // Keys first, from the index alone; the whole rows only for the final page.
            keys.extend(
                Opportunity::find()
                    .select_only()
                    .column(Col::ExpectedClose)
                    .column(Col::Id)
                    .filter(window_cond(&group, w))
                    .order_by_asc(Col::ExpectedClose)
                    .order_by_asc(Col::Id)
                    .limit(limit)
                    .into_tuple::<(Option<NaiveDate>, i64)>()
                    .all(db)
                    .await?,
            );
        }
        let (count, amount, weighted) = Opportunity::find()
            .select_only()
            .expr(Expr::col(Col::Id).count())
            .expr(sum_i64(Expr::col(Col::Amount).into()))
            .expr(sum_i64(weighted_expr()))
            .filter(window_cond(&owners, w))
            .into_tuple::<(i64, i64, i64)>()
            .one(db)
            .await?
            .unwrap_or_default();
        totals.add(Totals {
            count,
            amount,
            weighted,
        });
    }
    keys.sort_unstable();
    keys.truncate(limit as usize);
    let ids: Vec<i64> = keys.iter().map(|k| k.1).collect();
    let mut rows = Opportunity::find()
        .filter(Col::Id.is_in(ids))
        .all(db)
        .await?;
    rows.sort_by(|a, b| {
        a.expected_close
            .cmp(&b.expected_close)
            .then(a.id.cmp(&b.id))
    });
    Ok((rows, totals))
}

/// Totals of the open opportunities in scope per stage (the board's column headers).
pub async fn open_totals_by_stage<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
) -> Result<Vec<(i64, Totals)>, DbErr> {
    let rows = Opportunity::find()
        .select_only()
        .column(Col::StageId)
        .expr(Expr::col(Col::Id).count())
        .expr(sum_i64(Expr::col(Col::Amount).into()))
        .expr(sum_i64(weighted_expr()))
        .filter(visible(scope))
        .filter(Col::Status.eq(OPEN))
        .group_by(Col::StageId)
        .into_tuple::<(i64, i64, i64, i64)>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(stage, count, amount, weighted)| {
            (
                stage,
                Totals {
                    count,
                    amount,
                    weighted,
                },
            )
        })
        .collect())
}

/// The first `limit` open opportunities in scope in one stage, soonest close first.
pub async fn open_in_stage<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    stage_id: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    by_close(
        Opportunity::find()
            .filter(visible(scope))
            .filter(Col::StageId.eq(stage_id))
            .filter(Col::Status.eq(OPEN)),
    )
    .limit(limit)
    .all(db)
    .await
}
