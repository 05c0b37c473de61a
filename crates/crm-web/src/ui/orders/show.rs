//! The order page: header, status, lines and totals, the approval panel (only the actions
//! the user may take), the purchase-record note, the payment plan and the payments.

use super::*;
use crm_service::lines::Line;
use crm_service::orders::Allowed;
use crm_service::payments::{self, InstalmentState};

/// A line as shown (also on the print page).
pub struct LineView {
    pub no: usize,
    pub code: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub total: String,
}

pub fn line_views(state: &AppState, lines: &[orders::OrderLine]) -> Vec<LineView> {
    let c = &state.core.settings.currency;
    lines
        .iter()
        .map(Line::from_order_line)
        .enumerate()
        .map(|(i, l)| LineView {
            no: i + 1,
            code: l.product_code.clone(),
            name: l.product_name.clone(),
            spec: l.spec.clone().unwrap_or_default(),
            unit: l.unit.clone(),
            quantity: l.quantity.to_decimal(),
            unit_price: c.format_plain(l.unit_price),
            discount: if l.discount.0 == 0 {
                String::new()
            } else {
                format!("{}%", l.discount.to_percent())
            },
            total: c.format_plain(l.total),
        })
        .collect()
}

pub struct PaymentRow {
    pub id: i64,
    pub paid_on: String,
    pub amount: String,
    pub method: String,
    pub note: String,
    pub by: String,
}

pub struct InstalmentRow {
    pub due_date: String,
    pub amount: String,
    pub paid: String,
    pub state: String,
    pub state_class: &'static str,
    pub note: String,
}

/// One row of the plan editor.
#[derive(Default, Clone)]
pub struct PlanInputRow {
    pub due_date: String,
    pub amount: String,
    pub note: String,
    pub errors: std::collections::BTreeMap<String, String>,
}

impl PlanInputRow {
    pub fn has(&self, f: &str) -> bool {
        self.errors.contains_key(f)
    }
    pub fn error(&self, f: &str) -> String {
        self.errors.get(f).cloned().unwrap_or_default()
    }
}

/// What was typed into the page's forms, with their errors, when one comes back.
#[derive(Default)]
pub struct Drafts {
    pub pay_amount: String,
    pub pay_date: String,
    pub pay_method: String,
    pub pay_note: String,
    pub pay_errors: FormErrors,
    pub decision_errors: FormErrors,
    pub plan_rows: Option<Vec<PlanInputRow>>,
    pub plan_error: Option<String>,
    /// A message above everything (a refused action).
    pub alert: Option<String>,
}

/// A label/value line of the approval panel.
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "order.html")]
pub struct ShowPage {
    pub l: Layout,
    pub o: Order,
    pub customer: String,
    pub owner: String,
    pub opportunity: Option<(i64, String)>,
    pub quote: Option<(i64, String)>,
    pub status_label: String,
    pub status_class: &'static str,
    pub lines: Vec<LineView>,
    pub subtotal: String,
    pub discount: String,
    pub total: String,
    pub received: String,
    pub outstanding: String,
    pub overdue: bool,
    pub a: Allowed,
    /// The user could decide orders but not this one (their own or submitted by them).
    pub own_blocked: bool,
    pub facts: Vec<Fact>,
    pub records_note: String,
    pub records_class: &'static str,
    pub payments: Vec<PaymentRow>,
    pub plan: Vec<InstalmentRow>,
    pub plan_rows: Vec<PlanInputRow>,
    pub methods: Vec<Opt>,
    pub today: String,
    pub d: Drafts,
}

fn state_class(s: InstalmentState) -> &'static str {
    match s {
        InstalmentState::Paid => "text-bg-success",
        InstalmentState::Partial => "text-bg-info",
        InstalmentState::Due => "text-bg-light border",
        InstalmentState::Overdue => "text-bg-danger",
    }
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    match build_show(&state, &s, id, Drafts::default()).await {
        Ok(page) => render(&page),
        Err(e) => fail(s.tr, e),
    }
}

