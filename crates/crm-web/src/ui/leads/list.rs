//! The lead list: tabs (my leads / pool / all in scope), filters, sort, keyset pages and
//! the remembered view, with bulk assign / distribute / claim for the ticked rows.

use super::*;
use crate::ui::customers::date_param;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use crm_service::leads::{Filter, OwnerFilter, Sort};

/// The query keys that make up a saved view of the list.
const FILTER_KEYS: [&str; 10] = [
    "tab",
    "q",
    "status",
    "source",
    "campaign_id",
    // The campaign page links to `/leads?campaign={id}`.
    "campaign",
    "owner_id",
    "created_from",
    "created_to",
    "sort",
];
const TABS: [&str; 3] = ["mine", "pool", "all"];

pub(super) struct Row {
    pub(super) l: Lead,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) source: String,
    pub(super) campaign: String,
    /// None: in the pool.
    pub(super) owner: Option<String>,
    pub(super) follow_up: String,
    pub(super) overdue: bool,
    pub(super) created: String,
    pub(super) company: String,
    pub(super) phone: String,
}

pub(super) struct Tab {
    pub(super) key: &'static str,
    pub(super) label: String,
    pub(super) count: u64,
    pub(super) active: bool,
}

#[derive(Template)]
#[template(path = "leads.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) tabs: Vec<Tab>,
    pub(super) tab: &'static str,
    pub(super) rows: Vec<Row>,
    pub(super) q: String,
    pub(super) created_from: String,
    pub(super) created_to: String,
    pub(super) statuses: Vec<Opt>,
    pub(super) sources: Vec<Opt>,
    pub(super) campaigns: Vec<Opt>,
    /// Only on the "all" tab.
    pub(super) owners: Option<Vec<Opt>>,
    pub(super) sorts: Vec<Opt>,
    pub(super) next_href: Option<String>,
    pub(super) first_href: Option<String>,
    pub(super) can_create: bool,
    pub(super) can_claim: bool,
    /// Assign and distribute: the users of the principal's scope.
    pub(super) can_assign: bool,
    pub(super) users: Vec<Opt>,
    pub(super) colspan: usize,
}

fn tab_of(pairs: &[(String, String)]) -> &'static str {
    param(pairs, "tab")
        .and_then(|t| TABS.iter().find(|x| **x == t).copied())
        .unwrap_or("all")
}

/// The list filter and sort of a lead-list query string.
pub(super) fn filter_from(
    tz: chrono_tz::Tz,
    pairs: &[(String, String)],
    me: i64,
) -> (Filter, Sort) {
    let owner = match tab_of(pairs) {
        "mine" => Some(OwnerFilter::User(me)),
        "pool" => Some(OwnerFilter::Pool),
        _ => match param(pairs, "owner_id") {
            Some("pool") => Some(OwnerFilter::Pool),
            Some(v) => v.parse().ok().map(OwnerFilter::User),
            None => None,
        },
    };
    let closed = |key: &str, list: &[&str]| {
        param(pairs, key)
            .filter(|v| list.contains(v))
            .map(str::to_string)
    };
    let filter = Filter {
        status: closed("status", &leads::STATUSES),
        owner,
        campaign_id: param(pairs, "campaign_id")
            .or_else(|| param(pairs, "campaign"))
            .and_then(|v| v.parse().ok()),
        source: closed("source", &leads::SOURCES),
        q: param(pairs, "q").map(|v| v.chars().take(100).collect()),
        created_from: date_param(tz, param(pairs, "created_from"), false),
        created_to: date_param(tz, param(pairs, "created_to"), true),
    };
    let sort = param(pairs, "sort")
        .and_then(Sort::parse)
        .unwrap_or_default();
    (filter, sort)
}

