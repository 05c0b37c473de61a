//! What quotes and expenses refer to: the customer and opportunity checks of their forms,
//! and the opportunities a form may offer.

use crate::{customers, Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::{Action, FieldErrors, Module, Principal};
use crm_store::entity::opportunity;
use crm_store::scope::RecordScope;
use crm_store::ConnectionTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// A customer the user may see, else a field error `field`/`unknown`.
pub async fn check_customer<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    id: i64,
    field: &str,
    e: &mut FieldErrors,
) -> Result<bool> {
    match customers::visible(db, scope, id).await {
        Ok(_) => Ok(true),
        Err(ServiceError::NotFound) => {
            e.add(field, "unknown", "no such customer");
            Ok(false)
        }
        Err(other) => Err(other),
    }
}

/// An opportunity the user may see (its owner in scope) that belongs to `customer_id`,
/// else a field error on `opportunity_id`.
pub async fn check_opportunity<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    customer_id: i64,
    id: i64,
    e: &mut FieldErrors,
) -> Result<()> {
    let o = opportunity::Entity::find_by_id(id)
        .filter(opportunity::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    match o {
        Some(o) if scope.owns_scope(o.owner_id) => {
            if o.customer_id != customer_id {
                e.add(
                    "opportunity_id",
                    "other_customer",
                    "this opportunity belongs to another customer",
                );
            }
        }
        _ => e.add("opportunity_id", "unknown", "no such opportunity"),
    }
    Ok(())
}

/// An optional local date typed as "YYYY-MM-DD".
pub fn parse_date(text: &str, field: &str, e: &mut FieldErrors) -> Option<NaiveDate> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            e.add(field, "invalid_date", "use the form YYYY-MM-DD");
            None
        }
    }
}

/// An opportunity a quote or expense form may offer.
#[derive(Debug, Clone)]
pub struct OpportunityChoice {
    pub id: i64,
    pub name: String,
    pub customer_id: i64,
}

/// Open opportunities in the user's scope (of one customer when given), for form selects.
pub async fn opportunity_choices(
    core: &Core,
    p: &Principal,
    customer_id: Option<i64>,
) -> Result<Vec<OpportunityChoice>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    let mut q = opportunity::Entity::find()
        .filter(scope.owned_by(opportunity::Column::OwnerId))
        .filter(opportunity::Column::DeletedAt.is_null());
    if let Some(c) = customer_id {
        q = q.filter(opportunity::Column::CustomerId.eq(c));
    } else {
        q = q.filter(opportunity::Column::Status.eq("open"));
    }
    let rows = q
        .order_by_desc(opportunity::Column::Id)
        .limit(500)
        .all(&core.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| OpportunityChoice {
            id: o.id,
            name: o.name,
            customer_id: o.customer_id,
        })
        .collect())
}

/// One opportunity in the user's scope, for prefilling a form from `?opportunity_id=`.
pub async fn opportunity_choice(
    core: &Core,
    p: &Principal,
    id: i64,
) -> Result<Option<OpportunityChoice>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    let o = opportunity::Entity::find_by_id(id)
        .filter(opportunity::Column::DeletedAt.is_null())
        .one(&core.db)
        .await?;
    Ok(o.filter(|o| scope.owns_scope(o.owner_id))
        .map(|o| OpportunityChoice {
            id: o.id,
            name: o.name,
            customer_id: o.customer_id,
        }))
}
