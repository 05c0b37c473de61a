//! Market: campaigns (市场活动), leads (销售线索) with their follow-up history, competitors
//! (竞争对手) linked to opportunities, and sales quotas (销售定额).
//!
//! Money columns are `BIGINT` minor units of the installation currency. A lead without an
//! owner sits in the shared pool (线索池). A converted lead keeps the ids of the customer,
//! contact and opportunity it became, so a campaign's converted customers, won
//! opportunities and revenue follow from its leads.

use super::util::{fk, id_col, index, ts, ts_null, unique};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roles {
    Table,
    Key,
    Modules,
}

#[derive(DeriveIden, Clone, Copy)]
enum Departments {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Opportunities {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Campaigns {
    Table,
    Id,
    Name,
    Kind,
    Status,
    StartsOn,
    EndsOn,
    Budget,
    ActualCost,
    ExpectedLeads,
    ExpectedRevenue,
    ActualResults,
    Description,
    OwnerId,
    FormEnabled,
    FormKey,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Leads {
    Table,
    Id,
    Name,
    Company,
    Title,
    Phone,
    Email,
    PhoneNorm,
    EmailNorm,
    CompanyNorm,
    Province,
    City,
    Address,
    Industry,
    Source,
    CampaignId,
    Status,
    OwnerId,
    Notes,
    NextFollowUp,
    LastContactedAt,
    ImportKey,
    ConvertedAt,
    ConvertedBy,
    CustomerId,
    ContactId,
    OpportunityId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LeadActivities {
    Table,
    Id,
    LeadId,
    Kind,
    OccurredAt,
    Content,
    NextFollowUp,
    AuthorId,
    CreatedAt,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Competitors {
    Table,
    Id,
    Name,
    Website,
    Strengths,
    Weaknesses,
    Products,
    MarketShare,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OpportunityCompetitors {
    Table,
    Id,
    OpportunityId,
    CompetitorId,
    TheirPrice,
    Notes,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Quotas {
    Table,
    Id,
    SubjectKey,
    UserId,
    DepartmentId,
    Metric,
    PeriodKind,
    PeriodStart,
    Target,
    SetBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        campaigns(m).await?;
        leads(m).await?;
        competitors(m).await?;
        quotas(m).await?;
        reps_work_leads(m).await
    }
}

/// Sales reps used to have view-only market rights; they now create, follow up and convert
/// their own leads. An installation whose `sales_rep` role still has the old default gets
/// the new one; a role an administrator changed is left alone.
async fn reps_work_leads(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use crm_domain::{Action, ActionSet};
    let db = m.get_connection();
    let backend = db.get_database_backend();
    let json = |a: &ActionSet| {
        serde_json::to_value(a).map_err(|e| DbErr::Custom(format!("role policy: {e}")))
    };
    let old = json(&ActionSet::of(&[Action::View]))?;
    let new = json(&ActionSet::of(&[
        Action::View,
        Action::Create,
        Action::Edit,
    ]))?;
    let select = Query::select()
        .column(Roles::Modules)
        .from(Roles::Table)
        .and_where(Expr::col(Roles::Key).eq("sales_rep"))
        .to_owned();
    let Some(row) = db.query_one(backend.build(&select)).await? else {
        return Ok(());
    };
    let text: String = row.try_get("", "modules")?;
    let mut modules: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("role policy: {e}")))?;
    if modules.get("market") != Some(&old) {
        return Ok(());
    }
    modules["market"] = new;
    let update = Query::update()
        .table(Roles::Table)
        .value(Roles::Modules, modules.to_string())
        .and_where(Expr::col(Roles::Key).eq("sales_rep"))
        .to_owned();
    db.execute(backend.build(&update)).await?;
    Ok(())
}

async fn campaigns(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Campaigns as C;
    m.create_table(
        Table::create()
            .table(C::Table)
            .col(id_col(C::Id))
            .col(string_len(C::Name, 200))
            .col(string_len(C::Kind, 16))
            .col(string_len(C::Status, 16))
            .col(date_null(C::StartsOn))
            .col(date_null(C::EndsOn))
            .col(big_integer(C::Budget).default(0))
            .col(big_integer(C::ActualCost).default(0))
            .col(integer_null(C::ExpectedLeads))
            .col(big_integer_null(C::ExpectedRevenue))
            .col(text_null(C::ActualResults))
            .col(text_null(C::Description))
            .col(big_integer(C::OwnerId))
            .col(boolean(C::FormEnabled).default(false))
            .col(string_len_null(C::FormKey, 64))
            .col(big_integer_null(C::CreatedBy))
            .col(ts(C::CreatedAt))
            .col(ts(C::UpdatedAt))
            .col(integer(C::Version).default(1))
            .col(ts_null(C::DeletedAt))
            .foreign_key(&mut fk(C::Table, C::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    index(m, "ix_campaigns_owner", C::Table, &[C::OwnerId, C::Id]).await?;
    index(m, "ix_campaigns_starts", C::Table, &[C::StartsOn, C::Id]).await?;
    unique(m, "uq_campaigns_form_key", C::Table, &[C::FormKey]).await?;
    Ok(())
}

async fn leads(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Leads as L;
    m.create_table(
        Table::create()
            .table(L::Table)
            .col(id_col(L::Id))
            .col(string_len(L::Name, 100))
            .col(string_len_null(L::Company, 200))
            .col(string_len_null(L::Title, 100))
            .col(string_len_null(L::Phone, 50))
            .col(string_len_null(L::Email, 254))
            .col(string_len_null(L::PhoneNorm, 32))
            .col(string_len_null(L::EmailNorm, 254))
            .col(string_len_null(L::CompanyNorm, 200))
            .col(string_len_null(L::Province, 50))
            .col(string_len_null(L::City, 50))
            .col(string_len_null(L::Address, 300))
            .col(string_len_null(L::Industry, 50))
            .col(string_len_null(L::Source, 16))
            .col(big_integer_null(L::CampaignId))
            .col(string_len(L::Status, 16))
            .col(big_integer_null(L::OwnerId))
            .col(text_null(L::Notes))
            .col(date_null(L::NextFollowUp))
            .col(ts_null(L::LastContactedAt))
            .col(string_len_null(L::ImportKey, 80))
            .col(ts_null(L::ConvertedAt))
            .col(big_integer_null(L::ConvertedBy))
            .col(big_integer_null(L::CustomerId))
            .col(big_integer_null(L::ContactId))
            .col(big_integer_null(L::OpportunityId))
            .col(big_integer_null(L::CreatedBy))
            .col(ts(L::CreatedAt))
            .col(ts(L::UpdatedAt))
            .col(integer(L::Version).default(1))
            .col(ts_null(L::DeletedAt))
            .foreign_key(&mut fk(
                L::Table,
                L::CampaignId,
                Campaigns::Table,
                Campaigns::Id,
            ))
            .foreign_key(&mut fk(L::Table, L::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    // Owner lists (and the pool: owner_id IS NULL) by status, newest first.
    index(
        m,
        "ix_leads_owner",
        L::Table,
        &[L::OwnerId, L::Status, L::Id],
    )
    .await?;
    index(
        m,
        "ix_leads_campaign",
        L::Table,
        &[L::CampaignId, L::Status],
    )
    .await?;
    index(m, "ix_leads_phone_norm", L::Table, &[L::PhoneNorm]).await?;
    index(m, "ix_leads_email_norm", L::Table, &[L::EmailNorm]).await?;
    index(m, "ix_leads_company_norm", L::Table, &[L::CompanyNorm]).await?;
    index(m, "ix_leads_customer", L::Table, &[L::CustomerId]).await?;
    unique(m, "uq_leads_import_key", L::Table, &[L::ImportKey]).await?;

    use LeadActivities as A;
    m.create_table(
        Table::create()
            .table(A::Table)
            .col(id_col(A::Id))
            .col(big_integer(A::LeadId))
            .col(string_len(A::Kind, 16))
            .col(ts(A::OccurredAt))
            .col(text(A::Content))
            .col(date_null(A::NextFollowUp))
            .col(big_integer_null(A::AuthorId))
            .col(ts(A::CreatedAt))
            .col(ts_null(A::DeletedAt))
            .foreign_key(&mut fk(A::Table, A::LeadId, L::Table, L::Id))
            .foreign_key(&mut fk(A::Table, A::AuthorId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_lead_activities_lead",
        A::Table,
        &[A::LeadId, A::OccurredAt],
    )
    .await?;
    Ok(())
}

async fn competitors(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Competitors as C;
    m.create_table(
        Table::create()
            .table(C::Table)
            .col(id_col(C::Id))
            .col(string_len(C::Name, 200))
            .col(string_len_null(C::Website, 500))
            .col(text_null(C::Strengths))
            .col(text_null(C::Weaknesses))
            .col(text_null(C::Products))
            .col(text_null(C::MarketShare))
            .col(text_null(C::Notes))
            .col(big_integer_null(C::CreatedBy))
            .col(ts(C::CreatedAt))
            .col(ts(C::UpdatedAt))
            .col(integer(C::Version).default(1))
            .col(ts_null(C::DeletedAt))
            .to_owned(),
    )
    .await?;
    index(m, "ix_competitors_name", C::Table, &[C::Name, C::Id]).await?;

    use OpportunityCompetitors as OC;
    m.create_table(
        Table::create()
            .table(OC::Table)
            .col(id_col(OC::Id))
            .col(big_integer(OC::OpportunityId))
            .col(big_integer(OC::CompetitorId))
            .col(big_integer_null(OC::TheirPrice))
            .col(text_null(OC::Notes))
            .col(big_integer_null(OC::CreatedBy))
            .col(ts(OC::CreatedAt))
            .foreign_key(&mut fk(
                OC::Table,
                OC::OpportunityId,
                Opportunities::Table,
                Opportunities::Id,
            ))
            .foreign_key(&mut fk(OC::Table, OC::CompetitorId, C::Table, C::Id))
            .to_owned(),
    )
    .await?;
    unique(
        m,
        "uq_opportunity_competitors",
        OC::Table,
        &[OC::OpportunityId, OC::CompetitorId],
    )
    .await?;
    index(
        m,
        "ix_opportunity_competitors_competitor",
        OC::Table,
        &[OC::CompetitorId, OC::OpportunityId],
    )
    .await?;
    Ok(())
}

async fn quotas(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Quotas as Q;
    m.create_table(
        Table::create()
            .table(Q::Table)
            .col(id_col(Q::Id))
            .col(string_len(Q::SubjectKey, 32))
            .col(big_integer_null(Q::UserId))
            .col(big_integer_null(Q::DepartmentId))
            .col(string_len(Q::Metric, 32))
            .col(string_len(Q::PeriodKind, 16))
            .col(date(Q::PeriodStart))
            .col(big_integer(Q::Target))
            .col(big_integer_null(Q::SetBy))
            .col(ts(Q::CreatedAt))
            .col(ts(Q::UpdatedAt))
            .col(integer(Q::Version).default(1))
            .foreign_key(&mut fk(Q::Table, Q::UserId, Users::Table, Users::Id))
            .foreign_key(&mut fk(
                Q::Table,
                Q::DepartmentId,
                Departments::Table,
                Departments::Id,
            ))
            .to_owned(),
    )
    .await?;
    // One target per subject ("user:12" / "department:3"), metric and period.
    unique(
        m,
        "uq_quotas_subject",
        Q::Table,
        &[Q::SubjectKey, Q::Metric, Q::PeriodKind, Q::PeriodStart],
    )
    .await?;
    index(
        m,
        "ix_quotas_period",
        Q::Table,
        &[Q::PeriodKind, Q::PeriodStart, Q::Metric],
    )
    .await?;
    Ok(())
}
