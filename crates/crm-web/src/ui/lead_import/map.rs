//! The mapping step: a field per column (guessed from the headers), the options, and a
//! preview of the first rows with their errors and duplicates; then the start.

use super::*;
use crate::api::conversion::MatchDto;
use crate::ui::customers::active_users;
use crate::ui::users::Opt;
use axum::Form;
use crm_service::lead_import::{column_label, Import, OptionsInput, Outcome, FIELDS, IGNORE};
use crm_store::scope::RecordScope;

pub(super) struct ColumnRow {
    pub index: usize,
    pub label: String,
    pub sample: String,
    pub opts: Vec<Opt>,
}

pub(super) struct PreviewLine {
    pub row: u32,
    pub values: Vec<String>,
    pub outcome: &'static str,
    pub outcome_label: String,
    pub badge: &'static str,
    pub errors: Vec<String>,
    pub matches: Vec<String>,
}

#[derive(Template)]
#[template(path = "lead_import_map.html")]
pub(super) struct MapPage {
    pub l: Layout,
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub encoding: String,
    pub rows: String,
    pub columns: Vec<ColumnRow>,
    pub campaigns: Vec<Opt>,
    pub owners: Vec<Opt>,
    pub duplicates: String,
    pub mode: String,
    pub errors: FormErrors,
    pub no_name: bool,
    pub preview_heads: Vec<String>,
    pub preview: Vec<PreviewLine>,
}

pub(super) fn badge(o: Outcome) -> &'static str {
    match o {
        Outcome::Import => "text-bg-success",
        Outcome::ImportFlagged => "text-bg-warning",
        Outcome::SkipDuplicate => "text-bg-secondary",
        Outcome::Fail => "text-bg-danger",
        Outcome::AlreadyImported => "text-bg-light border",
    }
}

/// "Customer 华为 (phone, company)" or "Customer, not visible to you, owner 王五 (phone)".
pub(super) fn match_text(
    tr: Tr,
    kind: &str,
    name: Option<&str>,
    owner: Option<&str>,
    reasons: &[&str],
) -> String {
    let t = |k: &str| tr.t(&format!("lead_import.{k}"));
    let reasons: Vec<String> = reasons.iter().map(|r| t(&format!("field.{r}"))).collect();
    let who = match name {
        Some(n) => n.to_string(),
        None => t("report.hidden").replace("{owner}", owner.unwrap_or("-")),
    };
    format!(
        "{} {who} ({})",
        t(&format!("kind.{kind}")),
        reasons.join(", ")
    )
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn input_of(pairs: &[(String, String)], width: usize) -> OptionsInput {
    let columns = if value(pairs, "col_0").is_some() {
        (0..width)
            .map(|i| {
                value(pairs, &format!("col_{i}"))
                    .unwrap_or(IGNORE)
                    .to_string()
            })
            .collect()
    } else {
        Vec::new()
    };
    OptionsInput {
        columns,
        campaign_id: value(pairs, "campaign_id")
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse().unwrap_or(0)),
        owner: value(pairs, "owner").map(str::to_string),
        duplicates: value(pairs, "duplicates").map(str::to_string),
        mode: value(pairs, "mode").map(str::to_string),
        source_aliases: upload::source_aliases(),
    }
}

/// Me, the pool, and for managers the active people of their scope.
async fn owner_opts(
    state: &AppState,
    s: &UiSession,
    chosen: &str,
) -> Result<Vec<Opt>, ServiceError> {
    let tr = s.tr;
    let me = s.principal.user_id.0;
    let mut o = vec![
        Opt::new(
            "me",
            tr.t("lead_import.owner_me"),
            chosen.is_empty() || chosen == "me",
        ),
        Opt::new("pool", tr.t("lead_import.owner_pool"), chosen == "pool"),
    ];
    if s.principal.scope() != crm_domain::DataScope::Own {
        let scope = RecordScope::load(&state.core.db, &s.principal).await?;
        for u in active_users(state, s).await? {
            if u.id != me && scope.owns_scope(u.id) {
                let v = u.id.to_string();
                let sel = v == chosen;
                o.push(Opt::new(
                    v,
                    format!("{} ({})", u.display_name, u.username),
                    sel,
                ));
            }
        }
    }
    Ok(o)
}

