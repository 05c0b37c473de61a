//! The lead DTO and the body of create and PATCH.

use crate::error::ApiError;
use crate::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use crm_service::leads::{self, Lead, LeadInput, OwnerChoice};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDto {
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub industry: Option<String>,
    /// web_form, exhibition, seminar, referral, advertisement, email, cold_call, partner,
    /// import, other
    pub source: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    /// new, contacting, qualified, unqualified, converted
    pub status: String,
    /// `null`: the lead is in the shared pool (线索池).
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub pool: bool,
    pub notes: Option<String>,
    /// YYYY-MM-DD
    pub next_follow_up: Option<NaiveDate>,
    /// The next follow-up date has passed while the lead is still open.
    pub overdue: bool,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub converted_at: Option<DateTime<Utc>>,
    pub converted_by: Option<i64>,
    pub customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// User and campaign names for a set of leads.
#[derive(Default)]
pub struct Names {
    users: BTreeMap<i64, String>,
    campaigns: BTreeMap<i64, String>,
}

pub async fn names_for(state: &AppState, rows: &[Lead]) -> Result<Names, ApiError> {
    let mut users: Vec<i64> = rows.iter().filter_map(|l| l.owner_id).collect();
    users.sort_unstable();
    users.dedup();
    let campaigns: Vec<i64> = rows.iter().filter_map(|l| l.campaign_id).collect();
    Ok(Names {
        users: crm_store::users::names(&state.core.db, &users)
            .await
            .map_err(ServiceError::from)?
            .into_iter()
            .collect(),
        campaigns: leads::campaign_names(&state.core, &campaigns)
            .await?
            .into_iter()
            .collect(),
    })
}

impl LeadDto {
    pub fn of(l: Lead, names: &Names, today: NaiveDate) -> Self {
        Self {
            pool: leads::is_pool(&l),
            overdue: leads::is_overdue(&l, today),
            owner_name: l.owner_id.and_then(|o| names.users.get(&o).cloned()),
            campaign_name: l.campaign_id.and_then(|c| names.campaigns.get(&c).cloned()),
            id: l.id,
            name: l.name,
            company: l.company,
            title: l.title,
            phone: l.phone,
            email: l.email,
            province: l.province,
            city: l.city,
            address: l.address,
            industry: l.industry,
            source: l.source,
            campaign_id: l.campaign_id,
            status: l.status,
            owner_id: l.owner_id,
            notes: l.notes,
            next_follow_up: l.next_follow_up,
            last_contacted_at: l.last_contacted_at,
            converted_at: l.converted_at,
            converted_by: l.converted_by,
            customer_id: l.customer_id,
            contact_id: l.contact_id,
            opportunity_id: l.opportunity_id,
            created_by: l.created_by,
            created_at: l.created_at,
            updated_at: l.updated_at,
            version: l.version,
        }
    }
}

pub async fn dto(state: &AppState, l: Lead) -> Result<LeadDto, ApiError> {
    let names = names_for(state, std::slice::from_ref(&l)).await?;
    Ok(LeadDto::of(l, &names, state.core.today()))
}

/// Fields of a lead. On create `name` is required, `status` defaults to `new` and the lead
/// is yours unless you name another `owner_id` in your scope or send `"pool": true`. On
/// PATCH omitted fields stay and `null` or `""` clears an optional one; the owner changes
/// only through claim, release and assign.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadBody {
    /// Required on PATCH.
    pub version: Option<i32>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub province: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    /// A live campaign; `null` clears it.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub campaign_id: Option<Option<i64>>,
    /// new, contacting, qualified or unqualified (`converted` only by converting).
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// YYYY-MM-DD; `null` clears it.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub next_follow_up: Option<Option<String>>,
    /// Create only: the owner (default: you), an active user in your scope.
    pub owner_id: Option<i64>,
    /// Create only: `true` puts the lead in the shared pool (no owner).
    pub pool: Option<bool>,
}

fn cleared(v: Option<Option<String>>) -> Option<String> {
    v.map(Option::unwrap_or_default)
}

impl LeadBody {
    pub fn input(self) -> Result<LeadInput, ApiError> {
        let owner = match (self.pool, self.owner_id) {
            (Some(true), Some(_)) => {
                return Err(ServiceError::field(
                    "owner_id",
                    "pool_and_owner",
                    "Choose an owner or the pool, not both",
                )
                .into())
            }
            (Some(true), None) => Some(OwnerChoice::Pool),
            (_, Some(u)) => Some(OwnerChoice::User(u)),
            (_, None) => None,
        };
        Ok(LeadInput {
            name: self.name,
            company: cleared(self.company),
            title: cleared(self.title),
            phone: cleared(self.phone),
            email: cleared(self.email),
            province: cleared(self.province),
            city: cleared(self.city),
            address: cleared(self.address),
            industry: cleared(self.industry),
            source: cleared(self.source),
            campaign_id: self.campaign_id,
            status: self.status,
            notes: cleared(self.notes),
            next_follow_up: cleared(self.next_follow_up),
            owner,
        })
    }
}
