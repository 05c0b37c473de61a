//! Sales quotas through the router on both databases: who may set which targets, input
//! validation (nothing written on a bad request), roll-up arithmetic against hand-computed
//! figures, live progress after API writes, Asia/Shanghai period boundaries, and scope.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use crm_domain::Role;
use crm_store::entity::{quota, sales_order};
use crm_testkit::{db_test, json, TestApp, TestResponse, TestUser};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::Value;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

async fn put(app: &TestApp, who: &TestUser, body: Value) -> TestResponse {
    app.api("PUT", "/api/v1/quotas", Some(&who.token), Some(body))
        .await
}

async fn quota_count(app: &TestApp) -> u64 {
    quota::Entity::find().count(&app.core.db).await.unwrap()
}

async fn progress(app: &TestApp, who: &TestUser, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/quotas/progress?{query}"), who)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn person(body: &Value, user: i64) -> Option<&Value> {
    body["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"].as_i64() == Some(user))
}

fn dept(body: &Value, id: i64) -> Option<&Value> {
    body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department_id"].as_i64() == Some(id))
}

async fn department(app: &TestApp, name: &str, parent: Option<i64>) -> i64 {
    crm_store::departments::insert(&app.core.db, name, parent, app.core.now())
        .await
        .unwrap()
        .id
}

