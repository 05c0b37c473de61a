//! The customer list: filters, sort, keyset pages, the remembered view.

#[allow(unused_imports)]
use super::*;
use crate::ui::saved_view::{SavedView, Step};

// ---------------------------------------------------------------------------------------
// The list

pub struct CustomerRow {
    pub c: Customer,
    pub status_label: String,
    pub status_class: &'static str,
    pub nature: String,
    pub industry: String,
    pub region: String,
    pub city: String,
    pub phone: String,
    pub owner: String,
    pub updated: String,
    /// The custom-field columns.
    pub custom: Vec<String>,
}

#[derive(Template)]
#[template(path = "customers.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<CustomerRow>,
    pub(super) cf_filters: Vec<CfFilter>,
    pub(super) cf_labels: Vec<String>,
    pub(super) colspan: usize,
    pub(super) q: String,
    pub(super) region: String,
    pub(super) industry: String,
    pub(super) created_from: String,
    pub(super) created_to: String,
    pub(super) statuses: Vec<Opt>,
    pub(super) natures: Vec<Opt>,
    pub(super) owners: Vec<Opt>,
    pub(super) sorts: Vec<Opt>,
    pub(super) next_href: Option<String>,
    pub(super) first_href: Option<String>,
    pub(super) can_create: bool,
    pub(super) can_export: bool,
    pub(super) view_query: String,
    /// Managers (any scope wider than their own records) move many customers at once.
    pub(super) can_bulk: bool,
    pub(super) targets: Vec<Opt>,
}

/// The list filter and sort of a customer-list query string (shared by the list page and
/// the export, so an export holds exactly what the list shows).
pub fn filter_from(tz: chrono_tz::Tz, pairs: &[(String, String)]) -> (Filter, Sort) {
    let q: Option<String> = param(pairs, "q").map(|v| v.chars().take(100).collect());
    let status = param(pairs, "status").and_then(Status::parse);
    let nature = param(pairs, "nature").and_then(Nature::parse);
    let region: Option<String> = param(pairs, "region").map(|v| v.chars().take(50).collect());
    let industry: Option<String> = param(pairs, "industry").map(|v| v.chars().take(50).collect());
    let owner_id = param(pairs, "owner_id").and_then(|v| v.parse::<i64>().ok());
    let created_from_raw = param(pairs, "created_from").unwrap_or_default();
    let created_to_raw = param(pairs, "created_to").unwrap_or_default();
    let sort = param(pairs, "sort")
        .and_then(Sort::parse)
        .unwrap_or_default();
    let filter = Filter {
        q,
        owner_id,
        region,
        nature: nature.map(|n| n.as_str().to_string()),
        industry,
        status: status.map(|v| v.as_str().to_string()),
        created_from: date_param(tz, Some(created_from_raw).filter(|v| !v.is_empty()), false),
        created_to: date_param(tz, Some(created_to_raw).filter(|v| !v.is_empty()), true),
        custom: Vec::new(),
    };
    (filter, sort)
}

