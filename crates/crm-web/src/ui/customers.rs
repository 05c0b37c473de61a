//! Customers (客户): the filtered list, the customer page (details, contacts, contact
//! history, sharing, transfer, history) and the customer and contact forms.

use super::custom_fields::{self as cfui, CfFilter, CfForm, CfInput};
use super::users::Opt;
use super::{error_page, opt_id, render, urlencode, FormErrors, Layout, UiSession};
use crate::api::customers::parse_when_pub;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use crm_domain::customer::{ActivityKind, Nature, Size, Source, Status};
use crm_domain::{Action, DataScope, Module};
use crm_service::activities::{self, Activity, ActivityInput};
use crm_service::contacts::{self, Contact, ContactInput};
use crm_service::custom_fields::CustomField;
use crm_service::customers::{self, Customer, CustomerInput, Filter, Sort};
use crm_service::users::User;
use crm_service::ServiceError;
use crm_store::scope::Access;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Remembers the last filter of the customer list.
pub const VIEW_COOKIE: &str = "crm_view_customers";
const PAGE_SIZE: u64 = 50;
/// The query keys that make up a saved view of the list.
const FILTER_KEYS: [&str; 8] = [
    "q",
    "status",
    "nature",
    "region",
    "owner_id",
    "created_from",
    "created_to",
    "sort",
];
/// How many entries of contact history the customer page shows.
const TIMELINE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show).post(update))
        .route("/customers/{id}/edit", get(edit))
        .route("/customers/{id}/delete", post(delete))
        .route("/customers/{id}/contacts", post(add_contact))
        .route("/customers/{id}/activities", post(log_activity))
        .route("/customers/{id}/shares", post(share))
        .route("/customers/{id}/shares/{user_id}/delete", post(unshare))
        .route("/customers/{id}/transfer", post(transfer))
        .route("/customers/bulk-transfer", post(bulk_transfer))
        .route("/contacts/{id}/edit", get(contact_edit))
        .route("/contacts/{id}", post(contact_update))
        .route("/contacts/{id}/delete", post(contact_delete))
}

// ---------------------------------------------------------------------------------------
// Helpers shared with the contact-history list

/// A label from the catalogue (`prefix.value`), or the raw value when it has none.
pub fn label(tr: Tr, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}.{value}");
    let text = tr.t(&key);
    if text == key {
        value.to_string()
    } else {
        text
    }
}

/// The label of an optional closed-list value ("—" when empty).
fn opt_label(tr: Tr, prefix: &str, value: &Option<String>) -> String {
    match value.as_deref() {
        Some(v) if !v.is_empty() => label(tr, prefix, v),
        _ => tr.t("common.none"),
    }
}

fn text_or_none(tr: Tr, value: &Option<String>) -> String {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => tr.t("common.none"),
    }
}

/// The Bootstrap badge class of a customer status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "potential" => "text-bg-info",
        "following" => "text-bg-primary",
        "deal" => "text-bg-success",
        "dormant" => "text-bg-warning",
        "lost" => "text-bg-secondary",
        _ => "text-bg-light",
    }
}

/// The Bootstrap icon of a kind of contact.
pub fn kind_icon(kind: &str) -> &'static str {
    match kind {
        "call" => "bi-telephone",
        "visit" => "bi-geo-alt",
        "email" => "bi-envelope",
        "meeting" => "bi-people",
        _ => "bi-journal-text",
    }
}

/// China Standard Time (UTC+8, no daylight saving): the zone these pages show and read
/// times in, like the spreadsheet export.
fn cst() -> Option<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
}