/// An order written straight into the table (fixed data set), decided at `decided`.
async fn order(
    app: &TestApp,
    owner: i64,
    customer: i64,
    status: &str,
    decided: DateTime<Utc>,
    total: i64,
) {
    sales_order::ActiveModel {
        number: Set(format!("SO-Q-{owner}-{}-{total}", decided.timestamp())),
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
    .unwrap();
}

/// Departments: 销售部 S ⊃ {华东区 E ⊃ 杭州组 H, 华北区 W}; 其他部 O apart.
/// People: exec (all); m_e manages a, b, d (E, H, E); m_w manages c (W); e in O.
struct World {
    admin: TestUser,
    exec: TestUser,
    m_e: TestUser,
    m_w: TestUser,
    a: TestUser,
    b: TestUser,
    c: TestUser,
    d: TestUser,
    e: TestUser,
    s: i64,
    east: i64,
    h: i64,
    w: i64,
    o: i64,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let s = department(app, "销售部", None).await;
    let east = department(app, "华东区", Some(s)).await;
    let h = department(app, "杭州组", Some(east)).await;
    let w = department(app, "华北区", Some(s)).await;
    let o = department(app, "其他部", None).await;
    let exec = app.user("exec", Role::Executive, Some(s), None).await;
    let m_e = app
        .user("mgr_east", Role::SalesManager, Some(east), None)
        .await;
    let m_w = app
        .user("mgr_west", Role::SalesManager, Some(w), None)
        .await;
    let a = app
        .user("rep_a", Role::SalesRep, Some(east), Some(m_e.id))
        .await;
    let b = app
        .user("rep_b", Role::SalesRep, Some(h), Some(m_e.id))
        .await;
    let d = app
        .user("rep_d", Role::SalesRep, Some(east), Some(m_e.id))
        .await;
    let c = app
        .user("rep_c", Role::SalesRep, Some(w), Some(m_w.id))
        .await;
    let e = app.user("rep_e", Role::SalesRep, Some(o), None).await;
    let r = app
        .post("/api/v1/customers", &admin, json!({"name": "定额测试客户"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let cust = r.json()["id"].as_i64().unwrap();
    World {
        admin,
        exec,
        m_e,
        m_w,
        a,
        b,
        c,
        d,
        e,
        s,
        east,
        h,
        w,
        o,
    }
    .with_sales(app, cust)
    .await
}

impl World {
    /// Q1 2026 sales: a ¥1,500.50 (two orders), b ¥800.00, c ¥3,000.00, d ¥200.00, e ¥100.00;
    /// plus orders that do not count (cancelled, submitted, second quarter).
    async fn with_sales(self, app: &TestApp, cust: i64) -> Self {
        order(
            app,
            self.a.id,
            cust,
            "approved",
            at(2026, 3, 3, 2, 0),
            100_000,
        )
        .await;
        order(
            app,
            self.a.id,
            cust,
            "approved",
            at(2026, 1, 5, 2, 0),
            50_050,
        )
        .await;
        order(
            app,
            self.b.id,
            cust,
            "approved",
            at(2026, 2, 9, 2, 0),
            80_000,
        )
        .await;
        order(
            app,
            self.c.id,
            cust,
            "approved",
            at(2026, 3, 20, 2, 0),
            300_000,
        )
        .await;
        order(
            app,
            self.d.id,
            cust,
            "approved",
            at(2026, 3, 21, 2, 0),
            20_000,
        )
        .await;
        order(
            app,
            self.e.id,
            cust,
            "approved",
            at(2026, 3, 22, 2, 0),
            10_000,
        )
        .await;
        order(
            app,
            self.a.id,
            cust,
            "cancelled",
            at(2026, 3, 4, 2, 0),
            7_777,
        )
        .await;
        order(
            app,
            self.b.id,
            cust,
            "submitted",
            at(2026, 3, 4, 2, 0),
            8_888,
        )
        .await;
        // 2026-03-31 16:30 UTC is April 1, 00:30 in Shanghai: the second quarter.
        order(
            app,
            self.c.id,
            cust,
            "approved",
            at(2026, 3, 31, 16, 30),
            99_999,
        )
        .await;
        self
    }

    /// Q1 targets: a ¥2,000, b ¥1,000, c ¥2,500 (set by their managers), 华东区 ¥5,000.
    async fn with_targets(&self, app: &TestApp) {
        for (who, user, target) in [
            (&self.m_e, self.a.id, "2000"),
            (&self.m_e, self.b.id, "1000.00"),
            (&self.m_w, self.c.id, "2500"),
        ] {
            let r = put(
                app,
                who,
                json!({"user_id": user, "metric": "sales_amount", "period": "quarter",
                       "date": "2026-02-10", "target": target}),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let r = put(
            app,
            &self.m_e,
            json!({"department_id": self.east, "metric": "sales_amount", "period": "quarter",
                   "date": "2026-03-31", "target": 5000}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
}

db_test!(roll_up_matches_hand_computed_figures, |app| {
    let w = world(&app).await;
    w.with_targets(&app).await;
    let body = progress(
        &app,
        &w.exec,
        "period=quarter&date=2026-03-15&metric=sales_amount",
    )
    .await;
    assert_eq!(body["period"]["label"], "2026-Q1");
    assert_eq!(body["unit"], "money");
    // People with a target, ranked by percent: c 120.0, b 80.0, a 75.0 (1500.50 / 2000).
    let ranked: Vec<(i64, &str, &str, &str)> = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_i64().unwrap(),
                r["target"].as_str().unwrap(),
                r["actual"].as_str().unwrap(),
                r["percent"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        vec![
            (w.c.id, "2500.00", "3000.00", "120.0"),
            (w.b.id, "1000.00", "800.00", "80.0"),
            (w.a.id, "2000.00", "1500.50", "75.0"),
        ]
    );
    assert_eq!(person(&body, w.c.id).unwrap()["rank"], 1);
    assert!(person(&body, w.d.id).is_none(), "d has no target");
    // 杭州组: b only; no own target → the sum of its people's (1000.00).
    let hz = dept(&body, w.h).unwrap();
    assert_eq!(
        (
            hz["actual"].as_str(),
            hz["target"].as_str(),
            hz["target_source"].as_str(),
            hz["percent"].as_str()
        ),
        (
            Some("800.00"),
            Some("1000.00"),
            Some("members"),
            Some("80.0")
        )
    );
    // 华东区: a + b (杭州组) + d + m_e = 2500.50 against its own 5000.00 → 50.0 %.
    let east = dept(&body, w.east).unwrap();
    assert_eq!(east["actual"], "2500.50");
    assert_eq!(east["target"], "5000.00");
    assert_eq!(east["target_source"], "own");
    assert_eq!(east["percent"], "50.0");
    assert_eq!(east["members"], 4);
    // 华北区: c + m_w = 3000.00 against c's 2500.00.
    let west = dept(&body, w.w).unwrap();
    assert_eq!(
        (west["actual"].as_str(), west["target"].as_str()),
        (Some("3000.00"), Some("2500.00"))
    );
    assert_eq!(west["percent"], "120.0");
    // 销售部: everything below (5500.50) against the sum of people's targets (5500.00);
    // the department targets of 华东区 do not add to it (people's targets only).
    let sales = dept(&body, w.s).unwrap();
    assert_eq!(sales["actual"], "5500.50");
    assert_eq!(sales["target"], "5500.00");
    assert_eq!(sales["target_source"], "members");
    assert_eq!(sales["percent"], "100.0");
    assert_eq!(
        sales["members"], 7,
        "exec, m_e, a, b, d, m_w, c and nobody else"
    );
    // 其他部: e's 100.00, no target anywhere → no percent.
    let other = dept(&body, w.o).unwrap();
    assert_eq!(other["actual"], "100.00");
    assert_eq!(other["target_source"], "none");
    assert!(other["percent"].is_null());
    // Tree order with depths: each department right under its parent's subtree.
    let order: Vec<(i64, i64)> = body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["department_id"].as_i64().unwrap(),
                d["depth"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(order.len(), 5);
    let pos = |id: i64| order.iter().position(|x| x.0 == id).unwrap();
    let depth = |id: i64| order[pos(id)].1;
    assert_eq!(
        (
            depth(w.s),
            depth(w.o),
            depth(w.east),
            depth(w.w),
            depth(w.h)
        ),
        (0, 0, 1, 1, 2)
    );
    assert_eq!(pos(w.h), pos(w.east) + 1);
    assert!(pos(w.s) < pos(w.east) && pos(w.s) < pos(w.w));
    // Company: everyone's 5600.50 against 5500.00 → 101.8 %.
    let total = &body["total"];
    assert_eq!(total["scope"], "company");
    assert_eq!(total["actual"], "5600.50");
    assert_eq!(total["target"], "5500.00");
    assert_eq!(total["percent"], "101.8");
    // The same actuals as rep statistics for the quarter.
    let stats = app
        .get("/api/v1/stats/reps?period=quarter&date=2026-03-15", &w.exec)
        .await
        .json();
    assert_eq!(stats["totals"]["sales_amount"], "5600.50");
});

db_test!(a_manager_sees_the_team_and_a_rep_only_themself, |app| {
    let w = world(&app).await;
    w.with_targets(&app).await;
    let q = "period=quarter&date=2026-01-01&metric=sales_amount";
    let body = progress(&app, &w.m_e, q).await;
    let people: Vec<i64> = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(people, vec![w.b.id, w.a.id], "c is another team's");
    let depts: Vec<i64> = body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["department_id"].as_i64().unwrap())
        .collect();
    assert_eq!(depts, vec![w.east, w.h], "their own department and below");
    assert_eq!(dept(&body, w.east).unwrap()["actual"], "2500.50");
    // Team: 2500.50 against 3000.00 = 83.35 % → 83.4 (half up).
    assert_eq!(body["total"]["scope"], "team");
    assert_eq!(body["total"]["target"], "3000.00");
    assert_eq!(body["total"]["actual"], "2500.50");
    assert_eq!(body["total"]["percent"], "83.4");
    assert_eq!(body["total"]["people"], 4);

    let body = progress(&app, &w.a, q).await;
    let people = body["people"].as_array().unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["user_id"], w.a.id);
    assert_eq!(people[0]["percent"], "75.0");
    assert!(body["departments"].as_array().unwrap().is_empty());
    assert!(body["total"].is_null());
    // Listing follows the same scope.
    let list = app
        .get("/api/v1/quotas?period=quarter&date=2026-02-01", &w.a)
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["user_id"], w.a.id);
    assert_eq!(items[0]["subject_name"], "rep_a");
    let list = app
        .get("/api/v1/quotas?period=quarter&date=2026-02-01", &w.m_e)
        .await
        .json();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        3,
        "a, b and 华东区"
    );
    let list = app
        .get(
            "/api/v1/quotas?period=quarter&date=2026-02-01&metric=payments",
            &w.exec,
        )
        .await
        .json();
    assert!(list["items"].as_array().unwrap().is_empty());
    let list = app
        .get(
            "/api/v1/quotas?period=quarter&date=2026-02-01&limit=2",
            &w.exec,
        )
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let next = list["next"].as_str().unwrap().to_string();
    let rest = app
        .get(
            &format!("/api/v1/quotas?period=quarter&date=2026-02-01&limit=2&cursor={next}"),
            &w.exec,
        )
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null());
    // One quota: visible in scope, 404 outside it.
    let c_quota = person(&progress(&app, &w.exec, q).await, w.c.id).unwrap()["quota_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/quotas/{c_quota}"), &w.m_w)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/quotas/{c_quota}"), &w.m_e)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(who_may_set_targets, |app| {
    let w = world(&app).await;
    let body = |user: i64| json!({"user_id": user, "metric": "sales_amount", "period": "month", "date": "2026-03-09", "target": "1000"});
    // A rep has no sales:approve.
    let r = put(&app, &w.a, body(w.b.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = put(&app, &w.a, body(w.a.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(quota_count(&app).await, 0);
    // A manager sets a subordinate's target: 201, then 200 on replacing it.
    let r = put(&app, &w.m_e, body(w.a.id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let q = r.json();
    assert_eq!(q["subject"], "user");
    assert_eq!(q["target"], "1000.00");
    assert_eq!(q["period"]["start"], "2026-03-01");
    assert_eq!(q["period"]["label"], "2026-03");
    assert_eq!(q["set_by"], w.m_e.id);
    assert_eq!(q["version"], 1);
    let id = q["id"].as_i64().unwrap();
    let r = put(&app, &w.m_e, json!({"user_id": w.a.id, "metric": "sales_amount", "period": "month", "date": "2026-03-31", "target": 1250.5, "version": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["id"], id);
    assert_eq!(r.json()["target"], "1250.50");
    assert_eq!(r.json()["version"], 2);
    let stale = put(&app, &w.m_e, json!({"user_id": w.a.id, "metric": "sales_amount", "period": "month", "date": "2026-03-01", "target": 1, "version": 1})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert_eq!(quota_count(&app).await, 1);
    // Another team's rep: a field error, nothing written.
    let r = put(&app, &w.m_e, body(w.c.id)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["fields"]["user_id"]["code"], "out_of_scope");
    let r = put(&app, &w.m_e, body(999_999)).await;
    assert_eq!(r.json()["fields"]["user_id"]["code"], "not_found");
    // Never one's own, unless the scope is all.
    let r = put(&app, &w.m_e, body(w.m_e.id)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.json()["error"], "own_quota");
    assert_eq!(quota_count(&app).await, 1);
    let r = put(&app, &w.exec, body(w.exec.id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = put(&app, &w.exec, body(w.m_e.id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let own_id = r.json()["id"].as_i64().unwrap();
    // Departments: one's own and below; not a sibling, not above.
    let dept_body = |d: i64| json!({"department_id": d, "metric": "payments", "period": "year", "date": "2026-06-30", "target": "100000"});
    assert_eq!(
        put(&app, &w.m_e, dept_body(w.east)).await.status,
        StatusCode::CREATED
    );
    let r = put(&app, &w.m_e, dept_body(w.h)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["subject"], "department");
    assert_eq!(r.json()["subject_name"], "杭州组");
    assert_eq!(r.json()["period"]["start"], "2026-01-01");
    for other in [w.w, w.s, w.o] {
        let r = put(&app, &w.m_e, dept_body(other)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json()["fields"]["department_id"]["code"], "out_of_scope");
    }
    assert_eq!(
        put(&app, &w.exec, dept_body(w.o)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(quota_count(&app).await, 6);
    // Removing: the same rules; invisible is 404, one's own is 403.
    let c_quota = put(&app, &w.m_w, body(w.c.id)).await.json()["id"]
        .as_i64()
        .unwrap();
    let del = |id: i64, who: &TestUser| {
        let token = who.token.clone();
        let app = &app;
        async move {
            app.api(
                "DELETE",
                &format!("/api/v1/quotas/{id}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    assert_eq!(del(c_quota, &w.m_e).await.status, StatusCode::NOT_FOUND);
    assert_eq!(del(own_id, &w.m_e).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(id, &w.a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(quota_count(&app).await, 7);
    assert_eq!(del(id, &w.m_e).await.status, StatusCode::NO_CONTENT);
    assert_eq!(del(id, &w.m_e).await.status, StatusCode::NOT_FOUND);
    assert_eq!(quota_count(&app).await, 6);
    assert!(quota::Entity::find_by_id(id)
        .one(&app.core.db)
        .await
        .unwrap()
        .is_none());
    // Every change is in the audit trail.
    let trail = app
        .get(
            &format!("/api/v1/audit?entity_type=quota&entity_id={id}"),
            &w.admin,
        )
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    let actions: Vec<String> = trail.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, vec!["delete", "update", "create"]);
});

db_test!(bad_input_is_refused_and_nothing_written, |app| {
    let w = world(&app).await;
    let cases = [
        (
            json!({"user_id": w.a.id, "metric": "sales_amount", "period": "month", "target": "-1"}),
            "target",
            "negative",
        ),
        (
            json!({"user_id": w.a.id, "metric": "sales_amount", "period": "month", "target": -5}),
            "target",
            "negative",
        ),
        (
            json!({"user_id": w.a.id, "metric": "sales_amount", "period": "month", "target": "12.345"}),
            "target",
            "invalid_amount",
        ),
        (
            json!({"user_id": w.a.id, "metric": "new_customers", "period": "month", "target": "1.5"}),
            "target",
            "invalid_number",
        ),
        (
            json!({"user_id": w.a.id, "metric": "revenue", "period": "month", "target": "1"}),
            "metric",
            "invalid_choice",
        ),
        (
            json!({"user_id": w.a.id, "metric": "payments", "period": "week", "target": "1"}),
            "period",
            "invalid_choice",
        ),
        (
            json!({"user_id": w.a.id, "metric": "payments", "target": "1"}),
            "period",
            "required",
        ),
        (
            json!({"user_id": w.a.id, "metric": "payments", "period": "month", "date": "2026-02-30", "target": "1"}),
            "date",
            "invalid_date",
        ),
        (
            json!({"user_id": w.a.id, "metric": "payments", "period": "month"}),
            "target",
            "required",
        ),
        (
            json!({"metric": "payments", "period": "month", "target": "1"}),
            "user_id",
            "required",
        ),
        (
            json!({"user_id": w.a.id, "department_id": w.east, "metric": "payments", "period": "month", "target": "1"}),
            "department_id",
            "ambiguous",
        ),
    ];
    for (body, field, code) in cases {
        let r = put(&app, &w.m_e, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(
            r.json()["fields"][field]["code"],
            code,
            "{body}: {}",
            r.text
        );
    }
    // Unknown fields and wrong types are refused too.
    let r = put(&app, &w.m_e, json!({"user_id": w.a.id, "metric": "payments", "period": "month", "target": "1", "owner": 1})).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert_eq!(quota_count(&app).await, 0, "nothing written");
    // A zero target is allowed and has no percent; a count target is a whole number.
    let r = put(
        &app,
        &w.m_e,
        json!({"user_id": w.a.id, "metric": "new_customers", "period": "month", "target": "0"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["target"], "0");
    let body = progress(&app, &w.m_e, "metric=new_customers").await;
    assert_eq!(body["unit"], "count");
    assert!(person(&body, w.a.id).unwrap()["percent"].is_null());
    // Query parameters of progress and list are checked as well.
    for q in ["metric=revenue", "period=week", "date=yesterday"] {
        let r = app
            .get(&format!("/api/v1/quotas/progress?{q}"), &w.m_e)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.text
        );
        let r = app.get(&format!("/api/v1/quotas?{q}"), &w.m_e).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.text
        );
    }
    // Without sales:view nothing at all.
    let mkt = app.user("marketer", Role::Marketing, None, None).await;
    assert_eq!(
        app.get("/api/v1/quotas/progress", &mkt).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/quotas", &mkt).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api("GET", "/api/v1/quotas/progress", None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
});

db_test!(progress_moves_the_moment_an_order_is_approved, |app| {
    use orders_fixture::*;
    let f = fx(&app).await;
    let set = |metric: &str, target: &str| json!({"user_id": f.a.id, "metric": metric, "period": "month", "date": "2026-03-02", "target": target});
    for (metric, target) in [
        ("sales_amount", "2000"),
        ("payments", "1000"),
        ("new_customers", "4"),
    ] {
        let r = put(&app, &f.m, set(metric, target)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let actual = |body: &Value| {
        person(body, f.a.id).unwrap()["actual"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = progress(&app, &f.a, "metric=sales_amount").await;
    assert_eq!(actual(&before), "0.00");
    // Statistics and quota actuals are warm in their caches now; the approval below is a
    // write, so neither may be served again.
    assert_eq!(
        app.get("/api/v1/stats/reps", &f.m).await.status,
        StatusCode::OK
    );
    // a submits, m approves, as the browser would.
    let order = approved_for(&app, &f, "1200.00").await;
    let after = progress(&app, &f.a, "metric=sales_amount").await;
    assert_eq!(actual(&after), "1200.00");
    assert_eq!(person(&after, f.a.id).unwrap()["percent"], "60.0");
    let mgr = progress(&app, &f.m, "metric=sales_amount").await;
    assert_eq!(mgr["total"]["actual"], "1200.00");
    // Payments by paid date, likewise at once.
    assert_eq!(
        actual(&progress(&app, &f.a, "metric=payments").await),
        "0.00"
    );
    let r = pay(&app, &f.a, order, "250.50").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let body = progress(&app, &f.a, "metric=payments").await;
    assert_eq!(actual(&body), "250.50");
    assert_eq!(person(&body, f.a.id).unwrap()["percent"], "25.1");
    // New customers: the fixture made one for a (华信科技) at the clock's time.
    assert_eq!(
        actual(&progress(&app, &f.a, "metric=new_customers").await),
        "1"
    );
    customer(&app, &f.a, "新客户一号").await;
    customer(&app, &f.a, "新客户二号").await;
    let body = progress(&app, &f.a, "metric=new_customers").await;
    assert_eq!(actual(&body), "3");
    assert_eq!(person(&body, f.a.id).unwrap()["percent"], "75.0");
});

db_test!(
    an_order_approved_at_half_past_midnight_on_april_first_counts_in_q2,
    |app| {
        use orders_fixture::*;
        let f = fx(&app).await;
        for date in ["2026-03-15", "2026-04-15"] {
            let r = put(&app, &f.m, json!({"user_id": f.a.id, "metric": "sales_amount", "period": "quarter", "date": date, "target": "1000"})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let o = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
        let id = o["id"].as_i64().unwrap();
        submit(&app, &f.a, id).await;
        // The clock reaches 2026-03-31 16:30 UTC = 2026-04-01 00:30 in Asia/Shanghai.
        app.clock.advance(at(2026, 3, 31, 16, 30) - app.core.now());
        approve(&app, &f.m, id).await;
        let q1 = progress(&app, &f.a, "period=quarter&date=2026-03-31").await;
        assert_eq!(q1["period"]["label"], "2026-Q1");
        assert_eq!(person(&q1, f.a.id).unwrap()["actual"], "0.00");
        let q2 = progress(&app, &f.a, "period=quarter").await;
        assert_eq!(q2["period"]["label"], "2026-Q2", "today is April 1 locally");
        assert_eq!(person(&q2, f.a.id).unwrap()["actual"], "1000.00");
        assert_eq!(person(&q2, f.a.id).unwrap()["percent"], "100.0");
        let april = progress(&app, &f.a, "period=month&date=2026-04-01").await;
        assert!(
            april["people"].as_array().unwrap().is_empty(),
            "no monthly target"
        );
    }
);

db_test!(the_openapi_document_lists_the_quota_endpoints, |app| {
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/quotas", "get"),
        ("/api/v1/quotas", "put"),
        ("/api/v1/quotas/{id}", "get"),
        ("/api/v1/quotas/{id}", "delete"),
        ("/api/v1/quotas/progress", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    for schema in [
        "QuotaDto",
        "QuotaBody",
        "ProgressDto",
        "DepartmentProgressDto",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
});
