//! The platform: departments, users, roles, sessions, API tokens, login attempts, audit
//! trail, recycle bin, record shares.

use crm_domain::Role;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    Name,
    ParentId,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    DepartmentId,
    ManagerId,
    Active,
    Email,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Key,
    Scope,
    Modules,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CsrfToken,
    Locale,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Kind,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    Username,
    Ip,
    Success,
    At,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    Action,
    EntityType,
    EntityId,
    Before,
    After,
}

#[derive(DeriveIden)]
enum RecycleBin {
    Table,
    Id,
    EntityType,
    EntityId,
    Label,
    DeletedBy,
    DeletedAt,
    RestoredAt,
    RestoredBy,
}

#[derive(DeriveIden)]
enum RecordShares {
    Table,
    Id,
    EntityType,
    EntityId,
    UserId,
    Access,
    GrantedBy,
    CreatedAt,
}

fn id_col<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn ts<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn ts_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(id_col(Departments::Id))
                .col(string_len(Departments::Name, 100))
                .col(big_integer_null(Departments::ParentId))
                .col(ts(Departments::CreatedAt))
                .col(ts(Departments::UpdatedAt))
                .col(integer(Departments::Version).default(1))
                .col(ts_null(Departments::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Departments::Table, Departments::ParentId)
                        .to(Departments::Table, Departments::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_departments_parent")
                .table(Departments::Table)
                .col(Departments::ParentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id_col(Users::Id))
                .col(string_len_uniq(Users::Username, 32))
                .col(string_len(Users::DisplayName, 100))
                .col(string_len(Users::PasswordHash, 200))
                .col(string_len(Users::Role, 32))
                .col(big_integer_null(Users::DepartmentId))
                .col(big_integer_null(Users::ManagerId))
                .col(boolean(Users::Active).default(true))
                .col(string_len_null(Users::Email, 254))
                .col(ts(Users::CreatedAt))
                .col(ts(Users::UpdatedAt))
                .col(integer(Users::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::DepartmentId)
                        .to(Departments::Table, Departments::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::ManagerId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_users_manager", Users::ManagerId),
            ("ix_users_department", Users::DepartmentId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Users::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(string_len(Roles::Key, 32).primary_key())
                .col(string_len(Roles::Scope, 16))
                .col(text(Roles::Modules))
                .col(ts(Roles::UpdatedAt))
                .col(integer(Roles::Version).default(1))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(big_integer(Sessions::UserId))
                .col(string_len(Sessions::CsrfToken, 64))
                .col(string_len_null(Sessions::Locale, 8))
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::ExpiresAt))
                .col(ts(Sessions::LastSeenAt))
                .col(string_len_null(Sessions::Ip, 64))
                .col(string_len_null(Sessions::UserAgent, 300))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(id_col(ApiTokens::Id))
                .col(big_integer(ApiTokens::UserId))
                .col(string_len(ApiTokens::Name, 100))
                .col(string_len_uniq(ApiTokens::TokenHash, 64))
                .col(string_len(ApiTokens::Kind, 16))
                .col(ts(ApiTokens::CreatedAt))
                .col(ts_null(ApiTokens::LastUsedAt))
                .col(ts_null(ApiTokens::ExpiresAt))
                .col(ts_null(ApiTokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiTokens::Table, ApiTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_tokens_user")
                .table(ApiTokens::Table)
                .col(ApiTokens::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(id_col(LoginAttempts::Id))
                .col(string_len(LoginAttempts::Username, 64))
                .col(string_len(LoginAttempts::Ip, 64))
                .col(boolean(LoginAttempts::Success))
                .col(ts(LoginAttempts::At))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_login_attempts_username", LoginAttempts::Username),
            ("ix_login_attempts_ip", LoginAttempts::Ip),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(LoginAttempts::Table)
                    .col(col)
                    .col(LoginAttempts::At)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(id_col(AuditLog::Id))
                .col(ts(AuditLog::At))
                .col(big_integer_null(AuditLog::ActorId))
                .col(string_len(AuditLog::Action, 32))
                .col(string_len(AuditLog::EntityType, 32))
                .col(string_len(AuditLog::EntityId, 64))
                .col(text_null(AuditLog::Before))
                .col(text_null(AuditLog::After))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_entity")
                .table(AuditLog::Table)
                .col(AuditLog::EntityType)
                .col(AuditLog::EntityId)
                .col(AuditLog::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_actor")
                .table(AuditLog::Table)
                .col(AuditLog::ActorId)
                .col(AuditLog::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecycleBin::Table)
                .col(id_col(RecycleBin::Id))
                .col(string_len(RecycleBin::EntityType, 32))
                .col(big_integer(RecycleBin::EntityId))
                .col(string_len(RecycleBin::Label, 200))
                .col(big_integer_null(RecycleBin::DeletedBy))
                .col(ts(RecycleBin::DeletedAt))
                .col(ts_null(RecycleBin::RestoredAt))
                .col(big_integer_null(RecycleBin::RestoredBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_recycle_entity")
                .table(RecycleBin::Table)
                .col(RecycleBin::EntityType)
                .col(RecycleBin::EntityId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecordShares::Table)
                .col(id_col(RecordShares::Id))
                .col(string_len(RecordShares::EntityType, 32))
                .col(big_integer(RecordShares::EntityId))
                .col(big_integer(RecordShares::UserId))
                .col(string_len(RecordShares::Access, 8))
                .col(big_integer_null(RecordShares::GrantedBy))
                .col(ts(RecordShares::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RecordShares::Table, RecordShares::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_record_shares")
                .table(RecordShares::Table)
                .col(RecordShares::EntityType)
                .col(RecordShares::UserId)
                .col(RecordShares::EntityId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_record_shares_entity")
                .table(RecordShares::Table)
                .col(RecordShares::EntityType)
                .col(RecordShares::EntityId)
                .to_owned(),
        )
        .await?;

        // Seed the built-in roles with their default policies.
        let now = chrono::Utc::now();
        for role in Role::ALL {
            let policy = role.default_policy();
            let modules = serde_json::to_string(&policy.modules)
                .map_err(|e| DbErr::Custom(format!("role policy: {e}")))?;
            let insert = Query::insert()
                .into_table(Roles::Table)
                .columns([
                    Roles::Key,
                    Roles::Scope,
                    Roles::Modules,
                    Roles::UpdatedAt,
                    Roles::Version,
                ])
                .values([
                    role.as_str().into(),
                    policy.scope.as_str().into(),
                    modules.into(),
                    now.into(),
                    1.into(),
                ])
                .map_err(|e| DbErr::Custom(format!("role seed: {e}")))?
                .to_owned();
            m.exec_stmt(insert).await?;
        }
        Ok(())
    }
}
