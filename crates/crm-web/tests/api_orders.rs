//! Sales orders through the real router on both databases: the approval flow and its
//! permission rules, purchase records written exactly once (also under concurrent
//! approval), editing locks, cancellation, bad input, and quote conversion.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_testkit::{db_test, json};
use orders_fixture::*;

db_test!(full_flow_from_draft_to_payment, |app| {
    let f = fx(&app).await;
    let o = create(
        &app,
        &f.a,
        f.cust,
        json!([
            line(f.p1, "2"),
            { "product_id": f.p2, "quantity": 1.5, "discount": "10" }
        ]),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["status"], "draft");
    assert_eq!(o["number"], format!("SO20260302-{id:06}"));
    assert_eq!(o["order_date"], "2026-03-02");
    assert_eq!(o["customer_name"], "华信科技");
    // 2 × 1000.00 + round_half_up(1.5 × 250.50 × 0.9) = 2000.00 + 338.18
    assert_eq!(o["subtotal"], "2375.75");
    assert_eq!(o["discount_total"], "37.57");
    assert_eq!(o["total"], "2338.18");
    assert_eq!(o["outstanding"], "2338.18");
    let lines = o["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["total"], "338.18");
    assert_eq!(lines[1]["discount"], "10");
    assert_eq!(lines[1]["quantity"], "1.5");
    assert!(records(&app, id).await.is_empty());

    let s = submit(&app, &f.a, id).await;
    assert_eq!(s["status"], "submitted");
    assert_eq!(s["submitted_by"], f.a.id);

    let a = approve(&app, &f.m, id).await;
    assert_eq!(a["status"], "approved");
    assert_eq!(a["decided_by"], f.m.id);

    let recs = records(&app, id).await;
    assert_eq!(recs.len(), 2, "one purchase record per line");
    let mut amounts: Vec<i64> = recs.iter().map(|r| r.amount).collect();
    amounts.sort_unstable();
    assert_eq!(amounts, vec![33_818, 200_000]);
    assert!(recs
        .iter()
        .all(|r| r.customer_id == f.cust && r.reversed_at.is_none()));
    let api = app
        .get(&format!("/api/v1/orders/{id}/purchase-records"), &f.a)
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.json()["items"].as_array().unwrap().len(), 2);
    let hist = app
        .get(
            &format!("/api/v1/purchase-records?customer_id={}", f.cust),
            &f.a,
        )
        .await
        .json();
    assert_eq!(hist["items"].as_array().unwrap().len(), 2);

    let r = pay(&app, &f.a, id, "1000").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["amount"], "1000.00");
    let o = app.get(&format!("/api/v1/orders/{id}"), &f.a).await.json();
    assert_eq!(o["received"], "1000.00");
    assert_eq!(o["outstanding"], "1338.18");
    assert_reconciles(&app, id).await;

    // The trail: create, submit, approve (with the records it wrote).
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=sales_order&entity_id={id}"),
            &f.admin,
        )
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["approve", "submit", "create"]);
});

