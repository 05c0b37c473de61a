//! The sales panel of the customer page (loaded by htmx after the page): the customer's
//! opportunities, quotes, orders with what is outstanding, purchase record, payments and
//! sales expenses — each list through its own service, so each obeys the viewer's scope.

#[allow(unused_imports)]
use super::*;
use crate::ui::opportunities::{stage_labels, status_class, status_label};
use axum::response::Html;
use crm_domain::Money;

pub struct OppRow {
    pub id: i64,
    pub name: String,
    pub stage: String,
    pub status: String,
    pub status_class: &'static str,
    pub probability: i32,
    pub amount: String,
    pub expected_close: String,
}

pub struct DocRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub date: String,
    pub status: String,
    pub status_class: &'static str,
    pub total: String,
    pub extra: String,
}

pub struct SmallRow {
    pub date: String,
    pub what: String,
    pub amount: String,
    pub href: String,
}

pub struct SmallTab {
    pub pane: &'static str,
    pub rows: Vec<SmallRow>,
}

#[derive(Template)]
#[template(path = "customer_sales.html")]
struct SalesPanel {
    l: Layout,
    id: i64,
    can_create: bool,
    opportunities: Vec<OppRow>,
    quotes: Vec<DocRow>,
    orders: Vec<DocRow>,
    /// Purchase record, payments and expenses, in that order.
    tabs: Vec<SmallTab>,
    purchases_total: String,
    payments_total: String,
    expenses_total: String,
    outstanding_total: String,
    has_outstanding: bool,
}

fn doc_status_class(status: &str) -> &'static str {
    match status {
        "approved" | "accepted" => "text-bg-success",
        "submitted" | "sent" => "text-bg-info",
        "rejected" => "text-bg-danger",
        "cancelled" => "text-bg-secondary",
        _ => "text-bg-light border",
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub async fn sales_panel(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    match build(&state, &s, id).await {
        Ok(p) => render(&p),
        Err(ServiceError::Forbidden) => {
            // Without the sales module the panel is simply absent.
            Html(String::new()).into_response()
        }
        Err(e) => error_page(s.tr, e),
    }
}

async fn build(state: &AppState, s: &UiSession, id: i64) -> Result<SalesPanel, ServiceError> {
    let core = &state.core;
    let p = &s.principal;
    let tr = s.tr;
    let c = &core.settings.currency;
    let stages = crm_service::pipeline::list(core, p, true).await?;
    let labels = stage_labels(tr, &stages);
    let opportunities = crm_service::opportunities::for_customer(core, p, id)
        .await?
        .into_iter()
        .map(|o| OppRow {
            id: o.id,
            stage: labels.get(&o.stage_id).cloned().unwrap_or_default(),
            status: status_label(tr, &o.status),
            status_class: status_class(&o.status),
            probability: o.probability,
            amount: c.format(Money(o.amount)),
            expected_close: day(o.expected_close),
            name: o.name,
        })
        .collect();
    let quotes = crm_service::quotes::for_customer(core, p, id)
        .await?
        .into_iter()
        .map(|q| DocRow {
            id: q.id,
            status: tr.t(&format!("quotes.status.{}", q.status)),
            status_class: doc_status_class(&q.status),
            total: c.format(Money(q.total)),
            date: day(Some(core.settings.local_date(q.created_at))),
            extra: q
                .order_id
                .map(|_| tr.t("customer_sales.converted"))
                .unwrap_or_default(),
            number: q.number,
            title: q.title,
        })
        .collect();
    let orders_list = crm_service::orders::for_customer(core, p, id).await?;
    let outstanding: i64 = orders_list
        .iter()
        .filter(|o| o.status == "approved")
        .map(|o| o.total - o.received)
        .sum();
    let orders = orders_list
        .into_iter()
        .map(|o| DocRow {
            id: o.id,
            status: tr.t(&format!("orders.status.{}", o.status)),
            status_class: doc_status_class(&o.status),
            total: c.format(Money(o.total)),
            date: day(Some(o.order_date)),
            extra: if o.status == "approved" && o.total > o.received {
                format!(
                    "{} {}",
                    tr.t("customer_sales.outstanding"),
                    c.format(Money(o.total - o.received))
                )
            } else {
                String::new()
            },
            number: o.number,
            title: String::new(),
        })
        .collect();
    let records = crm_service::orders::purchases::for_customer(core, p, id).await?;
    let purchases_total: i64 = records.iter().map(|r| r.amount).sum();
    let purchases: Vec<SmallRow> = records
        .iter()
        .map(|r| SmallRow {
            date: day(Some(core.settings.local_date(r.purchased_at))),
            what: format!(
                "{} × {}",
                r.product_name,
                crm_domain::Quantity(r.quantity).to_decimal()
            ),
            amount: c.format(Money(r.amount)),
            href: format!("/orders/{}", r.order_id),
        })
        .collect();
    let pays = crm_service::payments::for_customer(core, p, id).await?;
    let payments_total: i64 = pays.iter().map(|x| x.amount).sum();
    let payments: Vec<SmallRow> = pays
        .iter()
        .map(|x| SmallRow {
            date: day(Some(x.paid_on)),
            what: tr.t(&format!("orders.method.{}", x.method)),
            amount: c.format(Money(x.amount)),
            href: format!("/orders/{}", x.order_id),
        })
        .collect();
    let ex = crm_service::expenses::for_customer(core, p, id).await?;
    let expenses: Vec<SmallRow> = ex
        .items
        .iter()
        .map(|x| SmallRow {
            date: day(Some(x.spent_on)),
            what: tr.t(&format!("expenses.category.{}", x.category)),
            amount: c.format(Money(x.amount)),
            href: format!("/expenses/{}", x.id),
        })
        .collect();
    Ok(SalesPanel {
        id,
        can_create: p.can(Module::Sales, Action::Create),
        opportunities,
        quotes,
        orders,
        tabs: vec![
            SmallTab {
                pane: "st-purchases",
                rows: purchases,
            },
            SmallTab {
                pane: "st-payments",
                rows: payments,
            },
            SmallTab {
                pane: "st-expenses",
                rows: expenses,
            },
        ],
        purchases_total: c.format(Money(purchases_total)),
        payments_total: c.format(Money(payments_total)),
        expenses_total: c.format(ex.total),
        outstanding_total: c.format(Money(outstanding)),
        has_outstanding: outstanding > 0,
        l: s.layout("customers"),
    })
}
