//! The print page of an order: an A4 sheet with the customer, the lines, the totals (for
//! CNY also in Chinese capitals, 大写金额), the payment terms, and a Print button.

use super::*;
use crate::ui::quotes::cny_in_capitals;

#[derive(Template)]
#[template(path = "order_print.html")]
pub struct PrintPage {
    pub l: Layout,
    pub o: Order,
    pub status_label: String,
    pub customer: String,
    pub address: String,
    pub phone: String,
    pub owner: String,
    pub lines: Vec<LineView>,
    pub subtotal: String,
    pub discount: String,
    pub total: String,
    pub received: String,
    pub outstanding: String,
    /// The total in Chinese capitals when the currency is CNY.
    pub total_words: Option<String>,
    /// (due date, amount) of the payment plan.
    pub instalments: Vec<(String, String)>,
}

pub async fn print(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    print_page(&state, &s, id)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

async fn print_page(state: &AppState, s: &UiSession, id: i64) -> Result<Response, ServiceError> {
    let v = orders::get(&state.core, &s.principal, id).await?;
    let plan = crm_service::payments::plan(&state.core, &s.principal, id).await?;
    let o = v.order;
    let c = crm_store::customers::find_any(&state.core.db, o.customer_id).await?;
    let (address, phone) = match c {
        Some(c) => {
            let sep = if s.tr.is_zh() { "" } else { " " };
            let mut addr: String = [&c.province, &c.city, &c.district, &c.street]
                .iter()
                .filter_map(|v| v.as_deref())
                .collect::<Vec<_>>()
                .join(sep);
            if let Some(pc) = c.postal_code.as_deref() {
                addr = format!("{addr} {pc}").trim().to_string();
            }
            (addr, c.phone.unwrap_or_default())
        }
        None => (String::new(), String::new()),
    };
    let owner = user_names(state, &[o.owner_id])
        .await?
        .remove(&o.owner_id)
        .unwrap_or_default();
    let currency = &state.core.settings.currency;
    let page = PrintPage {
        l: s.layout("orders"),
        status_label: status_label(s.tr, &o.status),
        customer: v.customer_name,
        address,
        phone,
        owner,
        lines: line_views(state, &v.lines),
        subtotal: money(state, o.subtotal),
        discount: money(state, o.discount_total),
        total: money(state, o.total),
        received: money(state, o.received),
        outstanding: money(state, o.total - o.received),
        total_words: (currency.code == "CNY").then(|| cny_in_capitals(o.total)),
        instalments: plan
            .instalments
            .iter()
            .map(|i| (i.due_date.to_string(), currency.format(i.amount)))
            .collect(),
        o,
    };
    Ok(render(&page))
}
