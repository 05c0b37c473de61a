//! Full-text search that finds two-character Chinese names (张伟) and partial phone numbers.
//!
//! Text is cut into runs of CJK characters and runs of ASCII letters/digits; each run is
//! indexed as its single characters and adjacent pairs (unigrams + bigrams). A query matches
//! a record that has every bigram of the query (or the unigram for a one-character query).
//! The tokens live in the database, so every app server sees the same index:
//! SQLite: an FTS5 table; PostgreSQL: a `tsvector` column with a GIN index. This module and
//! `db` are the only places that branch on the backend.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x20000..=0x2FA1F)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Letter,
    Digit,
}

fn class(c: char) -> Option<Class> {
    if is_cjk(c) {
        Some(Class::Cjk)
    } else if c.is_ascii_digit() {
        Some(Class::Digit)
    } else if c.is_ascii_alphabetic() {
        Some(Class::Letter)
    } else {
        None
    }
}

/// Runs of characters of one class (CJK, ASCII letters, digits), lowercased.
fn runs(text: &str) -> Vec<(Class, Vec<char>)> {
    let mut out: Vec<(Class, Vec<char>)> = Vec::new();
    let mut cur: Vec<char> = Vec::new();
    let mut cur_class = Class::Letter;
    for c in text.chars().flat_map(char::to_lowercase) {
        let k = class(c);
        if (k.is_none() || k != Some(cur_class)) && !cur.is_empty() {
            out.push((cur_class, std::mem::take(&mut cur)));
        }
        if let Some(k) = k {
            cur_class = k;
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push((cur_class, cur));
    }
    out
}

fn grams(run: &[char], n: usize) -> impl Iterator<Item = String> + '_ {
    run.windows(n).map(|w| w.iter().collect())
}

