//! Lead pages through the router: the list (tabs, scope, overdue, remembered view, bulk
//! actions), the form with field errors in both languages, and the lead page (follow-ups,
//! claim / release / assign, convert link, converted state).
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};
use sea_orm::{ActiveModelTrait, Set};

async fn lead_id(app: &TestApp, who: &TestUser, body: serde_json::Value) -> i64 {
    let r = app.post("/api/v1/leads", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn stored(app: &TestApp, id: i64) -> crm_store::leads::Model {
    crm_store::leads::find_any(&app.core.db, id)
        .await
        .unwrap()
        .unwrap()
}

/// The `<tr>` of one lead in a list page.
fn row(html: &str, id: i64) -> Option<String> {
    let start = html.find(&format!("<tr data-id=\"{id}\""))?;
    let end = html[start..].find("</tr>")? + start;
    Some(html[start..end].to_string())
}

db_test!(
    the_list_shows_tabs_scope_overdue_and_remembers_the_view,
    |app| {
        let mgr = app.user("manager", Role::SalesManager, None, None).await;
        let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
        let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
        let mine = lead_id(
            &app,
            &a,
            json!({"name": "甲线索", "company": "星河科技", "next_follow_up": "2026-02-27"}),
        )
        .await;
        let later = lead_id(
            &app,
            &a,
            json!({"name": "乙线索", "next_follow_up": "2026-03-20"}),
        )
        .await;
        let theirs = lead_id(&app, &b, json!({"name": "别人的线索"})).await;
        let pool = lead_id(&app, &mgr, json!({"name": "池中线索", "pool": true})).await;
        let (session, _) = app.browser_login("rep_a", PASSWORD).await;
        let page = app.browser("GET", "/leads?tab=all", &session, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        for id in [mine, later, pool] {
            assert!(row(&page.text, id).is_some(), "lead {id} missing");
        }
        assert!(
            row(&page.text, theirs).is_none(),
            "another rep's lead is hidden"
        );
        assert!(!page.text.contains("别人的线索"));
        // The overdue follow-up is highlighted, the later one is not; the pool lead has a badge.
        let overdue = row(&page.text, mine).unwrap();
        assert!(overdue.contains("table-warning") && overdue.contains("lead-overdue"));
        assert!(!row(&page.text, later).unwrap().contains("lead-overdue"));
        assert!(row(&page.text, pool).unwrap().contains("bi-inbox"));
        assert!(page.text.contains("id=\"tab-mine\"") && page.text.contains("id=\"tab-pool\""));
        // Reps claim from the list but do not assign.
        assert!(page.text.contains("id=\"bulk-claim\""));
        assert!(!page.text.contains("id=\"bulk-distribute\""));
        let page = app.browser("GET", "/leads?tab=pool", &session, None).await;
        assert!(row(&page.text, pool).is_some() && row(&page.text, mine).is_none());
        let page = app
            .browser("GET", "/leads?tab=mine&sort=follow_up", &session, None)
            .await;
        let (m, l) = (
            page.text.find(&format!("data-id=\"{mine}\"")).unwrap(),
            page.text.find(&format!("data-id=\"{later}\"")).unwrap(),
        );
        assert!(m < l, "earliest follow-up first");
        assert!(row(&page.text, pool).is_none());
        // The view is remembered: a plain visit comes back to it.
        let saved = crm_testkit::cookie_pair(&page.cookies(), "crm_view_leads").unwrap();
        let r = app
            .browser("GET", "/leads", &format!("{session}; {saved}"), None)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let to = r.header("location").unwrap();
        assert!(
            to.contains("tab=mine") && to.contains("sort=follow_up"),
            "{to}"
        );
        // Search by company name.
        let page = app
            .browser("GET", "/leads?tab=all&q=%E6%98%9F%E6%B2%B3", &session, None)
            .await;
        assert!(row(&page.text, mine).is_some() && row(&page.text, later).is_none());
    }
);

db_test!(managers_distribute_and_reps_claim_from_the_list, |app| {
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let mut pool = Vec::new();
    for i in 0..5 {
        pool.push(lead_id(&app, &mgr, json!({"name": format!("池{i}"), "pool": true})).await);
    }
    let (session, csrf) = app.browser_login("manager", PASSWORD).await;
    let page = app.browser("GET", "/leads?tab=pool", &session, None).await;
    assert!(page.text.contains("id=\"bulk-distribute\"") && page.text.contains("rep_b"));
    let ids: Vec<String> = pool[..4].iter().map(|i| i.to_string()).collect();
    let (ua, ub) = (a.id.to_string(), b.id.to_string());
    let mut form: Vec<(&str, &str)> = ids.iter().map(|i| ("ids", i.as_str())).collect();
    form.extend([("user_ids", ua.as_str()), ("user_ids", ub.as_str())]);
    // Without the CSRF token nothing moves.
    let r = app
        .browser("POST", "/leads/bulk-assign", &session, Some(&form))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, pool[0]).await.owner_id, None);
    // "Assign" takes exactly one rep.
    let mut assign = form.clone();
    assign.extend([("_csrf", csrf.as_str()), ("op", "assign")]);
    let r = app
        .browser("POST", "/leads/bulk-assign", &session, Some(&assign))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("exactly one rep"), "{}", r.text);
    assert_eq!(stored(&app, pool[0]).await.owner_id, None);
    let mut distribute = form.clone();
    distribute.extend([("_csrf", csrf.as_str()), ("op", "distribute")]);
    let r = app
        .browser("POST", "/leads/bulk-assign", &session, Some(&distribute))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let owners: Vec<Option<i64>> = {
        let mut v = Vec::new();
        for id in &pool {
            v.push(stored(&app, *id).await.owner_id);
        }
        v
    };
    assert_eq!(
        owners,
        vec![Some(a.id), Some(b.id), Some(a.id), Some(b.id), None]
    );
    // A rep claims the last pool lead from the list.
    let (rep, rep_csrf) = app.browser_login("rep_a", PASSWORD).await;
    let last = pool[4].to_string();
    let r = app
        .browser(
            "POST",
            "/leads/bulk-claim",
            &rep,
            Some(&[("_csrf", &rep_csrf), ("ids", &last)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(stored(&app, pool[4]).await.owner_id, Some(a.id));
    // Claiming it again says why it failed.
    let r = app
        .browser(
            "POST",
            &format!("/leads/{last}/claim"),
            &rep,
            Some(&[("_csrf", &rep_csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("already claimed"), "{}", r.text);
});

db_test!(the_form_shows_field_errors_in_both_languages, |app| {
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let page = app.browser("GET", "/leads/new", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("id=\"lead-form\"") && page.text.contains("value=\"pool\""));
    let bad = [
        ("_csrf", csrf.as_str()),
        ("name", ""),
        ("email", "zhang@"),
        ("phone", "12ab"),
        ("status", "converted"),
        ("company", "星河科技"),
    ];
    let r = app.browser("POST", "/leads", &session, Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Please correct the highlighted fields.",
        "This field is required",
        "Not a valid email address",
        "Not a valid phone number",
        "Only converting the lead sets it to converted",
    ] {
        assert!(r.text.contains(msg), "missing {msg}");
    }
    assert!(
        r.text.contains("value=\"星河科技\""),
        "what was typed stays"
    );
    let zh = format!("{session}; crm_lang=zh-CN");
    let r = app.browser("POST", "/leads", &zh, Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "请修正标出的字段。",
        "此项为必填项",
        "邮箱地址无效",
        "电话号码无效",
        "只有转化操作才能将线索设为“已转化”",
    ] {
        assert!(r.text.contains(msg), "missing {msg}");
    }
    let list = app.get("/api/v1/leads", &rep).await.json();
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    // A good submission creates the lead (in the pool when asked) and opens its page.
    let good = [
        ("_csrf", csrf.as_str()),
        ("name", "张伟"),
        ("email", "Zhang@Example.com"),
        ("source", "referral"),
        ("status", "new"),
        ("owner", "pool"),
    ];
    let r = app.browser("POST", "/leads", &session, Some(&good)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = r.header("location").unwrap();
    let id: i64 = to
        .trim_start_matches("/leads/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let m = stored(&app, id).await;
    assert_eq!(m.owner_id, None);
    assert_eq!(m.email_norm.as_deref(), Some("zhang@example.com"));
    // Editing: a stale version is a conflict page, a good one saves.
    let edit = app
        .browser("GET", &format!("/leads/{id}/edit"), &session, None)
        .await;
    assert!(edit.text.contains("name=\"version\" value=\"1\""));
    let mut change = vec![
        ("_csrf", csrf.as_str()),
        ("name", "张伟"),
        ("status", "qualified"),
        ("version", "1"),
    ];
    let r = app
        .browser("POST", &format!("/leads/{id}"), &session, Some(&change))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(stored(&app, id).await.status, "qualified");
    change[2] = ("status", "unqualified");
    let r = app
        .browser("POST", &format!("/leads/{id}"), &session, Some(&change))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(stored(&app, id).await.status, "qualified");
});

db_test!(the_lead_page_works_its_buttons, |app| {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let now = app.core.now();
    let camp = crm_store::entity::campaign::ActiveModel {
        name: Set("春季展会".into()),
        kind: Set("exhibition".into()),
        status: Set("active".into()),
        budget: Set(0),
        actual_cost: Set(0),
        owner_id: Set(admin.id),
        form_enabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id;
    let id = lead_id(
        &app,
        &mgr,
        json!({"name": "王芳", "company": "华信贸易", "campaign_id": camp, "pool": true}),
    )
    .await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/leads/{id}"), &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains(&format!("href=\"/campaigns/{camp}\"")));
    assert!(page.text.contains("春季展会") && page.text.contains("华信贸易"));
    assert!(page.text.contains("id=\"lead-pool-badge\""));
    assert!(page.text.contains("id=\"lead-claim\"") && !page.text.contains("id=\"lead-release\""));
    assert!(page.text.contains(&format!("href=\"/leads/{id}/convert\"")));
    assert!(
        !page.text.contains("id=\"lead-delete\""),
        "reps do not delete"
    );
    assert!(
        !page.text.contains("id=\"assign-form\""),
        "reps do not assign"
    );
    // Claim, log a follow-up, release.
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/claim"),
            &session,
            Some(&[("_csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, id).await.owner_id, Some(a.id));
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/activities"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("kind", "visit"),
                ("occurred_at", "2026-03-02T10:15"),
                ("content", "上门拜访，客户有采购意向"),
                ("next_follow_up", "2026-03-06"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let m = stored(&app, id).await;
    assert_eq!(m.status, "contacting");
    assert_eq!(
        m.next_follow_up.map(|d| d.to_string()).as_deref(),
        Some("2026-03-06")
    );
    assert_eq!(
        m.last_contacted_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-03-02T02:15:00+00:00"),
        "the form's time is Shanghai time"
    );
    let page = app
        .browser("GET", &format!("/leads/{id}"), &session, None)
        .await;
    assert!(page.text.contains("上门拜访，客户有采购意向"));
    assert!(page.text.contains("2026-03-02 10:15"));
    assert!(page.text.contains("id=\"lead-release\"") && page.text.contains("rep_a"));
    // The history card lists the claim, from the pool to the rep.
    let history = &page.text[page.text.find("id=\"history-list\"").expect("history card")..];
    assert!(
        history.contains("Claimed") && history.contains("Pool → rep_a"),
        "{history}"
    );
    // An empty follow-up is shown back with its error.
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/activities"),
            &session,
            Some(&[("_csrf", &csrf), ("kind", "call"), ("content", "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid") && r.text.contains("This field is required"));
    let version = stored(&app, id).await.version.to_string();
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/release"),
            &session,
            Some(&[("_csrf", &csrf), ("version", &version)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, id).await.owner_id, None);
    // The manager assigns from the page.
    let (ms, mcsrf) = app.browser_login("manager", PASSWORD).await;
    let page = app.browser("GET", &format!("/leads/{id}"), &ms, None).await;
    assert!(page.text.contains("id=\"assign-form\""));
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/assign"),
            &ms,
            Some(&[("_csrf", &mcsrf), ("user_id", &a.id.to_string())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(stored(&app, id).await.owner_id, Some(a.id));
    let r = app
        .browser(
            "POST",
            &format!("/leads/{id}/assign"),
            &ms,
            Some(&[("_csrf", &mcsrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Converted: read-only, with links to what it became.
    let mut am: crm_store::entity::lead::ActiveModel = stored(&app, id).await.into();
    am.status = Set("converted".into());
    am.converted_at = Set(Some(now));
    am.customer_id = Set(Some(41));
    am.opportunity_id = Set(Some(42));
    am.update(&app.core.db).await.unwrap();
    let page = app
        .browser("GET", &format!("/leads/{id}"), &session, None)
        .await;
    assert!(page.text.contains("id=\"lead-converted\""));
    assert!(
        page.text.contains("href=\"/customers/41\"")
            && page.text.contains("href=\"/opportunities/42\"")
    );
    for gone in [
        "lead-convert",
        "lead-edit",
        "lead-release",
        "follow-up-form",
    ] {
        assert!(
            !page.text.contains(&format!("id=\"{gone}\"")),
            "{gone} still shown"
        );
    }
    let r = app
        .browser("GET", &format!("/leads/{id}/edit"), &session, None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("has been converted"));
    // Someone outside the scope gets a 404 page.
    app.user("rep_x", Role::SalesRep, None, None).await;
    let (xs, _) = app.browser_login("rep_x", PASSWORD).await;
    let r = app.browser("GET", &format!("/leads/{id}"), &xs, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});
