//! Lead lists: filters, search through the duplicate keys, sort and keyset pages, counts;
//! always within [`super::visible`].

use super::{find_any, visible, Model};
use crate::dialect;
use crate::entity::lead::{self, Entity as Lead};
use crate::scope::RecordScope;
use chrono::{DateTime, Utc};
use crm_domain::dedupe::{email_key, phone_key};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// Whose leads a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFilter {
    User(i64),
    /// The shared pool: no owner.
    Pool,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub owner: Option<OwnerFilter>,
    pub campaign_id: Option<i64>,
    pub source: Option<String>,
    /// Name or company contains it (case-insensitive), or the phone / email matches it
    /// through the duplicate keys.
    pub q: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Earliest next follow-up first; leads without one last.
    FollowUp,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" | "-created_at" => Some(Sort::Newest),
            "follow_up" | "next_follow_up" => Some(Sort::FollowUp),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::FollowUp => "follow_up",
        }
    }
}

fn search(backend: sea_orm::DbBackend, q: &str) -> Condition {
    let needle = q.trim().to_lowercase();
    let lower = |c: lead::Column| -> SimpleExpr { Func::lower(Expr::col((Lead, c))).into() };
    let mut any = Condition::any()
        .add(dialect::contains(
            backend,
            lower(lead::Column::Name),
            needle.clone(),
        ))
        .add(dialect::contains(
            backend,
            lower(lead::Column::Company),
            needle.clone(),
        ));
    // A phone number typed with separators: compare its digits with the phone key.
    let phone_like = needle
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if phone_like {
        if let Some(k) = phone_key(&needle) {
            any = any.add(lead::Column::PhoneNorm.eq(k));
        }
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 4 {
            any = any.add(dialect::contains(
                backend,
                Expr::col((Lead, lead::Column::PhoneNorm)).into(),
                digits,
            ));
        }
    }
    if let Some(k) = email_key(&needle) {
        any = any.add(lead::Column::EmailNorm.eq(k));
    }
    any
}

fn filtered(scope: &RecordScope, f: &Filter, backend: sea_orm::DbBackend) -> Condition {
    let mut cond = visible(scope);
    match f.owner {
        Some(OwnerFilter::User(u)) => cond = cond.add(lead::Column::OwnerId.eq(u)),
        Some(OwnerFilter::Pool) => cond = cond.add(lead::Column::OwnerId.is_null()),
        None => {}
    }
    if let Some(s) = &f.status {
        cond = cond.add(lead::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = f.campaign_id {
        cond = cond.add(lead::Column::CampaignId.eq(c));
    }
    if let Some(s) = &f.source {
        cond = cond.add(lead::Column::Source.eq(s.as_str()));
    }
    if let Some(t) = f.created_from {
        cond = cond.add(lead::Column::CreatedAt.gte(t));
    }
    if let Some(t) = f.created_to {
        cond = cond.add(lead::Column::CreatedAt.lt(t));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        cond = cond.add(search(backend, q));
    }
    cond
}

/// One page of visible leads; `after` is the id of the last row of the previous page
/// (keyset pagination: no OFFSET, no COUNT).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = filtered(scope, filter, db.get_database_backend());
    if let Some(a) = after {
        if let Some(last) = find_any(db, a).await? {
            cond = cond.add(match sort {
                Sort::Newest => Condition::all().add(lead::Column::Id.lt(a)),
                Sort::FollowUp => match last.next_follow_up {
                    Some(d) => Condition::any()
                        .add(lead::Column::NextFollowUp.gt(d))
                        .add(
                            Condition::all()
                                .add(lead::Column::NextFollowUp.eq(d))
                                .add(lead::Column::Id.gt(a)),
                        )
                        .add(lead::Column::NextFollowUp.is_null()),
                    None => Condition::all()
                        .add(lead::Column::NextFollowUp.is_null())
                        .add(lead::Column::Id.gt(a)),
                },
            });
        }
    }
    let q = Lead::find().filter(cond);
    let q = match sort {
        Sort::Newest => q.order_by_desc(lead::Column::Id),
        // NULLs last on both databases (SQLite sorts them first by default).
        Sort::FollowUp => q
            .order_by(Expr::col(lead::Column::NextFollowUp).is_null(), Order::Asc)
            .order_by_asc(lead::Column::NextFollowUp)
            .order_by_asc(lead::Column::Id),
    };
    q.limit(limit).all(db).await
}

/// How many visible leads match the filter.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
) -> Result<u64, DbErr> {
    Lead::find()
        .filter(filtered(scope, filter, db.get_database_backend()))
        .count(db)
        .await
}