/// The order page with `d` (what a refused form typed), answered with `status`.
pub async fn show_with(
    state: &AppState,
    s: &UiSession,
    id: i64,
    d: Drafts,
    status: StatusCode,
) -> Response {
    match build_show(state, s, id, d).await {
        Ok(page) => (status, render(&page)).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn build_show(
    state: &AppState,
    s: &UiSession,
    id: i64,
    d: Drafts,
) -> Result<ShowPage, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    let core = &state.core;
    let v = orders::get(core, p, id).await?;
    let o = v.order;
    let pays = payments::of_order(core, p, id).await?;
    let plan = payments::plan(core, p, id).await?;
    let records = orders::purchases::of_order(core, p, id).await?;
    let mut ids = vec![o.owner_id];
    ids.extend(o.submitted_by);
    ids.extend(o.decided_by);
    ids.extend(o.cancelled_by);
    ids.extend(pays.iter().filter_map(|x| x.created_by));
    let names = user_names(state, &ids).await?;
    let name = |id: Option<i64>| {
        id.map(|i| names.get(&i).cloned().unwrap_or_else(|| format!("#{i}")))
            .unwrap_or_default()
    };
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| crate::ui::customers::fmt_time(state.core.settings.tz, t))
            .unwrap_or_default()
    };
    let who_when = |id: Option<i64>, t: Option<chrono::DateTime<chrono::Utc>>| {
        [name(id), time(t)]
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let mut facts = Vec::new();
    let mut fact = |key: &str, value: String| {
        if !value.is_empty() {
            facts.push(Fact {
                label: tr.t(key),
                value,
            });
        }
    };
    if o.submitted_at.is_some() {
        fact("orders.submitted", who_when(o.submitted_by, o.submitted_at));
    }
    if o.decided_at.is_some() {
        fact("orders.decided", who_when(o.decided_by, o.decided_at));
        fact(
            "orders.decision_comment",
            o.decision_comment.clone().unwrap_or_default(),
        );
    }
    if o.cancelled_at.is_some() {
        fact("orders.cancelled", who_when(o.cancelled_by, o.cancelled_at));
        fact(
            "orders.cancel_reason",
            o.cancel_reason.clone().unwrap_or_default(),
        );
    }
    let live = records.iter().filter(|r| r.reversed_at.is_none()).count();
    let (records_note, records_class) = if records.is_empty() {
        (tr.t("orders.records_pending"), "alert-secondary")
    } else if live > 0 {
        (
            tr.t("orders.records_added")
                .replace("{n}", &live.to_string()),
            "alert-success",
        )
    } else {
        (
            tr.t("orders.records_reversed")
                .replace("{n}", &records.len().to_string()),
            "alert-warning",
        )
    };
    let opportunity = match o.opportunity_id {
        Some(oid) => crm_store::orders::find_opportunity(&core.db, oid)
            .await?
            .map(|x| (x.id, x.name)),
        None => None,
    };
    let quote = match o.quote_id {
        Some(qid) => crm_store::orders::find_quote(&core.db, qid)
            .await?
            .map(|q| (q.id, q.number)),
        None => None,
    };
    let today = core.today();
    let overdue = o.status == Status::Approved.as_str()
        && o.received < o.total
        && (o.due_date.is_some_and(|d| d < today)
            || plan
                .instalments
                .iter()
                .any(|i| i.state == InstalmentState::Overdue));
    let c = &core.settings.currency;
    let plan_rows = d.plan_rows.clone().unwrap_or_else(|| {
        let mut rows: Vec<PlanInputRow> = plan
            .instalments
            .iter()
            .map(|i| PlanInputRow {
                due_date: i.due_date.to_string(),
                amount: c.to_decimal(i.amount),
                note: i.note.clone().unwrap_or_default(),
                errors: Default::default(),
            })
            .collect();
        rows.extend(std::iter::repeat_n(PlanInputRow::default(), 3));
        rows
    });
    let method = if d.pay_method.is_empty() {
        "bank_transfer"
    } else {
        d.pay_method.as_str()
    };
    let methods = payments::METHODS
        .iter()
        .map(|m| Opt::new(*m, label(tr, "orders.method", m), *m == method))
        .collect();
    let own_blocked = p.can(Module::Sales, Action::Approve)
        && orders::is_own(p, &o)
        && matches!(o.status.as_str(), "submitted" | "approved");
    Ok(ShowPage {
        l: s.layout("orders"),
        customer: v.customer_name,
        owner: name(Some(o.owner_id)),
        opportunity,
        quote,
        status_label: status_label(tr, &o.status),
        status_class: status_class(&o.status),
        lines: line_views(state, &v.lines),
        subtotal: money(state, o.subtotal),
        discount: money(state, o.discount_total),
        total: money(state, o.total),
        received: money(state, o.received),
        outstanding: money(state, o.total - o.received),
        overdue,
        a: v.allowed,
        own_blocked,
        facts,
        records_note,
        records_class,
        payments: pays
            .into_iter()
            .map(|x| PaymentRow {
                id: x.id,
                paid_on: x.paid_on.to_string(),
                amount: money(state, x.amount),
                method: label(tr, "orders.method", &x.method),
                note: x.note.unwrap_or_default(),
                by: name(x.created_by),
            })
            .collect(),
        plan: plan
            .instalments
            .iter()
            .map(|i| InstalmentRow {
                due_date: i.due_date.to_string(),
                amount: c.format(i.amount),
                paid: c.format(i.paid),
                state: label(tr, "orders.plan_state", i.state.as_str()),
                state_class: state_class(i.state),
                note: i.note.clone().unwrap_or_default(),
            })
            .collect(),
        plan_rows,
        methods,
        today: today.to_string(),
        o,
        d,
    })
}
