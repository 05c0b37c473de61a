//! Rep statistics against hand-computed figures on a fixed data set, on both databases:
//! period boundaries in Asia/Shanghai, only approved orders, only live payments, and the
//! principal's scope on every row.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use crm_domain::Role;
use crm_store::entity::{activity, opportunity, payment, sales_order};
use crm_testkit::{db_test, json, TestApp, TestUser};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn customer(app: &TestApp, who: &TestUser, name: &str) -> i64 {
    let r = app
        .post("/api/v1/customers", who, json!({"name": name}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn log(app: &TestApp, author: i64, customer: i64, when: DateTime<Utc>, deleted: bool) {
    activity::ActiveModel {
        customer_id: Set(customer),
        contact_id: Set(None),
        kind: Set("call".into()),
        occurred_at: Set(when),
        author_id: Set(author),
        owner_id: Set(author),
        content: Set("跟进".into()),
        next_follow_up: Set(None),
        created_at: Set(when),
        updated_at: Set(when),
        version: Set(1),
        deleted_at: Set(deleted.then_some(when)),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
}

async fn opp(
    app: &TestApp,
    owner: i64,
    customer: i64,
    created: DateTime<Utc>,
    status: &str,
    closed: Option<NaiveDate>,
) {
    opportunity::ActiveModel {
        customer_id: Set(customer),
        name: Set("机会".into()),
        amount: Set(10_000),
        stage_id: Set(1),
        probability: Set(10),
        expected_close: Set(None),
        source: Set(None),
        owner_id: Set(owner),
        status: Set(status.into()),
        closed_on: Set(closed),
        close_reason: Set(None),
        notes: Set(None),
        created_by: Set(Some(owner)),
        created_at: Set(created),
        updated_at: Set(created),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
}

async fn order(
    app: &TestApp,
    owner: i64,
    customer: i64,
    status: &str,
    decided: DateTime<Utc>,
    total: i64,
) -> i64 {
    let n = format!("SO-T-{owner}-{}-{total}", decided.timestamp());
    sales_order::ActiveModel {
        number: Set(n),
        customer_id: Set(customer),
        quote_id: Set(None),
        opportunity_id: Set(None),
        owner_id: Set(owner),
        status: Set(status.into()),
        order_date: Set(decided.date_naive()),
        due_date: Set(None),
        subtotal: Set(total),
        discount_total: Set(0),
        total: Set(total),
        received: Set(0),
        notes: Set(None),
        submitted_at: Set(Some(decided)),
        submitted_by: Set(Some(owner)),
        decided_at: Set(Some(decided)),
        decided_by: Set(None),
        decision_comment: Set(None),
        cancelled_at: Set(None),
        cancelled_by: Set(None),
        cancel_reason: Set(None),
        created_by: Set(Some(owner)),
        created_at: Set(decided),
        updated_at: Set(decided),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id
}

async fn pay(
    app: &TestApp,
    order: i64,
    owner: i64,
    customer: i64,
    amount: i64,
    on: NaiveDate,
    deleted: bool,
) {
    let now = at(2026, 3, 2, 9, 0);
    payment::ActiveModel {
        order_id: Set(order),
        customer_id: Set(customer),
        owner_id: Set(owner),
        amount: Set(amount),
        paid_on: Set(on),
        method: Set("bank_transfer".into()),
        note: Set(None),
        created_by: Set(Some(owner)),
        created_at: Set(now),
        deleted_at: Set(deleted.then_some(now)),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
}

struct World {
    admin: TestUser,
    m: TestUser,
    a: TestUser,
    b: TestUser,
    c: TestUser,
}

/// M manages A and B; C belongs to another manager N. Figures (Asia/Shanghai, March 2026):
/// A: 2 customers followed, 2 new customers, 2 opportunities created, 1 won, 1 lost,
///    1 order approved (¥1,000.00), ¥300.00 received;
/// B: 1 new customer, 1 opportunity created, 1 order (¥2,500.50), ¥2,500.50 received.
async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let m = app.user("mgr_m", Role::SalesManager, None, None).await;
    let n = app.user("mgr_n", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(m.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(m.id)).await;
    let c = app.user("rep_c", Role::SalesRep, None, Some(n.id)).await;
    // Customers are created at the test clock's time, 2026-03-02 09:00 UTC (March).
    let x1 = customer(app, &a, "北京星河科技有限公司").await;
    let x2 = customer(app, &a, "上海明远贸易").await;
    let y = customer(app, &b, "广州恒通").await;
    let z = customer(app, &c, "深圳南山").await;

    log(app, a.id, x1, at(2026, 3, 5, 2, 0), false).await;
    log(app, a.id, x1, at(2026, 3, 20, 8, 0), false).await;
    // 2026-02-28 17:00 UTC is 2026-03-01 01:00 in Shanghai: March.
    log(app, a.id, x2, at(2026, 2, 28, 17, 0), false).await;
    // Deleted logs do not count; a log on 2026-02-28 15:00 UTC (23:00 Shanghai) is February.
    log(app, a.id, y, at(2026, 3, 6, 2, 0), true).await;
    log(app, b.id, y, at(2026, 2, 28, 15, 0), false).await;
    log(app, c.id, z, at(2026, 3, 6, 2, 0), false).await;

    opp(
        app,
        a.id,
        x1,
        at(2026, 3, 3, 1, 0),
        "won",
        Some(day(2026, 3, 10)),
    )
    .await;
    opp(
        app,
        a.id,
        x2,
        at(2026, 3, 4, 1, 0),
        "lost",
        Some(day(2026, 3, 31)),
    )
    .await;
    opp(app, b.id, y, at(2026, 3, 4, 1, 0), "open", None).await;
    opp(
        app,
        c.id,
        z,
        at(2026, 3, 4, 1, 0),
        "won",
        Some(day(2026, 3, 12)),
    )
    .await;

    let o1 = order(app, a.id, x1, "approved", at(2026, 3, 15, 3, 0), 100_000).await;
    // 2026-03-31 16:30 UTC is 2026-04-01 00:30 in Shanghai: April, second quarter.
    order(app, a.id, x2, "approved", at(2026, 3, 31, 16, 30), 5_000).await;
    // Cancelled and submitted orders are not sales.
    order(app, a.id, x2, "cancelled", at(2026, 3, 16, 3, 0), 7_777).await;
    order(app, a.id, x2, "submitted", at(2026, 3, 16, 4, 0), 8_888).await;
    let o2 = order(app, b.id, y, "approved", at(2026, 3, 20, 3, 0), 250_050).await;
    let o3 = order(app, c.id, z, "approved", at(2026, 3, 20, 3, 0), 999_900).await;

    pay(app, o1, a.id, x1, 30_000, day(2026, 3, 20), false).await;
    pay(app, o1, a.id, x1, 1_000, day(2026, 3, 21), true).await;
    pay(app, o2, b.id, y, 250_050, day(2026, 3, 31), false).await;
    pay(app, o3, c.id, z, 10_000, day(2026, 4, 1), false).await;
    World { admin, m, a, b, c }
}

fn row(body: &Value, user: i64) -> Option<&Value> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"].as_i64() == Some(user))
}

db_test!(monthly_figures_match_hand_computed_values, |app| {
    let w = world(&app).await;
    let r = app
        .get("/api/v1/stats/reps?period=month&date=2026-03-15", &w.m)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["period"]["label"], "2026-03");
    assert_eq!(body["period"]["start"], "2026-03-01");
    assert_eq!(body["period"]["end"], "2026-04-01");
    assert_eq!(body["currency"], "CNY");
    let a = row(&body, w.a.id).unwrap();
    assert_eq!(a["customers_followed"], 2);
    assert_eq!(a["new_customers"], 2);
    assert_eq!(a["opportunities_created"], 2);
    assert_eq!(a["opportunities_won"], 1);
    assert_eq!(a["opportunities_lost"], 1);
    assert_eq!(a["orders_approved"], 1);
    assert_eq!(a["sales_amount"], "1000.00");
    assert_eq!(a["payments_received"], "300.00");
    let b = row(&body, w.b.id).unwrap();
    assert_eq!(b["customers_followed"], 0);
    assert_eq!(b["new_customers"], 1);
    assert_eq!(b["opportunities_created"], 1);
    assert_eq!(b["orders_approved"], 1);
    assert_eq!(b["sales_amount"], "2500.50");
    assert_eq!(b["payments_received"], "2500.50");
    // Ranking by sales amount: B, A, then M (nothing).
    assert_eq!(b["rank"], 1);
    assert_eq!(a["rank"], 2);
    assert_eq!(row(&body, w.m.id).unwrap()["rank"], 3);
    // C is outside M's scope.
    assert!(row(&body, w.c.id).is_none());
    assert_eq!(body["rows"].as_array().unwrap().len(), 3);
    assert_eq!(body["totals"]["sales_amount"], "3500.50");
    assert_eq!(body["totals"]["payments_received"], "2800.50");
    assert_eq!(body["totals"]["customers_followed"], 2);
});

db_test!(period_boundaries_follow_shanghai_time, |app| {
    let w = world(&app).await;
    // April (Q2) holds A's order approved at 00:30 local on April 1 and C's payment.
    let r = app
        .get(
            "/api/v1/stats/reps?period=quarter&date=2026-04-01",
            &w.admin,
        )
        .await
        .json();
    assert_eq!(r["period"]["label"], "2026-Q2");
    let a = row(&r, w.a.id).unwrap();
    assert_eq!(a["orders_approved"], 1);
    assert_eq!(a["sales_amount"], "50.00");
    assert_eq!(row(&r, w.c.id).unwrap()["payments_received"], "100.00");
    // February: only B's log at 23:00 local on the 28th.
    let feb = app
        .get("/api/v1/stats/reps?period=month&date=2026-02-10", &w.admin)
        .await
        .json();
    assert_eq!(row(&feb, w.b.id).unwrap()["customers_followed"], 1);
    assert_eq!(row(&feb, w.a.id).unwrap()["customers_followed"], 0);
    // One day: 2026-03-01 local holds A's log written at 17:00 UTC on Feb 28.
    let d = app
        .get("/api/v1/stats/reps?period=day&date=2026-03-01", &w.a)
        .await
        .json();
    assert_eq!(
        d["rows"].as_array().unwrap().len(),
        1,
        "a rep sees only themself"
    );
    assert_eq!(row(&d, w.a.id).unwrap()["customers_followed"], 1);
    // Weeks start on Monday: 2026-03-02 .. 2026-03-09 holds A's two opportunities.
    let wk = app
        .get("/api/v1/stats/reps?period=week&date=2026-03-04", &w.a)
        .await
        .json();
    assert_eq!(wk["period"]["start"], "2026-03-02");
    assert_eq!(wk["period"]["label"], "2026-W10");
    assert_eq!(row(&wk, w.a.id).unwrap()["opportunities_created"], 2);
    // The whole company for the quarter: admin sees everyone incl. C.
    let q1 = app
        .get(
            "/api/v1/stats/reps?period=quarter&date=2026-02-01",
            &w.admin,
        )
        .await
        .json();
    assert_eq!(q1["totals"]["sales_amount"], "13499.50");
    assert_eq!(q1["totals"]["orders_approved"], 3);
});

db_test!(trend_and_scope, |app| {
    let w = world(&app).await;
    let r = app
        .get(
            &format!(
                "/api/v1/stats/trend?period=month&count=3&date=2026-04-10&user_id={}",
                w.a.id
            ),
            &w.m,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let t = r.json();
    let labels: Vec<&str> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"]["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-02", "2026-03", "2026-04"]);
    assert_eq!(t[1]["sales_amount"], "1000.00");
    assert_eq!(t[2]["sales_amount"], "50.00");
    assert_eq!(t[0]["orders_approved"], 0);
    // Everyone in M's scope for March: A + B.
    let all = app
        .get(
            "/api/v1/stats/trend?period=month&count=1&date=2026-03-01",
            &w.m,
        )
        .await
        .json();
    assert_eq!(all[0]["sales_amount"], "3500.50");
    // C may not read A's trend: 404, and A does not appear in C's ranking.
    let r = app
        .get(&format!("/api/v1/stats/trend?user_id={}", w.a.id), &w.c)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let c = app
        .get("/api/v1/stats/reps?date=2026-03-01", &w.c)
        .await
        .json();
    assert!(row(&c, w.a.id).is_none());
    assert_eq!(row(&c, w.c.id).unwrap()["sales_amount"], "9999.00");
    // Bad input: field-level errors.
    let r = app.get("/api/v1/stats/reps?period=decade", &w.m).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["period"]["code"], "invalid_choice");
    let r = app.get("/api/v1/stats/reps?date=2026-13-01", &w.m).await;
    assert_eq!(r.json()["fields"]["date"]["code"], "invalid_date");
    let r = app.get("/api/v1/stats/trend?count=25", &w.m).await;
    assert_eq!(r.json()["fields"]["count"]["code"], "out_of_range");
    // Without Sales access (a service engineer) the statistics are refused.
    let svc = app.user("svc_s", Role::ServiceStaff, None, None).await;
    assert_eq!(
        app.get("/api/v1/stats/reps", &svc).await.status,
        StatusCode::FORBIDDEN
    );
});

db_test!(stats_page_renders_in_both_languages, |app| {
    let w = world(&app).await;
    let _ = &w.b;
    let (cookies, _) = app.browser_login("mgr_m", crm_testkit::PASSWORD).await;
    for (lang, title, amount) in [
        ("zh-CN", "业绩统计", "¥2,500.50"),
        ("en", "Rep statistics", "¥2,500.50"),
    ] {
        let jar = format!("{cookies}; crm_lang={lang}");
        let r = app
            .browser("GET", "/stats?period=month&date=2026-03-15", &jar, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains(title), "{lang}: title");
        assert!(r.text.contains(amount), "{lang}: B's sales");
        assert!(r.text.contains("rep_a") && r.text.contains("rep_b"));
        assert!(!r.text.contains("rep_c"), "C is outside M's scope");
        assert!(r.text.contains("stats-trend-chart"));
    }
});

db_test!(figures_are_reused_until_this_server_writes, |app| {
    let w = world(&app).await;
    let x = customer(&app, &w.a, "杭州新客户").await;
    let path = "/api/v1/stats/reps?period=month&date=2026-03-15";
    let first = app.get(path, &w.m).await.json();
    assert_eq!(row(&first, w.a.id).unwrap()["sales_amount"], "1000.00");
    assert!(first["as_of"].as_str().is_some());
    // Another approved order of A in March, written behind the server's back (as another
    // process would): the cached figures come back until `fresh=true` recomputes them.
    order(&app, w.a.id, x, "approved", at(2026, 3, 25, 3, 0), 20_000).await;
    let again = app.get(path, &w.m).await.json();
    assert_eq!(row(&again, w.a.id).unwrap()["sales_amount"], "1000.00");
    let fresh = app.get(&format!("{path}&fresh=true"), &w.m).await.json();
    assert_eq!(row(&fresh, w.a.id).unwrap()["sales_amount"], "1200.00");
    assert_eq!(row(&fresh, w.a.id).unwrap()["orders_approved"], 2);
    // Any write through this server ends every cached figure: the next plain request
    // sees an order written meanwhile.
    order(&app, w.a.id, x, "approved", at(2026, 3, 26, 3, 0), 30_000).await;
    customer(&app, &w.b, "宁波新客户").await;
    let after_write = app.get(path, &w.m).await.json();
    assert_eq!(
        row(&after_write, w.a.id).unwrap()["sales_amount"],
        "1500.00"
    );
    assert_eq!(row(&after_write, w.a.id).unwrap()["orders_approved"], 3);
});
