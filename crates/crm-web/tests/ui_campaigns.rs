//! Campaign pages through the router: the list with figures and chart, the form with field
//! errors in both languages, the campaign page with its results, leads and the public form
//! switch, and who sees which buttons.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_store::entity::{campaign, lead};
use crm_testkit::{db_test, json, TestApp, PASSWORD};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

async fn pool_lead(app: &TestApp, campaign: i64, name: &str) {
    let now = app.core.now();
    lead::ActiveModel {
        name: Set(name.into()),
        campaign_id: Set(Some(campaign)),
        status: Set("new".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
}

async fn campaigns(app: &TestApp) -> u64 {
    campaign::Entity::find().count(&app.core.db).await.unwrap()
}

db_test!(the_list_shows_figures_filters_and_the_chart, |app| {
    let admin = app.admin().await;
    app.user("manager", Role::SalesManager, None, None).await;
    let c = app
        .post(
            "/api/v1/campaigns",
            &admin,
            json!({"name": "秋季展会", "kind": "exhibition", "actual_cost": "900"}),
        )
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    app.post(
        "/api/v1/campaigns",
        &admin,
        json!({"name": "邮件推广", "kind": "email"}),
    )
    .await;
    for n in ["线索一", "线索二", "线索三"] {
        pool_lead(&app, cid, n).await;
    }
    let (session, _) = app.browser_login("manager", PASSWORD).await;
    let page = app.browser("GET", "/campaigns", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("秋季展会") && page.text.contains("邮件推广"));
    let row = page
        .text
        .split(&format!("data-campaign=\"{cid}\""))
        .nth(1)
        .unwrap();
    assert!(row.contains("data-figure=\"leads\">3<"), "{row}");
    assert!(row.contains("¥900.00"), "{row}");
    assert!(row.contains("-100.00%"), "no revenue yet: {row}");
    assert!(page.text.contains("id=\"campaigns-chart\""));
    assert!(page.text.contains("id=\"new-campaign\""), "managers create");
    let filtered = app
        .browser("GET", "/campaigns?kind=email", &session, None)
        .await;
    assert!(filtered.text.contains("邮件推广"));
    assert!(!filtered.text.contains("秋季展会"));
    // In Chinese.
    let zh = app
        .browser(
            "GET",
            "/campaigns",
            &format!("{session}; crm_lang=zh-CN"),
            None,
        )
        .await;
    assert!(zh.text.contains("市场活动") && zh.text.contains("展会"));
    assert!(zh.text.contains("投资回报率"));
    // Without market rights the page is refused.
    app.user("service_1", Role::ServiceStaff, None, None).await;
    let (other, _) = app.browser_login("service_1", PASSWORD).await;
    let r = app.browser("GET", "/campaigns", &other, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(the_form_shows_field_errors_in_both_languages, |app| {
    app.user("manager", Role::SalesManager, None, None).await;
    let (session, csrf) = app.browser_login("manager", PASSWORD).await;
    let page = app.browser("GET", "/campaigns/new", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("id=\"campaign-form\""));
    let bad = [
        ("_csrf", csrf.as_str()),
        ("name", ""),
        ("kind", "seminar"),
        ("status", "planned"),
        ("starts_on", "2026-05-10"),
        ("ends_on", "2026-05-01"),
        ("budget", "-3"),
        ("actual_cost", "0"),
        ("expected_leads", "abc"),
    ];
    let r = app
        .browser("POST", "/campaigns", &session, Some(&bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("This field is required"), "{}", r.text);
    assert!(r.text.contains("Must not be before the start date"));
    assert!(r.text.contains("Must not be negative"));
    assert!(r.text.contains("value=\"2026-05-10\""), "typed values stay");
    let zh = app
        .browser(
            "POST",
            "/campaigns",
            &format!("{session}; crm_lang=zh-CN"),
            Some(&bad),
        )
        .await;
    assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(zh.text.contains("不能早于开始日期"), "{}", zh.text);
    assert!(zh.text.contains("不能为负数"));
    // Without the CSRF token nothing happens either.
    let r = app
        .browser("POST", "/campaigns", &session, Some(&[("name", "无令牌")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(campaigns(&app).await, 0);

    let good = [
        ("_csrf", csrf.as_str()),
        ("name", "春季研讨会"),
        ("kind", "seminar"),
        ("status", "active"),
        ("starts_on", "2026-05-01"),
        ("ends_on", "2026-05-02"),
        ("budget", "5,000"),
        ("actual_cost", "4800.5"),
        ("expected_leads", "40"),
    ];
    let r = app
        .browser("POST", "/campaigns", &session, Some(&good))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.header("location").unwrap();
    assert!(location.starts_with("/campaigns/"), "{location}");
    let page = app.browser("GET", &location, &session, None).await;
    assert!(page.text.contains("春季研讨会"));
    assert!(page.text.contains("¥5,000.00") && page.text.contains("¥4,800.50"));
    assert_eq!(campaigns(&app).await, 1);
});

db_test!(
    the_campaign_page_shows_results_and_switches_the_form,
    |app| {
        let mgr = app.user("manager", Role::SalesManager, None, None).await;
        app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
        let c = app
            .post(
                "/api/v1/campaigns",
                &mgr,
                json!({"name": "线上广告", "kind": "online_ad", "actual_cost": "600",
                   "expected_leads": 4}),
            )
            .await
            .json();
        let cid = c["id"].as_i64().unwrap();
        pool_lead(&app, cid, "张三").await;
        pool_lead(&app, cid, "李四").await;
        let (session, csrf) = app.browser_login("manager", PASSWORD).await;
        let path = format!("/campaigns/{cid}");
        let page = app.browser("GET", &path, &session, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let fig = |html: &str, id: &str| {
            html.split(&format!("data-figure=\"{id}\""))
                .nth(1)
                .and_then(|s| s.split("data-value>").nth(1))
                .and_then(|s| s.split('<').next())
                .unwrap()
                .to_string()
        };
        assert_eq!(fig(&page.text, "leads"), "2");
        assert_eq!(fig(&page.text, "cost_per_lead"), "¥300.00");
        assert_eq!(fig(&page.text, "roi"), "-100.00%");
        assert!(page.text.contains("50.00%"), "2 of 4 expected leads");
        assert!(page.text.contains("id=\"campaign-funnel\""));
        assert!(page.text.contains("张三") && page.text.contains("李四"));
        assert!(page
            .text
            .contains(&format!("href=\"/leads?campaign={cid}\"")));
        assert!(page.text.contains("id=\"form-enable\""));
        assert!(!page.text.contains("id=\"form-url\""));

        // Switching on: a public link and an embeddable snippet.
        let r = app
            .browser(
                "POST",
                &format!("{path}/form"),
                &session,
                Some(&[("_csrf", &csrf), ("version", "1"), ("action", "enable")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = app.browser("GET", &path, &session, None).await;
        let url = page
            .text
            .split("id=\"form-url\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        assert!(url.contains("/f/"), "{url}");
        let key = url.rsplit('/').next().unwrap().to_string();
        assert_eq!(key.len(), 64);
        let snippet = page
            .text
            .split("id=\"form-embed\"")
            .nth(1)
            .unwrap()
            .split("</textarea>")
            .next()
            .unwrap()
            .to_string();
        assert!(
            snippet.contains("&#60;iframe src=&#34;") && snippet.contains(&url),
            "escaped snippet: {snippet}"
        );
        assert!(
            page.text.contains("id=\"form-disable\"")
                && page.text.contains("id=\"form-regenerate\"")
        );
        let public = app.browser("GET", &format!("/f/{key}"), "", None).await;
        assert_eq!(public.status, StatusCode::OK);

        // A new link retires the old one.
        let r = app
            .browser(
                "POST",
                &format!("{path}/form"),
                &session,
                Some(&[("_csrf", &csrf), ("version", "2"), ("action", "regenerate")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app.browser("GET", &format!("/f/{key}"), "", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A stale button is a conflict, switching off works.
        let r = app
            .browser(
                "POST",
                &format!("{path}/form"),
                &session,
                Some(&[("_csrf", &csrf), ("version", "2"), ("action", "disable")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .browser(
                "POST",
                &format!("{path}/form"),
                &session,
                Some(&[("_csrf", &csrf), ("version", "3"), ("action", "disable")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app.browser("GET", &path, &session, None).await;
        assert!(page.text.contains("id=\"form-enable\""));

        // A rep reads the page but gets no buttons; another manager may not switch the form.
        let (rep, rep_csrf) = app.browser_login("rep_a", PASSWORD).await;
        let page = app.browser("GET", &path, &rep, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("线上广告"));
        assert!(!page.text.contains("id=\"form-enable\""));
        assert!(!page.text.contains("id=\"campaign-edit\""));
        let r = app
            .browser("GET", &format!("{path}/edit"), &rep, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .browser(
                "POST",
                &format!("{path}/form"),
                &rep,
                Some(&[("_csrf", &rep_csrf), ("version", "4"), ("action", "enable")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let zh = app
            .browser("GET", &path, &format!("{session}; crm_lang=zh-CN"), None)
            .await;
        assert!(zh.text.contains("公开表单") && zh.text.contains("线索池"));
        let missing = app
            .browser("GET", "/campaigns/999999", &session, None)
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);
