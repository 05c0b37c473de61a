//! Payments, payment plans and receivables through the real router on both databases:
//! over-payment is refused (also when payments race), received always equals the sum of the
//! live payments, plans add up to the total, and the receivables list flags overdue orders.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_testkit::{db_test, json};
use orders_fixture::*;

db_test!(payments_never_exceed_the_total, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "2000.00").await;
    let r = pay(&app, &f.a, id, "1500").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let p = r.json();
    assert_eq!(p["paid_on"], "2026-03-02");
    assert_eq!(p["owner_id"], f.a.id);
    assert_eq!(p["customer_id"], f.cust);

    let r = pay(&app, &f.a, id, "500.01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&r.json(), "amount"), "exceeds_outstanding");
    assert!(r.json()["fields"]["amount"]["message"]
        .as_str()
        .unwrap()
        .contains("500.00"));
    assert_eq!(live_payments(&app, id).await.len(), 1, "nothing written");
    assert_eq!(assert_reconciles(&app, id).await, (200_000, 150_000));

    let r = app
        .post(
            &format!("/api/v1/orders/{id}/payments"),
            &f.a,
            json!({"amount": 500}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let o = app.get(&format!("/api/v1/orders/{id}"), &f.a).await.json();
    assert_eq!(o["received"], "2000.00");
    assert_eq!(o["outstanding"], "0.00");
    let r = pay(&app, &f.a, id, "0.01").await;
    assert_eq!(field_code(&r.json(), "amount"), "exceeds_outstanding");
    assert_eq!(assert_reconciles(&app, id).await, (200_000, 200_000));
});

db_test!(payment_input_is_checked, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "100.00").await;
    let path = format!("/api/v1/orders/{id}/payments");
    let cases = [
        (json!({"amount": "0"}), "amount", "not_positive"),
        (json!({"amount": "-5"}), "amount", "negative"),
        (json!({"amount": "1.234"}), "amount", "invalid_amount"),
        (json!({"amount": "abc"}), "amount", "invalid_amount"),
        (
            json!({"amount": "1", "method": "bitcoin"}),
            "method",
            "invalid_choice",
        ),
        (
            json!({"amount": "1", "paid_on": "2026-03-03"}),
            "paid_on",
            "in_future",
        ),
        (
            json!({"amount": "1", "paid_on": "yesterday"}),
            "paid_on",
            "invalid_date",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post(&path, &f.a, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(field_code(&r.json(), field), code, "{body}");
    }
    assert!(live_payments(&app, id).await.is_empty());
    let r = app
        .post(
            &path,
            &f.a,
            json!({"amount": 12.5, "paid_on": "2026-02-28", "method": "wechat", "note": "首付"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let p = r.json();
    assert_eq!(p["amount"], "12.50");
    assert_eq!(p["method"], "wechat");
    assert_eq!(p["note"], "首付");

    // Only approved orders take payments; invisible orders are 404.
    let d = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let r = pay(&app, &f.a, d["id"].as_i64().unwrap(), "1").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_not_approved");
    let r = pay(&app, &f.n, id, "1").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(assert_reconciles(&app, id).await, (10_000, 1_250));
});

db_test!(concurrent_payments_cannot_overpay, |app| {
    let f = fx(&app).await;
    for round in 0..2 {
        let id = approved_for(&app, &f, "1000.00").await;
        // 10 × 150.00 at once against 1000.00: exactly six fit.
        let reqs = (0..10)
            .map(|i| {
                let who = if i % 2 == 0 { &f.a } else { &f.m };
                (
                    "POST",
                    format!("/api/v1/orders/{id}/payments"),
                    who.token.clone(),
                    json!({"amount": "150.00"}),
                )
            })
            .collect();
        let out = parallel(&app, reqs).await;
        let ok = out
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let refused = out
            .iter()
            .filter(|(s, b)| {
                *s == StatusCode::UNPROCESSABLE_ENTITY && b.contains("exceeds_outstanding")
            })
            .count();
        assert_eq!((ok, refused), (6, 4), "round {round}: {out:?}");
        let (total, received) = assert_reconciles(&app, id).await;
        assert_eq!(total, 100_000);
        assert_eq!(received, 90_000);
        // Then amounts that together exceed what is left (100.00): at most one of 60.00 fits.
        let reqs = (0..4)
            .map(|_| {
                (
                    "POST",
                    format!("/api/v1/orders/{id}/payments"),
                    f.a.token.clone(),
                    json!({"amount": "60"}),
                )
            })
            .collect();
        let out = parallel(&app, reqs).await;
        assert_eq!(
            out.iter()
                .filter(|(s, _)| *s == StatusCode::CREATED)
                .count(),
            1
        );
        assert_eq!(assert_reconciles(&app, id).await, (100_000, 96_000));
    }
});

db_test!(deleting_and_restoring_payments, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "300.00").await;
    let p1 = pay(&app, &f.a, id, "100").await.json()["id"]
        .as_i64()
        .unwrap();
    let p2 = pay(&app, &f.a, id, "200").await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/payments/{p1}");
    // A rep may not delete; outside the chain it is invisible.
    assert_eq!(app.delete(&path, &f.a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&path, &f.n).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, &f.n).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, &f.a).await.status, StatusCode::OK);
    assert_eq!(assert_reconciles(&app, id).await, (30_000, 30_000));

    assert_eq!(app.delete(&path, &f.m).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&path, &f.m).await.status, StatusCode::NOT_FOUND);
    assert_eq!(assert_reconciles(&app, id).await, (30_000, 20_000));
    let list = app
        .get(&format!("/api/v1/payments?order_id={id}"), &f.a)
        .await
        .json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![p2]);

    // Restored from the recycle bin: counted again.
    let bin = app.get("/api/v1/recycle-bin", &f.admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "payment" && e["entity_id"] == p1)
        .cloned()
        .unwrap();
    let restore = format!("/api/v1/recycle-bin/{}/restore", entry["id"]);
    // … unless the order has been paid meanwhile: refused, nothing changes.
    let p3 = pay(&app, &f.a, id, "100").await.json()["id"]
        .as_i64()
        .unwrap();
    let r = app.post(&restore, &f.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(assert_reconciles(&app, id).await, (30_000, 30_000));
    assert_eq!(
        app.delete(&format!("/api/v1/payments/{p3}"), &f.m)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = app.post(&restore, &f.admin, json!({})).await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(assert_reconciles(&app, id).await, (30_000, 30_000));
    assert_eq!(live_payments(&app, id).await.len(), 2);
});

