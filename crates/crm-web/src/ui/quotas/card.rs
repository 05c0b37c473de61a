//! The home page's "My quota" card: the user's own targets for the current month, quarter
//! and year with progress bars, and (for managers) the team's totals.

use super::{metric_label, Bar};
use crate::ui::UiSession;
use crate::AppState;
use crm_service::quotas::{self, HomeLine};
use crm_service::ServiceError;

/// One target line of the card.
pub struct CardLine {
    /// "This quarter · 2026-Q1".
    pub period: String,
    pub metric: String,
    pub target: String,
    pub actual: String,
    pub bar: Bar,
}

pub struct QuotaCard {
    pub mine: Vec<CardLine>,
    /// Empty for a user who sees only themself.
    pub team: Vec<CardLine>,
    /// "Team total" / "Company total".
    pub team_label: String,
}

/// The card, or `None` for users without `sales:view`.
pub async fn home_card(state: &AppState, s: &UiSession) -> Result<Option<QuotaCard>, ServiceError> {
    let Some(h) = quotas::home(&state.core, &s.principal).await? else {
        return Ok(None);
    };
    let tr = s.tr;
    let line = |x: &HomeLine| CardLine {
        period: format!(
            "{} · {}",
            tr.t(&format!("quotas.this.{}", x.period.kind.as_str())),
            x.period.label()
        ),
        metric: metric_label(tr, x.metric),
        target: x.metric.display(&state.core, x.target),
        actual: x.metric.display(&state.core, x.actual),
        bar: Bar::of(x.percent),
    };
    Ok(Some(QuotaCard {
        mine: h.mine.iter().map(line).collect(),
        team: h.team.iter().map(line).collect(),
        team_label: tr.t(if h.company {
            "quotas.card_company"
        } else {
            "quotas.card_team"
        }),
    }))
}
