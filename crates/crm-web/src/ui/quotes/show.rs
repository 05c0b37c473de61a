//! The quote page: details, lines, totals, status actions, "create order", delete.

use super::*;
use crm_service::lines::Line;

/// A line as shown.
pub(super) struct LineView {
    pub(super) no: usize,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) spec: String,
    pub(super) unit: String,
    pub(super) quantity: String,
    pub(super) unit_price: String,
    pub(super) discount: String,
    pub(super) total: String,
}

pub(super) fn line_views(state: &AppState, lines: &[Line]) -> Vec<LineView> {
    let c = &state.core.settings.currency;
    lines
        .iter()
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

/// A status button: the target status, its label and button class.
pub(super) struct StatusAction {
    pub(super) status: &'static str,
    pub(super) label: String,
    pub(super) class: &'static str,
}

#[derive(Template)]
#[template(path = "quote.html")]
pub(super) struct ShowPage {
    pub(super) l: Layout,
    pub(super) q: Quote,
    pub(super) customer: String,
    pub(super) opportunity: Option<(i64, String)>,
    pub(super) owner: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) lines: Vec<LineView>,
    pub(super) subtotal: String,
    pub(super) discount: String,
    pub(super) total: String,
    /// Created and updated, as local times.
    pub(super) created: String,
    pub(super) updated: String,
    pub(super) can_edit: bool,
    pub(super) can_delete: bool,
    pub(super) can_convert: bool,
    pub(super) actions: Vec<StatusAction>,
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

async fn show_page(state: &AppState, s: &UiSession, id: i64) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    let d = quotes::get(&state.core, p, id).await?;
    let q = d.quote;
    let customer = customer_names(state, &[q.customer_id])
        .await?
        .remove(&q.customer_id)
        .unwrap_or_default();
    let opportunity = match q.opportunity_id {
        Some(oid) => quotes::opportunity_choice(&state.core, p, oid)
            .await?
            .map(|o| (o.id, o.name)),
        None => None,
    };
    let owner = user_names(state, &[q.owner_id])
        .await?
        .remove(&q.owner_id)
        .unwrap_or_default();
    let can_edit = p.can(Module::Sales, Action::Edit);
    let actions = if can_edit && q.order_id.is_none() {
        quotes::next_statuses(&q.status)
            .into_iter()
            .map(|st| StatusAction {
                status: st,
                label: tr.t(&format!("quotes.action.{st}")),
                class: match st {
                    "accepted" => "btn-success",
                    "rejected" => "btn-outline-danger",
                    _ => "btn-primary",
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = ShowPage {
        l: s.layout("quotes"),
        customer,
        opportunity,
        owner,
        status_label: status_label(tr, &q.status),
        status_class: status_class(&q.status),
        lines: line_views(state, &d.lines),
        subtotal: money(state, q.subtotal),
        discount: money(state, q.discount_total),
        total: money(state, q.total),
        created: crate::ui::customers::fmt_time(state.core.settings.tz, q.created_at),
        updated: crate::ui::customers::fmt_time(state.core.settings.tz, q.updated_at),
        can_edit: can_edit && quotes::editable_state(&q),
        can_delete: p.can(Module::Sales, Action::Delete) && quotes::deletable_state(&q),
        can_convert: q.order_id.is_none()
            && q.status != "rejected"
            && p.can(Module::Sales, Action::Create),
        actions,
        q,
    };
    Ok(render(&page))
}

pub async fn set_status(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let version = f.version.unwrap_or(0);
    match quotes::set_status(&state.core, &s.principal, id, version, &f.status).await {
        Ok(_) => Redirect::to(&format!("/quotes/{id}?flash=saved")).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match quotes::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/quotes?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
