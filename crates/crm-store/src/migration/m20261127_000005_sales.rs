//! Sales and products: catalogue, pipeline, opportunities, quotes, orders with approval,
//! purchase records, payment plans, payments and sales expenses.
//!
//! Money columns are `BIGINT` minor units of the installation currency; quantities are
//! `BIGINT` thousandths of a unit; discounts are `INTEGER` basis points.

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
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProductCategories {
    Table,
    Id,
    ParentId,
    Name,
    SortOrder,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Products {
    Table,
    Id,
    CategoryId,
    Code,
    Name,
    Spec,
    Unit,
    CostPrice,
    GuidePrice,
    Status,
    Description,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PipelineStages {
    Table,
    Id,
    Code,
    Name,
    Probability,
    SortOrder,
    Active,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum Opportunities {
    Table,
    Id,
    CustomerId,
    Name,
    Amount,
    StageId,
    Probability,
    ExpectedClose,
    Source,
    OwnerId,
    Status,
    ClosedOn,
    CloseReason,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Quotes {
    Table,
    Id,
    Number,
    CustomerId,
    OpportunityId,
    Title,
    Status,
    ValidUntil,
    Notes,
    Subtotal,
    DiscountTotal,
    Total,
    OwnerId,
    OrderId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum QuoteLines {
    Table,
    Id,
    QuoteId,
    LineNo,
    ProductId,
    ProductCode,
    ProductName,
    Spec,
    Unit,
    Quantity,
    UnitPrice,
    DiscountBp,
    LineTotal,
}

#[derive(DeriveIden, Clone, Copy)]
enum SalesOrders {
    Table,
    Id,
    Number,
    CustomerId,
    QuoteId,
    OpportunityId,
    OwnerId,
    Status,
    OrderDate,
    DueDate,
    Subtotal,
    DiscountTotal,
    Total,
    Received,
    Notes,
    SubmittedAt,
    SubmittedBy,
    DecidedAt,
    DecidedBy,
    DecisionComment,
    CancelledAt,
    CancelledBy,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    LineNo,
    ProductId,
    ProductCode,
    ProductName,
    Spec,
    Unit,
    Quantity,
    UnitPrice,
    DiscountBp,
    LineTotal,
}

#[derive(DeriveIden, Clone, Copy)]
enum PurchaseRecords {
    Table,
    Id,
    CustomerId,
    OrderId,
    OrderLineId,
    ProductId,
    ProductName,
    Quantity,
    Amount,
    PurchasedAt,
    ReversedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PaymentPlans {
    Table,
    Id,
    OrderId,
    Seq,
    DueDate,
    Amount,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum Payments {
    Table,
    Id,
    OrderId,
    CustomerId,
    OwnerId,
    Amount,
    PaidOn,
    Method,
    Note,
    CreatedBy,
    CreatedAt,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Expenses {
    Table,
    Id,
    CustomerId,
    OpportunityId,
    Category,
    Amount,
    SpentOn,
    Note,
    OwnerId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
}

/// The built-in pipeline: (code, probability %). Names come from the UI catalogue until an
/// administrator renames a stage.
const DEFAULT_STAGES: [(&str, i32); 5] = [
    ("qualification", 10),
    ("needs_analysis", 30),
    ("proposal", 50),
    ("negotiation", 70),
    ("commitment", 90),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        catalogue(m).await?;
        pipeline(m).await?;
        quotes(m).await?;
        orders(m).await?;
        money(m).await?;
        Ok(())
    }
}

async fn catalogue(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use ProductCategories as PC;
    m.create_table(
        Table::create()
            .table(PC::Table)
            .col(id_col(PC::Id))
            .col(big_integer_null(PC::ParentId))
            .col(string_len(PC::Name, 100))
            .col(integer(PC::SortOrder).default(0))
            .col(ts(PC::CreatedAt))
            .col(ts(PC::UpdatedAt))
            .col(integer(PC::Version).default(1))
            .col(ts_null(PC::DeletedAt))
            .foreign_key(&mut fk(PC::Table, PC::ParentId, PC::Table, PC::Id))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_product_categories_parent",
        PC::Table,
        &[PC::ParentId],
    )
    .await?;

    use Products as P;
    m.create_table(
        Table::create()
            .table(P::Table)
            .col(id_col(P::Id))
            .col(big_integer_null(P::CategoryId))
            .col(string_len(P::Code, 50))
            .col(string_len(P::Name, 200))
            .col(string_len_null(P::Spec, 200))
            .col(string_len(P::Unit, 20))
            .col(big_integer_null(P::CostPrice))
            .col(big_integer(P::GuidePrice))
            .col(string_len(P::Status, 16))
            .col(text_null(P::Description))
            .col(big_integer_null(P::CreatedBy))
            .col(ts(P::CreatedAt))
            .col(ts(P::UpdatedAt))
            .col(integer(P::Version).default(1))
            .col(ts_null(P::DeletedAt))
            .foreign_key(&mut fk(P::Table, P::CategoryId, PC::Table, PC::Id))
            .to_owned(),
    )
    .await?;
    unique(m, "uq_products_code", P::Table, &[P::Code]).await?;
    index(m, "ix_products_name", P::Table, &[P::Name, P::Id]).await?;
    index(m, "ix_products_category", P::Table, &[P::CategoryId, P::Id]).await?;
    Ok(())
}

async fn pipeline(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use PipelineStages as S;
    m.create_table(
        Table::create()
            .table(S::Table)
            .col(id_col(S::Id))
            .col(string_len_null(S::Code, 32))
            .col(string_len_null(S::Name, 50))
            .col(integer(S::Probability))
            .col(integer(S::SortOrder))
            .col(boolean(S::Active).default(true))
            .col(ts(S::CreatedAt))
            .col(ts(S::UpdatedAt))
            .col(integer(S::Version).default(1))
            .to_owned(),
    )
    .await?;
    let now = chrono::Utc::now();
    for (i, (code, prob)) in DEFAULT_STAGES.iter().enumerate() {
        let q = Query::insert()
            .into_table(S::Table)
            .columns([
                S::Code,
                S::Probability,
                S::SortOrder,
                S::Active,
                S::CreatedAt,
                S::UpdatedAt,
                S::Version,
            ])
            .values_panic([
                (*code).into(),
                (*prob).into(),
                ((i as i32 + 1) * 10).into(),
                true.into(),
                now.into(),
                now.into(),
                1.into(),
            ])
            .to_owned();
        m.exec_stmt(q).await?;
    }

    use Opportunities as O;
    m.create_table(
        Table::create()
            .table(O::Table)
            .col(id_col(O::Id))
            .col(big_integer(O::CustomerId))
            .col(string_len(O::Name, 200))
            .col(big_integer(O::Amount))
            .col(big_integer(O::StageId))
            .col(integer(O::Probability))
            .col(date_null(O::ExpectedClose))
            .col(string_len_null(O::Source, 16))
            .col(big_integer(O::OwnerId))
            .col(string_len(O::Status, 16))
            .col(date_null(O::ClosedOn))
            .col(text_null(O::CloseReason))
            .col(text_null(O::Notes))
            .col(big_integer_null(O::CreatedBy))
            .col(ts(O::CreatedAt))
            .col(ts(O::UpdatedAt))
            .col(integer(O::Version).default(1))
            .col(ts_null(O::DeletedAt))
            .foreign_key(&mut fk(
                O::Table,
                O::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(O::Table, O::StageId, S::Table, S::Id))
            .foreign_key(&mut fk(O::Table, O::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    index(m, "ix_opportunities_owner", O::Table, &[O::OwnerId, O::Id]).await?;
    index(
        m,
        "ix_opportunities_owner_close",
        O::Table,
        &[O::OwnerId, O::Status, O::ExpectedClose],
    )
    .await?;
    index(
        m,
        "ix_opportunities_owner_created",
        O::Table,
        &[O::OwnerId, O::CreatedAt, O::DeletedAt],
    )
    .await?;
    index(
        m,
        "ix_opportunities_owner_closed",
        O::Table,
        &[O::OwnerId, O::Status, O::ClosedOn, O::DeletedAt],
    )
    .await?;
    index(
        m,
        "ix_opportunities_customer",
        O::Table,
        &[O::CustomerId, O::Id],
    )
    .await?;
    index(
        m,
        "ix_opportunities_stage",
        O::Table,
        &[O::StageId, O::Status],
    )
    .await?;
    Ok(())
}

/// Columns shared by quote lines and order lines.
fn line_cols<T: IntoIden + Copy + 'static>(t: &mut TableCreateStatement, c: [T; 9]) {
    let [product, code, name, spec, unit, qty, price, disc, total] = c;
    t.col(big_integer(product))
        .col(string_len(code, 50))
        .col(string_len(name, 200))
        .col(string_len_null(spec, 200))
        .col(string_len(unit, 20))
        .col(big_integer(qty))
        .col(big_integer(price))
        .col(integer(disc).default(0))
        .col(big_integer(total));
}

async fn quotes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Quotes as Q;
    m.create_table(
        Table::create()
            .table(Q::Table)
            .col(id_col(Q::Id))
            .col(string_len(Q::Number, 30))
            .col(big_integer(Q::CustomerId))
            .col(big_integer_null(Q::OpportunityId))
            .col(string_len(Q::Title, 200))
            .col(string_len(Q::Status, 16))
            .col(date_null(Q::ValidUntil))
            .col(text_null(Q::Notes))
            .col(big_integer(Q::Subtotal).default(0))
            .col(big_integer(Q::DiscountTotal).default(0))
            .col(big_integer(Q::Total).default(0))
            .col(big_integer(Q::OwnerId))
            .col(big_integer_null(Q::OrderId))
            .col(big_integer_null(Q::CreatedBy))
            .col(ts(Q::CreatedAt))
            .col(ts(Q::UpdatedAt))
            .col(integer(Q::Version).default(1))
            .col(ts_null(Q::DeletedAt))
            .foreign_key(&mut fk(
                Q::Table,
                Q::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(
                Q::Table,
                Q::OpportunityId,
                Opportunities::Table,
                Opportunities::Id,
            ))
            .foreign_key(&mut fk(Q::Table, Q::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    unique(m, "uq_quotes_number", Q::Table, &[Q::Number]).await?;
    index(m, "ix_quotes_owner", Q::Table, &[Q::OwnerId, Q::Id]).await?;
    index(m, "ix_quotes_customer", Q::Table, &[Q::CustomerId, Q::Id]).await?;

    use QuoteLines as L;
    let mut t = Table::create();
    t.table(L::Table)
        .col(id_col(L::Id))
        .col(big_integer(L::QuoteId))
        .col(integer(L::LineNo));
    line_cols(
        &mut t,
        [
            L::ProductId,
            L::ProductCode,
            L::ProductName,
            L::Spec,
            L::Unit,
            L::Quantity,
            L::UnitPrice,
            L::DiscountBp,
            L::LineTotal,
        ],
    );
    t.foreign_key(&mut fk(L::Table, L::QuoteId, Q::Table, Q::Id))
        .foreign_key(&mut fk(
            L::Table,
            L::ProductId,
            Products::Table,
            Products::Id,
        ));
    m.create_table(t.to_owned()).await?;
    unique(m, "uq_quote_lines_no", L::Table, &[L::QuoteId, L::LineNo]).await?;
    Ok(())
}

async fn orders(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use SalesOrders as O;
    m.create_table(
        Table::create()
            .table(O::Table)
            .col(id_col(O::Id))
            .col(string_len(O::Number, 30))
            .col(big_integer(O::CustomerId))
            .col(big_integer_null(O::QuoteId))
            .col(big_integer_null(O::OpportunityId))
            .col(big_integer(O::OwnerId))
            .col(string_len(O::Status, 16))
            .col(date(O::OrderDate))
            .col(date_null(O::DueDate))
            .col(big_integer(O::Subtotal).default(0))
            .col(big_integer(O::DiscountTotal).default(0))
            .col(big_integer(O::Total).default(0))
            .col(big_integer(O::Received).default(0))
            .col(text_null(O::Notes))
            .col(ts_null(O::SubmittedAt))
            .col(big_integer_null(O::SubmittedBy))
            .col(ts_null(O::DecidedAt))
            .col(big_integer_null(O::DecidedBy))
            .col(text_null(O::DecisionComment))
            .col(ts_null(O::CancelledAt))
            .col(big_integer_null(O::CancelledBy))
            .col(text_null(O::CancelReason))
            .col(big_integer_null(O::CreatedBy))
            .col(ts(O::CreatedAt))
            .col(ts(O::UpdatedAt))
            .col(integer(O::Version).default(1))
            .col(ts_null(O::DeletedAt))
            .foreign_key(&mut fk(
                O::Table,
                O::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(O::Table, O::QuoteId, Quotes::Table, Quotes::Id))
            .foreign_key(&mut fk(
                O::Table,
                O::OpportunityId,
                Opportunities::Table,
                Opportunities::Id,
            ))
            .foreign_key(&mut fk(O::Table, O::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    unique(m, "uq_sales_orders_number", O::Table, &[O::Number]).await?;
    index(m, "ix_sales_orders_owner", O::Table, &[O::OwnerId, O::Id]).await?;
    // Rep statistics: approved orders of an owner in a period, total read from the index.
    index(
        m,
        "ix_sales_orders_owner_decided",
        O::Table,
        &[O::OwnerId, O::Status, O::DecidedAt, O::Total],
    )
    .await?;
    index(
        m,
        "ix_sales_orders_customer",
        O::Table,
        &[O::CustomerId, O::Id],
    )
    .await?;
    // Receivables: approved orders by due date.
    index(
        m,
        "ix_sales_orders_status_due",
        O::Table,
        &[O::Status, O::DueDate],
    )
    .await?;

    use OrderLines as L;
    let mut t = Table::create();
    t.table(L::Table)
        .col(id_col(L::Id))
        .col(big_integer(L::OrderId))
        .col(integer(L::LineNo));
    line_cols(
        &mut t,
        [
            L::ProductId,
            L::ProductCode,
            L::ProductName,
            L::Spec,
            L::Unit,
            L::Quantity,
            L::UnitPrice,
            L::DiscountBp,
            L::LineTotal,
        ],
    );
    t.foreign_key(&mut fk(L::Table, L::OrderId, O::Table, O::Id))
        .foreign_key(&mut fk(
            L::Table,
            L::ProductId,
            Products::Table,
            Products::Id,
        ));
    m.create_table(t.to_owned()).await?;
    unique(m, "uq_order_lines_no", L::Table, &[L::OrderId, L::LineNo]).await?;
    index(m, "ix_order_lines_product", L::Table, &[L::ProductId]).await?;

    use PurchaseRecords as R;
    m.create_table(
        Table::create()
            .table(R::Table)
            .col(id_col(R::Id))
            .col(big_integer(R::CustomerId))
            .col(big_integer(R::OrderId))
            .col(big_integer(R::OrderLineId))
            .col(big_integer(R::ProductId))
            .col(string_len(R::ProductName, 200))
            .col(big_integer(R::Quantity))
            .col(big_integer(R::Amount))
            .col(ts(R::PurchasedAt))
            .col(ts_null(R::ReversedAt))
            .foreign_key(&mut fk(
                R::Table,
                R::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(R::Table, R::OrderId, O::Table, O::Id))
            .foreign_key(&mut fk(R::Table, R::OrderLineId, L::Table, L::Id))
            .to_owned(),
    )
    .await?;
    // Exactly once: one purchase record per order line, whatever happens.
    unique(m, "uq_purchase_records_line", R::Table, &[R::OrderLineId]).await?;
    index(
        m,
        "ix_purchase_records_customer",
        R::Table,
        &[R::CustomerId, R::PurchasedAt],
    )
    .await?;
    index(m, "ix_purchase_records_order", R::Table, &[R::OrderId]).await?;
    Ok(())
}

async fn money(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use PaymentPlans as PP;
    m.create_table(
        Table::create()
            .table(PP::Table)
            .col(id_col(PP::Id))
            .col(big_integer(PP::OrderId))
            .col(integer(PP::Seq))
            .col(date(PP::DueDate))
            .col(big_integer(PP::Amount))
            .col(text_null(PP::Note))
            .foreign_key(&mut fk(
                PP::Table,
                PP::OrderId,
                SalesOrders::Table,
                SalesOrders::Id,
            ))
            .to_owned(),
    )
    .await?;
    unique(
        m,
        "uq_payment_plans_seq",
        PP::Table,
        &[PP::OrderId, PP::Seq],
    )
    .await?;

    use Payments as P;
    m.create_table(
        Table::create()
            .table(P::Table)
            .col(id_col(P::Id))
            .col(big_integer(P::OrderId))
            .col(big_integer(P::CustomerId))
            .col(big_integer(P::OwnerId))
            .col(big_integer(P::Amount))
            .col(date(P::PaidOn))
            .col(string_len(P::Method, 16))
            .col(text_null(P::Note))
            .col(big_integer_null(P::CreatedBy))
            .col(ts(P::CreatedAt))
            .col(ts_null(P::DeletedAt))
            .foreign_key(&mut fk(
                P::Table,
                P::OrderId,
                SalesOrders::Table,
                SalesOrders::Id,
            ))
            .foreign_key(&mut fk(
                P::Table,
                P::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(P::Table, P::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    index(m, "ix_payments_order", P::Table, &[P::OrderId, P::PaidOn]).await?;
    index(
        m,
        "ix_payments_owner_paid",
        P::Table,
        &[P::OwnerId, P::PaidOn, P::Amount, P::DeletedAt],
    )
    .await?;

    use Expenses as E;
    m.create_table(
        Table::create()
            .table(E::Table)
            .col(id_col(E::Id))
            .col(big_integer(E::CustomerId))
            .col(big_integer_null(E::OpportunityId))
            .col(string_len(E::Category, 16))
            .col(big_integer(E::Amount))
            .col(date(E::SpentOn))
            .col(text_null(E::Note))
            .col(big_integer(E::OwnerId))
            .col(big_integer_null(E::CreatedBy))
            .col(ts(E::CreatedAt))
            .col(ts(E::UpdatedAt))
            .col(integer(E::Version).default(1))
            .col(ts_null(E::DeletedAt))
            .foreign_key(&mut fk(
                E::Table,
                E::CustomerId,
                Customers::Table,
                Customers::Id,
            ))
            .foreign_key(&mut fk(
                E::Table,
                E::OpportunityId,
                Opportunities::Table,
                Opportunities::Id,
            ))
            .foreign_key(&mut fk(E::Table, E::OwnerId, Users::Table, Users::Id))
            .to_owned(),
    )
    .await?;
    index(m, "ix_expenses_owner", E::Table, &[E::OwnerId, E::SpentOn]).await?;
    index(
        m,
        "ix_expenses_customer",
        E::Table,
        &[E::CustomerId, E::SpentOn],
    )
    .await?;
    Ok(())
}
