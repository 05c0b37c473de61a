//! Duplicate-detection keys (查重) of every live customer and contact, in `match_keys`.
//!
//! A customer has a company key (its name) and a phone key; a contact has phone keys (mobile
//! and phone) and an email key; the values come from `crm_domain::dedupe`. Every write of a
//! customer or contact (create, update, delete, restore, transfer) calls [`refresh_customer`]
//! or [`refresh_contact`] in its transaction, so the keys never drift from the records. Bulk
//! loaders (the demo generator) build rows with [`customer_keys`] / [`contact_keys`] and write
//! them with [`insert_many`]; an upgrade fills the table with [`backfill`].

use crate::entity::match_key::{self, Column as Col, Entity as MatchKey};
use crate::entity::{contact, customer};
use crm_domain::dedupe::{company_key, email_key, phone_key};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

mod backfill;
pub use backfill::backfill;

pub use match_key::Model;

pub const PHONE: &str = "phone";
pub const EMAIL: &str = "email";
pub const COMPANY: &str = "company";
pub const CUSTOMER: &str = "customer";
pub const CONTACT: &str = "contact";

/// Rows per INSERT statement (6 bound values each: well under both backends' limits).
const INSERT_ROWS: usize = 1000;
/// At most this many rows come back from one lookup (a key shared by thousands of records
/// says nothing useful about any one of them).
pub const MAX_LOOKUP_ROWS: u64 = 20_000;

/// One key row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub kind: &'static str,
    pub key: String,
    pub entity_type: &'static str,
    pub entity_id: i64,
    pub customer_id: i64,
    pub owner_id: i64,
}

/// The keys of a customer: its name as a company key, its phone as a phone key.
pub fn customer_keys(id: i64, name: &str, phone: Option<&str>, owner_id: i64) -> Vec<NewKey> {
    let mut out = Vec::with_capacity(2);
    let mut push = |kind, key: Option<String>| {
        if let Some(key) = key {
            out.push(NewKey {
                kind,
                key,
                entity_type: CUSTOMER,
                entity_id: id,
                customer_id: id,
                owner_id,
            });
        }
    };
    push(COMPANY, company_key(name));
    push(PHONE, phone.and_then(phone_key));
    out
}

/// The keys of a contact: mobile and phone as phone keys (once when equal), email.
pub fn contact_keys(
    id: i64,
    customer_id: i64,
    owner_id: i64,
    mobile: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
) -> Vec<NewKey> {
    let mut out: Vec<NewKey> = Vec::with_capacity(3);
    let keys = [
        (PHONE, mobile.and_then(phone_key)),
        (PHONE, phone.and_then(phone_key)),
        (EMAIL, email.and_then(email_key)),
    ];
    for (kind, key) in keys {
        let Some(key) = key else { continue };
        if out.iter().any(|k| k.kind == kind && k.key == key) {
            continue;
        }
        out.push(NewKey {
            kind,
            key,
            entity_type: CONTACT,
            entity_id: id,
            customer_id,
            owner_id,
        });
    }
    out
}

/// Writes key rows, many per statement.
pub async fn insert_many<C: ConnectionTrait>(db: &C, keys: &[NewKey]) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for chunk in keys.chunks(INSERT_ROWS) {
        let mut q = Query::insert();
        q.into_table(MatchKey).columns([
            Col::Kind,
            Col::Key,
            Col::EntityType,
            Col::EntityId,
            Col::CustomerId,
            Col::OwnerId,
        ]);
        for k in chunk {
            q.values([
                k.kind.into(),
                k.key.as_str().into(),
                k.entity_type.into(),
                k.entity_id.into(),
                k.customer_id.into(),
                k.owner_id.into(),
            ])
            .map_err(|e| DbErr::Custom(format!("match keys: {e}")))?;
        }
        db.execute(backend.build(&q)).await?;
    }
    Ok(())
}

async fn delete_of<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    ids: Vec<i64>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    MatchKey::delete_many()
        .filter(Col::EntityType.eq(entity_type))
        .filter(Col::EntityId.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Rebuilds the keys of one customer and of all its contacts from what is stored now: a
/// deleted customer (or one that does not exist) keeps none, and neither do its contacts.
/// Call after every write that changes a customer's name, phone, owner or liveness.
pub async fn refresh_customer<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    let contacts = contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(id))
        .all(db)
        .await?;
    delete_of(db, CUSTOMER, vec![id]).await?;
    delete_of(db, CONTACT, contacts.iter().map(|c| c.id).collect()).await?;
    let Some(c) = customer::Entity::find_by_id(id)
        .filter(customer::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let mut keys = customer_keys(c.id, &c.name, c.phone.as_deref(), c.owner_id);
    for k in contacts.iter().filter(|k| k.deleted_at.is_none()) {
        keys.extend(contact_keys(
            k.id,
            c.id,
            c.owner_id,
            k.mobile.as_deref(),
            k.phone.as_deref(),
            k.email.as_deref(),
        ));
    }
    insert_many(db, &keys).await
}

/// Rebuilds the keys of one contact (none when it or its customer is deleted).
pub async fn refresh_contact<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    delete_of(db, CONTACT, vec![id]).await?;
    let Some(k) = contact::Entity::find_by_id(id)
        .filter(contact::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(c) = customer::Entity::find_by_id(k.customer_id)
        .filter(customer::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let keys = contact_keys(
        k.id,
        c.id,
        c.owner_id,
        k.mobile.as_deref(),
        k.phone.as_deref(),
        k.email.as_deref(),
    );
    insert_many(db, &keys).await
}

/// The key rows of one kind whose key is one of `keys` (one `IN` query, using the
/// `(kind, key)` index), at most [`MAX_LOOKUP_ROWS`].
pub async fn lookup<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    keys: &[String],
) -> Result<Vec<Model>, DbErr> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    MatchKey::find()
        .filter(Col::Kind.eq(kind))
        .filter(Col::Key.is_in(keys.iter().map(String::as_str)))
        .order_by_asc(Col::Id)
        .limit(MAX_LOOKUP_ROWS)
        .all(db)
        .await
}

/// The key rows of one customer or contact (for tests and diagnostics).
pub async fn of_entity<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: i64,
) -> Result<Vec<Model>, DbErr> {
    MatchKey::find()
        .filter(Col::EntityType.eq(entity_type))
        .filter(Col::EntityId.eq(entity_id))
        .order_by_asc(Col::Kind)
        .order_by_asc(Col::Key)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_and_contact_keys() {
        let k = customer_keys(7, "北京星河科技有限公司", Some("010-8888 6666"), 3);
        assert_eq!(k.len(), 2);
        assert_eq!((k[0].kind, k[0].key.as_str()), (COMPANY, "北京星河科技"));
        assert_eq!((k[1].kind, k[1].key.as_str()), (PHONE, "01088886666"));
        assert!(k.iter().all(|x| x.customer_id == 7 && x.owner_id == 3));
        let k = contact_keys(
            9,
            7,
            3,
            Some("+86 138-1234-5678"),
            Some("13812345678"),
            Some("Li@Example.com"),
        );
        assert_eq!(k.len(), 2, "mobile and phone with one key give one row");
        assert_eq!(k[1].key, "li@example.com");
        assert!(contact_keys(9, 7, 3, None, Some("123"), Some("x")).is_empty());
    }
}
