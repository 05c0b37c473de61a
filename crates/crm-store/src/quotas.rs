//! Queries: sales quotas (销售定额), one target per subject ("user:<id>" or
//! "department:<id>"), metric and period. Visibility is decided by the caller, which passes
//! the users and departments whose quotas it may read (`None`: all of them).

use crate::entity::quota::{self, Entity as Quota};
use crate::entity::user;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TryInsertResult,
};

pub use quota::Model;

pub const ENTITY: &str = "quota";

/// Whom a target is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    User(i64),
    Department(i64),
}

impl Subject {
    /// The unique key stored in `subject_key`: "user:12", "department:3".
    pub fn key(self) -> String {
        match self {
            Subject::User(id) => format!("user:{id}"),
            Subject::Department(id) => format!("department:{id}"),
        }
    }

    pub fn parse_key(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once(':')?;
        let id = id.parse::<i64>().ok().filter(|i| *i > 0)?;
        match kind {
            "user" => Some(Subject::User(id)),
            "department" => Some(Subject::Department(id)),
            _ => None,
        }
    }

    pub fn of(m: &Model) -> Option<Self> {
        match (m.user_id, m.department_id) {
            (Some(u), None) => Some(Subject::User(u)),
            (None, Some(d)) => Some(Subject::Department(d)),
            _ => None,
        }
    }
}

/// Which period a target belongs to: its kind ("month", "quarter", "year") and first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot<'a> {
    pub metric: &'a str,
    pub kind: &'a str,
    pub start: NaiveDate,
}

fn slot_condition(subject: Subject, slot: Slot<'_>) -> Condition {
    Condition::all()
        .add(quota::Column::SubjectKey.eq(subject.key()))
        .add(quota::Column::Metric.eq(slot.metric))
        .add(quota::Column::PeriodKind.eq(slot.kind))
        .add(quota::Column::PeriodStart.eq(slot.start))
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Quota::find_by_id(id).one(db).await
}

/// The target of `subject` for `slot`, if one is set.
pub async fn find_slot<C: ConnectionTrait>(
    db: &C,
    subject: Subject,
    slot: Slot<'_>,
) -> Result<Option<Model>, DbErr> {
    Quota::find()
        .filter(slot_condition(subject, slot))
        .one(db)
        .await
}

