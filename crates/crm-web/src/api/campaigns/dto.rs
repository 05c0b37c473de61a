//! The JSON shapes of campaigns and their results.

use crm_domain::{Currency, Money};
use crm_service::campaigns::results::percent;
use crm_service::campaigns::{Campaign, CampaignInput, CampaignResults, ListRow};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// What a campaign brought in, as the caller may see it: only leads they may see (pool
/// leads and leads owned in their scope), customers they may see, and opportunities and
/// orders owned in their scope. `null` where the caller lacks the module (customers, sales)
/// or the figure is undefined (no leads, no cost).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsDto {
    pub leads: i64,
    pub converted: i64,
    /// converted / leads in percent, "12.50".
    pub conversion_rate: Option<String>,
    /// Distinct customers the leads became.
    pub customers: Option<i64>,
    /// Opportunities the leads became (`leads.opportunity_id`) that were won.
    pub won: Option<i64>,
    /// Their amount, "50000.00".
    pub won_amount: Option<String>,
    /// Approved sales orders of the converted customers since their conversion.
    pub revenue: Option<String>,
    pub actual_cost: String,
    /// actual cost / leads.
    pub cost_per_lead: Option<String>,
    /// (revenue − actual cost) / actual cost in percent, "125.00"; null when the cost is 0.
    pub roi: Option<String>,
    pub expected_leads: Option<i32>,
    pub expected_revenue: Option<String>,
    /// leads / expected leads in percent.
    pub leads_vs_expected: Option<String>,
    /// revenue / expected revenue in percent.
    pub revenue_vs_expected: Option<String>,
}

impl ResultsDto {
    pub fn of(r: &CampaignResults, c: &Currency) -> Self {
        let m = |v: Option<Money>| v.map(|m| c.to_decimal(m));
        Self {
            leads: r.leads,
            converted: r.converted,
            conversion_rate: r.conversion_rate.map(percent),
            customers: r.customers,
            won: r.won,
            won_amount: m(r.won_amount),
            revenue: m(r.revenue),
            actual_cost: c.to_decimal(r.actual_cost),
            cost_per_lead: m(r.cost_per_lead),
            roi: r.roi.map(percent),
            expected_leads: r.expected_leads,
            expected_revenue: m(r.expected_revenue),
            leads_vs_expected: r.leads_vs_expected.map(percent),
            revenue_vs_expected: r.revenue_vs_expected.map(percent),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: i64,
    pub name: String,
    /// exhibition, seminar, online_ad, email, telemarketing, other
    pub kind: String,
    /// planned, active, completed, cancelled
    pub status: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    /// "20000.00"
    pub budget: String,
    pub actual_cost: String,
    pub expected_leads: Option<i32>,
    pub expected_revenue: Option<String>,
    pub actual_results: Option<String>,
    pub description: Option<String>,
    pub owner_id: i64,
    pub owner_name: Option<String>,
    /// Whether the public web form accepts submissions.
    pub form_enabled: bool,
    /// The public form's page, `/f/<key>`, while the form is enabled.
    pub form_path: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    pub results: ResultsDto,
}

impl CampaignDto {
    pub fn of(row: ListRow, c: &Currency, owner_name: Option<String>) -> Self {
        let x: Campaign = row.campaign;
        Self {
            id: x.id,
            name: x.name,
            kind: x.kind,
            status: x.status,
            starts_on: x.starts_on,
            ends_on: x.ends_on,
            budget: c.to_decimal(Money(x.budget)),
            actual_cost: c.to_decimal(Money(x.actual_cost)),
            expected_leads: x.expected_leads,
            expected_revenue: x.expected_revenue.map(|m| c.to_decimal(Money(m))),
            actual_results: x.actual_results,
            description: x.description,
            owner_id: x.owner_id,
            owner_name,
            form_path: x
                .form_key
                .filter(|_| x.form_enabled)
                .map(|k| format!("/f/{k}")),
            form_enabled: x.form_enabled,
            created_by: x.created_by,
            created_at: x.created_at,
            updated_at: x.updated_at,
            version: x.version,
            results: ResultsDto::of(&row.results, c),
        }
    }
}

/// For nullable numeric fields: absent → `None`, `null` → `Some(None)`, a number or a
/// string → `Some(Some(text))`.
fn nullable_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(Some(None)),
        serde_json::Value::String(s) => Ok(Some(Some(s))),
        serde_json::Value::Number(n) => Ok(Some(Some(n.to_string()))),
        _ => Err(serde::de::Error::custom("expected a number or a string")),
    }
}

/// Fields of a campaign. On create only `name` is required (`kind` defaults to other,
/// `status` to planned, money to 0, the owner to you); on PATCH omitted fields stay and
/// `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub starts_on: Option<Option<String>>,
    /// YYYY-MM-DD, not before `starts_on`.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub ends_on: Option<Option<String>>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "crate::api::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub budget: Option<String>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "crate::api::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub actual_cost: Option<String>,
    /// A whole number ≥ 0.
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<i64>)]
    pub expected_leads: Option<Option<String>>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<String>)]
    pub expected_revenue: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub actual_results: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// An active user in your scope (default: you).
    pub owner_id: Option<i64>,
}

impl CampaignBody {
    pub fn input(self) -> CampaignInput {
        let clear = |v: Option<Option<String>>| v.map(Option::unwrap_or_default);
        CampaignInput {
            name: self.name,
            kind: self.kind,
            status: self.status,
            starts_on: clear(self.starts_on),
            ends_on: clear(self.ends_on),
            budget: self.budget,
            actual_cost: self.actual_cost,
            expected_leads: clear(self.expected_leads),
            expected_revenue: clear(self.expected_revenue),
            actual_results: clear(self.actual_results),
            description: clear(self.description),
            owner_id: self.owner_id,
        }
    }
}

/// Switches the public web form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormBody {
    pub version: i32,
    /// true: accept submissions (a key is made the first time); false: the link answers 404.
    pub enabled: bool,
}

/// Only the version (regenerating the form link).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: i32,
}
