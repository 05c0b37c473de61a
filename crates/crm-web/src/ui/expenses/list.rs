//! The expense list: filters (rep, customer, category, date range) and the totals of the
//! filtered range per rep and per customer.

use super::*;

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) spent_on: String,
    pub(super) customer_id: i64,
    pub(super) customer: String,
    pub(super) category: String,
    pub(super) amount: String,
    pub(super) owner: String,
    pub(super) note: String,
}

pub(super) struct TotalRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) count: i64,
    pub(super) amount: String,
}

#[derive(Template)]
#[template(path = "expenses.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<Row>,
    pub(super) owners: Option<Vec<Opt>>,
    pub(super) categories: Vec<Opt>,
    pub(super) customer: Option<(i64, String)>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) by_owner: Vec<TotalRow>,
    pub(super) by_customer: Vec<TotalRow>,
    pub(super) grand_total: String,
    pub(super) grand_count: i64,
    pub(super) next: Option<String>,
    pub(super) can_create: bool,
    pub(super) can_edit: bool,
    pub(super) filter_error: Option<String>,
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

const FILTER_KEYS: [&str; 5] = ["owner_id", "customer_id", "category", "from", "to"];

async fn list_page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    s.principal.require(Module::Sales, Action::View)?;
    let id_param = |k: &str| param(pairs, k).and_then(|v| v.parse::<i64>().ok());
    let category = param(pairs, "category")
        .filter(|c| expenses::CATEGORIES.contains(c))
        .map(str::to_string);
    // An unreadable date is ignored (and said so) rather than failing the page.
    let mut filter_error = None;
    let mut date = |k: &str| match expenses::date_bound(param(pairs, k), k) {
        Ok(d) => d,
        Err(_) => {
            filter_error = Some(tr.t("expenses.bad_date"));
            None
        }
    };
    let filter = Filter {
        owner_id: id_param("owner_id"),
        customer_id: id_param("customer_id"),
        category: category.clone(),
        from: date("from"),
        to: date("to"),
    };
    let mut rows = expenses::list(
        &state.core,
        &s.principal,
        &filter,
        id_param("after"),
        PAGE_SIZE + 1,
    )
    .await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let customers = customer_names(
        state,
        &rows.iter().map(|r| r.customer_id).collect::<Vec<_>>(),
    )
    .await?;
    let owners = user_names(state, &rows.iter().map(|r| r.owner_id).collect::<Vec<_>>()).await?;
    let by_owner = expenses::totals(&state.core, &s.principal, &filter, Group::Owner).await?;
    let by_customer = expenses::totals(&state.core, &s.principal, &filter, Group::Customer).await?;
    let grand = by_owner
        .iter()
        .fold(Money::ZERO, |acc, t| Money(acc.0 + t.amount.0));
    let grand_count = by_owner.iter().map(|t| t.count).sum();
    let total_rows = |ts: Vec<expenses::Total>| -> Vec<TotalRow> {
        ts.into_iter()
            .take(TOTALS_SHOWN)
            .map(|t| TotalRow {
                id: t.id,
                name: t.name,
                count: t.count,
                amount: money(state, t.amount),
            })
            .collect()
    };
    let next = if more {
        rows.last().map(|last| {
            let mut keep: Vec<String> = FILTER_KEYS
                .iter()
                .filter_map(|k| param(pairs, k).map(|v| format!("{k}={}", urlencode(v))))
                .collect();
            keep.push(format!("after={}", last.id));
            format!("/expenses?{}", keep.join("&"))
        })
    } else {
        None
    };
    let page = ListPage {
        l: s.layout("expenses"),
        rows: rows
            .into_iter()
            .map(|r| Row {
                id: r.id,
                spent_on: r.spent_on.to_string(),
                customer: customers.get(&r.customer_id).cloned().unwrap_or_default(),
                customer_id: r.customer_id,
                category: category_label(tr, &r.category),
                amount: money(state, Money(r.amount)),
                owner: owners.get(&r.owner_id).cloned().unwrap_or_default(),
                note: r.note.unwrap_or_default(),
            })
            .collect(),
        owners: scoped_owner_opts(state, s, filter.owner_id).await?,
        categories: category_opts(tr, category.as_deref().unwrap_or(""), tr.t("common.all")),
        customer: visible_customer(state, s, filter.customer_id)
            .await
            .map(|c| (c.id, c.name)),
        from: filter.from.map(|d| d.to_string()).unwrap_or_default(),
        to: filter.to.map(|d| d.to_string()).unwrap_or_default(),
        by_owner: total_rows(by_owner),
        by_customer: total_rows(by_customer),
        grand_total: money(state, grand),
        grand_count,
        next,
        can_create: s.principal.can(Module::Sales, Action::Create),
        can_edit: s.principal.can(Module::Sales, Action::Edit),
        filter_error,
    };
    Ok(render(&page))
}