pub(super) async fn page(
    state: &AppState,
    s: &UiSession,
    i: Import,
    pairs: &[(String, String)],
    run: bool,
) -> Response {
    let tr = s.tr;
    let meta = i.meta.clone().unwrap_or_default();
    let width = meta.headers.len();
    let input = input_of(pairs, width);
    let mut errors = FormErrors::default();
    if run {
        let labels = upload::report_labels(tr);
        match lead_import::start(&state.core, &s.principal, i.id, &input, labels).await {
            Ok(_) => return Redirect::to(&format!("/leads/import/{}", i.id)).into_response(),
            Err(ServiceError::Validation(e)) => errors = form_errors(tr, &e),
            Err(e) => return fail(tr, e),
        }
    }
    let preview = if errors.any() {
        None
    } else {
        match lead_import::preview(&state.core, &s.principal, i.id, &input).await {
            Ok(p) => Some(p),
            Err(ServiceError::Validation(e)) => {
                errors = form_errors(tr, &e);
                None
            }
            Err(e) => return fail(tr, e),
        }
    };
    let chosen: Vec<String> = match (&preview, input.columns.is_empty()) {
        (Some(p), _) => p
            .options
            .columns
            .iter()
            .map(|c| c.clone().unwrap_or_default())
            .collect(),
        (None, false) => input.columns.clone(),
        (None, true) => meta
            .guessed
            .iter()
            .map(|c| c.clone().unwrap_or_default())
            .collect(),
    };
    let first = preview.as_ref().and_then(|p| p.rows.first());
    let columns = meta
        .headers
        .iter()
        .enumerate()
        .map(|(index, h)| {
            let cur = chosen.get(index).map_or("", String::as_str);
            let mut opts = vec![Opt::new(
                IGNORE,
                tr.t("lead_import.ignore"),
                cur.is_empty() || cur == IGNORE,
            )];
            opts.extend(
                FIELDS
                    .iter()
                    .map(|f| Opt::new(*f, tr.t(&format!("lead_import.field.{f}")), cur == *f)),
            );
            ColumnRow {
                index,
                label: column_label(index, h),
                sample: first
                    .and_then(|r| r.cells.get(index))
                    .cloned()
                    .unwrap_or_default(),
                opts,
            }
        })
        .collect();
    let mapped: Vec<(usize, &str)> = chosen
        .iter()
        .enumerate()
        .filter(|(_, f)| FIELDS.contains(&f.as_str()))
        .map(|(i, f)| (i, f.as_str()))
        .collect();
    let preview_lines = preview
        .map(|p| {
            p.rows
                .into_iter()
                .map(|r| PreviewLine {
                    row: r.row,
                    values: mapped
                        .iter()
                        .map(|(c, _)| r.cells.get(*c).cloned().unwrap_or_default())
                        .collect(),
                    outcome: r.outcome.as_str(),
                    outcome_label: tr.t(&format!("lead_import.outcome.{}", r.outcome.as_str())),
                    badge: badge(r.outcome),
                    errors: r
                        .errors
                        .0
                        .iter()
                        .map(|(f, e)| {
                            format!(
                                "{}: {}",
                                tr.t(&format!("lead_import.field.{f}")),
                                message(tr, e.code, &e.message)
                            )
                        })
                        .collect(),
                    matches: r
                        .matches
                        .into_iter()
                        .map(|m| {
                            let d = MatchDto::of(m);
                            match_text(
                                tr,
                                d.kind,
                                d.name.as_deref(),
                                d.owner_name.as_deref(),
                                &d.reasons,
                            )
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let campaign = input.campaign_id;
    let mut campaigns = vec![Opt::new("", tr.t("common.none"), campaign.is_none())];
    match crm_service::leads::campaign_choices(&state.core, &s.principal).await {
        Ok(c) => campaigns.extend(
            c.into_iter()
                .map(|(id, n)| Opt::new(id.to_string(), n, campaign == Some(id))),
        ),
        Err(e) => return fail(tr, e),
    }
    let owners = match owner_opts(state, s, input.owner.as_deref().unwrap_or("")).await {
        Ok(o) => o,
        Err(e) => return fail(tr, e),
    };
    let page = MapPage {
        l: s.layout("leads"),
        id: i.id,
        file_name: meta.file_name.clone(),
        format: meta.format.map_or("", |f| f.as_str()).to_uppercase(),
        encoding: meta.encoding.clone().unwrap_or_default(),
        rows: thousands(meta.rows),
        columns,
        campaigns,
        owners,
        duplicates: input.duplicates.clone().unwrap_or_else(|| "skip".into()),
        mode: input.mode.clone().unwrap_or_else(|| "good_rows".into()),
        no_name: !chosen.iter().any(|c| c == "name"),
        preview_heads: mapped
            .iter()
            .map(|(_, f)| tr.t(&format!("lead_import.field.{f}")))
            .collect(),
        preview: preview_lines,
        errors,
    };
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

/// Preview (`op=preview`) or start (`op=run`) with the chosen mapping and options.
pub async fn submit(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = s.check_csrf(value(&pairs, "_csrf").unwrap_or("")) {
        return r;
    }
    let i = match lead_import::get(&state.core, &s.principal, id).await {
        Ok(i) => i,
        Err(e) => return fail(s.tr, e),
    };
    if i.status != "queued" {
        return Redirect::to(&format!("/leads/import/{id}")).into_response();
    }
    let run = value(&pairs, "op") == Some("run");
    page(&state, &s, i, &pairs, run).await
}
