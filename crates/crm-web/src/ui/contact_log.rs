//! Contact history (联络历史) across every visible customer: a manager reads every
//! subordinate's log here, filtered by rep, customer, kind and date.

use super::customers::{
    active_users, date_param, fmt_time, kind_icon, kinds, label, param, query_of, user_names,
    user_opts,
};
use super::users::Opt;
use super::{error_page, render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use crm_domain::customer::ActivityKind;
use crm_domain::{Action, Module};
use crm_service::activities::{self, Activity, Filter};
use crm_service::ServiceError;
use std::collections::BTreeMap;

const PAGE_SIZE: u64 = 50;
/// The query keys of a filtered view of the list.
const FILTER_KEYS: [&str; 5] = ["author_id", "customer_id", "kind", "from", "to"];
/// How much of an entry the list shows.
const EXCERPT_CHARS: usize = 120;

pub fn router() -> Router<AppState> {
    Router::new().route("/activities", get(list))
}

pub struct ActivityRow {
    pub a: Activity,
    pub at: String,
    pub rep: String,
    pub customer: String,
    pub icon: &'static str,
    pub kind: String,
    pub excerpt: String,
    pub follow_up: String,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ActivityRow>,
    reps: Vec<Opt>,
    kinds: Vec<Opt>,
    from: String,
    to: String,
    /// The customer the list is narrowed to: (id, name).
    customer: Option<(i64, String)>,
    next_href: Option<String>,
    first_href: Option<String>,
}

fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > EXCERPT_CHARS {
        let mut s: String = flat.chars().take(EXCERPT_CHARS).collect();
        s.push('…');
        s
    } else {
        flat
    }
}

/// Names of customers by id (deleted ones included: their history stays readable).
async fn customer_names(
    state: &AppState,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = BTreeMap::new();
    for id in ids {
        if let Some(c) = crm_store::customers::find_any(&state.core.db, id).await? {
            out.insert(id, c.name);
        }
    }
    Ok(out)
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::View) {
        return error_page(s.tr, e.into());
    }
    let author_id = param(&pairs, "author_id").and_then(|v| v.parse::<i64>().ok());
    let customer_id = param(&pairs, "customer_id").and_then(|v| v.parse::<i64>().ok());
    let kind = param(&pairs, "kind").and_then(ActivityKind::parse);
    let from_raw = param(&pairs, "from").unwrap_or_default();
    let to_raw = param(&pairs, "to").unwrap_or_default();
    let cursor = param(&pairs, "cursor").and_then(|v| v.parse::<i64>().ok());
    let filter = Filter {
        customer_id,
        author_id,
        kind: kind.map(|k| k.as_str().to_string()),
        from: date_param(
            state.core.settings.tz,
            Some(from_raw).filter(|v| !v.is_empty()),
            false,
        ),
        to: date_param(
            state.core.settings.tz,
            Some(to_raw).filter(|v| !v.is_empty()),
            true,
        ),
    };
    let mut rows =
        match activities::list(&state.core, &s.principal, &filter, cursor, PAGE_SIZE + 1).await {
            Ok(v) => v,
            Err(e) => return error_page(s.tr, e),
        };
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let author_ids: Vec<i64> = rows.iter().map(|a| a.author_id).collect();
    let names = match user_names(&state, &author_ids).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let customer_ids: Vec<i64> = rows.iter().map(|a| a.customer_id).collect();
    let customers = match customer_names(&state, &customer_ids).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let users = match active_users(&state, &s).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };

    let query = query_of(&pairs, &FILTER_KEYS);
    let base = if query.is_empty() {
        "/activities?".to_string()
    } else {
        format!("/activities?{query}&")
    };
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("{base}cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| {
        if query.is_empty() {
            "/activities".to_string()
        } else {
            format!("/activities?{query}")
        }
    });
    let tr = s.tr;
    let none = tr.t("common.none");
    let rows = rows
        .into_iter()
        .map(|a| ActivityRow {
            at: fmt_time(state.core.settings.tz, a.occurred_at),
            rep: names
                .get(&a.author_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", a.author_id)),
            customer: customers
                .get(&a.customer_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", a.customer_id)),
            icon: kind_icon(&a.kind),
            kind: label(tr, "activity", &a.kind),
            excerpt: excerpt(&a.content),
            follow_up: a
                .next_follow_up
                .map_or_else(|| none.clone(), |d| d.format("%Y-%m-%d").to_string()),
            a,
        })
        .collect();
    let all = tr.t("common.all");
    let mut reps = vec![Opt::new("", all.clone(), author_id.is_none())];
    reps.extend(user_opts(&users, author_id));
    let mut kind_opts = vec![Opt::new("", all, kind.is_none())];
    let selected = kind.map_or("", |k| k.as_str());
    kind_opts.extend(
        kinds()
            .into_iter()
            .map(|k| Opt::new(k, label(tr, "activity", k), k == selected)),
    );
    // The name of the customer filtered on, only when it is visible.
    let customer = match customer_id {
        Some(id) => {
            let name = match crm_service::customers::get(&state.core, &s.principal, id).await {
                Ok(v) => v.customer.name,
                Err(_) => format!("#{id}"),
            };
            Some((id, name))
        }
        None => None,
    };
    let page = ListPage {
        l: s.layout("activities"),
        rows,
        reps,
        kinds: kind_opts,
        from: from_raw.to_string(),
        to: to_raw.to_string(),
        customer,
        next_href,
        first_href,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_are_short_and_flat() {
        assert_eq!(excerpt("a\n b"), "a b");
        let long = "字".repeat(200);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 121);
        assert!(e.ends_with('…'));
    }
}