/// The index tokens of some texts, deduplicated. CJK and letter runs give unigrams and
/// bigrams; digit runs (phone numbers) give 3- and 4-grams, since digit bigrams are in
/// nearly every record and would make number searches scan most of the index.
pub fn document_tokens<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for text in texts {
        for (class, run) in runs(text) {
            match class {
                Class::Digit if run.len() >= 3 => {
                    out.extend(grams(&run, 3));
                    out.extend(grams(&run, 4));
                }
                Class::Digit => out.push(run.iter().collect()),
                _ => {
                    out.extend(run.iter().map(|c| c.to_string()));
                    out.extend(grams(&run, 2));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The tokens a query requires: for CJK and letters, the bigrams of each run (a
/// one-character run needs its unigram); for digits, the 4-grams (the 3-gram of a
/// three-digit run, the run itself when shorter). Empty when nothing is searchable.
pub fn query_tokens(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (class, run) in runs(q) {
        match class {
            Class::Digit if run.len() >= 4 => out.extend(grams(&run, 4)),
            Class::Digit => out.push(run.iter().collect()),
            _ if run.len() == 1 => out.push(run[0].to_string()),
            _ => out.extend(grams(&run, 2)),
        }
    }
    out.sort();
    out.dedup();
    out.truncate(32);
    out
}

/// Statements creating the search index of customers.
pub fn create_customer_index(backend: DbBackend) -> Vec<&'static str> {
    match backend {
        DbBackend::Postgres => vec![
            "CREATE TABLE customer_search (customer_id BIGINT PRIMARY KEY, tokens tsvector NOT NULL)",
            "CREATE INDEX ix_customer_search_tokens ON customer_search USING GIN (tokens)",
        ],
        _ => vec!["CREATE VIRTUAL TABLE customer_search USING fts5(tokens, tokenize = 'unicode61')"],
    }
}

/// Replaces the indexed tokens of one customer.
pub async fn index_customer<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    tokens: &[String],
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    remove_customer(db, customer_id).await?;
    let (sql, doc) = match backend {
        DbBackend::Postgres => (
            "INSERT INTO customer_search (customer_id, tokens) VALUES ($1, CAST($2 AS tsvector))",
            tokens
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => (
            "INSERT INTO customer_search (rowid, tokens) VALUES (?, ?)",
            tokens.join(" "),
        ),
    };
    db.execute(Statement::from_sql_and_values(
        backend,
        sql,
        [customer_id.into(), doc.into()],
    ))
    .await?;
    Ok(())
}

pub async fn remove_customer<C: ConnectionTrait>(db: &C, customer_id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM customer_search WHERE customer_id = $1",
        _ => "DELETE FROM customer_search WHERE rowid = ?",
    };
    db.execute(Statement::from_sql_and_values(
        backend,
        sql,
        [customer_id.into()],
    ))
    .await?;
    Ok(())
}

/// `customers.id IN (…matching ids…)`, or None when the query has nothing searchable.
pub fn customer_match(backend: DbBackend, q: &str) -> Option<SimpleExpr> {
    let tokens = query_tokens(q);
    if tokens.is_empty() {
        return None;
    }
    Some(match backend {
        DbBackend::Postgres => {
            let tsq = tokens
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(" & ");
            Expr::cust_with_values(
                // `= ANY(ARRAY(…))` keeps PostgreSQL's generic plan (sqlx prepares statements)
                // from scanning the index table row by row.
                "customers.id = ANY(ARRAY(SELECT customer_id FROM customer_search WHERE tokens @@ CAST($1 AS tsquery)))",
                [tsq],
            )
        }
        _ => {
            let m = tokens
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(" AND ");
            Expr::cust_with_values(
                "customers.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)",
                [m],
            )
        }
    })
}

/// Search tokens of many customers at once: (customer id, tokens).
pub async fn index_customers_bulk<C: ConnectionTrait>(
    db: &C,
    rows: &[(i64, Vec<String>)],
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let mut sql = String::new();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(rows.len() * 2);
    match backend {
        DbBackend::Postgres => {
            sql.push_str("INSERT INTO customer_search (customer_id, tokens) VALUES ");
            for (i, (id, tokens)) in rows.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, CAST(${} AS tsvector))",
                    i * 2 + 1,
                    i * 2 + 2
                ));
                values.push((*id).into());
                values.push(
                    tokens
                        .iter()
                        .map(|t| format!("'{t}'"))
                        .collect::<Vec<_>>()
                        .join(" ")
                        .into(),
                );
            }
        }
        _ => {
            sql.push_str("INSERT INTO customer_search (rowid, tokens) VALUES ");
            for (i, (id, tokens)) in rows.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?)");
                values.push((*id).into());
                values.push(tokens.join(" ").into());
            }
        }
    }
    db.execute(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_and_phones_are_cut_into_grams() {
        let doc = document_tokens([
            "张伟",
            "北京华信科技有限公司",
            "138-0013-8000",
            "13912345678",
        ]);
        for t in [
            "张", "伟", "张伟", "华信", "信科", "138", "0013", "001", "8000", "1234", "5678",
        ] {
            assert!(doc.contains(&t.to_string()), "{t}");
        }
        assert!(!doc.contains(&"13".to_string()), "no digit bigrams");
        assert_eq!(query_tokens("张伟"), vec!["张伟"]);
        assert_eq!(query_tokens("张"), vec!["张"]);
        assert_eq!(query_tokens(" 0013 "), vec!["0013"]);
        assert_eq!(query_tokens("123456"), vec!["1234", "2345", "3456"]);
        assert_eq!(query_tokens("138"), vec!["138"]);
        assert_eq!(query_tokens("Li.Ming"), vec!["in", "li", "mi", "ng"]);
        assert!(query_tokens("  -- ").is_empty());
        // Mixed runs split between scripts and between letters and digits.
        assert_eq!(query_tokens("A座"), vec!["a", "座"]);
        assert_eq!(query_tokens("B2栋"), vec!["2", "b", "栋"]);
    }

    #[test]
    fn tokens_are_safe_to_quote() {
        for t in document_tokens(["a'b\"c; DROP TABLE x; -- 'or' 1=1 张'伟"]) {
            assert!(!t.contains(['\'', '"', ' ', ';', '-']), "{t}");
        }
    }
}
