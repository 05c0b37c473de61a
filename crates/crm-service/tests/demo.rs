//! `crm demo` on both databases: the generators run one after another on an empty
//! database, produce what they report, and the market data is coherent (converted leads
//! point at customers who bought afterwards, so campaigns show revenue).
#![allow(clippy::unwrap_used)]

use crm_store::campaigns::results::{self, Include};
use crm_store::entity::{campaign, lead, quota, sales_order};
use crm_store::scope::{RecordScope, Visible};
use crm_testkit::db_test;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

db_test!(the_demo_company_is_generated_and_coherent, |app| {
    let core = &app.core;
    let db = &core.db;
    let quiet = |_: u64, _: u64| {};
    let org = crm_service::demo::generate(core, &quiet).await.unwrap();
    assert!(org.users > 10, "{}", org.users);
    let c = crm_service::demo_customers::generate(core, 120, 7, &quiet)
        .await
        .unwrap();
    assert_eq!(c.customers, 120);
    let s = crm_service::demo_sales::generate(core, 120, 7, &quiet)
        .await
        .unwrap();
    assert_eq!(s.orders, 120);
    let m = crm_service::demo_market::generate(core, 80, 7, &quiet)
        .await
        .unwrap();
    assert_eq!(m.leads, 80);
    assert_eq!(lead::Entity::find().count(db).await.unwrap(), 80);
    assert_eq!(
        campaign::Entity::find().count(db).await.unwrap() as usize,
        m.campaigns
    );
    assert_eq!(
        quota::Entity::find().count(db).await.unwrap() as usize,
        m.quotas
    );
    let converted = lead::Entity::find()
        .filter(lead::Column::Status.eq("converted"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(converted.len() as u64, m.converted);
    assert!(!converted.is_empty(), "some demo leads are converted");
    for l in &converted {
        let (Some(customer), Some(at)) = (l.customer_id, l.converted_at) else {
            panic!("converted lead {} without customer or time", l.id);
        };
        assert!(
            l.created_at <= at,
            "lead {} converted before it existed",
            l.id
        );
        // The customer bought after the conversion.
        let later = sales_order::Entity::find()
            .filter(sales_order::Column::CustomerId.eq(customer))
            .filter(sales_order::Column::Status.eq("approved"))
            .filter(sales_order::Column::CreatedAt.gte(at))
            .count(db)
            .await
            .unwrap();
        assert!(
            later > 0,
            "lead {} → customer {customer}: no order after",
            l.id
        );
    }
    let all = RecordScope {
        user_id: 1,
        visible: Visible::All,
        shared: vec![],
    };
    let ids: Vec<i64> = campaign::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let figures = results::figures(
        db,
        &all,
        &ids,
        Include {
            customers: true,
            sales: true,
        },
    )
    .await
    .unwrap();
    let leads_in_campaigns = lead::Entity::find()
        .filter(lead::Column::CampaignId.is_not_null())
        .count(db)
        .await
        .unwrap() as i64;
    assert_eq!(
        figures.values().map(|f| f.leads).sum::<i64>(),
        leads_in_campaigns
    );
    let converted_in_campaigns = converted.iter().filter(|l| l.campaign_id.is_some()).count();
    if converted_in_campaigns > 0 {
        assert!(
            figures.values().any(|f| f.revenue > 0),
            "a campaign whose lead converted shows revenue: {figures:?}"
        );
    }
});