db_test!(payment_lists_follow_the_scope, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "500.00").await;
    pay(&app, &f.a, id, "100").await;
    let cid = {
        let o = create(
            &app,
            &f.c,
            f.cust_c,
            json!([{"product_id": f.p1, "quantity": "1", "unit_price": "80"}]),
        )
        .await;
        let oid = o["id"].as_i64().unwrap();
        submit(&app, &f.c, oid).await;
        approve(&app, &f.n, oid).await;
        oid
    };
    pay(&app, &f.c, cid, "30").await;
    let count = |v: serde_json::Value| v["items"].as_array().unwrap().len();
    assert_eq!(count(app.get("/api/v1/payments", &f.a).await.json()), 1);
    assert_eq!(count(app.get("/api/v1/payments", &f.b).await.json()), 0);
    assert_eq!(count(app.get("/api/v1/payments", &f.m).await.json()), 1);
    assert_eq!(count(app.get("/api/v1/payments", &f.n).await.json()), 1);
    assert_eq!(count(app.get("/api/v1/payments", &f.exec).await.json()), 2);
    assert_eq!(
        count(
            app.get(
                &format!("/api/v1/payments?customer_id={}", f.cust_c),
                &f.exec
            )
            .await
            .json()
        ),
        1
    );
    assert_eq!(
        count(
            app.get("/api/v1/payments?from=2026-03-03", &f.exec)
                .await
                .json()
        ),
        0
    );
    assert_eq!(
        count(
            app.get("/api/v1/payments?to=2026-03-02", &f.exec)
                .await
                .json()
        ),
        2
    );
    // n cannot read a's receivables either.
    let r = app.get("/api/v1/receivables", &f.n).await.json();
    assert_eq!(r["items"].as_array().unwrap().len(), 1);
    assert_eq!(r["items"][0]["order_id"], cid);
});

