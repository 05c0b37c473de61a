//! The product list: category tree, filters, sort, keyset pages, the remembered view.

#[allow(unused_imports)]
use super::*;
use crate::ui::saved_view::{param, query_of, SavedView, Step};
use axum_extra::extract::CookieJar;

/// Remembers the last filter of the product list.
pub const VIEW_COOKIE: &str = "crm_view_products";
const PAGE_SIZE: u64 = 50;
const FILTER_KEYS: [&str; 4] = ["q", "category_id", "status", "sort"];

pub struct ProductRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub category: String,
    pub guide_price: String,
    /// Empty when the user may not see cost prices (the column is not shown then).
    pub cost_price: String,
    pub status_label: String,
    pub status_class: &'static str,
}

/// A node of the category sidebar.
pub struct TreeLink {
    pub name: String,
    pub href: String,
    pub depth: usize,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ProductRow>,
    tree: Vec<TreeLink>,
    all_href: String,
    all_active: bool,
    q: String,
    category_id: String,
    statuses: Vec<Opt>,
    sorts: Vec<Opt>,
    sees_cost: bool,
    can_create: bool,
    can_manage: bool,
    next_href: Option<String>,
    first_href: Option<String>,
}

fn href(pairs: &[(String, String)], set: &[(&str, &str)]) -> String {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| FILTER_KEYS.contains(&k.as_str()) && !set.iter().any(|(s, _)| s == k))
        .cloned()
        .collect();
    out.extend(set.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let q = query_of(&out, &FILTER_KEYS);
    // An explicit empty q keeps the list from jumping back to the saved view.
    if q.is_empty() {
        "/products?q=".into()
    } else {
        format!("/products?{q}")
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let p = &s.principal;
    if let Err(e) = p.require(Module::Products, Action::View) {
        return error_page(s.tr, e.into());
    }
    let has_filter = pairs.iter().any(|(k, _)| FILTER_KEYS.contains(&k.as_str()));
    let view = SavedView {
        cookie: VIEW_COOKIE,
        path: "/products",
    };
    let jar = match view.step(
        &state,
        jar,
        &pairs,
        &FILTER_KEYS,
        has_filter,
        s.flash.as_deref(),
    ) {
        Step::Go(r) => return r,
        Step::Show(jar) => jar,
    };
    let tr = s.tr;
    let q: Option<String> = param(&pairs, "q").map(|v| v.chars().take(100).collect());
    let category = param(&pairs, "category_id").and_then(|v| v.parse::<i64>().ok());
    let status = param(&pairs, "status")
        .filter(|v| [products::ON_SALE, products::DISCONTINUED].contains(v))
        .map(str::to_string);
    let sort = param(&pairs, "sort")
        .and_then(Sort::parse)
        .unwrap_or_default();
    let after = param(&pairs, "after").and_then(|v| v.parse::<i64>().ok());
    let filter = Filter {
        q: q.clone(),
        category_ids: None,
        status: status.clone(),
    };
    let tree = match categories::list(&state.core, p).await {
        Ok(t) => t,
        Err(e) => return error_page(tr, e),
    };
    let mut views = match products::list(
        &state.core,
        p,
        &filter,
        category,
        sort,
        after,
        PAGE_SIZE + 1,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let more = views.len() as u64 > PAGE_SIZE;
    views.truncate(PAGE_SIZE as usize);
    let next_href = if more {
        views
            .last()
            .map(|v| format!("{}&after={}", href(&pairs, &[]), v.product.id))
    } else {
        None
    };
    let first_href = after.map(|_| href(&pairs, &[]));
    let rows = views.into_iter().map(|v| row(&state, tr, v)).collect();
    let page = ListPage {
        tree: tree
            .iter()
            .map(|n| TreeLink {
                name: n.category.name.clone(),
                href: href(&pairs, &[("category_id", &n.category.id.to_string())]),
                depth: n.depth,
                active: category == Some(n.category.id),
            })
            .collect(),
        all_href: {
            let rest: Vec<(String, String)> = pairs
                .iter()
                .filter(|(k, _)| k != "category_id")
                .cloned()
                .collect();
            href(&rest, &[])
        },
        all_active: category.is_none(),
        l: s.layout("products"),
        rows,
        q: q.unwrap_or_default(),
        category_id: category.map(|c| c.to_string()).unwrap_or_default(),
        statuses: status_opts(tr, status.as_deref().unwrap_or("")),
        sorts: ["code", "name", "updated"]
            .iter()
            .map(|k| Opt::new(*k, tr.t(&format!("products.sort.{k}")), sort.as_str() == *k))
            .collect(),
        sees_cost: p.sees_cost(),
        can_create: p.can(Module::Products, Action::Create),
        can_manage: [Action::Create, Action::Edit, Action::Delete]
            .iter()
            .any(|a| p.can(Module::Products, *a)),
        next_href,
        first_href,
    };
    (jar, render(&page)).into_response()
}

fn row(state: &AppState, tr: Tr, v: ProductView) -> ProductRow {
    let m = v.product;
    ProductRow {
        id: m.id,
        category: v
            .category_name
            .unwrap_or_else(|| tr.t("products.no_category")),
        guide_price: money(state, m.guide_price),
        cost_price: match (v.cost_visible, m.cost_price) {
            (true, Some(c)) => money(state, c),
            (true, None) => tr.t("common.none"),
            (false, _) => String::new(),
        },
        status_label: status_label(tr, &m.status),
        status_class: status_class(&m.status),
        spec: m.spec.unwrap_or_default(),
        code: m.code,
        name: m.name,
        unit: m.unit,
    }
}
