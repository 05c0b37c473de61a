//! The lead page's buttons and the list's bulk actions: claim, release, assign, follow-ups,
//! bulk assign / distribute / claim.

use super::*;
use crm_service::leads::follow_ups::{self, FollowUpInput};
use crm_service::leads::pool;

/// After a change of owner: back to the lead, or to the list when it left the user's scope.
async fn back_to(state: &AppState, s: &UiSession, id: i64) -> Response {
    match leads::get(&state.core, &s.principal, id).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}?flash=saved")).into_response(),
        Err(ServiceError::NotFound) => Redirect::to("/leads?flash=saved").into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn claim(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match pool::claim(&state.core, &s.principal, id).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}?flash=saved")).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn release(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match pool::release(&state.core, &s.principal, id, f.version).await {
        Ok(_) => back_to(&state, &s, id).await,
        Err(e) => fail(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    user_id: String,
    version: Option<i32>,
}

pub async fn assign(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let user = f.user_id.trim().parse::<i64>().ok();
    let result = match user {
        Some(u) => pool::assign(&state.core, &s.principal, id, u, f.version)
            .await
            .map(|_| ()),
        None => Err(ServiceError::field(
            "user_id",
            "required",
            "This field is required",
        )),
    };
    match result {
        Ok(()) => back_to(&state, &s, id).await,
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                assign_user: user,
                assign_errors: form_errors(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => fail(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    next_follow_up: String,
}

pub async fn add_follow_up(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<FollowUpForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = FollowUpInput {
        kind: Some(f.kind.clone()),
        occurred_at: Some(local_input(state.core.settings.tz, &f.occurred_at)),
        content: Some(f.content.clone()),
        next_follow_up: Some(f.next_follow_up.clone()),
    };
    match follow_ups::add(&state.core, &s.principal, id, input).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}?flash=saved#timeline")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                kind: f.kind,
                occurred_at: f.occurred_at,
                content: f.content,
                next_follow_up: f.next_follow_up,
                errors: form_errors(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn delete_follow_up(
    State(state): State<AppState>,
    s: UiSession,
    Path((id, activity_id)): Path<(i64, i64)>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match follow_ups::delete(&state.core, &s.principal, id, activity_id).await {
        Ok(()) => Redirect::to(&format!("/leads/{id}?flash=deleted#timeline")).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    user_ids: Vec<String>,
    /// `assign` (exactly one user) or `distribute` (in turn among the chosen users).
    #[serde(default)]
    op: String,
}

fn numbers(v: &[String]) -> Vec<i64> {
    v.iter().filter_map(|x| x.trim().parse().ok()).collect()
}

/// 批量分配 / 轮流分配 of the ticked leads: all or nothing.
pub async fn bulk_assign(
    State(state): State<AppState>,
    s: UiSession,
    axum_extra::extract::Form(f): axum_extra::extract::Form<BulkForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let ids = numbers(&f.ids);
    let users = numbers(&f.user_ids);
    if f.op != "distribute" && users.len() > 1 {
        let e = ServiceError::field(
            "user_ids",
            "choose_one_user",
            "Choose one user to assign to",
        );
        return fail(s.tr, e);
    }
    match pool::assign_many(&state.core, &s.principal, &ids, &users).await {
        Ok(_) => Redirect::to("/leads?flash=saved").into_response(),
        Err(e) => fail(s.tr, e),
    }
}

/// Claims the ticked pool leads: all or nothing.
pub async fn bulk_claim(
    State(state): State<AppState>,
    s: UiSession,
    axum_extra::extract::Form(f): axum_extra::extract::Form<BulkForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match pool::claim_many(&state.core, &s.principal, &numbers(&f.ids)).await {
        Ok(_) => Redirect::to("/leads?flash=saved").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