/// [`filter_from`] with the `cf.<key>` filters of the active custom fields (unknown keys
/// and impossible values are ignored, as for the other filters of the page).
pub async fn list_filter(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<(Filter, Sort), ServiceError> {
    let (mut filter, sort) = filter_from(state.core.settings.tz, pairs);
    filter.custom = customers::custom_filters(&state.core, pairs, false).await?;
    Ok((filter, sort))
}

/// The query keys of a saved view: the fixed filters and one per custom field.
pub(super) fn view_keys(defs: &[CustomField]) -> Vec<String> {
    FILTER_KEYS
        .iter()
        .map(|k| k.to_string())
        .chain(defs.iter().map(|d| cfui::name(&d.key)))
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::View) {
        return error_page(s.tr, e.into());
    }
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let keys = view_keys(&defs);
    let columns = cfui::list_columns(&defs);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let has_filter = pairs
        .iter()
        .any(|(k, _)| FILTER_KEYS.contains(&k.as_str()) || k.starts_with("cf."));
    let view = SavedView {
        cookie: VIEW_COOKIE,
        path: "/customers",
    };
    let jar = match view.step(&state, jar, &pairs, &keys, has_filter, s.flash.as_deref()) {
        Step::Go(r) => return r,
        Step::Show(jar) => jar,
    };

    let (filter, sort) = match list_filter(&state, &pairs).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let q = filter.q.clone();
    let region = filter.region.clone();
    let industry = filter.industry.clone();
    let owner_id = filter.owner_id;
    let status = filter.status.as_deref().and_then(Status::parse);
    let nature = filter.nature.as_deref().and_then(Nature::parse);
    let created_from_raw = param(&pairs, "created_from").unwrap_or_default();
    let created_to_raw = param(&pairs, "created_to").unwrap_or_default();
    let cursor = param(&pairs, "cursor").and_then(|v| v.parse::<i64>().ok());
    let mut rows = match customers::list(
        &state.core,
        &s.principal,
        &filter,
        sort,
        cursor,
        PAGE_SIZE + 1,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let owner_ids: Vec<i64> = rows.iter().map(|c| c.owner_id).collect();
    let names = match user_names(&state, &owner_ids).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let users = match active_users(&state, &s).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let view = query_of(&pairs, &keys);
    let base = if view.is_empty() {
        // Keep a filter key so the link is not redirected to a saved view.
        "q=".to_string()
    } else {
        view
    };
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/customers?{base}&cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| format!("/customers?{base}"));
    let tr = s.tr;
    let none = tr.t("common.none");
    let rows = rows
        .into_iter()
        .map(|c| CustomerRow {
            status_label: label(tr, "status", &c.status),
            status_class: status_class(&c.status),
            nature: opt_label(tr, "nature", &c.nature),
            industry: text_or_none(tr, &c.industry),
            region: text_or_none(tr, &c.region),
            city: text_or_none(tr, &c.city),
            phone: text_or_none(tr, &c.phone),
            owner: names
                .get(&c.owner_id)
                .cloned()
                .unwrap_or_else(|| none.clone()),
            updated: fmt_time(state.core.settings.tz, c.updated_at),
            custom: cfui::cells(tr, &columns, &c.custom),
            c,
        })
        .collect();
    let all = tr.t("common.all");
    let mut statuses_o = vec![Opt::new("", all.clone(), status.is_none())];
    statuses_o.extend(choice_opts(
        tr,
        "status",
        &statuses(),
        status.map_or("", |v| v.as_str()),
    ));
    let mut natures_o = vec![Opt::new("", all.clone(), nature.is_none())];
    natures_o.extend(choice_opts(
        tr,
        "nature",
        &natures(),
        nature.map_or("", |v| v.as_str()),
    ));
    let mut owners = vec![Opt::new("", all, owner_id.is_none())];
    owners.extend(user_opts(&users, owner_id));
    let sorts = vec![
        Opt::new("", tr.t("sort.newest"), sort == Sort::Newest),
        Opt::new("name", tr.t("sort.name"), sort == Sort::Name),
        Opt::new(
            "updated",
            tr.t("sort.updated"),
            sort == Sort::RecentlyUpdated,
        ),
    ];
    let can_bulk = s.principal.can(Module::Customers, Action::Edit)
        && s.principal.scope() != crm_domain::DataScope::Own;
    let targets = user_opts(&users, None);
    let page = ListPage {
        can_bulk,
        targets,
        l: s.layout("customers"),
        rows,
        cf_filters: cfui::filters(tr, &defs, &pairs),
        cf_labels: columns.iter().map(|d| cfui::label(tr, d)).collect(),
        colspan: 9 + columns.len() + usize::from(can_bulk),
        q: q.unwrap_or_default(),
        region: region.unwrap_or_default(),
        industry: industry.unwrap_or_default(),
        created_from: created_from_raw.to_string(),
        created_to: created_to_raw.to_string(),
        statuses: statuses_o,
        natures: natures_o,
        owners,
        sorts,
        next_href,
        first_href,
        can_create: s.principal.can(Module::Customers, Action::Create),
        can_export: s.principal.can(Module::Customers, Action::Export),
        view_query: query_of(&pairs, &keys),
    };
    (jar, render(&page)).into_response()
}
