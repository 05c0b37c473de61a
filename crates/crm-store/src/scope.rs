//! The one visibility mechanism for owned records.
//!
//! A record is visible to a user when its owner is in the user's *visible owner set* (their
//! data scope: own, own + subordinates at any depth, department + sub-departments, or all),
//! or when the record is explicitly shared with the user. Every module filters its lists,
//! counts, searches, exports and charts with [`RecordScope::condition`], in SQL, and checks
//! single records with [`RecordScope::access`]. No module writes its own visibility rule.

use crate::entity::record_share::{self, Entity as Share};
use crate::{departments, users};
use chrono::{DateTime, Utc};
use crm_domain::{DataScope, Principal};
use sea_orm::sea_query::{Expr, IntoColumnRef, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// The SQL placeholder for the n-th (1-based) bound value on this backend.
pub fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

/// Whose records a principal sees, resolved once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    All,
    /// Owners (user ids) whose records are visible; always includes the principal.
    Owners(Vec<i64>),
}

/// How a user may touch one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Edit,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Edit => "edit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Access::Read),
            "edit" => Some(Access::Edit),
            _ => None,
        }
    }
}

/// A principal's resolved data scope.
#[derive(Debug, Clone)]
pub struct RecordScope {
    pub user_id: i64,
    pub visible: Visible,
    /// The entity types of which the user holds at least one share (empty for `All`, which
    /// sees everything anyway), read when the scope is resolved. Lists skip the "shared
    /// with me" part of the other types. A share is granted in a write transaction, which
    /// ends cached scopes (`Core::scope`); a scope kept across a share is stale.
    pub shared: Vec<String>,
}

impl RecordScope {
    /// Resolves the visible owner set of `principal` from the hierarchy and departments.
    pub async fn load<C: ConnectionTrait>(db: &C, principal: &Principal) -> Result<Self, DbErr> {
        let me = principal.user_id.0;
        let visible = match principal.scope() {
            DataScope::All => Visible::All,
            DataScope::Own => Visible::Owners(vec![me]),
            DataScope::Subordinates => {
                let mut ids = users::subordinate_ids(db, me).await?;
                ids.push(me);
                Visible::Owners(normalize(ids))
            }
            DataScope::Department => {
                let mut ids = match principal.department_id {
                    Some(d) => {
                        let depts = departments::subtree_ids(db, d.0).await?;
                        users::ids_in_departments(db, &depts).await?
                    }
                    None => vec![],
                };
                ids.push(me);
                Visible::Owners(normalize(ids))
            }
        };
        let shared = match visible {
            Visible::All => Vec::new(),
            // ix_record_shares_holder (user_id, entity_type) answers this from the index.
            Visible::Owners(_) => {
                Share::find()
                    .select_only()
                    .column(record_share::Column::EntityType)
                    .distinct()
                    .filter(record_share::Column::UserId.eq(me))
                    .into_tuple()
                    .all(db)
                    .await?
            }
        };
        Ok(Self {
            user_id: me,
            visible,
            shared,
        })
    }

    /// True when the user holds shares of `entity_type` records (see [`Self::shared`]).
    fn has_shares(&self, entity_type: &str) -> bool {
        self.shared.iter().any(|t| t == entity_type)
    }

    /// True when records owned by `owner` are in scope (ignoring shares).
    pub fn owns_scope(&self, owner: i64) -> bool {
        match &self.visible {
            Visible::All => true,
            Visible::Owners(ids) => ids.binary_search(&owner).is_ok(),
        }
    }

    /// For records that may sit unowned in a shared pool (leads in the 线索池): visible when
    /// owned within the scope or when they have no owner. The caller has checked that the
    /// user may view the module at all.
    pub fn owns_or_pooled(&self, owner: Option<i64>) -> bool {
        owner.is_none_or(|o| self.owns_scope(o))
    }

    /// The SQL form of [`Self::owns_or_pooled`] (no condition for `All`).
    pub fn owned_or_pooled<O: ColumnTrait>(&self, col: O) -> Condition {
        match &self.visible {
            Visible::All => Condition::all(),
            Visible::Owners(_) => Condition::any().add(col.is_null()).add(self.owned_by(col)),
        }
    }

    /// The SQL condition selecting the visible rows of `entity_type`, whose owner column is
    /// `owner_col` and id column `id_col`.
    pub fn condition<O, I>(&self, entity_type: &str, owner_col: O, id_col: I) -> Condition
    where
        O: ColumnTrait,
        I: IntoColumnRef + Copy,
    {
        match &self.visible {
            Visible::All => Condition::all(),
            Visible::Owners(ids) if !self.has_shares(entity_type) => {
                Condition::all().add(owner_col.is_in(ids.iter().copied()))
            }
            Visible::Owners(ids) => {
                let in_shared = Expr::col(id_col).in_subquery(self.shared_ids(entity_type));
                // Wrapped in ALL so that conditions callers add are ANDed, not ORed.
                Condition::all().add(
                    Condition::any()
                        .add(owner_col.is_in(ids.iter().copied()))
                        .add(in_shared),
                )
            }
        }
    }

    /// Rows whose `col` names a user in this scope's owner set (everything for `All`):
    /// for records visible through a person other than their owner, e.g. the author of a
    /// contact log that a manager may read.
    pub fn owned_by<O: ColumnTrait>(&self, col: O) -> Condition {
        match &self.visible {
            Visible::All => Condition::all(),
            Visible::Owners(ids) => Condition::all().add(col.is_in(ids.iter().copied())),
        }
    }