/// A time as shown on these pages (China Standard Time).
pub fn fmt_time(t: DateTime<Utc>) -> String {
    match cst() {
        Some(z) => t.with_timezone(&z).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A `datetime-local` value (China Standard Time) as RFC 3339 for the service; anything
/// else is passed on unchanged for the service to accept or reject.
fn local_input(v: &str) -> String {
    let t = v.trim();
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"));
    match (naive, cst()) {
        (Ok(n), Some(z)) => match n.and_local_timezone(z).single() {
            Some(d) => d.to_rfc3339(),
            None => t.to_string(),
        },
        _ => t.to_string(),
    }
}

/// A date filter from a query value: a bare date is midnight China Standard Time, and `end`
/// makes it inclusive (the next midnight); RFC 3339 times are taken as they are.
/// Unreadable values are ignored.
pub fn date_param(v: Option<&str>, end: bool) -> Option<DateTime<Utc>> {
    let v = v?.trim();
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let d = if end { d.succ_opt()? } else { d };
        let local = d
            .and_hms_opt(0, 0, 0)?
            .and_local_timezone(cst()?)
            .single()?;
        return Some(local.with_timezone(&Utc));
    }
    parse_when_pub(&Some(v.to_string()), "date").ok().flatten()
}

/// The value of a non-empty query parameter.
pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The given keys with a value, encoded as a query string in a fixed order.
pub fn query_of(pairs: &[(String, String)], keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| param(pairs, k).map(|v| format!("{k}={}", urlencode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// A saved view is only followed when it looks like one this page wrote.
fn valid_saved(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 1024
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~/%=&".contains(&b))
}

/// Display names of users by id.
pub async fn user_names(
    state: &AppState,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::users::names(&state.core.db, &ids)
        .await?
        .into_iter()
        .collect())
}

/// Every active user, for owner, rep, share and transfer selects.
pub async fn active_users(state: &AppState, s: &UiSession) -> Result<Vec<User>, ServiceError> {
    let filter = crm_store::users::Filter {
        active: Some(true),
        ..Default::default()
    };
    let mut out: Vec<User> = Vec::new();
    loop {
        let after = out.last().map(|u| u.id);
        let batch =
            crm_service::users::list(&state.core, &s.principal, &filter, after, 500).await?;
        let done = batch.len() < 500;
        out.extend(batch);
        if done {
            return Ok(out);
        }
    }
}

/// `<option>`s of users, "Name (username)".
pub fn user_opts(users: &[User], selected: Option<i64>) -> Vec<Opt> {
    users
        .iter()
        .map(|u| {
            Opt::new(
                u.id.to_string(),
                format!("{} ({})", u.display_name, u.username),
                selected == Some(u.id),
            )
        })
        .collect()
}

/// `<option>`s of a closed list, labelled from the catalogue.
fn choice_opts(tr: Tr, prefix: &str, values: &[&'static str], selected: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt::new(*v, label(tr, prefix, v), *v == selected))
        .collect()
}

fn natures() -> Vec<&'static str> {
    Nature::ALL.iter().map(|v| v.as_str()).collect()
}
fn sizes() -> Vec<&'static str> {
    Size::ALL.iter().map(|v| v.as_str()).collect()
}
fn statuses() -> Vec<&'static str> {
    Status::ALL.iter().map(|v| v.as_str()).collect()
}
fn sources() -> Vec<&'static str> {
    Source::ALL.iter().map(|v| v.as_str()).collect()
}
pub fn kinds() -> Vec<&'static str> {
    ActivityKind::ALL.iter().map(|v| v.as_str()).collect()
}