db_test!(payment_plans_add_up_and_track_state, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "1000.00").await;
    let path = format!("/api/v1/orders/{id}/payment-plan");
    let empty = app.get(&path, &f.a).await.json();
    assert_eq!(empty["instalments"].as_array().unwrap().len(), 0);
    assert_eq!(empty["outstanding"], "1000.00");

    let put = |body: serde_json::Value| {
        let app = &app;
        let path = path.clone();
        let who = f.a.clone();
        async move { app.api("PUT", &path, Some(&who.token), Some(body)).await }
    };
    let r = put(json!({"instalments": [
        {"due_date": "2026-02-01", "amount": "300"},
        {"due_date": "2026-04-01", "amount": "600"}
    ]}))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&r.json(), "instalments"), "sum_mismatch");
    let r = put(json!({"instalments": [
        {"due_date": "2026-02-01", "amount": "-300"},
        {"due_date": "nope", "amount": "1300"}
    ]}))
    .await;
    assert_eq!(field_code(&r.json(), "instalments.0.amount"), "negative");
    assert_eq!(
        field_code(&r.json(), "instalments.1.due_date"),
        "invalid_date"
    );
    assert!(app.get(&path, &f.a).await.json()["instalments"]
        .as_array()
        .unwrap()
        .is_empty());

    // Given out of order; stored and shown in due order.
    let r = put(json!({"instalments": [
        {"due_date": "2026-05-01", "amount": "200", "note": "尾款"},
        {"due_date": "2026-02-01", "amount": "300", "note": "首付"},
        {"due_date": "2026-03-02", "amount": 500}
    ]}))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let states = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["instalments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["due_date"].as_str().unwrap().to_string(),
                    i["paid"].as_str().unwrap().to_string(),
                    i["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let s = |d: &str, p: &str, st: &str| (d.to_string(), p.to_string(), st.to_string());
    assert_eq!(
        states(&r.json()),
        vec![
            s("2026-02-01", "0.00", "overdue"),
            s("2026-03-02", "0.00", "due"),
            s("2026-05-01", "0.00", "due"),
        ]
    );
    pay(&app, &f.a, id, "400").await;
    assert_eq!(
        states(&app.get(&path, &f.a).await.json()),
        vec![
            s("2026-02-01", "300.00", "paid"),
            s("2026-03-02", "100.00", "partial"),
            s("2026-05-01", "0.00", "due"),
        ]
    );
    // Reps outside the chain cannot see or set it.
    assert_eq!(app.get(&path, &f.n).await.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            "PUT",
            &path,
            Some(&f.b.token),
            Some(json!({"instalments": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An empty list removes the plan.
    let r = put(json!({"instalments": []})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["instalments"].as_array().unwrap().is_empty());

    // A draft's plan goes away when its total changes.
    let d = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let did = d["id"].as_i64().unwrap();
    let dpath = format!("/api/v1/orders/{did}/payment-plan");
    let r = app
        .api(
            "PUT",
            &dpath,
            Some(&f.a.token),
            Some(json!({"instalments": [{"due_date": "2026-03-10", "amount": "1000"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/orders/{did}"),
            &f.a,
            json!({"version": 1, "lines": [line(f.p1, "2")]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(app.get(&dpath, &f.a).await.json()["instalments"]
        .as_array()
        .unwrap()
        .is_empty());
});

db_test!(receivables_flag_overdue_orders, |app| {
    let f = fx(&app).await;
    let mk = |order_date: &str, due: Option<&str>, price: &str| {
        let body = json!({
            "customer_id": f.cust,
            "order_date": order_date,
            "due_date": due,
            "lines": [{"product_id": f.p1, "quantity": "1", "unit_price": price}],
        });
        let app = &app;
        let (a, m) = (f.a.clone(), f.m.clone());
        async move {
            let r = app.post("/api/v1/orders", &a, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            let id = r.json()["id"].as_i64().unwrap();
            submit(app, &a, id).await;
            approve(app, &m, id).await;
            id
        }
    };
    // Past its due date (2026-02-01 → 29 days on 2026-03-02), partly paid.
    let late = mk("2026-01-10", Some("2026-02-01"), "1000").await;
    pay(&app, &f.a, late, "400").await;
    // Due later, but an instalment due 2026-02-20 is not covered.
    let plan_late = mk("2026-01-10", Some("2026-06-30"), "500").await;
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/orders/{plan_late}/payment-plan"),
            Some(&f.a.token),
            Some(json!({"instalments": [
                {"due_date": "2026-02-20", "amount": "200"},
                {"due_date": "2026-06-30", "amount": "300"}
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    pay(&app, &f.a, plan_late, "150").await;
    // Not due yet; due today is not overdue.
    let fine = mk("2026-03-01", Some("2026-03-02"), "200").await;
    // Fully paid: not a receivable at all.
    let paid = mk("2026-01-10", Some("2026-02-01"), "100").await;
    pay(&app, &f.a, paid, "100").await;

    let all = app.get("/api/v1/receivables", &f.m).await.json();
    let items = all["items"].as_array().unwrap();
    let row = |id: i64| items.iter().find(|i| i["order_id"] == id).cloned();
    assert!(row(paid).is_none());
    let l = row(late).unwrap();
    assert_eq!(
        (l["overdue"].as_bool(), l["days_overdue"].as_i64()),
        (Some(true), Some(29))
    );
    assert_eq!(l["outstanding"], "600.00");
    assert_eq!(l["received"], "400.00");
    assert_eq!(l["customer_name"], "华信科技");
    let pl = row(plan_late).unwrap();
    assert_eq!(
        (pl["overdue"].as_bool(), pl["days_overdue"].as_i64()),
        (Some(true), Some(10))
    );
    let fi = row(fine).unwrap();
    assert_eq!(
        (fi["overdue"].as_bool(), fi["days_overdue"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(all["summary"]["orders"], 3);
    assert_eq!(all["summary"]["outstanding"], "1150.00");
    assert_eq!(all["summary"]["overdue_orders"], 2);
    assert_eq!(all["summary"]["overdue_outstanding"], "950.00");

    let overdue = app
        .get("/api/v1/receivables?overdue=true", &f.m)
        .await
        .json();
    let mut ids: Vec<i64> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["order_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![late, plan_late]);
    // Paying the instalment clears the plan's overdue flag.
    pay(&app, &f.a, plan_late, "50").await;
    let overdue = app
        .get("/api/v1/receivables?overdue=true", &f.m)
        .await
        .json();
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
    assert_eq!(overdue["summary"]["overdue_outstanding"], "600.00");
    // A day later the order due today is overdue too.
    app.clock.advance(chrono::Duration::days(1));
    let overdue = app
        .get("/api/v1/receivables?overdue=true", &f.a)
        .await
        .json();
    assert_eq!(overdue["items"].as_array().unwrap().len(), 2);
    // Scope and filters.
    assert!(app.get("/api/v1/receivables", &f.b).await.json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.get(
            &format!("/api/v1/receivables?customer_id={}", f.cust_c),
            &f.exec
        )
        .await
        .json()["summary"]["orders"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/receivables?owner_id={}", f.a.id), &f.exec)
            .await
            .json()["summary"]["orders"],
        3
    );
});