/// A saved view is only followed when it looks like one this page wrote.
fn valid_saved(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 1024
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~/%=&".contains(&b))
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::View) {
        return error_page(s.tr, e.into());
    }
    let has_filter = pairs.iter().any(|(k, _)| FILTER_KEYS.contains(&k.as_str()));
    let jar = if has_filter {
        let saved = query_of(&pairs, &FILTER_KEYS);
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
        // A plain visit (or the toast after a change): back to the saved view.
        if let Some(saved) = jar.get(VIEW_COOKIE).map(|c| c.value().to_string()) {
            if valid_saved(&saved) {
                let flash = match s.flash.as_deref() {
                    Some(f) if f.bytes().all(|b| b.is_ascii_lowercase()) => format!("&flash={f}"),
                    _ => String::new(),
                };
                return Redirect::to(&format!("/leads?{saved}{flash}")).into_response();
            }
        }
        jar
    };
    match page(&state, &s, &pairs).await {
        Ok(p) => (jar, render(&p)).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

async fn page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<ListPage, ServiceError> {
    let core = &state.core;
    let p = &s.principal;
    let tr = s.tr;
    let me = p.user_id.0;
    let tab = tab_of(pairs);
    let (filter, sort) = filter_from(core.settings.tz, pairs, me);
    let cursor = param(pairs, "cursor").and_then(|v| v.parse::<i64>().ok());
    let mut rows = leads::list(core, p, &filter, sort, cursor, PAGE_SIZE + 1).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let mut tabs = Vec::new();
    for key in TABS {
        let owner = match key {
            "mine" => Some(OwnerFilter::User(me)),
            "pool" => Some(OwnerFilter::Pool),
            _ => None,
        };
        let f = Filter {
            owner,
            ..Default::default()
        };
        tabs.push(Tab {
            key,
            label: tr.t(&format!("leads.tab.{key}")),
            count: leads::count(core, p, &f).await?,
            active: key == tab,
        });
    }

    let owner_ids: Vec<i64> = rows.iter().filter_map(|l| l.owner_id).collect();
    let names = user_names(state, &owner_ids).await?;
    let campaign_ids: Vec<i64> = rows.iter().filter_map(|l| l.campaign_id).collect();
    let campaign_names: BTreeMap<i64, String> = leads::campaign_names(core, &campaign_ids)
        .await?
        .into_iter()
        .collect();
    let today = core.today();
    let tz = core.settings.tz;
    let none = tr.t("common.none");
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| none.clone());
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|l| Row {
            status_label: status_label(tr, &l.status),
            status_class: status_class(&l.status),
            source: source_label(tr, &l.source),
            campaign: l
                .campaign_id
                .and_then(|c| campaign_names.get(&c).cloned())
                .unwrap_or_else(|| none.clone()),
            owner: l
                .owner_id
                .map(|o| names.get(&o).cloned().unwrap_or_else(|| format!("#{o}"))),
            follow_up: date_text(l.next_follow_up),
            overdue: leads::is_overdue(&l, today),
            created: fmt_time(tz, l.created_at),
            company: or_none(&l.company),
            phone: or_none(&l.phone),
            l,
        })
        .collect();

    let view = query_of(pairs, &FILTER_KEYS);
    // Keep a filter key so the link is not redirected to a saved view.
    let base = if view.is_empty() {
        "tab=all".to_string()
    } else {
        view
    };
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/leads?{base}&cursor={}", last.l.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| format!("/leads?{base}"));
    let all = tr.t("common.all");
    let mut statuses = vec![Opt::new("", all.clone(), filter.status.is_none())];
    statuses.extend(choice_opts(
        tr,
        "leads.status",
        &leads::STATUSES,
        filter.status.as_deref().unwrap_or(""),
    ));
    let mut sources = vec![Opt::new("", all.clone(), filter.source.is_none())];
    sources.extend(choice_opts(
        tr,
        "leads.source",
        &leads::SOURCES,
        filter.source.as_deref().unwrap_or(""),
    ));
    let campaigns = campaign_opts(state, s, filter.campaign_id, all.clone()).await?;
    let can_edit = p.can(Module::Market, Action::Edit);
    let can_assign = can_edit && manages_others(s);
    let scoped = if can_assign || tab == "all" {
        scoped_users(state, s).await?
    } else {
        Vec::new()
    };
    let owners = (tab == "all").then(|| {
        let selected = match filter.owner {
            Some(OwnerFilter::User(u)) => Some(u),
            _ => None,
        };
        let mut o = vec![
            Opt::new("", all.clone(), filter.owner.is_none()),
            Opt::new(
                "pool",
                tr.t("leads.pool"),
                filter.owner == Some(OwnerFilter::Pool),
            ),
        ];
        o.extend(
            scoped
                .iter()
                .map(|(id, n)| Opt::new(id.to_string(), n, selected == Some(*id))),
        );
        o
    });
    let users = if can_assign {
        scoped
            .iter()
            .map(|(id, n)| Opt::new(id.to_string(), n, false))
            .collect()
    } else {
        Vec::new()
    };
    let sorts = vec![
        Opt::new("", tr.t("leads.sort.newest"), sort == Sort::Newest),
        Opt::new(
            "follow_up",
            tr.t("leads.sort.follow_up"),
            sort == Sort::FollowUp,
        ),
    ];
    let can_claim = can_edit;
    Ok(ListPage {
        l: s.layout("leads"),
        tabs,
        tab,
        rows,
        q: filter.q.clone().unwrap_or_default(),
        created_from: param(pairs, "created_from").unwrap_or_default().to_string(),
        created_to: param(pairs, "created_to").unwrap_or_default().to_string(),
        statuses,
        sources,
        campaigns,
        owners,
        sorts,
        next_href,
        first_href,
        can_create: p.can(Module::Market, Action::Create),
        can_claim,
        can_assign,
        users,
        colspan: 9 + usize::from(can_claim || can_assign),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_set_the_owner_filter() {
        let sh = chrono_tz::Asia::Shanghai;
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, x)| (k.to_string(), x.to_string()))
                .collect()
        };
        let (f, _) = filter_from(sh, &pairs(&[("tab", "mine")]), 7);
        assert_eq!(f.owner, Some(OwnerFilter::User(7)));
        let (f, _) = filter_from(sh, &pairs(&[("tab", "pool"), ("owner_id", "3")]), 7);
        assert_eq!(f.owner, Some(OwnerFilter::Pool));
        let (f, s) = filter_from(
            sh,
            &pairs(&[("owner_id", "3"), ("status", "won"), ("sort", "follow_up")]),
            7,
        );
        assert_eq!(f.owner, Some(OwnerFilter::User(3)));
        assert_eq!(f.status, None, "an unknown status is ignored");
        assert_eq!(s, Sort::FollowUp);
        assert!(valid_saved("tab=pool&q=%E5%BC%A0"));
        assert!(!valid_saved("q=<b>"));
    }
}
