//! The writes of one conversion on its transaction: the new customer and contact, a merge
//! into an existing customer, the opportunity, and their audit entries.

use super::{carry, entry};
use crate::error::versioned;
use crate::Result;
use crm_domain::Principal;
use crm_store::audit::{self, Entry};
use crm_store::conversion::LeadModel;
use crm_store::{contacts, customers, opportunities, users};
use sea_orm::DatabaseTransaction;
use serde_json::json;

/// The writes of one conversion, on its transaction.
pub(super) struct Write<'a> {
    pub(super) txn: &'a DatabaseTransaction,
    pub(super) p: &'a Principal,
    pub(super) lead: &'a LeadModel,
    pub(super) now: chrono::DateTime<chrono::Utc>,
}

impl Write<'_> {
    /// A new customer owned by the lead's owner (the converter for a pool lead, or when
    /// the owner was deactivated), and its primary contact.
    pub(super) async fn create(&self) -> Result<(customers::Model, i64)> {
        let me = self.p.user_id.0;
        let owner = match self.lead.owner_id {
            Some(o) if users::find(self.txn, o).await?.is_some_and(|u| u.active) => o,
            _ => me,
        };
        let fields = carry::customer_fields(self.lead);
        let c = customers::insert(self.txn, fields, owner, Some(me), self.now).await?;
        self.audit(
            "create",
            customers::ENTITY,
            c.id,
            None,
            Some(json!({
                "name": c.name, "nature": c.nature, "industry": c.industry,
                "province": c.province, "city": c.city, "street": c.street,
                "phone": c.phone, "source": c.source, "status": c.status,
                "notes": c.notes, "owner_id": c.owner_id, "lead_id": self.lead.id,
            })),
        )
        .await?;
        let k = contacts::insert(
            self.txn,
            c.id,
            carry::contact_fields(self.lead, true),
            self.now,
        )
        .await?;
        self.audit_contact(&k).await?;
        Ok((c, k.id))
    }

    /// Fills the customer's empty fields from the lead (merge).
    pub(super) async fn merge_customer(&self, c: customers::Model) -> Result<customers::Model> {
        let mut fields = customers::Fields::of(&c);
        let filled = carry::fill_customer(&mut fields, self.lead);
        if filled.is_empty() {
            return Ok(c);
        }
        let after = versioned(customers::update(self.txn, &c, c.version, fields, self.now).await?)?;
        self.audit(
            "update",
            customers::ENTITY,
            c.id,
            Some(
                json!({"phone": c.phone, "province": c.province, "city": c.city,
                "street": c.street, "industry": c.industry, "source": c.source,
                "nature": c.nature, "notes": c.notes}),
            ),
            Some(json!({"phone": after.phone, "province": after.province,
                "city": after.city, "street": after.street, "industry": after.industry,
                "source": after.source, "nature": after.nature, "notes": after.notes,
                "filled": filled, "merged_lead_id": self.lead.id})),
        )
        .await?;
        Ok(after)
    }

    /// The lead's person at an existing customer: the contact with the same phone or
    /// email when there is one (filled from the lead on a merge), else a new contact
    /// (primary when the customer has none).
    pub(super) async fn person(&self, c: &customers::Model, merge: bool) -> Result<i64> {
        let existing = contacts::of_customer(self.txn, c.id).await?;
        if let Some(k) = existing.iter().find(|k| carry::same_person(k, self.lead)) {
            let mut fields = contacts::Fields::of(k);
            if merge && carry::fill_contact(&mut fields, self.lead) {
                let after =
                    versioned(contacts::update(self.txn, k, k.version, fields, self.now).await?)?;
                self.audit_contact(&after).await?;
            }
            return Ok(k.id);
        }
        let fields = carry::contact_fields(self.lead, existing.is_empty());
        let k = contacts::insert(self.txn, c.id, fields, self.now).await?;
        self.audit_contact(&k).await?;
        Ok(k.id)
    }

    pub(super) async fn opportunity(&self, f: opportunities::Fields) -> Result<i64> {
        let o = opportunities::insert(self.txn, f, Some(self.p.user_id.0), self.now).await?;
        self.audit(
            "create",
            opportunities::ENTITY,
            o.id,
            None,
            Some(json!({
                "customer_id": o.customer_id, "name": o.name, "amount": o.amount,
                "stage_id": o.stage_id, "probability": o.probability,
                "expected_close": o.expected_close, "source": o.source,
                "owner_id": o.owner_id, "lead_id": self.lead.id,
            })),
        )
        .await?;
        Ok(o.id)
    }

    async fn audit_contact(&self, k: &contacts::Model) -> Result<()> {
        let after = json!({
            "customer_id": k.customer_id, "name": k.name, "title": k.title,
            "mobile": k.mobile, "phone": k.phone, "email": k.email,
            "is_primary": k.is_primary, "lead_id": self.lead.id,
        });
        let action = if k.version == 1 { "create" } else { "update" };
        self.audit(action, contacts::ENTITY, k.id, None, Some(after))
            .await
    }

    async fn audit(
        &self,
        action: &'static str,
        entity_type: &'static str,
        id: i64,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<()> {
        audit::record(
            self.txn,
            self.now,
            Entry {
                before,
                after,
                ..entry(self.p, action, entity_type, id)
            },
        )
        .await?;
        Ok(())
    }
}