db_test!(who_may_approve, |app| {
    let f = fx(&app).await;
    let o = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let id = o["id"].as_i64().unwrap();
    submit(&app, &f.a, id).await;
    let path = format!("/api/v1/orders/{id}/approve");

    // A rep has no approve permission.
    let r = app.post(&path, &f.b, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    let r = app.post(&path, &f.a, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A manager outside the chain does not even see it.
    let r = app.post(&path, &f.n, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/orders/{id}"), &f.n).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(order_row(&app, id).await.status, "submitted");
    assert!(records(&app, id).await.is_empty());

    // Approving one's own order: the manager's own order, approved by himself.
    let own = create(&app, &f.m, f.cust, json!([line(f.p1, "1")])).await;
    let own_id = own["id"].as_i64().unwrap();
    // (m may not see a's customer? m's scope covers a, so the customer is visible.)
    submit(&app, &f.m, own_id).await;
    let r = app
        .post(&format!("/api/v1/orders/{own_id}/approve"), &f.m, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.json()["error"], "own_order");
    assert_eq!(order_row(&app, own_id).await.status, "submitted");
    assert!(records(&app, own_id).await.is_empty());
    // Top, above m, may.
    approve(&app, &f.top, own_id).await;
    assert_eq!(records(&app, own_id).await.len(), 1);

    // The submitter may not approve either: m submits a's order, then only top decides.
    let o2 = create(&app, &f.a, f.cust, json!([line(f.p2, "1")])).await;
    let id2 = o2["id"].as_i64().unwrap();
    submit(&app, &f.m, id2).await;
    let r = app
        .post(&format!("/api/v1/orders/{id2}/approve"), &f.m, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "own_order");
    let r = app
        .post(
            &format!("/api/v1/orders/{id2}/reject"),
            &f.m,
            json!({"comment": "x"}),
        )
        .await;
    assert_eq!(r.json()["error"], "own_order");
    approve(&app, &f.top, id2).await;

    // The executive (scope all, approve) may approve anyone's.
    let approved_by_exec = approve(&app, &f.exec, id).await;
    assert_eq!(approved_by_exec["decided_by"], f.exec.id);
});

db_test!(approving_twice_adds_nothing, |app| {
    let f = fx(&app).await;
    let o = approved(&app, &f, json!([line(f.p1, "1"), line(f.p2, "2")])).await;
    let id = o["id"].as_i64().unwrap();
    let before = records(&app, id).await;
    assert_eq!(before.len(), 2);
    for who in [&f.m, &f.top] {
        let r = app
            .post(&format!("/api/v1/orders/{id}/approve"), who, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(r.json()["error"], "order_already_decided");
    }
    assert_eq!(records(&app, id).await, before);
    // Rejecting an approved order is a conflict too.
    let r = app
        .post(
            &format!("/api/v1/orders/{id}/reject"),
            &f.top,
            json!({"comment": "no"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(order_row(&app, id).await.status, "approved");
    // Approving a draft is not a decision either.
    let d = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let r = app
        .post(
            &format!("/api/v1/orders/{}/approve", d["id"]),
            &f.m,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_not_submitted");
});

db_test!(concurrent_double_approval_adds_once, |app| {
    let f = fx(&app).await;
    for round in 0..3 {
        let o = create(
            &app,
            &f.a,
            f.cust,
            json!([line(f.p1, "1"), line(f.p2, "3"), line(f.p3, "0.5")]),
        )
        .await;
        let id = o["id"].as_i64().unwrap();
        submit(&app, &f.a, id).await;
        let reqs = (0..8)
            .map(|i| {
                let who = if i % 2 == 0 { &f.m } else { &f.top };
                (
                    "POST",
                    format!("/api/v1/orders/{id}/approve"),
                    who.token.clone(),
                    json!({}),
                )
            })
            .collect();
        let out = parallel(&app, reqs).await;
        let ok = out.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        let conflicts = out
            .iter()
            .filter(|(s, b)| *s == StatusCode::CONFLICT && b.contains("order_already_decided"))
            .count();
        assert_eq!(ok, 1, "round {round}: {out:?}");
        assert_eq!(conflicts, 7, "round {round}: {out:?}");
        let recs = records(&app, id).await;
        assert_eq!(recs.len(), 3, "round {round}: one record per line");
        let mut lines: Vec<i64> = recs.iter().map(|r| r.order_line_id).collect();
        lines.dedup();
        assert_eq!(lines.len(), 3);
        assert_eq!(order_row(&app, id).await.status, "approved");
    }
});

db_test!(editing_is_locked_after_submission, |app| {
    let f = fx(&app).await;
    let o = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let id = o["id"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{id}");
    // A draft can change; lines are replaced.
    let r = app
        .patch(
            &path,
            &f.a,
            json!({"version": 1, "lines": [line(f.p2, "2")], "due_date": "2026-04-30", "notes": "加急"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = r.json();
    assert_eq!(b["version"], 2);
    assert_eq!(b["total"], "501.00");
    assert_eq!(b["due_date"], "2026-04-30");
    assert_eq!(b["lines"].as_array().unwrap().len(), 1);
    // A stale version is refused.
    let r = app
        .patch(&path, &f.a, json!({"version": 1, "notes": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    let r = app.patch(&path, &f.a, json!({"notes": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    submit(&app, &f.a, id).await;
    let r = app
        .patch(
            &path,
            &f.a,
            json!({"version": 3, "lines": [line(f.p1, "9")]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_locked");

    // Rejected (comment required) → edited → submitted again → approved.
    let rej = format!("/api/v1/orders/{id}/reject");
    let r = app.post(&rej, &f.m, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&r.json(), "comment"), "required");
    let r = app.post(&rej, &f.m, json!({"comment": "   "})).await;
    assert_eq!(field_code(&r.json(), "comment"), "required");
    assert_eq!(order_row(&app, id).await.status, "submitted");
    let r = app.post(&rej, &f.m, json!({"comment": "价格太低"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["status"], "rejected");
    assert_eq!(b["decision_comment"], "价格太低");
    let v = b["version"].as_i64().unwrap();
    let r = app
        .patch(
            &path,
            &f.a,
            json!({"version": v, "lines": [line(f.p2, "3")]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["status"], "rejected");
    submit(&app, &f.a, id).await;
    approve(&app, &f.m, id).await;
    assert_eq!(records(&app, id).await.len(), 1);
    assert_eq!(records(&app, id).await[0].amount, 75_150);

    // Approved: locked for everyone.
    let cur = order_row(&app, id).await;
    let r = app
        .patch(&path, &f.m, json!({"version": cur.version, "notes": "改"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_locked");
    assert_eq!(order_row(&app, id).await, cur);
    // Submitting it again is refused.
    let r = app
        .post(&format!("/api/v1/orders/{id}/submit"), &f.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
});

db_test!(cancelling_reverses_and_respects_payments, |app| {
    let f = fx(&app).await;
    // Withdrawing a draft or a submitted order: the owner.
    let d = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/orders/{}/cancel", d["id"]),
            Some(&f.a.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["status"], "cancelled");
    let r = app
        .post(
            &format!("/api/v1/orders/{}/cancel", d["id"]),
            &f.a,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_already_cancelled");

    let o = approved(&app, &f, json!([line(f.p1, "1"), line(f.p2, "1")])).await;
    let id = o["id"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{id}/cancel");
    // The owner (a rep) cannot cancel an approved order.
    let r = app.post(&path, &f.a, json!({"reason": "客户取消"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Outside the chain: invisible.
    let r = app.post(&path, &f.n, json!({"reason": "客户取消"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A reason is required.
    let r = app.post(&path, &f.m, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&r.json(), "reason"), "required");

    // With a payment recorded: refused, nothing changes.
    let p = pay(&app, &f.a, id, "100").await;
    assert_eq!(p.status, StatusCode::CREATED);
    let pid = p.json()["id"].as_i64().unwrap();
    let r = app.post(&path, &f.m, json!({"reason": "客户取消"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_has_payments");
    assert_eq!(order_row(&app, id).await.status, "approved");
    assert!(records(&app, id)
        .await
        .iter()
        .all(|r| r.reversed_at.is_none()));

    // Payment deleted: the approver cancels; the records are reversed, not deleted.
    let del = app.delete(&format!("/api/v1/payments/{pid}"), &f.m).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let r = app.post(&path, &f.m, json!({"reason": "客户取消"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = r.json();
    assert_eq!(b["status"], "cancelled");
    assert_eq!(b["cancel_reason"], "客户取消");
    assert_eq!(b["cancelled_by"], f.m.id);
    let recs = records(&app, id).await;
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|r| r.reversed_at.is_some()));
    let hist = app
        .get(
            &format!("/api/v1/purchase-records?customer_id={}", f.cust),
            &f.a,
        )
        .await
        .json();
    assert!(hist["items"].as_array().unwrap().is_empty());
    // An executive (approve, but no edit) cancels an approved order too, but withdraws
    // nothing.
    let o2 = approved(&app, &f, json!([line(f.p3, "1")])).await;
    let r = app
        .post(
            &format!("/api/v1/orders/{}/cancel", o2["id"]),
            &f.exec,
            json!({"reason": "合同终止"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(records(&app, o2["id"].as_i64().unwrap())
        .await
        .iter()
        .all(|r| r.reversed_at.is_some()));
    let d2 = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let r = app
        .post(
            &format!("/api/v1/orders/{}/cancel", d2["id"]),
            &f.exec,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Cancelled orders take no payment and cannot be cancelled again.
    let r = pay(&app, &f.a, id, "1").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_not_approved");
    let r = app.post(&path, &f.m, json!({"reason": "again"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
});

db_test!(bad_input_writes_nothing, |app| {
    let f = fx(&app).await;
    let before = order_count(&app).await;
    let cases = [
        (
            json!([{"product_id": f.p1, "quantity": "-1"}]),
            "lines.0.quantity",
            "not_positive",
        ),
        (
            json!([{"product_id": f.p1, "quantity": "0"}]),
            "lines.0.quantity",
            "not_positive",
        ),
        (
            json!([line(f.p2, "1"), {"product_id": f.p1, "quantity": "1", "discount": "101"}]),
            "lines.1.discount",
            "over_100",
        ),
        (
            json!([{"product_id": f.p1, "quantity": "1", "unit_price": "-5"}]),
            "lines.0.unit_price",
            "negative",
        ),
        (
            json!([line(f.p_off, "1")]),
            "lines.0.product_id",
            "discontinued",
        ),
        (json!([line(999_999, "1")]), "lines.0.product_id", "unknown"),
        (json!([]), "lines", "required"),
    ];
    for (lines, field, code) in cases {
        let r = app
            .post(
                "/api/v1/orders",
                &f.a,
                json!({"customer_id": f.cust, "lines": lines}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.text
        );
        assert_eq!(field_code(&r.json(), field), code, "{}", r.text);
    }
    // Someone else's customer (not visible to a), a bad date, a due date before the order.
    let r = app
        .post(
            "/api/v1/orders",
            &f.a,
            json!({"customer_id": f.cust_c, "lines": [line(f.p1, "1")]}),
        )
        .await;
    assert_eq!(field_code(&r.json(), "customer_id"), "unknown");
    let r = app
        .post(
            "/api/v1/orders",
            &f.a,
            json!({"customer_id": f.cust, "order_date": "2026-02-30", "lines": [line(f.p1, "1")]}),
        )
        .await;
    assert_eq!(field_code(&r.json(), "order_date"), "invalid_date");
    let r = app
        .post(
            "/api/v1/orders",
            &f.a,
            json!({"customer_id": f.cust, "due_date": "2026-03-01", "lines": [line(f.p1, "1")]}),
        )
        .await;
    assert_eq!(field_code(&r.json(), "due_date"), "before_order_date");
    assert_eq!(order_count(&app).await, before, "nothing written");

    // The same on edit: the order stays as it was.
    let o = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let id = o["id"].as_i64().unwrap();
    let row = order_row(&app, id).await;
    let r = app
        .patch(
            &format!("/api/v1/orders/{id}"),
            &f.a,
            json!({"version": 1, "lines": [line(f.p1, "2"), line(f.p_off, "1")]}),
        )
        .await;
    assert_eq!(field_code(&r.json(), "lines.1.product_id"), "discontinued");
    assert_eq!(order_row(&app, id).await, row);
    let lines = app.get(&format!("/api/v1/orders/{id}"), &f.a).await.json()["lines"].clone();
    assert_eq!(lines.as_array().unwrap().len(), 1);
    assert_eq!(lines[0]["quantity"], "1");
});

db_test!(quote_becomes_an_order_once, |app| {
    let f = fx(&app).await;
    // Quoted below the guide price, with a discount: the quote's prices stand.
    let q = quote(
        &app,
        &f.a,
        f.cust,
        "sent",
        &[(f.p1, 2000, 90_000, 500), (f.p2, 1000, 25_050, 0)],
    )
    .await;
    let r = app
        .post(&format!("/api/v1/quotes/{q}/convert"), &f.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let o = r.json();
    assert_eq!(o["status"], "draft");
    assert_eq!(o["quote_id"], q);
    assert_eq!(o["customer_id"], f.cust);
    assert_eq!(o["owner_id"], f.a.id);
    // 2 × 900.00 × 0.95 + 250.50
    assert_eq!(o["total"], "1960.50");
    let lines = o["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["unit_price"], "900.00");
    assert_eq!(lines[0]["discount"], "5");
    assert_eq!(lines[0]["quantity"], "2");
    assert_eq!(lines[0]["product_code"], "P-001");
    let qrow = crm_store::orders::find_quote(&app.core.db, q)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(qrow.order_id, o["id"].as_i64());
    assert_eq!(qrow.status, "accepted");

    let count = order_count(&app).await;
    let r = app
        .post(&format!("/api/v1/quotes/{q}/convert"), &f.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "quote_already_converted");
    assert_eq!(order_count(&app).await, count);

    // Racing conversions of one quote: one order.
    let q2 = quote(&app, &f.a, f.cust, "draft", &[(f.p3, 1000, 9_999, 0)]).await;
    let reqs = (0..6)
        .map(|_| {
            (
                "POST",
                format!("/api/v1/quotes/{q2}/convert"),
                f.a.token.clone(),
                json!({}),
            )
        })
        .collect();
    let out = parallel(&app, reqs).await;
    assert_eq!(
        out.iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        1,
        "{out:?}"
    );
    assert_eq!(order_count(&app).await, count + 1);

    // A rejected quote, and someone else's quote.
    let q3 = quote(&app, &f.a, f.cust, "rejected", &[(f.p3, 1000, 9_999, 0)]).await;
    let r = app
        .post(&format!("/api/v1/quotes/{q3}/convert"), &f.a, json!({}))
        .await;
    assert_eq!(r.json()["error"], "quote_rejected");
    let q4 = quote(&app, &f.c, f.cust_c, "sent", &[(f.p3, 1000, 9_999, 0)]).await;
    let r = app
        .post(&format!("/api/v1/quotes/{q4}/convert"), &f.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(order_count(&app).await, count + 1);

    // Deleting the draft frees the quote for another conversion.
    let oid = o["id"].as_i64().unwrap();
    let r = app.delete(&format!("/api/v1/orders/{oid}"), &f.m).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = app
        .post(&format!("/api/v1/quotes/{q}/convert"), &f.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
});

db_test!(deleting_drafts_and_restoring, |app| {
    let f = fx(&app).await;
    let o = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    let id = o["id"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{id}");
    // Reps have no delete permission; managers in scope do.
    assert_eq!(app.delete(&path, &f.a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&path, &f.n).await.status, StatusCode::NOT_FOUND);
    let s = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await;
    submit(&app, &f.a, s["id"].as_i64().unwrap()).await;
    let r = app
        .delete(&format!("/api/v1/orders/{}", s["id"]), &f.m)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "order_not_draft");

    let r = app.delete(&format!("{path}?version=1"), &f.m).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &f.a).await.status, StatusCode::NOT_FOUND);
    let bin = app.get("/api/v1/recycle-bin", &f.admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "sales_order" && e["entity_id"] == id)
        .cloned()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{}/restore", entry["id"]),
            &f.admin,
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(app.get(&path, &f.a).await.status, StatusCode::OK);
});

db_test!(lists_follow_the_scope, |app| {
    let f = fx(&app).await;
    let a1 = create(&app, &f.a, f.cust, json!([line(f.p1, "1")])).await["id"]
        .as_i64()
        .unwrap();
    let a2 = create(&app, &f.a, f.cust, json!([line(f.p2, "1")])).await["id"]
        .as_i64()
        .unwrap();
    submit(&app, &f.a, a2).await;
    let m1 = create(&app, &f.m, f.cust, json!([line(f.p1, "1")])).await["id"]
        .as_i64()
        .unwrap();
    submit(&app, &f.m, m1).await;
    let c1 = create(&app, &f.c, f.cust_c, json!([line(f.p1, "1")])).await["id"]
        .as_i64()
        .unwrap();
    let ids = |v: serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(app.get("/api/v1/orders", &f.a).await.json()),
        vec![a2, a1]
    );
    assert_eq!(
        ids(app.get("/api/v1/orders", &f.b).await.json()),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(app.get("/api/v1/orders", &f.m).await.json()),
        vec![m1, a2, a1]
    );
    assert_eq!(ids(app.get("/api/v1/orders", &f.n).await.json()), vec![c1]);
    assert_eq!(
        ids(app.get("/api/v1/orders", &f.exec).await.json()),
        vec![c1, m1, a2, a1]
    );
    // Awaiting my approval: submitted, in scope, not mine.
    assert_eq!(
        ids(app
            .get("/api/v1/orders?awaiting_approval=true", &f.m)
            .await
            .json()),
        vec![a2]
    );
    assert_eq!(
        ids(app
            .get("/api/v1/orders?awaiting_approval=true", &f.top)
            .await
            .json()),
        vec![m1, a2]
    );
    assert_eq!(
        ids(app
            .get("/api/v1/orders?awaiting_approval=true", &f.a)
            .await
            .json()),
        Vec::<i64>::new()
    );
    // Filters and pages.
    assert_eq!(
        ids(app.get("/api/v1/orders?status=draft", &f.m).await.json()),
        vec![a1]
    );
    assert_eq!(
        ids(app
            .get(&format!("/api/v1/orders?owner_id={}", f.m.id), &f.top)
            .await
            .json()),
        vec![m1]
    );
    assert_eq!(
        ids(app
            .get("/api/v1/orders?from=2026-03-02&to=2026-03-02", &f.exec)
            .await
            .json())
        .len(),
        4
    );
    assert!(ids(app
        .get("/api/v1/orders?from=2026-03-03", &f.exec)
        .await
        .json())
    .is_empty());
    let p1 = app.get("/api/v1/orders?limit=2", &f.exec).await.json();
    assert_eq!(ids(p1.clone()), vec![c1, m1]);
    let next = p1["next"].as_str().unwrap().to_string();
    let p2 = app
        .get(&format!("/api/v1/orders?limit=2&cursor={next}"), &f.exec)
        .await
        .json();
    assert_eq!(ids(p2.clone()), vec![a2, a1]);
    assert!(p2["next"].is_null());
    let r = app.get("/api/v1/orders?status=nope", &f.a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The customer page's helpers: orders and purchase history of a visible customer.
    let pa = crm_service::auth::resume_token(&app.core, &f.a.token)
        .await
        .unwrap()
        .unwrap();
    let pn = crm_service::auth::resume_token(&app.core, &f.n.token)
        .await
        .unwrap()
        .unwrap();
    let mine = crm_service::orders::for_customer(&app.core, &pa, f.cust)
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|o| o.id).collect::<Vec<_>>(), vec![a2, a1]);
    assert!(matches!(
        crm_service::orders::for_customer(&app.core, &pn, f.cust).await,
        Err(crm_service::ServiceError::NotFound)
    ));
    assert!(
        crm_service::orders::purchases::for_customer(&app.core, &pa, f.cust)
            .await
            .unwrap()
            .is_empty()
    );
});

db_test!(the_openapi_document_lists_the_order_endpoints, |app| {
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/orders", "post"),
        ("/api/v1/orders/{id}", "patch"),
        ("/api/v1/orders/{id}/submit", "post"),
        ("/api/v1/orders/{id}/approve", "post"),
        ("/api/v1/orders/{id}/reject", "post"),
        ("/api/v1/orders/{id}/cancel", "post"),
        ("/api/v1/orders/{id}/purchase-records", "get"),
        ("/api/v1/purchase-records", "get"),
        ("/api/v1/quotes/{id}/convert", "post"),
        ("/api/v1/orders/{id}/payments", "post"),
        ("/api/v1/payments", "get"),
        ("/api/v1/payments/{id}", "delete"),
        ("/api/v1/orders/{id}/payment-plan", "put"),
        ("/api/v1/receivables", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    assert!(doc["components"]["schemas"]["OrderDto"].is_object());
    assert!(doc["components"]["schemas"]["ReceivableList"].is_object());
});

db_test!(an_approval_cut_short_leaves_nothing_behind, |app| {
    let f = fx(&app).await;
    let o = create(
        &app,
        &f.a,
        f.cust,
        json!([line(f.p1, "1"), line(f.p2, "1")]),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    submit(&app, &f.a, id).await;
    {
        // The approval's transaction, stopped after the state change and the records but
        // before the commit (as when the server dies): dropped, it rolls back.
        let txn = crm_store::begin_write(&app.core.db).await.unwrap();
        let t = crm_store::orders::Transition {
            from: &[crm_store::orders::Status::Submitted],
            to: crm_store::orders::Status::Approved,
            set: vec![],
            version: None,
            nothing_received: false,
        };
        assert!(crm_store::orders::transition(&txn, id, t, app.core.now())
            .await
            .unwrap());
        let row = crm_store::orders::find(&txn, id).await.unwrap().unwrap();
        let lines = crm_store::orders::lines_of(&txn, id).await.unwrap();
        crm_store::orders::add_purchase_records(&txn, &row, &lines, app.core.now())
            .await
            .unwrap();
        drop(txn);
    }
    assert_eq!(order_row(&app, id).await.status, "submitted");
    assert!(records(&app, id).await.is_empty());
    // Approving again afterwards works, once.
    approve(&app, &f.m, id).await;
    assert_eq!(records(&app, id).await.len(), 2);
    let r = app
        .post(&format!("/api/v1/orders/{id}/approve"), &f.m, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(records(&app, id).await.len(), 2);
});
