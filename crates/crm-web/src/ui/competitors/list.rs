//! The competitor list: search, keyset pages, and per row the linked opportunities and the
//! win rate in the viewer's scope (one grouped query for the page, in the service).

use super::*;

const PAGE_SIZE: u64 = 50;

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) website: String,
    pub(super) products: String,
    pub(super) linked: i64,
    pub(super) won: i64,
    pub(super) lost: i64,
    pub(super) win_rate: String,
    pub(super) win_rate_class: &'static str,
}

#[derive(Template)]
#[template(path = "competitors.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<Row>,
    pub(super) q: String,
    /// False without `sales:view`: the figure columns are not shown.
    pub(super) figures: bool,
    pub(super) can_create: bool,
    pub(super) next: Option<String>,
    pub(super) first: Option<String>,
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// One line of text from a multi-line field, shortened for a table cell.
fn excerpt(v: &Option<String>, max: usize) -> String {
    let line = v.as_deref().unwrap_or("").lines().next().unwrap_or("");
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    list_page(&state, &s, &pairs)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

async fn list_page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    p.require(Module::Market, Action::View)?;
    let q = param(pairs, "q").map(|v| v.chars().take(100).collect::<String>());
    let after = param(pairs, "after").and_then(|v| v.parse::<i64>().ok());
    let filter = competitors::Filter { q: q.clone() };
    let mut rows = competitors::list(&state.core, p, &filter, after, PAGE_SIZE + 1).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let keep = q
        .as_deref()
        .map(|q| format!("q={}&", urlencode(q)))
        .unwrap_or_default();
    let next = if more {
        rows.last()
            .map(|v| format!("/competitors?{keep}after={}", v.competitor.id))
    } else {
        None
    };
    let first = after.map(|_| format!("/competitors?{}", keep.trim_end_matches('&')));
    let page = ListPage {
        l: s.layout("competitors"),
        figures: p.can(Module::Sales, Action::View),
        rows: rows
            .into_iter()
            .map(|v| {
                let r = v.record.unwrap_or_default();
                let c = v.competitor;
                Row {
                    id: c.id,
                    website: c.website.clone().unwrap_or_default(),
                    products: excerpt(&c.products, 60),
                    name: c.name,
                    linked: r.opportunities(),
                    won: r.won.count,
                    lost: r.lost.count,
                    win_rate: win_rate(tr, &r),
                    win_rate_class: win_rate_class(&r),
                }
            })
            .collect(),
        q: q.unwrap_or_default(),
        can_create: p.can(Module::Market, Action::Create),
        next,
        first,
    };
    Ok(render(&page))
}
