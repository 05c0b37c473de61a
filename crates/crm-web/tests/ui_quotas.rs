//! The quotas page and the home card through the router on both databases: both
//! languages, progress bars coloured by percent, the bulk-entry grid (all rows or none,
//! errors next to the row, CSRF), and who sees what.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_domain::Role;
use crm_store::entity::quota;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};
use orders_fixture::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn set(app: &TestApp, who: &TestUser, user: i64, metric: &str, period: &str, target: &str) {
    let r = app
        .api(
            "PUT",
            "/api/v1/quotas",
            Some(&who.token),
            Some(json!({"user_id": user, "metric": metric, "period": period,
                        "date": "2026-03-02", "target": target})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

/// b's approved order of `price` for a customer of b's own.
async fn approved_for_b(app: &TestApp, f: &Fx, price: &str) {
    let cust = customer(app, &f.b, "乙方客户").await;
    let o = create(
        app,
        &f.b,
        cust,
        json!([{ "product_id": f.p1, "quantity": "1", "unit_price": price }]),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    submit(app, &f.b, id).await;
    approve(app, &f.m, id).await;
}

async fn quotas_in_db(app: &TestApp) -> Vec<(Option<i64>, String, i64)> {
    quota::Entity::find()
        .order_by_asc(quota::Column::UserId)
        .all(&app.core.db)
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.user_id, q.period_kind, q.target))
        .collect()
}

db_test!(
    quota_page_renders_in_both_languages_with_coloured_bars,
    |app| {
        let f = fx(&app).await;
        set(&app, &f.m, f.a.id, "sales_amount", "month", "1000").await;
        set(&app, &f.m, f.b.id, "sales_amount", "month", "1500").await;
        set(&app, &f.n, f.c.id, "sales_amount", "month", "1000").await;
        approved_for(&app, &f, "1200.00").await; // a: 120.0 %
        approved_for_b(&app, &f, "1000.00").await; // b: 66.7 %
        let (session, _) = app.browser_login("mgr_m", PASSWORD).await;
        let r = app
            .browser(
                "GET",
                "/quotas?period=month&date=2026-03-10",
                &session,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = &r.text;
        for text in [
            "Quotas",
            "Ranking",
            "Team total",
            "Target vs actual per person",
            "Set targets",
            "2026-03",
        ] {
            assert!(page.contains(text), "lacks {text}");
        }
        assert!(
            page.contains("120.0 %") && page.contains("bg-success"),
            "a over target: green"
        );
        assert!(
            page.contains("66.7 %") && page.contains("bg-warning"),
            "b over 60 %: amber"
        );
        assert!(page.contains("¥1,200.00") && page.contains("¥1,000.00"));
        assert!(page.contains("id=\"quotas-chart\"") && page.contains("data-echart"));
        // Team: 2200.00 of 2500.00 = 88.0 %.
        assert!(page.contains("88.0 %"), "team total");
        // Ranking order: a before b; c (another team) absent.
        let (pa, pb) = (page.find(">rep_a<").unwrap(), page.find(">rep_b<").unwrap());
        assert!(pa < pb, "a ranks first");
        assert!(!page.contains("rep_c"));
        // The grid offers m's reps (not m), with current targets.
        assert!(page.contains(&format!("name=\"t:user:{}\"", f.a.id)));
        assert!(page.contains(&format!("name=\"t:user:{}\"", f.b.id)));
        assert!(!page.contains(&format!("name=\"t:user:{}\"", f.m.id)));
        assert!(page.contains("value=\"1000.00\""));
        // Chinese.
        let zh = format!("{session}; crm_lang=zh-CN");
        let r = app
            .browser(
                "GET",
                "/quotas?period=month&date=2026-03-10&metric=sales_amount",
                &zh,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for text in ["销售定额", "完成率排名", "团队合计", "设定目标", "销售额"]
        {
            assert!(r.text.contains(text), "zh lacks {text}");
        }
        // The other metrics and periods render (no targets yet).
        let r = app
            .browser(
                "GET",
                "/quotas?period=year&metric=new_customers",
                &session,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("No targets are set for this period yet."));
        // A rep sees only themself and no grid.
        let (rep, _) = app.browser_login("rep_a", PASSWORD).await;
        let r = app
            .browser("GET", "/quotas?date=2026-03-10", &rep, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains(">rep_a<") && !r.text.contains(">rep_b<"));
        assert!(
            !r.text.contains("id=\"quotas-entry-form\""),
            "reps set no targets"
        );
        assert!(!r.text.contains("id=\"quotas-total\""));
    }
);

db_test!(bulk_entry_writes_every_row_or_none, |app| {
    let f = fx(&app).await;
    let (session, csrf) = app.browser_login("mgr_m", PASSWORD).await;
    let names = [f.a.id, f.b.id, f.c.id, f.m.id].map(|id| format!("t:user:{id}"));
    let [a, b, c, m] = [0, 1, 2, 3].map(|i| names[i].as_str());
    let post = |fields: Vec<(&str, &str)>| {
        let mut form: Vec<(&str, &str)> = vec![
            ("_csrf", csrf.as_str()),
            ("period", "quarter"),
            ("date", "2026-03-02"),
            ("metric", "sales_amount"),
        ];
        form.extend(fields);
        let owned: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let app = &app;
        let session = session.clone();
        async move {
            let pairs: Vec<(&str, &str)> = owned
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.browser("POST", "/quotas", &session, Some(&pairs)).await
        }
    };
    // One bad row: nothing is written, the error sits next to that row.
    let r = post(vec![(a, "5000"), (b, "-1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Some rows are invalid; nothing was saved."));
    assert!(r.text.contains("Must not be negative"));
    assert!(r.text.contains("value=\"-1\""), "the typed values stay");
    assert!(quotas_in_db(&app).await.is_empty());
    // Another team's rep, one's own row, nonsense: refused, nothing written.
    for (field, text, message) in [
        (c, "100", "Not in your team"),
        (m, "100", "Your own targets are set by your manager"),
        (a, "abc", "Enter an amount"),
    ] {
        let r = post(vec![(b, "10"), (field, text)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(r.text.contains(message), "{field}: {message}");
        assert!(quotas_in_db(&app).await.is_empty(), "{field}");
    }
    // All good: both written, back to the same period with a toast.
    let r = post(vec![(a, "5000"), (b, "2,500.50")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.header("location").unwrap(),
        "/quotas?period=quarter&date=2026-01-01&metric=sales_amount&flash=saved"
    );
    assert_eq!(
        quotas_in_db(&app).await,
        vec![
            (Some(f.a.id), "quarter".to_string(), 500_000),
            (Some(f.b.id), "quarter".to_string(), 250_050)
        ]
    );
    let page = app
        .browser(
            "GET",
            "/quotas?period=quarter&date=2026-01-01&metric=sales_amount&flash=saved",
            &session,
            None,
        )
        .await;
    assert!(page.text.contains("Saved"));
    assert!(page.text.contains("value=\"5000.00\"") && page.text.contains("value=\"2500.50\""));
    // A blank row removes that target; the other stays as it was.
    let r = post(vec![(a, ""), (b, "2500.50")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        quotas_in_db(&app).await,
        vec![(Some(f.b.id), "quarter".to_string(), 250_050)]
    );
    let b_quota = quota::Entity::find()
        .filter(quota::Column::UserId.eq(f.b.id))
        .one(&app.core.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b_quota.version, 1, "an unchanged row is not rewritten");
    // No CSRF token: 403, nothing changes. A rep may not save at all.
    let r = app
        .browser(
            "POST",
            "/quotas",
            &session,
            Some(&[("period", "quarter"), (a, "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (rep, rep_csrf) = app.browser_login("rep_a", PASSWORD).await;
    let r = app
        .browser(
            "POST",
            "/quotas",
            &rep,
            Some(&[
                ("_csrf", rep_csrf.as_str()),
                ("period", "quarter"),
                (b, "1"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(quotas_in_db(&app).await.len(), 1);
});

db_test!(home_card_shows_my_quota_and_the_team_total, |app| {
    let f = fx(&app).await;
    set(&app, &f.m, f.a.id, "sales_amount", "month", "2000").await;
    set(&app, &f.m, f.a.id, "payments", "quarter", "1000").await;
    set(&app, &f.m, f.b.id, "sales_amount", "month", "3000").await;
    let order = approved_for(&app, &f, "1200.00").await; // a: 60.0 % of the month
    let r = pay(&app, &f.a, order, "1200").await;
    assert_eq!(r.status, StatusCode::CREATED);

    let (rep, _) = app.browser_login("rep_a", PASSWORD).await;
    let home = app.browser("GET", "/", &rep, None).await.text;
    assert!(home.contains("id=\"home-quota\"") && home.contains("My quota"));
    assert!(home.contains("This month · 2026-03") && home.contains("Sales amount"));
    assert!(home.contains("¥1,200.00 / ¥2,000.00") && home.contains("60.0 %"));
    assert!(home.contains("This quarter · 2026-Q1") && home.contains("120.0 %"));
    assert!(home.contains("bg-warning") && home.contains("bg-success"));
    assert!(
        !home.contains("id=\"home-quota-team\""),
        "a rep has no team"
    );
    let zh = app
        .browser("GET", "/", &format!("{rep}; crm_lang=zh-CN"), None)
        .await
        .text;
    assert!(zh.contains("我的定额") && zh.contains("本月 · 2026-03") && zh.contains("回款额"));

    let (b, _) = app.browser_login("rep_b", PASSWORD).await;
    let home = app.browser("GET", "/", &b, None).await.text;
    assert!(home.contains("¥0.00 / ¥3,000.00") && home.contains("0.0 %"));

    let (c, _) = app.browser_login("rep_c", PASSWORD).await;
    let home = app.browser("GET", "/", &c, None).await.text;
    assert!(home.contains("id=\"home-quota-none\""));
    assert!(home.contains("No quota set for the current month, quarter or year."));

    // The manager: no quota of his own, and the team's month: 1200.00 of 5000.00 = 24.0 %.
    let (m, _) = app.browser_login("mgr_m", PASSWORD).await;
    let home = app.browser("GET", "/", &m, None).await.text;
    assert!(home.contains("id=\"home-quota-none\""));
    assert!(home.contains("id=\"home-quota-team\"") && home.contains("Team total"));
    assert!(home.contains("¥1,200.00 / ¥5,000.00") && home.contains("24.0 %"));
    assert!(
        home.contains("¥1,200.00 / ¥1,000.00"),
        "the team's payments this quarter"
    );

    // Without sales:view there is no card at all.
    let _mkt = app.user("marketer", Role::Marketing, None, None).await;
    let (mk, _) = app.browser_login("marketer", PASSWORD).await;
    let home = app.browser("GET", "/", &mk, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.text.contains("id=\"home-quota\""));
});
