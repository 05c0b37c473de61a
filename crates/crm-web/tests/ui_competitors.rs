//! Competitor pages through the router: the list with its figures, form errors in English
//! and Chinese, the competitor page with its record, and the competitors panel of the
//! opportunity page (add and remove through the htmx endpoints).
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};
use serde_json::Value;

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

async fn stage(app: &TestApp, who: &TestUser) -> i64 {
    let stages = app
        .get("/api/v1/pipeline-stages?include_inactive=true", who)
        .await
        .json();
    stages["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "proposal")
        .map(id)
        .unwrap()
}

/// A customer and an opportunity of `who` for `amount`.
async fn opportunity(app: &TestApp, who: &TestUser, name: &str, amount: i64) -> i64 {
    let customer = id(&app
        .post(
            "/api/v1/customers",
            who,
            json!({"name": format!("{name} 客户")}),
        )
        .await
        .json());
    let stage = stage(app, who).await;
    let r = app
        .post(
            "/api/v1/opportunities",
            who,
            json!({"customer_id": customer, "name": name, "amount": amount, "stage_id": stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id(&r.json())
}

async fn links(app: &TestApp, who: &TestUser, opp: i64) -> Vec<i64> {
    app.get(&format!("/api/v1/opportunities/{opp}/competitors"), who)
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["competitor_id"].as_i64().unwrap())
        .collect()
}

async fn competitor_count(app: &TestApp, who: &TestUser) -> usize {
    app.get("/api/v1/competitors?limit=200", who).await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

db_test!(list_and_form_with_errors_in_both_languages, |app| {
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let mkt = app.user("marketer", Role::Marketing, None, None).await;
    app.user("service", Role::ServiceStaff, None, None).await;
    let acme = id(&app
        .post(
            "/api/v1/competitors",
            &rep,
            json!({"name": "Acme", "website": "acme.example.com", "products": "ERP 套件\n第二行"}),
        )
        .await
        .json());
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;

    let page = app.browser("GET", "/competitors", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(&format!("href=\"/competitors/{acme}\"")));
    assert!(page.text.contains("https://acme.example.com"));
    assert!(page.text.contains("ERP 套件") && !page.text.contains("第二行"));
    assert!(
        page.text.contains("id=\"competitor-new\""),
        "reps may create"
    );
    assert!(page.text.contains("data-win-rate"), "reps see the figures");
    let page = app
        .browser("GET", "/competitors?q=zzz", &session, None)
        .await;
    assert!(!page.text.contains(&format!("/competitors/{acme}\"")));

    // Bad input: the form again, 422, the messages next to the fields, nothing written.
    let form = |name: &'static str, website: &'static str, csrf: String| {
        vec![
            ("_csrf", csrf),
            ("name", name.to_string()),
            ("website", website.to_string()),
            ("strengths", "长".repeat(5001)),
        ]
    };
    let post = |cookies: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.browser("POST", "/competitors", &cookies, Some(&pairs))
                .await
        }
    };
    let r = post(session.clone(), form("ACME", "not a url", csrf.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text
            .contains("A competitor with this name already exists"),
        "{}",
        r.text
    );
    assert!(r.text.contains("Not a valid web address"));
    assert!(r.text.contains("At most 5000 characters"));
    assert!(r.text.contains("value=\"ACME\""), "what was typed stays");
    let zh = format!("{session}; crm_lang=zh-CN");
    let r = post(zh.clone(), form("ACME", "not a url", csrf.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("已存在同名的竞争对手"), "{}", r.text);
    assert!(r.text.contains("网址无效"));
    assert!(r.text.contains("最多 5000 个字符"));
    assert!(r.text.contains("新建竞争对手"));
    let r = post(zh, form("", "", csrf.clone())).await;
    assert!(r.text.contains("此项为必填项"));
    assert_eq!(competitor_count(&app, &rep).await, 1);
    // Without the CSRF token nothing is written either.
    let r = post(session.clone(), form("Beta", "", String::new())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(competitor_count(&app, &rep).await, 1);

    // Create, edit and (as marketing) delete through the forms.
    let r = app
        .browser(
            "POST",
            "/competitors",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("name", "Beta 软件"),
                ("market_share", "10%"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.header("location").unwrap();
    let beta: i64 = location
        .trim_start_matches("/competitors/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let edit = app
        .browser("GET", &format!("/competitors/{beta}/edit"), &session, None)
        .await;
    assert!(edit.text.contains("value=\"Beta 软件\""));
    let r = app
        .browser(
            "POST",
            &format!("/competitors/{beta}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "Beta"),
                ("market_share", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let v = app
        .get(&format!("/api/v1/competitors/{beta}"), &rep)
        .await
        .json();
    assert_eq!(v["name"], "Beta");
    assert_eq!(v["market_share"], Value::Null);
    let page = app
        .browser("GET", &format!("/competitors/{beta}"), &session, None)
        .await;
    assert!(
        !page.text.contains("id=\"competitor-delete\""),
        "reps do not delete"
    );
    let (mkt_session, mkt_csrf) = app.browser_login("marketer", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/competitors/{beta}"), &mkt_session, None)
        .await;
    assert!(page.text.contains("id=\"competitor-delete\""));
    assert!(
        !page.text.contains("id=\"competitor-record\""),
        "no sales rights, no record"
    );
    let r = app
        .browser(
            "POST",
            &format!("/competitors/{beta}/delete"),
            &mkt_session,
            Some(&[("_csrf", &mkt_csrf), ("version", "2")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/api/v1/competitors/{beta}"), &mkt)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // No market rights: no page.
    let (staff_session, _) = app.browser_login("service", PASSWORD).await;
    let r = app
        .browser("GET", "/competitors", &staff_session, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(competitor_page_shows_the_record_in_scope, |app| {
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let x = id(&app
        .post(
            "/api/v1/competitors",
            &a,
            json!({"name": "华为云", "strengths": "品牌强"}),
        )
        .await
        .json());
    let won = opportunity(&app, &a, "ERP 一期", 5000).await;
    let lost = opportunity(&app, &a, "ERP 二期", 3000).await;
    let other = opportunity(&app, &b, "乙方 CRM", 7000).await;
    for (who, opp) in [(&a, won), (&a, lost), (&b, other)] {
        let r = app
            .post(
                &format!("/api/v1/opportunities/{opp}/competitors"),
                who,
                json!({"competitor_id": x, "their_price": "4800"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    for (who, opp, outcome) in [(&a, won, "won"), (&a, lost, "lost"), (&b, other, "won")] {
        let r = app
            .post(
                &format!("/api/v1/opportunities/{opp}/close"),
                who,
                json!({"outcome": outcome, "reason": "价格"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/competitors/{x}"), &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("品牌强"));
    // A: one won (5000), one lost (3000): 50.0 %; B's opportunity is not hers.
    assert!(
        page.text.contains("id=\"competitor-win-rate\">50.0%<"),
        "{}",
        page.text
    );
    assert!(page.text.contains("ERP 一期") && page.text.contains("ERP 二期"));
    assert!(!page.text.contains("乙方 CRM"));
    assert!(page.text.contains("¥4,800.00"), "their price");
    assert!(page.text.contains("¥5,000.00") && page.text.contains("¥3,000.00"));
    assert!(page.text.contains("data-echart"), "the quarter chart");
    assert!(page.text.contains("2026-Q1"));
    // The manager sees both reps: 2 won of 3 → 66.7 %.
    let (mgr_session, _) = app.browser_login("manager", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/competitors/{x}"), &mgr_session, None)
        .await;
    assert!(page.text.contains("id=\"competitor-win-rate\">66.7%<"));
    assert!(page.text.contains("乙方 CRM"));
    let list = app.browser("GET", "/competitors", &mgr_session, None).await;
    assert!(list.text.contains("data-win-rate>66.7%<"), "{}", list.text);
    assert!(list.text.contains("data-linked>3<"));
    let list = app.browser("GET", "/competitors", &session, None).await;
    assert!(list.text.contains("data-linked>2<"));
    // Unknown competitor: 404 page.
    let r = app
        .browser("GET", "/competitors/999999", &session, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

db_test!(opportunity_panel_adds_and_removes_competitors, |app| {
    let a = app.user("rep_a", Role::SalesRep, None, None).await;
    let b = app.user("rep_b", Role::SalesRep, None, None).await;
    let x = id(&app
        .post("/api/v1/competitors", &a, json!({"name": "华为云"}))
        .await
        .json());
    let y = id(&app
        .post("/api/v1/competitors", &a, json!({"name": "阿里云"}))
        .await
        .json());
    let opp = opportunity(&app, &a, "ERP 一期", 100_000).await;
    let theirs = opportunity(&app, &b, "乙方 CRM", 100).await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;

    // The opportunity page loads the panel with htmx.
    let page = app
        .browser("GET", &format!("/opportunities/{opp}"), &session, None)
        .await;
    assert!(page.text.contains(&format!(
        "hx-get=\"/opportunities/{opp}/competitors\" hx-trigger=\"load\""
    )));
    let panel_path = format!("/opportunities/{opp}/competitors");
    let panel = app.browser("GET", &panel_path, &session, None).await;
    assert_eq!(panel.status, StatusCode::OK);
    assert!(panel.text.contains("id=\"competitors-panel\""));
    assert!(panel.text.contains("id=\"competitors-none\""));
    assert!(panel.text.contains(&format!("<option value=\"{x}\"")));
    assert!(panel.text.contains(&format!("hx-post=\"{panel_path}\"")));

    // Add: the answer is the new panel.
    let xs = x.to_string();
    let r = app
        .browser(
            "POST",
            &panel_path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("competitor_id", &xs),
                ("their_price", "98,000"),
                ("notes", "报价低 10%"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains(&format!("data-linked-competitor=\"{x}\"")));
    assert!(r.text.contains("¥98,000.00") && r.text.contains("报价低 10%"));
    assert!(
        !r.text.contains(&format!("<option value=\"{x}\"")),
        "no longer offered"
    );
    assert_eq!(links(&app, &a, opp).await, [x]);
    // Refused input: the panel with the messages and what was typed, nothing written.
    let ys = y.to_string();
    let r = app
        .browser(
            "POST",
            &panel_path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("competitor_id", &ys),
                ("their_price", "-3"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Must not be negative"), "{}", r.text);
    assert!(r.text.contains("value=\"-3\""));
    assert!(r.text.contains(&format!("<option value=\"{y}\" selected")));
    let r = app
        .browser(
            "POST",
            &panel_path,
            &format!("{session}; crm_lang=zh-CN"),
            Some(&[("_csrf", &csrf), ("competitor_id", &xs)]),
        )
        .await;
    assert!(
        r.text.contains("该竞争对手已关联到此销售机会"),
        "{}",
        r.text
    );
    let r = app
        .browser(
            "POST",
            &panel_path,
            &session,
            Some(&[("_csrf", &csrf), ("competitor_id", "")]),
        )
        .await;
    assert!(r.text.contains("This field is required"));
    assert_eq!(links(&app, &a, opp).await, [x]);
    // Without a token nothing happens; the htmx header token is accepted.
    let r = app
        .browser(
            "POST",
            &panel_path,
            &session,
            Some(&[("competitor_id", &ys)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(links(&app, &a, opp).await, [x]);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(&panel_path)
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .header("hx-request", "true")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("competitor_id={y}")))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(links(&app, &a, opp).await, [x, y]);

    // Remove.
    let r = app
        .browser(
            "POST",
            &format!("{panel_path}/{x}/delete"),
            &session,
            Some(&[("_csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!r.text.contains(&format!("data-linked-competitor=\"{x}\"")));
    assert!(
        r.text.contains(&format!("<option value=\"{x}\"")),
        "offered again"
    );
    assert_eq!(links(&app, &a, opp).await, [y]);
    let r = app
        .browser(
            "POST",
            &format!("{panel_path}/{x}/delete"),
            &session,
            Some(&[("_csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Someone else's opportunity: 404 for the panel and its actions, nothing written.
    let other = format!("/opportunities/{theirs}/competitors");
    assert_eq!(
        app.browser("GET", &other, &session, None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .browser(
            "POST",
            &other,
            &session,
            Some(&[("_csrf", &csrf), ("competitor_id", &xs)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(links(&app, &b, theirs).await.is_empty());
});