fn unprocessable_if(errors_any: bool) -> StatusCode {
    if errors_any {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// Forms that carry nothing but the CSRF token and maybe a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}

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
struct ListPage {
    l: Layout,
    rows: Vec<CustomerRow>,
    cf_filters: Vec<CfFilter>,
    cf_labels: Vec<String>,
    colspan: usize,
    q: String,
    region: String,
    created_from: String,
    created_to: String,
    statuses: Vec<Opt>,
    natures: Vec<Opt>,
    owners: Vec<Opt>,
    sorts: Vec<Opt>,
    next_href: Option<String>,
    first_href: Option<String>,
    can_create: bool,
    can_export: bool,
    view_query: String,
    /// Managers (any scope wider than their own records) move many customers at once.
    can_bulk: bool,
    targets: Vec<Opt>,
}

/// The list filter and sort of a customer-list query string (shared by the list page and
/// the export, so an export holds exactly what the list shows).
pub fn filter_from(pairs: &[(String, String)]) -> (Filter, Sort) {
    let q: Option<String> = param(pairs, "q").map(|v| v.chars().take(100).collect());
    let status = param(pairs, "status").and_then(Status::parse);
    let nature = param(pairs, "nature").and_then(Nature::parse);
    let region: Option<String> = param(pairs, "region").map(|v| v.chars().take(50).collect());
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
        industry: None,
        status: status.map(|v| v.as_str().to_string()),
        created_from: date_param(Some(created_from_raw).filter(|v| !v.is_empty()), false),
        created_to: date_param(Some(created_to_raw).filter(|v| !v.is_empty()), true),
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
    let (mut filter, sort) = filter_from(pairs);
    filter.custom = customers::custom_filters(&state.core, pairs, false).await?;
    Ok((filter, sort))
}

/// The query keys of a saved view: the fixed filters and one per custom field.
fn view_keys(defs: &[CustomField]) -> Vec<String> {
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
    let jar = if has_filter {
        let saved = query_of(&pairs, &keys);
        if saved.is_empty() {
            jar.remove(Cookie::build(VIEW_COOKIE).path("/"))
        } else {
            jar.add(
                Cookie::build((VIEW_COOKIE, saved))
                    .path("/")
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .secure(state.config.secure_cookies)
                    .build(),
            )
        }
    } else {
        // No filter asked for (a plain visit, or the toast after a save): back to the saved view.
        if let Some(saved) = jar.get(VIEW_COOKIE).map(|c| c.value().to_string()) {
            if valid_saved(&saved) {
                let flash = match s.flash.as_deref() {
                    Some(f) if f.bytes().all(|b| b.is_ascii_lowercase()) => format!("&flash={f}"),
                    _ => String::new(),
                };
                return Redirect::to(&format!("/customers?{saved}{flash}")).into_response();
            }
        }
        jar
    };

    let (filter, sort) = match list_filter(&state, &pairs).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let q = filter.q.clone();
    let region = filter.region.clone();
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
            updated: fmt_time(c.updated_at),
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

// ---------------------------------------------------------------------------------------
// Create and edit

/// What the customer form shows: the stored customer, or what was typed.
#[derive(Default)]
struct CustomerFields {
    name: String,
    nature: String,
    size: String,
    industry: String,
    province: String,
    city: String,
    district: String,
    street: String,
    postal_code: String,
    region: String,
    phone: String,
    website: String,
    source: String,
    status: String,
    notes: String,
    owner_id: Option<i64>,
    version: i32,
    /// Custom field values as `cf.<key>` pairs.
    cf: Vec<(String, String)>,
}

impl CustomerFields {
    fn of(c: &Customer) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: c.name.clone(),
            nature: s(&c.nature),
            size: s(&c.size),
            industry: s(&c.industry),
            province: s(&c.province),
            city: s(&c.city),
            district: s(&c.district),
            street: s(&c.street),
            postal_code: s(&c.postal_code),
            region: s(&c.region),
            phone: s(&c.phone),
            website: s(&c.website),
            source: s(&c.source),
            status: c.status.clone(),
            notes: s(&c.notes),
            owner_id: Some(c.owner_id),
            version: c.version,
            cf: cfui::stored_pairs(&c.custom),
        }
    }

    /// Every field is sent: an empty one clears the stored value.
    fn input(&self, owner: bool, defs: &[CustomField]) -> CustomerInput {
        CustomerInput {
            name: Some(self.name.clone()),
            nature: Some(self.nature.clone()),
            size: Some(self.size.clone()),
            industry: Some(self.industry.clone()),
            province: Some(self.province.clone()),
            city: Some(self.city.clone()),
            district: Some(self.district.clone()),
            street: Some(self.street.clone()),
            postal_code: Some(self.postal_code.clone()),
            region: Some(self.region.clone()),
            phone: Some(self.phone.clone()),
            website: Some(self.website.clone()),
            source: Some(self.source.clone()),
            status: Some(self.status.clone()),
            notes: Some(self.notes.clone()),
            owner_id: if owner { self.owner_id } else { None },
            custom_fields: cfui::form_values(defs, &self.cf),
        }
    }
}

#[derive(Deserialize)]
pub struct CustomerForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    nature: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    notes: String,
    owner_id: Option<String>,
    version: Option<i32>,
}

impl CustomerForm {
    fn fields(&self, pairs: Vec<(String, String)>) -> CustomerFields {
        CustomerFields {
            name: self.name.clone(),
            nature: self.nature.clone(),
            size: self.size.clone(),
            industry: self.industry.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            region: self.region.clone(),
            phone: self.phone.clone(),
            website: self.website.clone(),
            source: self.source.clone(),
            status: self.status.clone(),
            notes: self.notes.clone(),
            owner_id: opt_id(&self.owner_id),
            version: self.version.unwrap_or(0),
            cf: cfui::only_custom(pairs),
        }
    }
}

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormPage {
    l: Layout,
    /// None for a new customer.
    customer: Option<Customer>,
    f: CustomerFields,
    natures: Vec<Opt>,
    sizes: Vec<Opt>,
    statuses: Vec<Opt>,
    sources: Vec<Opt>,
    /// Only for a new customer, and only when the user's scope covers other people.
    owners: Option<Vec<Opt>>,
    /// The custom fields.
    cf: Vec<CfInput>,
    errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.customer {
            Some(c) => format!("/customers/{}", c.id),
            None => "/customers".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match &self.customer {
            Some(c) => format!("/customers/{}", c.id),
            None => "/customers".to_string(),
        }
    }
}

