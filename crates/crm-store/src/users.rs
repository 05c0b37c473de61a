//! Users: accounts with a role, a department and a manager (any depth of hierarchy).

use crate::entity::user::{self, Entity as User};
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

pub use user::Model;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub email: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    user::ActiveModel {
        username: Set(new.username),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        department_id: Set(new.department_id),
        manager_id: Set(new.manager_id),
        active: Set(true),
        email: Set(new.email),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    User::find_by_id(id).one(db).await
}

pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<Model>, DbErr> {
    User::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    User::find().count(db).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub active: Option<bool>,
    pub role: Option<String>,
}

/// Users by id, keyset-paginated (`after_id`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = User::find();
    if let Some(text) = &filter.q {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        q = q.filter(
            sea_orm::Condition::any()
                .add(user::Column::Username.like(pattern.clone()))
                .add(user::Column::DisplayName.like(pattern)),
        );
    }
    if let Some(d) = filter.department_id {
        q = q.filter(user::Column::DepartmentId.eq(d));
    }
    if let Some(a) = filter.active {
        q = q.filter(user::Column::Active.eq(a));
    }
    if let Some(r) = &filter.role {
        q = q.filter(user::Column::Role.eq(r.as_str()));
    }
    if let Some(after) = after_id {
        q = q.filter(user::Column::Id.gt(after));
    }
    q.order_by_asc(user::Column::Id).limit(limit).all(db).await
}

/// Fields an update may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub department_id: Option<Option<i64>>,
    pub manager_id: Option<Option<i64>>,
    pub active: Option<bool>,
    pub email: Option<Option<String>>,
    pub password_hash: Option<String>,
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: Option<i32>,
    changes: Changes,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let mut sets: Vec<(user::Column, SimpleExpr)> = vec![
        (user::Column::UpdatedAt, Expr::value(now)),
        (
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        ),
    ];
    if let Some(v) = changes.display_name {
        sets.push((user::Column::DisplayName, Expr::value(v)));
    }
    if let Some(v) = changes.role {
        sets.push((user::Column::Role, Expr::value(v)));
    }
    if let Some(v) = changes.department_id {
        sets.push((user::Column::DepartmentId, Expr::value(v)));
    }
    if let Some(v) = changes.manager_id {
        sets.push((user::Column::ManagerId, Expr::value(v)));
    }
    if let Some(v) = changes.active {
        sets.push((user::Column::Active, Expr::value(v)));
    }
    if let Some(v) = changes.email {
        sets.push((user::Column::Email, Expr::value(v)));
    }
    if let Some(v) = changes.password_hash {
        sets.push((user::Column::PasswordHash, Expr::value(v)));
    }
    let mut q = User::update_many().filter(user::Column::Id.eq(id));
    for (col, expr) in sets {
        q = q.col_expr(col, expr);
    }
    if let Some(v) = version {
        q = q.filter(user::Column::Version.eq(v));
    }
    let res = q.exec(db).await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// Every user below `manager` in the manager chain, any depth (not `manager` itself).
pub async fn subordinate_ids<C: ConnectionTrait>(db: &C, manager: i64) -> Result<Vec<i64>, DbErr> {
    let backend = db.get_database_backend();
    let p = crate::scope::placeholder(backend, 1);
    let sql = format!(
        "WITH RECURSIVE sub(id) AS (\
           SELECT id FROM users WHERE manager_id = {p} \
           UNION SELECT u.id FROM users u JOIN sub ON u.manager_id = sub.id) \
         SELECT id FROM sub"
    );
    let rows = db
        .query_all(Statement::from_sql_and_values(
            backend,
            sql,
            [manager.into()],
        ))
        .await?;
    rows.iter().map(|r| r.try_get::<i64>("", "id")).collect()
}

/// Ids of users whose department is one of `departments`.
pub async fn ids_in_departments<C: ConnectionTrait>(
    db: &C,
    departments: &[i64],
) -> Result<Vec<i64>, DbErr> {
    User::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::DepartmentId.is_in(departments.iter().copied()))
        .into_tuple::<i64>()
        .all(db)
        .await
}

/// How many users belong to a department (to refuse deleting a department in use).
pub async fn count_in_department<C: ConnectionTrait>(db: &C, dept: i64) -> Result<u64, DbErr> {
    User::find()
        .filter(user::Column::DepartmentId.eq(dept))
        .filter(user::Column::Active.eq(true))
        .count(db)
        .await
}

/// Display names for a set of ids (for lists that show owners/actors).
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    User::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

/// Active users per role, for the home page chart.
pub async fn count_by_role<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, i64)>, DbErr> {
    User::find()
        .select_only()
        .column(user::Column::Role)
        .column_as(user::Column::Id.count(), "n")
        .filter(user::Column::Active.eq(true))
        .group_by(user::Column::Role)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await
}
