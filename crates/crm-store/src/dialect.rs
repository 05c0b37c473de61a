//! SQL that differs between SQLite and PostgreSQL, behind backend-neutral helpers. With
//! `db` and `search`, the only module that branches on the backend.

use crm_domain::custom_field::is_valid_key;
use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::DbBackend;

/// The value under top-level `key` of the JSON object kept as text in `table.column`, as
/// text that reads the same on both databases: strings unquoted, numbers in JSON form
/// (`7`, `-2`), booleans `true`/`false`, arrays as their JSON text, missing or null → NULL.
///
/// SQLite: `json_extract(custom, '$.key')` (booleans come back as 1/0 and are spelled out);
/// PostgreSQL: `(custom::jsonb ->> 'key')`. The key is embedded in the SQL, so only a valid
/// snake_case key is accepted (`None` otherwise); values compared with it are bound.
pub fn json_text(
    backend: DbBackend,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Option<SimpleExpr> {
    if !is_valid_key(key) {
        return None;
    }
    Some(match backend {
        DbBackend::Postgres => Expr::cust(format!("({table}.{column}::jsonb ->> '{key}')")),
        _ => Expr::cust(format!(
            "(CASE json_type({table}.{column}, '$.{key}') WHEN 'true' THEN 'true' \
             WHEN 'false' THEN 'false' \
             ELSE CAST(json_extract({table}.{column}, '$.{key}') AS TEXT) END)"
        )),
    })
}

/// `haystack` contains `needle` (case-sensitive, no wildcards): SQLite `instr`,
/// PostgreSQL `strpos`.
pub fn contains(backend: DbBackend, haystack: SimpleExpr, needle: String) -> SimpleExpr {
    let f = match backend {
        DbBackend::Postgres => "strpos",
        _ => "instr",
    };
    Expr::expr(
        Func::cust(Alias::new(f))
            .arg(haystack)
            .arg(Expr::val(needle)),
    )
    .gt(0)
}

/// Whether a team's list sorted by name or update is read per owner ([`crate::page`]).
/// SQLite's planner decides from `ANALYZE` figures that a sample can get wrong by a factor
/// of 40, and then sorts a whole team; PostgreSQL's autovacuum keeps sampled statistics
/// that hold, and its planner walks the name index for a large team itself (1.7 ms for a
/// top manager at 1M customers, against 3.5 ms planning and running 13 runs).
pub fn team_sorts_per_owner(backend: DbBackend) -> bool {
    backend == DbBackend::Sqlite
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    #[test]
    fn keys_are_checked_and_values_bound() {
        assert!(json_text(DbBackend::Sqlite, "customers", "custom", "x'); DROP").is_none());
        let Some(e) = json_text(DbBackend::Postgres, "customers", "custom", "budget") else {
            panic!("valid key refused");
        };
        let q = Query::select()
            .expr(Expr::val(1))
            .and_where(contains(DbBackend::Postgres, e, "华'北".into()))
            .to_string(PostgresQueryBuilder);
        assert!(q.contains("customers.custom::jsonb ->> 'budget'"), "{q}");
        assert!(q.contains("strpos"), "{q}");
        let Some(e) = json_text(DbBackend::Sqlite, "customers", "custom", "budget") else {
            panic!("valid key refused");
        };
        let (sql, values) = Query::select()
            .expr(Expr::val(1))
            .and_where(Expr::expr(e).eq("x'y"))
            .build(SqliteQueryBuilder);
        assert!(
            sql.contains("json_extract(customers.custom, '$.budget')"),
            "{sql}"
        );
        assert!(!sql.contains("x'y"), "{sql}");
        assert_eq!(values.0.len(), 2, "the selected 1 and the compared value");
    }
}