/// Inserts a target unless one exists for the subject and slot (a concurrent writer won):
/// `None` then, and the caller updates that one instead.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    subject: Subject,
    slot: Slot<'_>,
    target: i64,
    set_by: i64,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let (user_id, department_id) = match subject {
        Subject::User(u) => (Some(u), None),
        Subject::Department(d) => (None, Some(d)),
    };
    let am = quota::ActiveModel {
        subject_key: Set(subject.key()),
        user_id: Set(user_id),
        department_id: Set(department_id),
        metric: Set(slot.metric.to_string()),
        period_kind: Set(slot.kind.to_string()),
        period_start: Set(slot.start),
        target: Set(target),
        set_by: Set(Some(set_by)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    let conflict = OnConflict::columns([
        quota::Column::SubjectKey,
        quota::Column::Metric,
        quota::Column::PeriodKind,
        quota::Column::PeriodStart,
    ])
    .do_nothing()
    .to_owned();
    let res = Quota::insert(am)
        .on_conflict(conflict)
        .do_nothing()
        .exec_without_returning(db)
        .await?;
    match res {
        TryInsertResult::Inserted(n) if n > 0 => find_slot(db, subject, slot).await,
        _ => Ok(None),
    }
}

/// Sets a new target on an existing quota (its version moves on). `None` when the quota
/// vanished meanwhile.
pub async fn update_target<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    target: i64,
    set_by: i64,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let mut am: quota::ActiveModel = current.clone().into();
    am.target = Set(target);
    am.set_by = Set(Some(set_by));
    am.updated_at = Set(now);
    am.version = Set(current.version + 1);
    let res = Quota::update_many()
        .set(am)
        .filter(quota::Column::Id.eq(current.id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    find(db, current.id).await
}

/// Removes a quota for good (a target is a setting, not a record kept in the recycle bin;
/// the audit trail keeps what it was). True when a row went.
pub async fn delete<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let res = Quota::delete_many()
        .filter(quota::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The quotas a caller may read: of the `users` (all users when `None`) and of the
/// `departments` (all when `None`).
#[derive(Debug, Clone, Copy)]
pub struct Readable<'a> {
    pub users: Option<&'a [i64]>,
    pub departments: Option<&'a [i64]>,
}

fn readable(r: Readable<'_>) -> Condition {
    let mut users = Condition::all().add(quota::Column::UserId.is_not_null());
    if let Some(ids) = r.users {
        users = users.add(quota::Column::UserId.is_in(ids.iter().copied()));
    }
    let mut depts = Condition::all().add(quota::Column::DepartmentId.is_not_null());
    if let Some(ids) = r.departments {
        depts = depts.add(quota::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    Condition::any().add(users).add(depts)
}

/// The readable quotas of one period (one metric or all), in id order after `after`, at
/// most `limit` (`None`: every one of them; a period holds one per subject and metric).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    start: NaiveDate,
    metric: Option<&str>,
    who: Readable<'_>,
    after: Option<i64>,
    limit: Option<u64>,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all()
        .add(quota::Column::PeriodKind.eq(kind))
        .add(quota::Column::PeriodStart.eq(start))
        .add(readable(who));
    if let Some(m) = metric {
        cond = cond.add(quota::Column::Metric.eq(m));
    }
    if let Some(a) = after {
        cond = cond.add(quota::Column::Id.gt(a));
    }
    let mut q = Quota::find().filter(cond).order_by_asc(quota::Column::Id);
    if let Some(l) = limit {
        q = q.limit(l);
    }
    q.all(db).await
}

/// The quotas of the `users` (all when `None`) in any of `periods` (kind, first day).
pub async fn of_users_in<C: ConnectionTrait>(
    db: &C,
    users: Option<&[i64]>,
    periods: &[(&str, NaiveDate)],
) -> Result<Vec<Model>, DbErr> {
    let mut any = Condition::any();
    for (kind, start) in periods {
        any = any.add(
            Condition::all()
                .add(quota::Column::PeriodKind.eq(*kind))
                .add(quota::Column::PeriodStart.eq(*start)),
        );
    }
    let mut cond = Condition::all()
        .add(any)
        .add(quota::Column::UserId.is_not_null());
    if let Some(ids) = users {
        cond = cond.add(quota::Column::UserId.is_in(ids.iter().copied()));
    }
    Quota::find()
        .filter(cond)
        .order_by_asc(quota::Column::Id)
        .all(db)
        .await
}

/// A person who may hold a target: id, display name, active, department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub department_id: Option<i64>,
}

/// The `ids` (all users when `None`) with their names and departments, by id.
pub async fn members<C: ConnectionTrait>(
    db: &C,
    ids: Option<&[i64]>,
) -> Result<Vec<Member>, DbErr> {
    let mut q = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .column(user::Column::Active)
        .column(user::Column::DepartmentId)
        .order_by_asc(user::Column::Id);
    if let Some(ids) = ids {
        q = q.filter(user::Column::Id.is_in(ids.iter().copied()));
    }
    Ok(q.into_tuple::<(i64, String, bool, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, active, department_id)| Member {
            id,
            name,
            active,
            department_id,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_keys_round_trip() {
        for s in [Subject::User(12), Subject::Department(3)] {
            assert_eq!(Subject::parse_key(&s.key()), Some(s));
        }
        assert_eq!(Subject::parse_key("user:0"), None);
        assert_eq!(Subject::parse_key("team:1"), None);
        assert_eq!(Subject::parse_key("user:x"), None);
    }
}