/// Whether the owner select is offered: the user's scope covers others.
fn offers_owner(s: &UiSession) -> bool {
    s.principal.scope() != DataScope::Own
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    customer: Option<Customer>,
    f: CustomerFields,
    errors: FormErrors,
) -> Response {
    let owners = if customer.is_none() && offers_owner(s) {
        match active_users(state, s).await {
            Ok(users) => Some(user_opts(&users, f.owner_id)),
            Err(e) => return error_page(s.tr, e),
        }
    } else {
        None
    };
    let tr = s.tr;
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let page = FormPage {
        cf: cfui::inputs(tr, &defs, &f.cf, &errors, "", false),
        l: s.layout("customers"),
        natures: choice_opts(tr, "nature", &natures(), &f.nature),
        sizes: choice_opts(tr, "size", &sizes(), &f.size),
        statuses: choice_opts(tr, "status", &statuses(), &f.status),
        sources: choice_opts(tr, "source", &sources(), &f.source),
        customer,
        f,
        owners,
        errors,
    };
    let status = unprocessable_if(page.errors.any());
    (status, render(&page)).into_response()
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Create) {
        return error_page(s.tr, e.into());
    }
    let f = CustomerFields {
        status: Status::Potential.as_str().to_string(),
        ..Default::default()
    };
    form_page(&state, &s, None, f, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    CfForm(f, pairs): CfForm<CustomerForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let fields = f.fields(pairs);
    let input = fields.input(offers_owner(&s), &defs);
    match customers::create(&state.core, &s.principal, input).await {
        Ok(c) => Redirect::to(&format!("/customers/{}?flash=created", c.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = FormErrors::from_fields(s.tr, &errs);
            form_page(&state, &s, None, fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let v = match customers::get(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    if v.access < Access::Edit {
        return error_page(s.tr, ServiceError::Forbidden);
    }
    let f = CustomerFields::of(&v.customer);
    form_page(&state, &s, Some(v.customer), f, FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<CustomerForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let fields = f.fields(pairs);
    let input = fields.input(false, &defs);
    match customers::update(&state.core, &s.principal, id, fields.version, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let v = match customers::get(&state.core, &s.principal, id).await {
                Ok(v) => v,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            form_page(&state, &s, Some(v.customer), fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match customers::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/customers?flash=deleted").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

// ---------------------------------------------------------------------------------------
// The customer page

/// One line of the details card.
pub struct Detail {
    pub label: String,
    pub value: String,
    /// A web address to link to.
    pub href: Option<String>,
    /// Multi-line text (line breaks kept).
    pub pre: bool,
    /// Takes a whole line.
    pub wide: bool,
}

pub struct ContactRow {
    pub ct: Contact,
    pub title: String,
    pub mobile: String,
    pub phone: String,
    pub email: String,
    /// The custom-field columns.
    pub custom: Vec<String>,
}

pub struct TimelineRow {
    pub a: Activity,
    pub icon: &'static str,
    pub kind: String,
    pub at: String,
    pub author: String,
    pub contact: Option<String>,
    pub follow_up: Option<String>,
}

pub struct ShareRow {
    pub user_id: i64,
    pub name: String,
    pub access: String,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// What was typed into the inline "add contact" form.
#[derive(Default)]
struct ContactDraft {
    name: String,
    title: String,
    mobile: String,
    email: String,
    primary: bool,
    /// Custom field values as `cf.<key>` pairs.
    cf: Vec<(String, String)>,
}

/// What was typed into the "log contact" form.
#[derive(Default)]
struct ActivityDraft {
    kind: String,
    occurred_at: String,
    contact_id: Option<i64>,
    content: String,
    next_follow_up: String,
}

/// The inline forms of the customer page, with what a rejected submission typed.
#[derive(Default)]
struct Drafts {
    contact: ContactDraft,
    contact_errors: FormErrors,
    activity: ActivityDraft,
    activity_errors: FormErrors,
    share_user: Option<i64>,
    share_access: String,
    share_errors: FormErrors,
    transfer_user: Option<i64>,
    transfer_errors: FormErrors,
}

impl Drafts {
    fn any_errors(&self) -> bool {
        self.contact_errors.any()
            || self.activity_errors.any()
            || self.share_errors.any()
            || self.transfer_errors.any()
    }
}

#[derive(Template)]
#[template(path = "customer.html")]
struct ShowPage {
    l: Layout,
    c: Customer,
    status_label: String,
    status_class: &'static str,
    owner: String,
    /// "Read only" or "Shared with you" when the customer is not in your own scope.
    access_badge: Option<String>,
    read_only: bool,
    details: Vec<Detail>,
    contacts: Vec<ContactRow>,
    /// Headers of the contacts' custom-field columns.
    contact_cf_labels: Vec<String>,
    contacts_colspan: usize,
    /// The custom fields of the inline contact form.
    cf: Vec<CfInput>,
    timeline: Vec<TimelineRow>,
    shares: Vec<ShareRow>,
    history: Vec<HistoryRow>,
    kinds: Vec<Opt>,
    contact_opts: Vec<Opt>,
    share_users: Vec<Opt>,
    access_opts: Vec<Opt>,
    transfer_users: Vec<Opt>,
    d: Drafts,
    /// Edit the customer and its contacts.
    can_edit: bool,
    /// Add contacts and log contact history.
    can_add: bool,
    /// Share and transfer.
    can_control: bool,
    can_delete: bool,
}

/// The changed fields of an update, the people of a share or transfer.
fn history_detail(
    tr: Tr,
    action: &str,
    before: &Option<Value>,
    after: &Option<Value>,
    names: &BTreeMap<i64, String>,
) -> String {
    let name = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
            .unwrap_or_default()
    };
    match action {
        "transfer" => format!(
            "{} → {}",
            name(before.as_ref().and_then(|b| b.get("owner_id"))),
            name(after.as_ref().and_then(|a| a.get("owner_id")))
        ),
        "share" => {
            let a = after.as_ref();
            let access = a
                .and_then(|a| a.get("access"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            format!(
                "{} ({})",
                name(a.and_then(|a| a.get("user_id"))),
                label(tr, "access", access)
            )
        }
        "unshare" => name(before.as_ref().and_then(|b| b.get("user_id"))),
        "update" => {
            let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else {
                return String::new();
            };
            a.iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(*v))
                .map(|(k, _)| field_label(tr, k))
                .collect::<Vec<_>>()
                .join(tr.t("common.list_separator").as_str())
        }
        _ => String::new(),
    }
}

fn field_label(tr: Tr, field: &str) -> String {
    match field {
        "owner_id" => tr.t("customers.owner"),
        "custom" => tr.t("customers.custom"),
        f => label(tr, "customers", f),
    }
}

/// The user ids a history entry mentions.
fn history_user_ids(before: &Option<Value>, after: &Option<Value>, out: &mut Vec<i64>) {
    for v in [before, after].into_iter().flatten() {
        for key in ["owner_id", "user_id"] {
            if let Some(id) = v.get(key).and_then(Value::as_i64) {
                out.push(id);
            }
        }
    }
}

async fn build_show(
    state: &AppState,
    s: &UiSession,
    id: i64,
    d: Drafts,
) -> Result<ShowPage, ServiceError> {
    let core = &state.core;
    let p = &s.principal;
    let tr = s.tr;
    let view = customers::get(core, p, id).await?;
    let c = view.customer;
    let scope = customers::scope_of(core, p).await?;
    let controls = scope.owns_scope(c.owner_id);
    let contacts_v = customers::contacts_of(core, p, id).await?;
    let filter = crm_service::activities::Filter {
        customer_id: Some(id),
        ..Default::default()
    };
    let acts = activities::list(core, p, &filter, None, TIMELINE_SIZE).await?;
    let shares_v = customers::shares(core, p, id).await?;
    let audit = customers::history(core, p, id).await?;
    let customer_defs = customers::field_defs(&core.db).await?;
    let contact_defs = contacts::field_defs(&core.db).await?;
    let contact_columns = cfui::list_columns(&contact_defs);

    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let audit: Vec<(
        crm_store::entity::audit_log::Model,
        Option<Value>,
        Option<Value>,
    )> = audit
        .into_iter()
        .map(|e| {
            let b = parse(&e.before);
            let a = parse(&e.after);
            (e, b, a)
        })
        .collect();
    let mut ids = vec![c.owner_id];
    ids.extend(acts.iter().map(|a| a.author_id));
    ids.extend(shares_v.iter().map(|s| s.user_id));
    for (e, b, a) in &audit {
        ids.extend(e.actor_id);
        history_user_ids(b, a, &mut ids);
    }
    let names = user_names(state, &ids).await?;
    let none = tr.t("common.none");
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));

    let can_edit_perm = p.can(Module::Customers, Action::Edit);
    let editable = view.access == Access::Edit;
    let can_edit = can_edit_perm && editable;
    let can_add = p.can(Module::Customers, Action::Create) && editable;
    let can_control = can_edit_perm && controls;
    let can_delete = p.can(Module::Customers, Action::Delete) && controls;

    let access_badge = if view.access == Access::Read {
        Some(tr.t("customers.read_only"))
    } else if !controls {
        Some(tr.t("customers.shared_edit"))
    } else {
        None
    };

    let address = [&c.province, &c.city, &c.district, &c.street, &c.postal_code]
        .iter()
        .filter_map(|v| v.as_deref().map(str::trim).filter(|v| !v.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    let plain = |key: &str, value: String| Detail {
        label: tr.t(key),
        value,
        href: None,
        pre: false,
        wide: false,
    };
    let mut details = vec![
        plain("customers.nature", opt_label(tr, "nature", &c.nature)),
        plain("customers.size", opt_label(tr, "size", &c.size)),
        plain("customers.source", opt_label(tr, "source", &c.source)),
        plain("customers.industry", text_or_none(tr, &c.industry)),
        plain("customers.region", text_or_none(tr, &c.region)),
        plain("customers.phone", text_or_none(tr, &c.phone)),
        Detail {
            label: tr.t("customers.website"),
            value: text_or_none(tr, &c.website),
            href: c.website.clone().filter(|w| w.starts_with("http")),
            pre: false,
            wide: false,
        },
        plain("common.created", fmt_time(c.created_at)),
        plain("common.updated", fmt_time(c.updated_at)),
        Detail {
            label: tr.t("customers.address"),
            value: if address.is_empty() {
                none.clone()
            } else {
                address
            },
            href: None,
            pre: false,
            wide: true,
        },
        Detail {
            label: tr.t("customers.notes"),
            value: text_or_none(tr, &c.notes),
            href: None,
            pre: true,
            wide: true,
        },
    ];
    let values = crm_service::custom_fields::values(&c.custom);
    for d in &customer_defs {
        let (value, href) = cfui::shown(tr, d, &values);
        let long = d.kind() == crm_domain::custom_field::FieldType::LongText;
        details.push(Detail {
            label: cfui::label(tr, d),
            value,
            href,
            pre: long,
            wide: long,
        });
    }

    let contact_names: BTreeMap<i64, String> = contacts_v
        .iter()
        .map(|ct| (ct.id, ct.name.clone()))
        .collect();
    let contact_opts = contacts_v
        .iter()
        .map(|ct| {
            Opt::new(
                ct.id.to_string(),
                ct.name.clone(),
                d.activity.contact_id == Some(ct.id),
            )
        })
        .collect();
    let contacts = contacts_v
        .into_iter()
        .map(|ct| ContactRow {
            title: text_or_none(tr, &ct.title),
            mobile: text_or_none(tr, &ct.mobile),
            phone: text_or_none(tr, &ct.phone),
            email: text_or_none(tr, &ct.email),
            custom: cfui::cells(tr, &contact_columns, &ct.custom),
            ct,
        })
        .collect();
    let timeline = acts
        .into_iter()
        .map(|a| TimelineRow {
            icon: kind_icon(&a.kind),
            kind: label(tr, "activity", &a.kind),
            at: fmt_time(a.occurred_at),
            author: name_of(a.author_id),
            contact: a
                .contact_id
                .and_then(|cid| contact_names.get(&cid).cloned()),
            follow_up: a.next_follow_up.map(|n| n.format("%Y-%m-%d").to_string()),
            a,
        })
        .collect();
    let shares = shares_v
        .iter()
        .map(|sh| ShareRow {
            user_id: sh.user_id,
            name: name_of(sh.user_id),
            access: label(tr, "access", &sh.access),
        })
        .collect();
    let history = audit
        .iter()
        .map(|(e, b, a)| HistoryRow {
            at: fmt_time(e.at),
            actor: e.actor_id.map_or_else(|| tr.t("audit.system"), name_of),
            action: label(tr, "audit_action", &e.action),
            detail: history_detail(tr, &e.action, b, a, &names),
        })
        .collect();

    let (share_users, transfer_users) = if can_control {
        let users = active_users(state, s).await?;
        let me = p.user_id.0;
        let others: Vec<User> = users.into_iter().filter(|u| u.id != c.owner_id).collect();
        let share_to: Vec<User> = others.iter().filter(|u| u.id != me).cloned().collect();
        (
            user_opts(&share_to, d.share_user),
            user_opts(&others, d.transfer_user),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let share_access = if d.share_access.is_empty() {
        "read"
    } else {
        d.share_access.as_str()
    };
    let access_opts = choice_opts(tr, "access", &["read", "edit"], share_access);
    let kind = if d.activity.kind.is_empty() {
        ActivityKind::Visit.as_str()
    } else {
        d.activity.kind.as_str()
    };
    let kinds = choice_opts(tr, "activity", &kinds(), kind);

    let cf = cfui::inputs(
        tr,
        &contact_defs,
        &d.contact.cf,
        &d.contact_errors,
        "contact-",
        true,
    );
    Ok(ShowPage {
        contact_cf_labels: contact_columns.iter().map(|d| cfui::label(tr, d)).collect(),
        contacts_colspan: 6 + contact_columns.len(),
        cf,
        l: s.layout("customers"),
        status_label: label(tr, "status", &c.status),
        status_class: status_class(&c.status),
        owner: name_of(c.owner_id),
        access_badge,
        read_only: view.access == Access::Read,
        details,
        contacts,
        timeline,
        shares,
        history,
        kinds,
        contact_opts,
        share_users,
        access_opts,
        transfer_users,
        d,
        can_edit,
        can_add,
        can_control,
        can_delete,
        c,
    })
}

async fn show_page(state: &AppState, s: &UiSession, id: i64, d: Drafts) -> Response {
    let status = unprocessable_if(d.any_errors());
    match build_show(state, s, id, d).await {
        Ok(page) => (status, render(&page)).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id, Drafts::default()).await
}

// ---------------------------------------------------------------------------------------
// Contacts

/// The contact fields of the inline form and of the contact edit page. Absent fields are
/// left alone.
#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    name: Option<String>,
    title: Option<String>,
    mobile: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    birthday: Option<String>,
    notes: Option<String>,
    /// A checkbox: present when checked.
    is_primary: Option<String>,
    version: Option<i32>,
}

impl ContactForm {
    fn input(
        &self,
        customer_id: Option<i64>,
        defs: &[CustomField],
        pairs: &[(String, String)],
    ) -> ContactInput {
        ContactInput {
            customer_id,
            name: Some(self.name.clone().unwrap_or_default()),
            title: self.title.clone(),
            mobile: self.mobile.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
            birthday: self.birthday.clone(),
            notes: self.notes.clone(),
            is_primary: Some(self.is_primary.is_some()),
            custom_fields: cfui::form_values(defs, pairs),
        }
    }
}

pub async fn add_contact(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<ContactForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let pairs = cfui::only_custom(pairs);
    let input = f.input(Some(id), &defs, &pairs);
    match contacts::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved#contacts")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                contact: ContactDraft {
                    name: f.name.unwrap_or_default(),
                    title: f.title.unwrap_or_default(),
                    mobile: f.mobile.unwrap_or_default(),
                    email: f.email.unwrap_or_default(),
                    primary: f.is_primary.is_some(),
                    cf: pairs,
                },
                contact_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

/// What the contact form shows: the stored contact, or what was typed.
struct ContactFields {
    name: String,
    title: String,
    mobile: String,
    phone: String,
    email: String,
    address: String,
    birthday: String,
    notes: String,
    is_primary: bool,
    version: i32,
    /// Custom field values as `cf.<key>` pairs.
    cf: Vec<(String, String)>,
}

impl ContactFields {
    fn of(c: &Contact) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: c.name.clone(),
            title: s(&c.title),
            mobile: s(&c.mobile),
            phone: s(&c.phone),
            email: s(&c.email),
            address: s(&c.address),
            birthday: c
                .birthday
                .map(|b| b.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            notes: s(&c.notes),
            is_primary: c.is_primary,
            version: c.version,
            cf: cfui::stored_pairs(&c.custom),
        }
    }

    fn typed(f: &ContactForm, pairs: Vec<(String, String)>) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: s(&f.name),
            title: s(&f.title),
            mobile: s(&f.mobile),
            phone: s(&f.phone),
            email: s(&f.email),
            address: s(&f.address),
            birthday: s(&f.birthday),
            notes: s(&f.notes),
            is_primary: f.is_primary.is_some(),
            version: f.version.unwrap_or(0),
            cf: pairs,
        }
    }
}

#[derive(Template)]
#[template(path = "customer_contact_form.html")]
struct ContactPage {
    l: Layout,
    contact: Contact,
    customer: Customer,
    f: ContactFields,
    /// The custom fields.
    cf: Vec<CfInput>,
    errors: FormErrors,
    can_delete: bool,
}

async fn contact_page(
    state: &AppState,
    s: &UiSession,
    contact: Contact,
    f: ContactFields,
    errors: FormErrors,
) -> Response {
    let v = match customers::get(&state.core, &s.principal, contact.customer_id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    if v.access < Access::Edit {
        return error_page(s.tr, ServiceError::Forbidden);
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let page = ContactPage {
        cf: cfui::inputs(s.tr, &defs, &f.cf, &errors, "", false),
        l: s.layout("customers"),
        contact,
        customer: v.customer,
        f,
        can_delete: s.principal.can(Module::Customers, Action::Delete),
        errors,
    };
    let status = unprocessable_if(page.errors.any());
    (status, render(&page)).into_response()
}

pub async fn contact_edit(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let c = match contacts::get(&state.core, &s.principal, id).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, e),
    };
    let f = ContactFields::of(&c);
    contact_page(&state, &s, c, f, FormErrors::default()).await
}

pub async fn contact_update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<ContactForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let pairs = cfui::only_custom(pairs);
    let version = f.version.unwrap_or(0);
    let input = f.input(None, &defs, &pairs);
    match contacts::update(&state.core, &s.principal, id, version, input).await {
        Ok(c) => Redirect::to(&format!(
            "/customers/{}?flash=saved#contacts",
            c.customer_id
        ))
        .into_response(),
        Err(ServiceError::Validation(errs)) => {
            let c = match contacts::get(&state.core, &s.principal, id).await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            contact_page(&state, &s, c, ContactFields::typed(&f, pairs), errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn contact_delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let c = match contacts::get(&state.core, &s.principal, id).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, e),
    };
    match contacts::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to(&format!(
            "/customers/{}?flash=deleted#contacts",
            c.customer_id
        ))
        .into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

// ---------------------------------------------------------------------------------------
// Contact history, sharing, transfer

#[derive(Deserialize)]
pub struct ActivityForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_at: String,
    contact_id: Option<String>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    next_follow_up: String,
}

pub async fn log_activity(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActivityForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let contact_id = opt_id(&f.contact_id);
    let input = ActivityInput {
        customer_id: Some(id),
        contact_id: Some(contact_id),
        kind: Some(f.kind.clone()),
        occurred_at: Some(local_input(&f.occurred_at)),
        content: Some(f.content.clone()),
        next_follow_up: Some(f.next_follow_up.clone()),
    };
    match activities::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved#timeline")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                activity: ActivityDraft {
                    kind: f.kind,
                    occurred_at: f.occurred_at,
                    contact_id,
                    content: f.content,
                    next_follow_up: f.next_follow_up,
                },
                activity_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    user_id: Option<String>,
    #[serde(default)]
    access: String,
}

pub async fn share(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ShareForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let user = opt_id(&f.user_id);
    let result = match user {
        Some(u) => customers::share(&state.core, &s.principal, id, u, &f.access)
            .await
            .map(|_| ()),
        None => Err(ServiceError::field(
            "user_id",
            "required",
            "This field is required",
        )),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/customers/{id}?flash=saved#sharing")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                share_user: user,
                share_access: f.access,
                share_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn unshare(
    State(state): State<AppState>,
    s: UiSession,
    Path((id, user_id)): Path<(i64, i64)>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match customers::unshare(&state.core, &s.principal, id, user_id).await {
        Ok(()) => Redirect::to(&format!("/customers/{id}?flash=saved#sharing")).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    to_user_id: Option<String>,
    version: Option<i32>,
}

pub async fn transfer(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let to = opt_id(&f.to_user_id);
    let result = match to {
        Some(u) => customers::transfer(&state.core, &s.principal, id, f.version, u)
            .await
            .map(|_| ()),
        None => Err(ServiceError::field(
            "to_user_id",
            "required",
            "This field is required",
        )),
    };
    match result {
        Ok(()) => {
            // Handed to someone outside your scope: the customer is no longer yours to see.
            match customers::get(&state.core, &s.principal, id).await {
                Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved")).into_response(),
                Err(ServiceError::NotFound) => {
                    Redirect::to("/customers?flash=saved").into_response()
                }
                Err(e) => error_page(s.tr, e),
            }
        }
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                transfer_user: to,
                transfer_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_standard_time() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T20:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(fmt_time(t), "2026-03-02 04:30");
        assert_eq!(local_input("2026-03-02T09:30"), "2026-03-02T09:30:00+08:00");
        assert_eq!(local_input(""), "");
        assert_eq!(local_input("garbage"), "garbage");
        let from = date_param(Some("2026-03-02"), false).map(|d| d.to_rfc3339());
        assert_eq!(from.as_deref(), Some("2026-03-01T16:00:00+00:00"));
        let to = date_param(Some("2026-03-02"), true).map(|d| d.to_rfc3339());
        assert_eq!(to.as_deref(), Some("2026-03-02T16:00:00+00:00"));
        assert_eq!(date_param(Some("x"), false), None);
    }

    #[test]
    fn query_strings_keep_only_filled_filter_keys() {
        let pairs = vec![
            ("q".to_string(), "华信 科技".to_string()),
            ("status".to_string(), String::new()),
            ("cursor".to_string(), "9".to_string()),
        ];
        assert_eq!(
            query_of(&pairs, &FILTER_KEYS),
            "q=%E5%8D%8E%E4%BF%A1%20%E7%A7%91%E6%8A%80"
        );
        assert!(valid_saved("q=%E5%8D%8E&status=deal"));
        assert!(!valid_saved("q=<script>"));
    }
}

#[derive(Deserialize)]
pub struct BulkTransferForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    to_user_id: String,
    #[serde(default)]
    ids: Vec<String>,
}

/// 批量移交: a manager hands the ticked customers to one user, all or nothing.
pub async fn bulk_transfer(
    State(state): State<AppState>,
    s: UiSession,
    axum_extra::extract::Form(f): axum_extra::extract::Form<BulkTransferForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let ids: Vec<i64> = f.ids.iter().filter_map(|v| v.parse().ok()).collect();
    let Some(to) = f.to_user_id.trim().parse::<i64>().ok() else {
        return error_page(
            s.tr,
            ServiceError::field("to_user_id", "required", "This field is required"),
        );
    };
    match customers::transfer_many(&state.core, &s.principal, &ids, to).await {
        Ok(_) => Redirect::to("/customers?flash=saved").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
