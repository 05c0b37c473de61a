//! The approval actions of the order page (submit, approve, reject, withdraw / cancel),
//! deleting a draft, and turning a quote into an order. A refused action shows the order
//! page again with the reason (or the field error) and the matching status code.

use super::*;

/// After an action: back to the order page with a toast, or the page with the refusal.
async fn after(
    state: &AppState,
    s: &UiSession,
    id: i64,
    r: Result<Order, ServiceError>,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/orders/{id}?flash=saved")).into_response(),
        Err(e) => refused(state, s, id, e).await,
    }
}

/// The order page showing why an action was refused.
pub async fn refused(state: &AppState, s: &UiSession, id: i64, e: ServiceError) -> Response {
    let status = status_of(&e);
    let d = match e {
        ServiceError::Validation(errs) => Drafts {
            decision_errors: form_errors(s.tr, &errs),
            ..Default::default()
        },
        ServiceError::Conflict { code, message } => Drafts {
            alert: Some(conflict_text(s.tr, code, &message)),
            ..Default::default()
        },
        ServiceError::StaleVersion => Drafts {
            alert: Some(s.tr.t("common.version_conflict")),
            ..Default::default()
        },
        other => return fail(s.tr, other),
    };
    show_with(state, s, id, d, status).await
}

pub async fn submit(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let r = orders::submit(&state.core, &s.principal, id, f.version).await;
    after(&state, &s, id, r).await
}

pub async fn approve(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let r = orders::approve(&state.core, &s.principal, id, Some(&f.comment)).await;
    after(&state, &s, id, r).await
}

pub async fn reject(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let r = orders::reject(&state.core, &s.principal, id, Some(&f.comment)).await;
    after(&state, &s, id, r).await
}

pub async fn cancel(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let r = orders::cancel(&state.core, &s.principal, id, Some(&f.reason)).await;
    after(&state, &s, id, r).await
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
    match orders::delete(&state.core, &s.principal, id, f.version).await {
        Ok(()) => Redirect::to("/orders?flash=deleted").into_response(),
        Err(e) => refused(&state, &s, id, e).await,
    }
}

/// "Create order" on a quote page: the new draft order opens.
pub async fn convert_quote(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match orders::create_from_quote(&state.core, &s.principal, id).await {
        Ok(o) => Redirect::to(&format!("/orders/{}?flash=created", o.id)).into_response(),
        Err(e) => fail(s.tr, e),
    }
}
