//! The home page: who I am, where I sit in the organisation, and a first chart.

use super::{error_page, render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use crm_domain::Role;
use serde_json::json;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    department: String,
    manager: String,
    scope: String,
    departments: usize,
    active_users: i64,
    subordinates: usize,
    chart: String,
    /// "My quota" (None without `sales:view`).
    quota: Option<super::quotas::QuotaCard>,
}

pub async fn page(State(state): State<AppState>, s: UiSession) -> Response {
    let sum = match crm_service::users::org_summary(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let quota = match super::quotas::home_card(&state, &s).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let tr = s.tr;
    let (names, values): (Vec<String>, Vec<i64>) = Role::ALL
        .iter()
        .map(|r| {
            let n = sum
                .by_role
                .iter()
                .find(|x| x.0 == r.as_str())
                .map_or(0, |x| x.1);
            (tr.t(&format!("role.{}", r.as_str())), n)
        })
        .unzip();
    let chart = json!({
        "tooltip": {},
        "grid": {"left": 40, "right": 10, "top": 20, "bottom": 60},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": values, "itemStyle": {"color": "#0d6efd"}}]
    });
    let page = HomePage {
        department: sum.department.unwrap_or_else(|| tr.t("common.none")),
        manager: sum.manager.unwrap_or_else(|| tr.t("common.none")),
        scope: tr.t(&format!("scope.{}", s.principal.scope().as_str())),
        departments: sum.departments,
        active_users: sum.active_users,
        subordinates: sum.subordinates,
        chart: chart.to_string(),
        quota,
        l: s.layout("home"),
    };
    render(&page)
}
