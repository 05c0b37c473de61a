//! Sales expenses through the API: CRUD, refused input that writes nothing, totals per rep
//! and per customer (hand-computed), owner scope on lists and totals.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use serde_json::Value;

struct World {
    admin: TestUser,
    mgr: TestUser,
    a: TestUser,
    b: TestUser,
    ca: i64,
    cb: i64,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let ca = app
        .post("/api/v1/customers", &a, json!({"name": "甲方科技"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let cb = app
        .post("/api/v1/customers", &b, json!({"name": "乙方贸易"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    World {
        admin,
        mgr,
        a,
        b,
        ca,
        cb,
    }
}

async fn spend(app: &TestApp, who: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/expenses", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

db_test!(record_change_and_delete_an_expense, |app| {
    let w = world(&app).await;
    let x = spend(
        &app,
        &w.a,
        json!({"customer_id": w.ca, "category": "travel", "amount": "128.5", "note": "上海出差"}),
    )
    .await;
    let id = x["id"].as_i64().unwrap();
    assert_eq!(x["amount"], "128.50");
    assert_eq!(x["spent_on"], "2026-03-02", "today in Asia/Shanghai");
    assert_eq!(x["owner_id"], w.a.id);
    assert_eq!(x["customer_name"], "甲方科技");
    assert_eq!(x["version"], 1);
    let r = app
        .patch(
            &format!("/api/v1/expenses/{id}"),
            &w.a,
            json!({"version": 1, "amount": 200, "category": "entertainment", "spent_on": "2026-02-28", "note": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let x = r.json();
    assert_eq!(x["amount"], "200.00");
    assert_eq!(x["category"], "entertainment");
    assert_eq!(x["spent_on"], "2026-02-28");
    assert_eq!(x["note"], Value::Null);
    assert_eq!(x["version"], 2);
    let r = app
        .patch(
            &format!("/api/v1/expenses/{id}"),
            &w.a,
            json!({"version": 1, "amount": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .patch(
            &format!("/api/v1/expenses/{id}"),
            &w.a,
            json!({"version": 2, "spent_on": "2026-03-03"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["spent_on"]["code"], "future");
    let got = app
        .get(&format!("/api/v1/expenses/{id}"), &w.a)
        .await
        .json();
    assert_eq!(got["amount"], "200.00");
    assert_eq!(got["spent_on"], "2026-02-28");
    // Reps cannot delete; the manager can, into the recycle bin.
    let del = |who: &TestUser| {
        let who = who.clone();
        let app = &app;
        async move {
            app.delete(&format!("/api/v1/expenses/{id}?version=2"), &who)
                .await
        }
    };
    assert_eq!(del(&w.a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(&w.mgr).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/expenses/{id}"), &w.a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(ids(&app.get("/api/v1/expenses", &w.a).await.json()).is_empty());
    let bin = app.get("/api/v1/recycle-bin", &w.admin).await.json();
    assert_eq!(bin["items"][0]["entity_type"], "expense");
    let entry = bin["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        ids(&app.get("/api/v1/expenses", &w.a).await.json()),
        vec![id]
    );
});

db_test!(bad_expenses_are_refused_and_nothing_is_written, |app| {
    let w = world(&app).await;
    let base = |extra: Value| {
        let mut b = json!({"customer_id": w.ca, "category": "gifts", "amount": "10"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (
            base(json!({"spent_on": "2026-03-03"})),
            "spent_on",
            "future",
        ),
        (
            base(json!({"spent_on": "03/01/2026"})),
            "spent_on",
            "invalid_date",
        ),
        (base(json!({"amount": "0"})), "amount", "not_positive"),
        (base(json!({"amount": -5})), "amount", "not_positive"),
        (base(json!({"amount": "1.234"})), "amount", "invalid_amount"),
        (base(json!({"amount": "abc"})), "amount", "invalid_amount"),
        (
            base(json!({"category": "yacht"})),
            "category",
            "invalid_choice",
        ),
        (base(json!({"customer_id": w.cb})), "customer_id", "unknown"),
        (
            base(json!({"owner_id": w.b.id})),
            "owner_id",
            "out_of_scope",
        ),
        (
            base(json!({"opportunity_id": 424242})),
            "opportunity_id",
            "unknown",
        ),
        (
            json!({"customer_id": w.ca, "category": "gifts"}),
            "amount",
            "required",
        ),
        (
            json!({"category": "gifts", "amount": "1"}),
            "customer_id",
            "required",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/expenses", &w.a, body.clone()).await;
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
    assert!(ids(&app.get("/api/v1/expenses", &w.admin).await.json()).is_empty());
    let audit = app
        .get("/api/v1/audit?entity_type=expense", &w.admin)
        .await
        .json();
    assert!(audit["items"].as_array().unwrap().is_empty());
    // A manager records an expense for a subordinate, who then owns it.
    let x = spend(
        &app,
        &w.mgr,
        json!({"customer_id": w.ca, "category": "samples", "amount": "1", "owner_id": w.a.id}),
    )
    .await;
    assert_eq!(x["owner_id"], w.a.id);
    assert_eq!(x["created_by"], w.mgr.id);
    assert_eq!(
        ids(&app.get("/api/v1/expenses", &w.a).await.json()),
        vec![x["id"].as_i64().unwrap()]
    );
});

db_test!(totals_per_rep_and_customer_follow_the_scope, |app| {
    let w = world(&app).await;
    // E1 a/ca 100.00 (03-01), E2 a/ca 50.50 (02-15), E3 b/cb 30.00 (03-02),
    // E4 mgr for a/ca 19.99 (03-02), E5 mgr/cb 5.01 (01-10).
    let e1 = spend(&app, &w.a, json!({"customer_id": w.ca, "category": "travel", "amount": "100", "spent_on": "2026-03-01"})).await;
    let e2 = spend(&app, &w.a, json!({"customer_id": w.ca, "category": "gifts", "amount": "50.50", "spent_on": "2026-02-15"})).await;
    let e3 = spend(&app, &w.b, json!({"customer_id": w.cb, "category": "entertainment", "amount": 30, "spent_on": "2026-03-02"})).await;
    let e4 = spend(&app, &w.mgr, json!({"customer_id": w.ca, "category": "transport", "amount": "19.99", "spent_on": "2026-03-02", "owner_id": w.a.id})).await;
    let e5 = spend(&app, &w.mgr, json!({"customer_id": w.cb, "category": "samples", "amount": "5.01", "spent_on": "2026-01-10"})).await;
    let id = |v: &Value| v["id"].as_i64().unwrap();
    let totals = |who: &TestUser, q: &str| {
        let who = who.clone();
        let q = q.to_string();
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/expenses/totals?{q}"), &who).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["id"].as_i64().unwrap(),
                        t["count"].as_i64().unwrap(),
                        t["amount"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let s = |v: &str| v.to_string();
    assert_eq!(
        totals(&w.mgr, "group=owner").await,
        vec![
            (w.a.id, 3, s("170.49")),
            (w.b.id, 1, s("30.00")),
            (w.mgr.id, 1, s("5.01"))
        ]
    );
    assert_eq!(
        totals(&w.mgr, "group=customer").await,
        vec![(w.ca, 3, s("170.49")), (w.cb, 2, s("35.01"))]
    );
    assert_eq!(
        totals(&w.mgr, "group=owner&from=2026-03-01&to=2026-03-02").await,
        vec![(w.a.id, 2, s("119.99")), (w.b.id, 1, s("30.00"))]
    );
    assert_eq!(
        totals(&w.mgr, "group=customer&from=2026-03-01&to=2026-03-02").await,
        vec![(w.ca, 2, s("119.99")), (w.cb, 1, s("30.00"))]
    );
    // Reps see their own only, whatever they ask for.
    assert_eq!(
        totals(&w.a, "group=owner").await,
        vec![(w.a.id, 3, s("170.49"))]
    );
    assert_eq!(
        totals(&w.a, "group=customer").await,
        vec![(w.ca, 3, s("170.49"))]
    );
    assert_eq!(
        totals(&w.b, "group=customer").await,
        vec![(w.cb, 1, s("30.00"))]
    );
    assert!(totals(&w.b, &format!("group=owner&owner_id={}", w.a.id))
        .await
        .is_empty());
    let names = app
        .get("/api/v1/expenses/totals?group=customer", &w.mgr)
        .await
        .json();
    assert_eq!(names[0]["name"], "甲方科技");
    let r = app.get("/api/v1/expenses/totals?group=day", &w.mgr).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .get("/api/v1/expenses/totals?from=yesterday", &w.mgr)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Lists: latest spending first, scoped, filtered, paged.
    assert_eq!(
        ids(&app.get("/api/v1/expenses", &w.a).await.json()),
        vec![id(&e4), id(&e1), id(&e2)]
    );
    assert_eq!(
        ids(&app.get("/api/v1/expenses", &w.b).await.json()),
        vec![id(&e3)]
    );
    assert_eq!(
        ids(&app.get("/api/v1/expenses", &w.mgr).await.json()),
        vec![id(&e4), id(&e3), id(&e1), id(&e2), id(&e5)]
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/expenses?category=gifts", &w.mgr)
            .await
            .json()),
        vec![id(&e2)]
    );
    assert_eq!(
        ids(&app
            .get(
                &format!(
                    "/api/v1/expenses?customer_id={}&from=2026-02-01&to=2026-03-01",
                    w.ca
                ),
                &w.mgr
            )
            .await
            .json()),
        vec![id(&e1), id(&e2)]
    );
    let p1 = app.get("/api/v1/expenses?limit=2", &w.mgr).await.json();
    assert_eq!(ids(&p1), vec![id(&e4), id(&e3)]);
    let next = p1["next"].as_str().unwrap().to_string();
    let p2 = app
        .get(&format!("/api/v1/expenses?limit=2&cursor={next}"), &w.mgr)
        .await
        .json();
    assert_eq!(ids(&p2), vec![id(&e1), id(&e2)]);
    // A peer cannot read, change or guess another rep's expense.
    assert_eq!(
        app.get(&format!("/api/v1/expenses/{}", id(&e1)), &w.b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .patch(
            &format!("/api/v1/expenses/{}", id(&e1)),
            &w.b,
            json!({"version": 1, "amount": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The customer-page helper: a's expenses on ca with their sum.
    let ua = crm_store::users::find(&app.core.db, w.a.id)
        .await
        .unwrap()
        .unwrap();
    let pa = crm_service::auth::principal_of(&app.core.db, &ua)
        .await
        .unwrap();
    let mine = crm_service::expenses::for_customer(&app.core, &pa, w.ca)
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 3);
    assert_eq!(mine.total, crm_domain::Money(17_049));
    assert!(crm_service::expenses::for_customer(&app.core, &pa, w.cb)
        .await
        .is_err());
});
