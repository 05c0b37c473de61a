//! Quotes through the API: lines and exact totals, validation that writes nothing, status
//! transitions and the edit lock, visibility by owner scope, recycle bin.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use serde_json::Value;

pub struct World {
    pub admin: TestUser,
    pub mgr: TestUser,
    pub a: TestUser,
    pub b: TestUser,
    /// Customers of rep a and rep b.
    pub ca: i64,
    pub cb: i64,
    /// Server (guide ¥100.00), cable (guide ¥0.33), old model (discontinued).
    pub p1: i64,
    pub p2: i64,
    pub p_old: i64,
}

async fn product(app: &TestApp, admin: &TestUser, code: &str, price: &str, status: &str) -> i64 {
    let r = app
        .post(
            "/api/v1/products",
            admin,
            json!({"code": code, "name": format!("产品{code}"), "spec": "标准", "unit": "台",
                   "guide_price": price, "status": status}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

pub async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let customer = |who: &TestUser, name: &str| {
        let who = who.clone();
        let name = name.to_string();
        async move {
            let r = app
                .post(
                    "/api/v1/customers",
                    &who,
                    json!({"name": name, "province": "北京市", "city": "北京市",
                           "district": "海淀区", "street": "中关村大街1号"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.json()["id"].as_i64().unwrap()
        }
    };
    let ca = customer(&a, "甲方科技").await;
    let cb = customer(&b, "乙方贸易").await;
    let p1 = product(app, &admin, "SRV-01", "100.00", "on_sale").await;
    let p2 = product(app, &admin, "CBL-02", "0.33", "on_sale").await;
    let p_old = product(app, &admin, "OLD-03", "50", "discontinued").await;
    World {
        admin,
        mgr,
        a,
        b,
        ca,
        cb,
        p1,
        p2,
        p_old,
    }
}

/// Three lines: 2 × ¥100.00 less 5 % = 190.00; 3 × ¥0.33 less 10 % = 0.891 → 0.89;
/// 1.5 × ¥0.03 = 0.045 → 0.05 (half up). Subtotal 200.00 + 0.99 + 0.05 = 201.04,
/// total 190.94, discount 10.10.
pub fn three_lines(w: &World) -> Value {
    json!([
        {"product_id": w.p1, "quantity": "2", "discount": "5"},
        {"product_id": w.p2, "quantity": 3, "unit_price": "0.33", "discount": 10},
        {"product_id": w.p1, "quantity": "1.5", "unit_price": 0.03},
    ])
}

pub async fn new_quote(app: &TestApp, w: &World, who: &TestUser, customer: i64) -> Value {
    let r = app
        .post(
            "/api/v1/quotes",
            who,
            json!({"customer_id": customer, "title": "服务器采购报价", "valid_until": "2026-03-31",
                   "notes": "含安装", "lines": three_lines(w)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

async fn count_all(app: &TestApp, admin: &TestUser) -> usize {
    app.get("/api/v1/quotes?limit=200", admin).await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

db_test!(create_read_update_with_exact_totals, |app| {
    let w = world(&app).await;
    let q = new_quote(&app, &w, &w.a, w.ca).await;
    let id = q["id"].as_i64().unwrap();
    assert_eq!(q["number"], format!("QT20260302-{id:06}"));
    assert_eq!(q["status"], "draft");
    assert_eq!(q["owner_id"], w.a.id);
    assert_eq!(q["customer_name"], "甲方科技");
    assert_eq!(q["subtotal"], "201.04");
    assert_eq!(q["discount_total"], "10.10");
    assert_eq!(q["total"], "190.94");
    assert_eq!(q["valid_until"], "2026-03-31");
    let lines = q["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["unit_price"], "100.00", "guide price by default");
    assert_eq!(lines[0]["total"], "190.00");
    assert_eq!(lines[0]["product_code"], "SRV-01");
    assert_eq!(lines[1]["total"], "0.89");
    assert_eq!(lines[1]["discount"], "10");
    assert_eq!(lines[2]["quantity"], "1.5");
    assert_eq!(lines[2]["total"], "0.05");
    // Read back: the same, stored.
    let got = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(got["total"], "190.94");
    assert_eq!(got["lines"].as_array().unwrap().len(), 3);
    assert_eq!(got["lines"][2]["line_no"], 3);
    // Replace the lines and the title.
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 1, "title": "改后报价", "valid_until": null,
                   "lines": [{"product_id": w.p2, "quantity": "10", "unit_price": "0.335"}]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "3 decimals refused"
    );
    assert_eq!(
        r.json()["fields"]["lines.0.unit_price"]["code"],
        "invalid_amount"
    );
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 1, "title": "改后报价", "valid_until": null,
                   "lines": [{"product_id": w.p2, "quantity": "7", "unit_price": "0.15", "discount": "12.5"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let q = r.json();
    // 7 × 0.15 = 1.05; less 12.5 % = 0.91875 → 0.92.
    assert_eq!(q["subtotal"], "1.05");
    assert_eq!(q["total"], "0.92");
    assert_eq!(q["discount_total"], "0.13");
    assert_eq!(q["version"], 2);
    assert_eq!(q["title"], "改后报价");
    assert_eq!(q["valid_until"], Value::Null);
    assert_eq!(q["number"], format!("QT20260302-{id:06}"), "number kept");
    let got = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(got["lines"].as_array().unwrap().len(), 1, "lines replaced");
    // A stale version changes nothing.
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 1, "title": "stale"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    let got = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(got["title"], "改后报价");
    // PATCH without a version is refused.
    let r = app
        .patch(&format!("/api/v1/quotes/{id}"), &w.a, json!({"title": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Search by number and by title, filter by status and customer.
    let number = format!("QT20260302-{id:06}");
    let hits = |v: Value| v["items"].as_array().unwrap().len();
    let list = |q: String| {
        let who = w.a.clone();
        let app = &app;
        async move { app.get(&format!("/api/v1/quotes?{q}"), &who).await.json() }
    };
    assert_eq!(hits(list(format!("q={}", &number[2..])).await), 1);
    assert_eq!(hits(list("q=qt2026".into()).await), 1);
    assert_eq!(hits(list("q=%E6%94%B9%E5%90%8E".into()).await), 1);
    assert_eq!(hits(list("q=nothing".into()).await), 0);
    assert_eq!(hits(list("status=draft".into()).await), 1);
    assert_eq!(hits(list("status=sent".into()).await), 0);
    assert_eq!(hits(list(format!("customer_id={}", w.ca)).await), 1);
    assert_eq!(hits(list(format!("customer_id={}", w.cb)).await), 0);
    let r = app.get("/api/v1/quotes?status=bogus", &w.a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The audit trail has the creation and the change.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=quote&entity_id={id}"),
            &w.admin,
        )
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 2, "{audit}");
});

db_test!(bad_lines_and_references_write_nothing, |app| {
    let w = world(&app).await;
    let post = |body: Value| {
        let who = w.a.clone();
        let app = &app;
        async move { app.post("/api/v1/quotes", &who, body).await }
    };
    let base = |lines: Value| json!({"customer_id": w.ca, "title": "报价", "lines": lines});
    let cases = [
        (
            base(json!([{"product_id": w.p1, "quantity": "-1"}])),
            "lines.0.quantity",
            "not_positive",
        ),
        (
            base(json!([{"product_id": w.p1, "quantity": "0"}])),
            "lines.0.quantity",
            "not_positive",
        ),
        (
            base(json!([{"product_id": w.p1, "quantity": 1},
                        {"product_id": w.p1, "quantity": 1, "discount": "101"}])),
            "lines.1.discount",
            "over_100",
        ),
        (
            base(json!([{"product_id": w.p1, "quantity": 1, "unit_price": "-5"}])),
            "lines.0.unit_price",
            "negative",
        ),
        (
            base(json!([{"product_id": w.p_old, "quantity": 1}])),
            "lines.0.product_id",
            "discontinued",
        ),
        (
            base(json!([{"product_id": 999_999, "quantity": 1}])),
            "lines.0.product_id",
            "unknown",
        ),
        (base(json!([])), "lines", "required"),
        (
            json!({"customer_id": w.cb, "title": "报价", "lines": [{"product_id": w.p1, "quantity": 1}]}),
            "customer_id",
            "unknown",
        ),
        (
            json!({"customer_id": w.ca, "title": "  ", "lines": [{"product_id": w.p1, "quantity": 1}]}),
            "title",
            "required",
        ),
        (
            json!({"customer_id": w.ca, "title": "x".repeat(201), "lines": [{"product_id": w.p1, "quantity": 1}]}),
            "title",
            "too_long",
        ),
        (
            json!({"customer_id": w.ca, "title": "报价", "valid_until": "2026-02-30",
                   "lines": [{"product_id": w.p1, "quantity": 1}]}),
            "valid_until",
            "invalid_date",
        ),
    ];
    for (body, field, code) in cases {
        let r = post(body.clone()).await;
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
    // An opportunity of another customer (b's customer, b's opportunity: invisible to a;
    // a's opportunity on a's other customer: visible but mismatched).
    let other = app
        .post("/api/v1/customers", &w.a, json!({"name": "丙方"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let opp = app
        .post(
            "/api/v1/opportunities",
            &w.a,
            json!({"customer_id": other, "name": "丙方扩容", "amount": "1000", "stage_id": 1}),
        )
        .await;
    assert_eq!(opp.status, StatusCode::CREATED, "{}", opp.text);
    let opp = opp.json()["id"].as_i64().unwrap();
    let r = post(
        json!({"customer_id": w.ca, "opportunity_id": opp, "title": "报价",
                        "lines": [{"product_id": w.p1, "quantity": 1}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"]["opportunity_id"]["code"],
        "other_customer"
    );
    let b_opp = app
        .post(
            "/api/v1/opportunities",
            &w.b,
            json!({"customer_id": w.cb, "name": "乙方机会", "amount": "10", "stage_id": 1}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = post(
        json!({"customer_id": w.ca, "opportunity_id": b_opp, "title": "报价",
                        "lines": [{"product_id": w.p1, "quantity": 1}]}),
    )
    .await;
    assert_eq!(r.json()["fields"]["opportunity_id"]["code"], "unknown");
    // Nothing was written.
    assert_eq!(count_all(&app, &w.admin).await, 0);
    let audit = app
        .get("/api/v1/audit?entity_type=quote", &w.admin)
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 0);
    // The same opportunity on its own customer is fine.
    let r = post(
        json!({"customer_id": other, "opportunity_id": opp, "title": "报价",
                        "lines": [{"product_id": w.p1, "quantity": 1}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["opportunity_id"], opp);
    // A bad line in a PATCH leaves the stored lines alone.
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 1, "lines": [{"product_id": w.p_old, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let got = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(got["version"], 1);
    assert_eq!(got["lines"][0]["product_id"], w.p1);
    assert_eq!(got["total"], "100.00");
});

db_test!(status_moves_forward_and_locks_editing, |app| {
    let w = world(&app).await;
    let q = new_quote(&app, &w, &w.a, w.ca).await;
    let id = q["id"].as_i64().unwrap();
    let status = |s: &str, v: i64| {
        let who = w.a.clone();
        let app = &app;
        let body = json!({"status": s, "version": v});
        async move {
            app.post(&format!("/api/v1/quotes/{id}/status"), &who, body)
                .await
        }
    };
    // Draft cannot jump to accepted.
    let r = status("accepted", 1).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "invalid_transition");
    let r = status("nonsense", 1).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = status("sent", 1).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["status"], "sent");
    assert_eq!(r.json()["version"], 2);
    // A sent quote is still editable.
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 2, "notes": "已发客户"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A stale status change is refused.
    let r = status("accepted", 2).await;
    assert_eq!(r.json()["error"], "stale_version");
    let r = status("accepted", 3).await;
    assert_eq!(r.status, StatusCode::OK);
    // Accepted: locked for editing and deleting, and for further moves.
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id}"),
            &w.a,
            json!({"version": 4, "title": "改"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "quote_locked");
    let r = status("rejected", 4).await;
    assert_eq!(r.json()["error"], "invalid_transition");
    let r = app
        .delete(&format!("/api/v1/quotes/{id}?version=4"), &w.mgr)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "quote_locked");
    let got = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(got["title"], "服务器采购报价");
    assert_eq!(got["status"], "accepted");
    // A rejected one may go to the recycle bin (by someone allowed to delete).
    let q2 = new_quote(&app, &w, &w.a, w.ca).await;
    let id2 = q2["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/quotes/{id2}/status"),
            &w.a,
            json!({"status": "sent", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/quotes/{id2}/status"),
            &w.a,
            json!({"status": "rejected", "version": 2}),
        )
        .await;
    assert_eq!(r.json()["status"], "rejected");
    let r = app
        .patch(
            &format!("/api/v1/quotes/{id2}"),
            &w.a,
            json!({"version": 3, "title": "改"}),
        )
        .await;
    assert_eq!(r.json()["error"], "quote_locked");
    // Reps have no delete permission on sales records.
    let del = |who: &TestUser| {
        let who = who.clone();
        let app = &app;
        async move {
            app.delete(&format!("/api/v1/quotes/{id2}?version=3"), &who)
                .await
        }
    };
    assert_eq!(del(&w.a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(del(&w.mgr).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/quotes/{id2}"), &w.a).await.status,
        StatusCode::NOT_FOUND
    );
    // The recycle bin brings it back.
    let bin = app.get("/api/v1/recycle-bin", &w.admin).await.json();
    assert_eq!(bin["items"][0]["entity_type"], "quote");
    let entry = bin["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let got = app.get(&format!("/api/v1/quotes/{id2}"), &w.a).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["lines"].as_array().unwrap().len(), 3);
});

db_test!(quotes_are_visible_by_owner_scope, |app| {
    let w = world(&app).await;
    let qa = new_quote(&app, &w, &w.a, w.ca).await["id"]
        .as_i64()
        .unwrap();
    let qb = new_quote(&app, &w, &w.b, w.cb).await["id"]
        .as_i64()
        .unwrap();
    // A peer sees neither the quote nor its existence.
    let r = app.get(&format!("/api/v1/quotes/{qa}"), &w.b).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .patch(
            &format!("/api/v1/quotes/{qa}"),
            &w.b,
            json!({"version": 1, "title": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("/api/v1/quotes/{qa}/status"),
            &w.b,
            json!({"status": "sent", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let ids = |v: Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(app.get("/api/v1/quotes", &w.a).await.json()), vec![qa]);
    assert_eq!(ids(app.get("/api/v1/quotes", &w.b).await.json()), vec![qb]);
    // Filtering by another owner does not widen the scope.
    assert!(ids(app
        .get(&format!("/api/v1/quotes?owner_id={}", w.a.id), &w.b)
        .await
        .json())
    .is_empty());
    // The manager sees both, newest first, and may filter by rep; keyset pages.
    assert_eq!(
        ids(app.get("/api/v1/quotes", &w.mgr).await.json()),
        vec![qb, qa]
    );
    assert_eq!(
        ids(app
            .get(&format!("/api/v1/quotes?owner_id={}", w.a.id), &w.mgr)
            .await
            .json()),
        vec![qa]
    );
    let p1 = app.get("/api/v1/quotes?limit=1", &w.mgr).await.json();
    assert_eq!(ids(p1.clone()), vec![qb]);
    let next = p1["next"].as_str().unwrap().to_string();
    let p2 = app
        .get(&format!("/api/v1/quotes?limit=1&cursor={next}"), &w.mgr)
        .await
        .json();
    assert_eq!(ids(p2.clone()), vec![qa]);
    assert_eq!(p2["next"], Value::Null);
    let r = app.get(&format!("/api/v1/quotes/{qa}"), &w.mgr).await;
    assert_eq!(r.status, StatusCode::OK);
    // The manager may move a subordinate's quote.
    let r = app
        .post(
            &format!("/api/v1/quotes/{qa}/status"),
            &w.mgr,
            json!({"status": "sent", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Roles without the sales module are refused.
    let mkt = app.user("marketer", Role::Marketing, None, None).await;
    assert_eq!(
        app.get("/api/v1/quotes", &mkt).await.status,
        StatusCode::FORBIDDEN
    );
    // The service helper for the customer page follows the same scope.
    let ua = crm_store::users::find(&app.core.db, w.a.id)
        .await
        .unwrap()
        .unwrap();
    let pa = crm_service::auth::principal_of(&app.core.db, &ua)
        .await
        .unwrap();
    let mine = crm_service::quotes::for_customer(&app.core, &pa, w.ca)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert!(matches!(
        crm_service::quotes::for_customer(&app.core, &pa, w.cb).await,
        Err(crm_service::ServiceError::NotFound)
    ));
});
