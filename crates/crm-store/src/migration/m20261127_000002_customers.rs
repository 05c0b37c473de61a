//! Customers, contacts, contact history (activities) and the customer search index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    Name,
    Nature,
    Size,
    Industry,
    Province,
    City,
    District,
    Street,
    PostalCode,
    Region,
    Phone,
    Website,
    Source,
    Status,
    OwnerId,
    Notes,
    Custom,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Contacts {
    Table,
    Id,
    CustomerId,
    Name,
    Title,
    Mobile,
    Phone,
    Email,
    Address,
    Birthday,
    Notes,
    IsPrimary,
    Custom,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Activities {
    Table,
    Id,
    CustomerId,
    ContactId,
    Kind,
    OccurredAt,
    AuthorId,
    OwnerId,
    Content,
    NextFollowUp,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
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

async fn index<T: IntoIden + Copy + 'static>(
    m: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[T],
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Customers::Table)
                .col(id_col(Customers::Id))
                .col(string_len(Customers::Name, 200))
                .col(string_len_null(Customers::Nature, 16))
                .col(string_len_null(Customers::Size, 16))
                .col(string_len_null(Customers::Industry, 50))
                .col(string_len_null(Customers::Province, 50))
                .col(string_len_null(Customers::City, 50))
                .col(string_len_null(Customers::District, 50))
                .col(string_len_null(Customers::Street, 200))
                .col(string_len_null(Customers::PostalCode, 10))
                .col(string_len_null(Customers::Region, 50))
                .col(string_len_null(Customers::Phone, 30))
                .col(string_len_null(Customers::Website, 300))
                .col(string_len_null(Customers::Source, 16))
                .col(string_len(Customers::Status, 16))
                .col(big_integer(Customers::OwnerId))
                .col(text_null(Customers::Notes))
                .col(text(Customers::Custom).default("{}"))
                .col(big_integer_null(Customers::CreatedBy))
                .col(ts(Customers::CreatedAt))
                .col(ts(Customers::UpdatedAt))
                .col(integer(Customers::Version).default(1))
                .col(ts_null(Customers::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Customers::Table, Customers::OwnerId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        use Customers as C;
        index(m, "ix_customers_owner", C::Table, &[C::OwnerId, C::Id]).await?;
        index(m, "ix_customers_name", C::Table, &[C::Name, C::Id]).await?;
        index(m, "ix_customers_updated", C::Table, &[C::UpdatedAt, C::Id]).await?;
        index(m, "ix_customers_created", C::Table, &[C::CreatedAt, C::Id]).await?;
        index(m, "ix_customers_region", C::Table, &[C::Region]).await?;
        index(m, "ix_customers_phone", C::Table, &[C::Phone]).await?;

        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(id_col(Contacts::Id))
                .col(big_integer(Contacts::CustomerId))
                .col(string_len(Contacts::Name, 100))
                .col(string_len_null(Contacts::Title, 100))
                .col(string_len_null(Contacts::Mobile, 30))
                .col(string_len_null(Contacts::Phone, 30))
                .col(string_len_null(Contacts::Email, 254))
                .col(string_len_null(Contacts::Address, 300))
                .col(date_null(Contacts::Birthday))
                .col(text_null(Contacts::Notes))
                .col(boolean(Contacts::IsPrimary).default(false))
                .col(text(Contacts::Custom).default("{}"))
                .col(ts(Contacts::CreatedAt))
                .col(ts(Contacts::UpdatedAt))
                .col(integer(Contacts::Version).default(1))
                .col(ts_null(Contacts::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Contacts::Table, Contacts::CustomerId)
                        .to(Customers::Table, Customers::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contacts_customer",
            Contacts::Table,
            &[Contacts::CustomerId, Contacts::Id],
        )
        .await?;
        index(
            m,
            "ix_contacts_mobile",
            Contacts::Table,
            &[Contacts::Mobile],
        )
        .await?;
        index(m, "ix_contacts_email", Contacts::Table, &[Contacts::Email]).await?;

        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(id_col(Activities::Id))
                .col(big_integer(Activities::CustomerId))
                .col(big_integer_null(Activities::ContactId))
                .col(string_len(Activities::Kind, 16))
                .col(ts(Activities::OccurredAt))
                .col(big_integer(Activities::AuthorId))
                .col(big_integer(Activities::OwnerId))
                .col(text(Activities::Content))
                .col(date_null(Activities::NextFollowUp))
                .col(ts(Activities::CreatedAt))
                .col(ts(Activities::UpdatedAt))
                .col(integer(Activities::Version).default(1))
                .col(ts_null(Activities::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Activities::Table, Activities::CustomerId)
                        .to(Customers::Table, Customers::Id),
                )
                .to_owned(),
        )
        .await?;
        use Activities as A;
        index(
            m,
            "ix_activities_customer",
            A::Table,
            &[A::CustomerId, A::OccurredAt],
        )
        .await?;
        index(
            m,
            "ix_activities_author",
            A::Table,
            &[A::AuthorId, A::OccurredAt],
        )
        .await?;
        index(
            m,
            "ix_activities_owner_follow",
            A::Table,
            &[A::OwnerId, A::NextFollowUp],
        )
        .await?;

        let backend = m.get_database_backend();
        for sql in crate::search::create_customer_index(backend) {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