    /// The visibility split into parts that can each use an index: the rows owned within
    /// the scope, and the rows shared with the user. A list runs one query per part and
    /// merges them (an `owner IN (…) OR id IN (shares)` defeats the owner index and makes
    /// databases sort every visible row before a LIMIT). `All`, and a user holding no share
    /// of this type, is a single part.
    pub fn parts<O, I>(&self, entity_type: &str, owner_col: O, id_col: I) -> Vec<Condition>
    where
        O: ColumnTrait,
        I: IntoColumnRef + Copy,
    {
        match &self.visible {
            Visible::All => vec![Condition::all()],
            Visible::Owners(ids) if !self.has_shares(entity_type) => {
                vec![Condition::all().add(owner_col.is_in(ids.iter().copied()))]
            }
            Visible::Owners(ids) => {
                let mut parts = vec![Condition::all().add(owner_col.is_in(ids.iter().copied()))];
                parts.extend(self.shared_part(entity_type, id_col));
                parts
            }
        }
    }

    /// The owned part of [`Self::parts`] split into one condition per owner, for lists
    /// that read a page per owner (`crate::page`); `None` for `All`.
    pub fn owner_runs<O: ColumnTrait>(&self, owner_col: O) -> Option<Vec<Condition>> {
        match &self.visible {
            Visible::All => None,
            Visible::Owners(ids) => Some(
                ids.iter()
                    .map(|id| Condition::all().add(owner_col.eq(*id)))
                    .collect(),
            ),
        }
    }

    /// The "shared with me" part of [`Self::parts`], when the user holds shares of
    /// `entity_type` records (never for `All`).
    pub fn shared_part<I: IntoColumnRef>(&self, entity_type: &str, id_col: I) -> Option<Condition> {
        match &self.visible {
            Visible::Owners(_) if self.has_shares(entity_type) => Some(
                Condition::all().add(Expr::col(id_col).in_subquery(self.shared_ids(entity_type))),
            ),
            _ => None,
        }
    }

    /// The ids of the `entity_type` records shared with the user.
    fn shared_ids(&self, entity_type: &str) -> SelectStatement {
        Query::select()
            .column(record_share::Column::EntityId)
            .from(Share)
            .and_where(record_share::Column::EntityType.eq(entity_type))
            .and_where(record_share::Column::UserId.eq(self.user_id))
            .to_owned()
    }

    /// The access this scope gives to one record with the given owner: `Edit` in scope,
    /// the share's access when shared, `None` when invisible.
    pub async fn access<C: ConnectionTrait>(
        &self,
        db: &C,
        entity_type: &str,
        entity_id: i64,
        owner: i64,
    ) -> Result<Option<Access>, DbErr> {
        if self.owns_scope(owner) {
            return Ok(Some(Access::Edit));
        }
        let share = Share::find()
            .filter(record_share::Column::EntityType.eq(entity_type))
            .filter(record_share::Column::EntityId.eq(entity_id))
            .filter(record_share::Column::UserId.eq(self.user_id))
            .one(db)
            .await?;
        Ok(share.and_then(|s| Access::parse(&s.access)))
    }
}

fn normalize(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Shares one record with a user (insert or change access).
pub async fn share<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: i64,
    user_id: i64,
    access: Access,
    granted_by: i64,
    now: DateTime<Utc>,
) -> Result<record_share::Model, DbErr> {
    let existing = Share::find()
        .filter(record_share::Column::EntityType.eq(entity_type))
        .filter(record_share::Column::EntityId.eq(entity_id))
        .filter(record_share::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    match existing {
        Some(s) => {
            let mut am: record_share::ActiveModel = s.into();
            am.access = Set(access.as_str().to_string());
            am.granted_by = Set(Some(granted_by));
            am.update(db).await
        }
        None => {
            record_share::ActiveModel {
                entity_type: Set(entity_type.to_string()),
                entity_id: Set(entity_id),
                user_id: Set(user_id),
                access: Set(access.as_str().to_string()),
                granted_by: Set(Some(granted_by)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await
        }
    }
}

/// Removes a share; true when one existed.
pub async fn unshare<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: i64,
    user_id: i64,
) -> Result<bool, DbErr> {
    let res = Share::delete_many()
        .filter(record_share::Column::EntityType.eq(entity_type))
        .filter(record_share::Column::EntityId.eq(entity_id))
        .filter(record_share::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The shares of one record.
pub async fn shares_of<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: i64,
) -> Result<Vec<record_share::Model>, DbErr> {
    Share::find()
        .filter(record_share::Column::EntityType.eq(entity_type))
        .filter(record_share::Column::EntityId.eq(entity_id))
        .order_by_asc(record_share::Column::Id)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::lead;
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    fn sql(c: Condition) -> String {
        Query::select()
            .column(lead::Column::Id)
            .from(lead::Entity)
            .cond_where(c)
            .to_string(SqliteQueryBuilder)
    }

    #[test]
    fn pooled_records_are_visible_to_every_scope() {
        let rep = RecordScope {
            user_id: 2,
            visible: Visible::Owners(vec![2, 5]),
            shared: vec![],
        };
        assert!(rep.owns_or_pooled(None));
        assert!(rep.owns_or_pooled(Some(5)));
        assert!(!rep.owns_or_pooled(Some(3)));
        let q = sql(rep.owned_or_pooled(lead::Column::OwnerId));
        assert!(
            q.ends_with(r#"WHERE "leads"."owner_id" IS NULL OR "leads"."owner_id" IN (2, 5)"#),
            "{q}"
        );
        let all = RecordScope {
            user_id: 1,
            visible: Visible::All,
            shared: vec![],
        };
        assert!(all.owns_or_pooled(Some(3)));
        assert!(!sql(all.owned_or_pooled(lead::Column::OwnerId)).contains("owner_id"));
    }
}
