//! The lead conversion page through the router: what it shows (the lead, visible and
//! hidden duplicates, the choices), its errors on fields, and a conversion that lands on
//! the customer page.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::dedupe::{company_key, phone_key};
use crm_domain::Role;
use crm_store::entity::lead;
use crm_testkit::{db_test, json, TestApp, PASSWORD};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

async fn add_lead(app: &TestApp, name: &str, company: &str, phone: &str, owner: i64) -> i64 {
    let now = app.core.now();
    lead::ActiveModel {
        name: Set(name.into()),
        company: Set(Some(company.into())),
        phone: Set(Some(phone.into())),
        phone_norm: Set(phone_key(phone)),
        company_norm: Set(company_key(company)),
        title: Set(Some("总经理".into())),
        status: Set("qualified".into()),
        owner_id: Set(Some(owner)),
        notes: Set(Some("展会名片".into())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id
}

async fn lead_status(app: &TestApp, id: i64) -> String {
    lead::Entity::find_by_id(id)
        .one(&app.core.db)
        .await
        .unwrap()
        .unwrap()
        .status
}

db_test!(the_conversion_page_shows_duplicates_and_converts, |app| {
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, None).await;
    let seen = app
        .post(
            "/api/v1/customers",
            &a,
            json!({"name": "南京可见科技有限公司"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/customers",
        &b,
        json!({"name": "苏州隐藏贸易有限公司", "phone": "025-8123 4567"}),
    )
    .await;
    let id = add_lead(&app, "钱多多", "南京可见科技", "025 8123 4567", a.id).await;
    let path = format!("/leads/{id}/convert");
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;

    let page = app.browser("GET", &path, &session, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let t = &page.text;
    assert!(t.contains("钱多多") && t.contains("展会名片") && t.contains("总经理"));
    assert!(
        t.contains(&format!("href=\"/customers/{seen}\"")),
        "visible match links"
    );
    assert!(t.contains("A matching customer exists, owned by rep_b"));
    assert!(
        !t.contains("苏州隐藏贸易"),
        "nothing of the hidden customer"
    );
    assert!(t.contains(&format!("id=\"choice-link-{seen}\"")));
    assert!(t.contains(&format!("id=\"choice-merge-{seen}\"")));
    assert!(t.contains("id=\"choice-create\""));
    assert!(t.contains("name=\"force\" value=\"1\""));
    assert!(t.contains("id=\"conversion-opportunity\""));

    // Without the CSRF token nothing happens.
    let r = app
        .browser("POST", &path, &session, Some(&[("choice", "create")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An opportunity without a stage: the error is shown on the field.
    let link = format!("link:{seen}");
    let r = app
        .browser(
            "POST",
            &path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("choice", &link),
                ("with_opportunity", "1"),
                ("opp_name", "钱多多的项目"),
                ("opp_amount", "5000"),
                ("opp_stage_id", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    assert!(r.text.contains("This field is required"));
    assert!(r.text.contains("钱多多的项目"), "typed values are kept");
    assert_eq!(lead_status(&app, id).await, "qualified");

    // Link with an opportunity: to the customer page with a toast.
    let stage = crm_store::pipeline::list(&app.core.db, true)
        .await
        .unwrap()
        .remove(0)
        .id
        .to_string();
    let r = app
        .browser(
            "POST",
            &path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("choice", &link),
                ("force", "1"),
                ("with_opportunity", "1"),
                ("opp_name", "钱多多的项目"),
                ("opp_amount", "5000"),
                ("opp_stage_id", &stage),
                ("opp_expected_close", "2026-05-01"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = r.header("location").unwrap();
    assert_eq!(to, format!("/customers/{seen}?flash=created"));
    assert_eq!(lead_status(&app, id).await, "converted");
    let customer_page = app.browser("GET", &to, &session, None).await;
    assert_eq!(customer_page.status, StatusCode::OK);
    assert!(
        customer_page.text.contains("钱多多"),
        "the new contact is listed"
    );
    assert!(customer_page.text.contains("data-toast=\"success\""));
    let opps = crm_store::opportunities::find_any(&app.core.db, 1)
        .await
        .unwrap();
    assert_eq!(
        opps.map(|o| (o.customer_id, o.amount)),
        Some((seen, 500_000))
    );

    // Converted: the page says so and offers no form.
    let page = app.browser("GET", &path, &session, None).await;
    assert!(page.text.contains("already been converted"));
    assert!(!page.text.contains("id=\"conversion-form\""));
    assert!(page.text.contains(&format!("href=\"/customers/{seen}\"")));
    let r = app
        .browser(
            "POST",
            &path,
            &session,
            Some(&[("_csrf", &csrf), ("choice", "create")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Another rep's lead is not there at all; in Chinese the page speaks Chinese.
    let (b_session, _) = app.browser_login("rep_b", PASSWORD).await;
    let r = app.browser("GET", &path, &b_session, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = add_lead(&app, "孙小美", "杭州新线索", "13500001111", a.id).await;
    let zh = format!("{session}; crm_lang=zh-CN");
    let page = app
        .browser("GET", &format!("/leads/{other}/convert"), &zh, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("线索转化") && page.text.contains("新建客户"));
    assert!(page.text.contains("没有电话、邮箱或公司名称相同"));
});

db_test!(
    duplicates_found_on_submit_are_shown_instead_of_converting,
    |app| {
        let a = app.user("rep_a", Role::SalesRep, None, None).await;
        let id = add_lead(&app, "李雷", "无锡后到电子", "13600002222", a.id).await;
        let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
        let path = format!("/leads/{id}/convert");
        let page = app.browser("GET", &path, &session, None).await;
        assert!(!page.text.contains("name=\"force\""), "no duplicates yet");
        // Someone adds the same company before the form is sent.
        let c = app
            .post(
                "/api/v1/customers",
                &a,
                json!({"name": "无锡后到电子有限公司"}),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .browser(
                "POST",
                &path,
                &session,
                Some(&[("_csrf", &csrf), ("choice", "create")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text.contains("Matching customers or contacts were found"));
        assert!(r.text.contains(&format!("id=\"choice-link-{c}\"")));
        assert!(r.text.contains("name=\"force\" value=\"1\""));
        assert_eq!(lead_status(&app, id).await, "qualified");
    }
);
