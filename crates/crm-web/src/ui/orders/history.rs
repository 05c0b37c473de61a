//! The order page's history (loaded by htmx after the page): the audit trail of the order
//! and of the payments recorded against it.

use super::*;
use crate::ui::customers::fmt_time;
use crate::ui::history::HistoryRow;
use serde_json::Value;

#[derive(Template)]
#[template(path = "order_history.html")]
struct HistoryPanel {
    l: Layout,
    rows: Vec<HistoryRow>,
}

/// `orders.history.<entity>.<action>`, or the raw action when there is no label.
fn action_label(tr: Tr, entity: &str, action: &str) -> String {
    let key = format!("orders.history.{entity}.{action}");
    let text = tr.t(&key);
    if text == key {
        action.to_string()
    } else {
        text
    }
}

fn detail(
    state: &AppState,
    tr: Tr,
    entity: &str,
    action: &str,
    before: &Value,
    after: &Value,
) -> String {
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    match (entity, action) {
        ("payment", "create" | "delete" | "restore") => {
            let v = if action == "delete" { before } else { after };
            let v = if v.is_null() { after } else { v };
            match v["amount"].as_i64() {
                Some(a) => format!(
                    "{} · {} · {}",
                    money(state, a),
                    text(v, "paid_on"),
                    label(tr, "orders.method", &text(v, "method"))
                ),
                None => String::new(),
            }
        }
        (_, "approve") => match after["purchase_records"].as_i64() {
            Some(n) => tr
                .t("orders.history.records")
                .replace("{n}", &n.to_string()),
            None => String::new(),
        },
        (_, "reject") => text(after, "comment"),
        (_, "cancel") => text(after, "reason"),
        _ => String::new(),
    }
}

pub async fn history_panel(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    let tr = s.tr;
    let entries = match orders::history(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return fail(tr, e),
    };
    let ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
    let names = match user_names(&state, &ids).await {
        Ok(n) => n,
        Err(e) => return fail(tr, e),
    };
    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .unwrap_or(Value::Null)
    };
    let tz = state.core.settings.tz;
    let rows = entries
        .iter()
        .map(|e| HistoryRow {
            at: fmt_time(tz, e.at),
            actor: e.actor_id.map_or_else(
                || tr.t("audit.system"),
                |a| names.get(&a).cloned().unwrap_or_else(|| format!("#{a}")),
            ),
            action: action_label(tr, &e.entity_type, &e.action),
            detail: detail(
                &state,
                tr,
                &e.entity_type,
                &e.action,
                &parse(&e.before),
                &parse(&e.after),
            ),
        })
        .collect();
    render(&HistoryPanel {
        l: s.layout("orders"),
        rows,
    })
}
