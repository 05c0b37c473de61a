//! The sales panel of the customer page: what the customer bought, owes and cost, and the
//! sales records around it — each list in the viewer's scope, on both databases.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_testkit::{db_test, json, PASSWORD};
use orders_fixture::{approved, fx, line, pay};

db_test!(customer_page_sales_panel_in_scope, |app| {
    let f = fx(&app).await;
    // One approved order of 2 × P-001 (¥1,000.00) + 1 × P-003 (¥99.99), half paid.
    let o = approved(&app, &f, json!([line(f.p1, "2"), line(f.p3, "1")])).await;
    let order_id = o["id"].as_i64().unwrap();
    let number = o["number"].as_str().unwrap().to_string();
    assert_eq!(o["total"], "2099.99");
    let r = pay(&app, &f.a, order_id, "1000").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app
        .post(
            "/api/v1/opportunities",
            &f.a,
            json!({"customer_id": f.cust, "name": "二期扩容", "amount": "50000", "stage_id": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app
        .post(
            "/api/v1/expenses",
            &f.a,
            json!({"customer_id": f.cust, "category": "travel", "amount": "320"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let path = format!("/customers/{}/sales", f.cust);
    let zh = app
        .browser("GET", &path, &format!("{session}; crm_lang=zh-CN"), None)
        .await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.text);
    let t = &zh.text;
    assert!(
        t.contains("购买记录") && t.contains("未收款"),
        "Chinese labels"
    );
    assert!(t.contains(&number), "the order is listed");
    assert!(t.contains("¥2,099.99"), "purchased total");
    assert!(t.contains("¥1,099.99"), "outstanding");
    assert!(t.contains("¥1,000.00"), "paid");
    assert!(t.contains("二期扩容"), "the opportunity");
    assert!(t.contains("¥320.00"), "the expense");
    assert!(t.contains("产品 P-001 × 2"), "purchase record line");
    let en = app
        .browser("GET", &path, &format!("{session}; crm_lang=en"), None)
        .await;
    assert!(en.text.contains("Purchase record") && en.text.contains("Outstanding"));
    // The customer page loads the panel.
    let page = app
        .browser("GET", &format!("/customers/{}", f.cust), &session, None)
        .await;
    assert!(page.text.contains(&format!("hx-get=\"{path}\"")));

    // The manager sees it; a peer and another team get a 404, not the panel.
    let (m_session, _) = app.browser_login("mgr_m", PASSWORD).await;
    let r = app.browser("GET", &path, &m_session, None).await;
    assert!(r.text.contains(&number));
    for who in ["rep_b", "rep_c", "mgr_n"] {
        let (s, _) = app.browser_login(who, PASSWORD).await;
        let r = app.browser("GET", &path, &s, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!r.text.contains(&number), "{who} must not see the order");
    }
});
