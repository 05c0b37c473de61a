//! Logging contact history, sharing, transfer and bulk transfer.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Contact history, sharing, transfer

#[derive(Deserialize)]
pub struct ActivityForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) occurred_at: String,
    pub(super) contact_id: Option<String>,
    #[serde(default)]
    pub(super) content: String,
    #[serde(default)]
    pub(super) next_follow_up: String,
}

pub async fn log_activity(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActivityForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let contact_id = opt_id(&f.contact_id);
    let input = ActivityInput {
        customer_id: Some(id),
        contact_id: Some(contact_id),
        kind: Some(f.kind.clone()),
        occurred_at: Some(local_input(state.core.settings.tz, &f.occurred_at)),
        content: Some(f.content.clone()),
        next_follow_up: Some(f.next_follow_up.clone()),
    };
    match activities::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved#timeline")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                activity: ActivityDraft {
                    kind: f.kind,
                    occurred_at: f.occurred_at,
                    contact_id,
                    content: f.content,
                    next_follow_up: f.next_follow_up,
                },
                activity_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    pub(super) user_id: Option<String>,
    #[serde(default)]
    pub(super) access: String,
}

pub async fn share(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ShareForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let user = opt_id(&f.user_id);
    let result = match user {
        Some(u) => customers::share(&state.core, &s.principal, id, u, &f.access)
            .await
            .map(|_| ()),
        None => Err(ServiceError::field(
            "user_id",
            "required",
            "This field is required",
        )),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/customers/{id}?flash=saved#sharing")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                share_user: user,
                share_access: f.access,
                share_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn unshare(
    State(state): State<AppState>,
    s: UiSession,
    Path((id, user_id)): Path<(i64, i64)>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match customers::unshare(&state.core, &s.principal, id, user_id).await {
        Ok(()) => Redirect::to(&format!("/customers/{id}?flash=saved#sharing")).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    pub(super) to_user_id: Option<String>,
    pub(super) version: Option<i32>,
}

pub async fn transfer(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let to = opt_id(&f.to_user_id);
    let result = match to {
        Some(u) => customers::transfer(&state.core, &s.principal, id, f.version, u)
            .await
            .map(|_| ()),
        None => Err(ServiceError::field(
            "to_user_id",
            "required",
            "This field is required",
        )),
    };
    match result {
        Ok(()) => {
            // Handed to someone outside your scope: the customer is no longer yours to see.
            match customers::get(&state.core, &s.principal, id).await {
                Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved")).into_response(),
                Err(ServiceError::NotFound) => {
                    Redirect::to("/customers?flash=saved").into_response()
                }
                Err(e) => error_page(s.tr, e),
            }
        }
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                transfer_user: to,
                transfer_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_the_installation_time_zone() {
        let sh = chrono_tz::Asia::Shanghai;
        let t = DateTime::parse_from_rfc3339("2026-03-01T20:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(fmt_time(sh, t), "2026-03-02 04:30");
        assert_eq!(
            local_input(sh, "2026-03-02T09:30"),
            "2026-03-02T09:30:00+08:00"
        );
        assert_eq!(local_input(sh, ""), "");
        assert_eq!(local_input(sh, "garbage"), "garbage");
        let from = date_param(sh, Some("2026-03-02"), false).map(|d| d.to_rfc3339());
        assert_eq!(from.as_deref(), Some("2026-03-01T16:00:00+00:00"));
        let to = date_param(sh, Some("2026-03-02"), true).map(|d| d.to_rfc3339());
        assert_eq!(to.as_deref(), Some("2026-03-02T16:00:00+00:00"));
        assert_eq!(date_param(sh, Some("x"), false), None);
        // Another installation: Berlin in winter is UTC+1.
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(fmt_time(berlin, t), "2026-03-01 21:30");
        assert_eq!(
            local_input(berlin, "2026-03-02T09:30"),
            "2026-03-02T09:30:00+01:00"
        );
    }

    #[test]
    fn query_strings_keep_only_filled_filter_keys() {
        let pairs = vec![
            ("q".to_string(), "华信 科技".to_string()),
            ("status".to_string(), String::new()),
            ("cursor".to_string(), "9".to_string()),
        ];
        assert_eq!(
            query_of(&pairs, &FILTER_KEYS),
            "q=%E5%8D%8E%E4%BF%A1%20%E7%A7%91%E6%8A%80"
        );
    }
}

#[derive(Deserialize)]
pub struct BulkTransferForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) to_user_id: String,
    #[serde(default)]
    pub(super) ids: Vec<String>,
}

/// 批量移交: a manager hands the ticked customers to one user, all or nothing.
pub async fn bulk_transfer(
    State(state): State<AppState>,
    s: UiSession,
    axum_extra::extract::Form(f): axum_extra::extract::Form<BulkTransferForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let ids: Vec<i64> = f.ids.iter().filter_map(|v| v.parse().ok()).collect();
    let Some(to) = f.to_user_id.trim().parse::<i64>().ok() else {
        return error_page(
            s.tr,
            ServiceError::field("to_user_id", "required", "This field is required"),
        );
    };
    match customers::transfer_many(&state.core, &s.principal, &ids, to).await {
        Ok(_) => Redirect::to("/customers?flash=saved").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
