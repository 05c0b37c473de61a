//! Customer pages through the router: the list as each role sees it, bulk transfer.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, PASSWORD};

db_test!(managers_bulk_transfer_from_the_list_reps_cannot, |app| {
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let mut ids = Vec::new();
    for name in ["甲方科技", "乙方贸易", "丙方制造"] {
        ids.push(
            app.post("/api/v1/customers", &a, json!({"name": name}))
                .await
                .json()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let (rep_session, rep_csrf) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser("GET", "/customers?q=", &rep_session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("甲方科技"));
    assert!(
        !page.text.contains("bulk-transfer-form"),
        "reps get no bulk transfer"
    );
    let (session, csrf) = app.browser_login("manager", PASSWORD).await;
    let page = app.browser("GET", "/customers?q=", &session, None).await;
    assert!(page.text.contains("bulk-transfer-form"));
    // Without the CSRF token nothing moves.
    let id0 = ids[0].to_string();
    let id1 = ids[1].to_string();
    let to = b.id.to_string();
    let r = app
        .browser(
            "POST",
            "/customers/bulk-transfer",
            &session,
            Some(&[("to_user_id", &to), ("ids", &id0)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .browser(
            "POST",
            "/customers/bulk-transfer",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("to_user_id", &to),
                ("ids", &id0),
                ("ids", &id1),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    for (i, id) in ids.iter().enumerate() {
        let owner = app
            .get(&format!("/api/v1/customers/{id}"), &mgr)
            .await
            .json()["owner_id"]
            .as_i64()
            .unwrap();
        assert_eq!(owner, if i < 2 { b.id } else { a.id });
    }
    // A rep posting the form directly cannot move a customer she no longer controls.
    let r = app
        .browser(
            "POST",
            "/customers/bulk-transfer",
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("to_user_id", &a.id.to_string()),
                ("ids", &id0),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

db_test!(the_list_page_filters_and_remembers_the_view, |app| {
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    app.post(
        "/api/v1/customers",
        &rep,
        json!({"name": "软件甲", "industry": "软件"}),
    )
    .await;
    app.post(
        "/api/v1/customers",
        &rep,
        json!({"name": "制造乙", "industry": "制造", "status": "deal"}),
    )
    .await;
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser(
            "GET",
            "/customers?industry=%E8%BD%AF%E4%BB%B6",
            &session,
            None,
        )
        .await;
    assert!(page.text.contains("软件甲") && !page.text.contains("制造乙"));
    // The view is remembered: a plain visit comes back to it.
    let saved = crm_testkit::cookie_pair(&page.cookies(), "crm_view_customers").unwrap();
    let r = app
        .browser("GET", "/customers", &format!("{session}; {saved}"), None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").unwrap().contains("industry="));
    let page = app
        .browser("GET", "/customers?status=deal", &session, None)
        .await;
    assert!(page.text.contains("制造乙") && !page.text.contains("软件甲"));
    let page = app
        .browser("GET", "/customers?q=%E8%BD%AF%E4%BB%B6", &session, None)
        .await;
    assert!(page.text.contains("软件甲") && !page.text.contains("制造乙"));
});
