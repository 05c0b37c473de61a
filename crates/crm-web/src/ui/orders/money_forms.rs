//! The money forms of the order page: record a payment, delete one, save the payment plan.

use super::*;
use crm_service::payments::{self, InstalmentInput, PaymentInput};

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    note: String,
}

pub async fn add_payment(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<PaymentForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = PaymentInput {
        amount: f.amount.clone(),
        paid_on: Some(f.paid_on.clone()),
        method: Some(f.method.clone()),
        note: Some(f.note.clone()),
    };
    match payments::add(&state.core, &s.principal, id, input).await {
        Ok(_) => Redirect::to(&format!("/orders/{id}?flash=saved#order-payments")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                pay_amount: f.amount,
                pay_date: f.paid_on,
                pay_method: f.method,
                pay_note: f.note,
                pay_errors: form_errors(s.tr, &errs),
                ..Default::default()
            };
            show_with(&state, &s, id, d, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => refused(&state, &s, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn delete_payment(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let pay = match payments::get(&state.core, &s.principal, id).await {
        Ok(p) => p,
        Err(e) => return fail(s.tr, e),
    };
    match payments::delete(&state.core, &s.principal, id).await {
        Ok(()) => Redirect::to(&format!(
            "/orders/{}?flash=deleted#order-payments",
            pay.order_id
        ))
        .into_response(),
        Err(e) => refused(&state, &s, pay.order_id, e).await,
    }
}

/// The plan editor's rows (blank rows skipped), as inputs and as typed.
fn plan_rows(pairs: &[(String, String)]) -> (Vec<InstalmentInput>, Vec<PlanInputRow>) {
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    let (dues, amounts, notes) = (all("plan_due_date"), all("plan_amount"), all("plan_note"));
    let n = dues.len().max(amounts.len()).max(notes.len());
    let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    let mut inputs = Vec::new();
    let mut rows = Vec::new();
    for i in 0..n {
        let row = PlanInputRow {
            due_date: at(&dues, i),
            amount: at(&amounts, i),
            note: at(&notes, i),
            errors: Default::default(),
        };
        if row.due_date.is_empty() && row.amount.is_empty() && row.note.is_empty() {
            continue;
        }
        inputs.push(InstalmentInput {
            due_date: row.due_date.clone(),
            amount: row.amount.clone(),
            note: Some(row.note.clone()),
        });
        rows.push(row);
    }
    (inputs, rows)
}

pub async fn save_plan(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    crate::ui::custom_fields::CfForm(f, pairs): crate::ui::custom_fields::CfForm<CsrfForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let (inputs, mut rows) = plan_rows(&pairs);
    match payments::set_plan(&state.core, &s.principal, id, &inputs).await {
        Ok(_) => Redirect::to(&format!("/orders/{id}?flash=saved#order-plan")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let mut plan_error = None;
            for (key, e) in &errs.0 {
                let text = message(s.tr, e.code, &e.message);
                let cell = key
                    .strip_prefix("instalments.")
                    .and_then(|r| r.split_once('.'))
                    .and_then(|(i, field)| i.parse::<usize>().ok().map(|i| (i, field)));
                match cell.and_then(|(i, field)| rows.get_mut(i).map(|r| (r, field))) {
                    Some((row, field)) => {
                        row.errors.insert(field.to_string(), text);
                    }
                    None => plan_error = Some(text),
                }
            }
            rows.extend(std::iter::repeat_n(PlanInputRow::default(), 2));
            let d = Drafts {
                plan_rows: Some(rows),
                plan_error: plan_error.or_else(|| Some(s.tr.t("common.fix_errors"))),
                ..Default::default()
            };
            show_with(&state, &s, id, d, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => refused(&state, &s, id, e).await,
    }
}
