//! The quote list: search by number or title, filter by status, customer and owner.

use super::*;

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) number: String,
    pub(super) title: String,
    pub(super) customer_id: i64,
    pub(super) customer: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) total: String,
    pub(super) valid_until: String,
    pub(super) owner: String,
}

#[derive(Template)]
#[template(path = "quotes.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<Row>,
    pub(super) q: String,
    pub(super) statuses: Vec<Opt>,
    pub(super) owners: Option<Vec<Opt>>,
    /// The customer filter (id, name), when set.
    pub(super) customer: Option<(i64, String)>,
    pub(super) next: Option<String>,
    pub(super) can_create: bool,
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
    let id_param = |k: &str| param(pairs, k).and_then(|v| v.parse::<i64>().ok());
    let status = param(pairs, "status")
        .filter(|v| quotes::STATUSES.contains(v))
        .map(str::to_string);
    let filter = Filter {
        owner_id: id_param("owner_id"),
        customer_id: id_param("customer_id"),
        status: status.clone(),
        q: param(pairs, "q").map(|v| v.chars().take(100).collect()),
    };
    let mut rows = quotes::list(
        &state.core,
        &s.principal,
        &filter,
        id_param("after"),
        PAGE_SIZE + 1,
    )
    .await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let cids: Vec<i64> = rows.iter().map(|r| r.customer_id).collect();
    let customers = customer_names(state, &cids).await?;
    let owners = user_names(state, &rows.iter().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let next = if more {
        rows.last().map(|last| {
            let mut keep: Vec<String> = ["q", "status", "owner_id", "customer_id"]
                .iter()
                .filter_map(|k| param(pairs, k).map(|v| format!("{k}={}", urlencode(v))))
                .collect();
            keep.push(format!("after={}", last.id));
            format!("/quotes?{}", keep.join("&"))
        })
    } else {
        None
    };
    let mut statuses = vec![Opt::new("", tr.t("common.all"), status.is_none())];
    statuses.extend(
        quotes::STATUSES
            .iter()
            .map(|st| Opt::new(*st, status_label(tr, st), status.as_deref() == Some(*st))),
    );
    let page = ListPage {
        l: s.layout("quotes"),
        rows: rows
            .into_iter()
            .map(|r| Row {
                id: r.id,
                customer: customers.get(&r.customer_id).cloned().unwrap_or_default(),
                customer_id: r.customer_id,
                status_label: status_label(tr, &r.status),
                status_class: status_class(&r.status),
                total: money(state, r.total),
                valid_until: r.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                owner: owners.get(&r.owner_id).cloned().unwrap_or_default(),
                number: r.number,
                title: r.title,
                status: r.status,
            })
            .collect(),
        q: param(pairs, "q").unwrap_or_default().to_string(),
        statuses,
        owners: scoped_owner_opts(state, s, filter.owner_id).await?,
        // The name only when the user may see the customer.
        customer: visible_customer(state, s, filter.customer_id)
            .await
            .map(|c| (c.id, c.name)),
        next,
        can_create: s.principal.can(Module::Sales, Action::Create),
    };
    Ok(render(&page))
}
