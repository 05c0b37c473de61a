//! Stored random material of the installation, from which the public web form derives the
//! key that signs its render stamps.

use sea_orm::{ConnectionTrait, DbErr};

/// The password hash (argon2, with its random salt) of the first user: random, stored in
/// the database so every app server finds the same, and never shown anywhere. `None`
/// before anyone exists. (Changing that password invalidates forms shown before, which
/// then ask to be sent again.)
pub async fn secret_material<C: ConnectionTrait>(db: &C) -> Result<Option<String>, DbErr> {
    use crate::entity::user;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    user::Entity::find()
        .select_only()
        .column(user::Column::PasswordHash)
        .order_by_asc(user::Column::Id)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await
}
