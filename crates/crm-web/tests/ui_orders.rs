//! Order and receivable pages through the router on both databases: every page renders in
//! both languages, the forms create, approve and pay with CSRF checks and field errors, a
//! quote turns into an order from its page, and overdue receivables are highlighted.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_testkit::{db_test, json, PASSWORD};
use orders_fixture::*;

fn location(r: &crm_testkit::TestResponse) -> String {
    r.header("location").unwrap_or_default()
}

db_test!(order_pages_render_in_both_languages, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "1200.00").await;
    pay(&app, &f.a, id, "200").await;
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/orders/{id}/payment-plan"),
            Some(&f.a.token),
            Some(json!({"instalments": [{"due_date": "2026-03-10", "amount": "1200"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let draft = create(&app, &f.a, f.cust, json!([line(f.p2, "1")])).await["id"]
        .as_i64()
        .unwrap();
    let number = order_row(&app, id).await.number;
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let zh = format!("{session}; crm_lang=zh-CN");
    let pages = [
        ("/orders".to_string(), "Sales orders", "销售订单"),
        (format!("/orders/{id}"), "Payments received", "回款记录"),
        (format!("/orders/{draft}/edit"), "Edit order", "编辑订单"),
        ("/orders/new".to_string(), "choose the customer", "请先选择"),
        (
            format!("/orders/new?customer_id={}", f.cust),
            "Product lines",
            "产品明细",
        ),
        (format!("/orders/{id}/print"), "SALES ORDER", "金额大写"),
        ("/receivables".to_string(), "Receivables", "应收款"),
    ];
    for (path, en, zh_text) in pages {
        let r = app.browser("GET", &path, &session, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert!(r.text.contains(en), "{path} (en) lacks {en}");
        let r = app.browser("GET", &path, &zh, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text.contains(zh_text), "{path} (zh) lacks {zh_text}");
    }
    let page = app
        .browser("GET", &format!("/orders/{id}"), &session, None)
        .await
        .text;
    assert!(page.contains(&number));
    assert!(
        page.contains("¥200.00") && page.contains("¥1,000.00"),
        "received and outstanding"
    );
    assert!(
        page.contains("Added to the customer&#x27;s purchase records (1 lines)")
            || page.contains("purchase records (1 lines)")
    );
    assert!(page.contains("Partly paid"));
    assert!(
        page.contains("id=\"payment-form\""),
        "the owner records payments"
    );
    assert!(
        !page.contains("id=\"order-approve\""),
        "no approval for the owner"
    );
    assert!(
        !page.contains("id=\"order-edit\""),
        "approved orders are not edited"
    );
    let print = app
        .browser("GET", &format!("/orders/{id}/print"), &session, None)
        .await
        .text;
    assert!(print.contains("window.print()"));
    assert!(print.contains("壹仟贰佰元整"), "total in capitals");
    // Invisible to a manager outside the chain.
    let (n_session, _) = app.browser_login("mgr_n", PASSWORD).await;
    let r = app
        .browser("GET", &format!("/orders/{id}"), &n_session, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.browser("GET", "/orders", &n_session, None).await;
    assert!(!r.text.contains(&number));
});

db_test!(orders_are_created_and_approved_through_forms, |app| {
    let f = fx(&app).await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let cust = f.cust.to_string();
    let p1 = f.p1.to_string();
    let p2 = f.p2.to_string();
    let before = order_count(&app).await;
    // A bad line comes back with its error next to it; nothing is written.
    let r = app
        .browser(
            "POST",
            "/orders",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("customer_id", &cust),
                ("order_date", "2026-03-02"),
                ("due_date", ""),
                ("notes", ""),
                ("line_product_id", &p1),
                ("line_quantity", "-1"),
                ("line_unit_price", ""),
                ("line_discount", ""),
                ("line_product_id", &p2),
                ("line_quantity", "1"),
                ("line_unit_price", ""),
                ("line_discount", "101"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    assert!(r.text.contains("Must be greater than zero"), "{}", r.text);
    assert!(r.text.contains("Must not exceed 100 %"));
    assert!(r.text.contains("value=\"-1\""), "what was typed is kept");
    assert_eq!(order_count(&app).await, before);
    // Without the CSRF token: refused.
    let r = app
        .browser(
            "POST",
            "/orders",
            &session,
            Some(&[
                ("customer_id", &cust),
                ("line_product_id", &p1),
                ("line_quantity", "1"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(order_count(&app).await, before);

    let r = app
        .browser(
            "POST",
            "/orders",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("customer_id", &cust),
                ("order_date", "2026-03-02"),
                ("due_date", "2026-04-01"),
                ("notes", "急单"),
                ("line_product_id", &p1),
                ("line_quantity", "2"),
                ("line_unit_price", ""),
                ("line_discount", "5"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let loc = location(&r);
    let id: i64 = loc
        .trim_start_matches("/orders/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let o = order_row(&app, id).await;
    assert_eq!((o.total, o.status.as_str()), (190_000, "draft"));
    assert_eq!(o.notes.as_deref(), Some("急单"));

    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/submit"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(order_row(&app, id).await.status, "submitted");
    // The rep cannot approve: no button, and posting is refused.
    let page = app
        .browser("GET", &format!("/orders/{id}"), &session, None)
        .await
        .text;
    assert!(!page.contains("id=\"order-approve\""));
    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/approve"),
            &session,
            Some(&[("_csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (m_session, m_csrf) = app.browser_login("mgr_m", PASSWORD).await;
    let list = app
        .browser("GET", "/orders?awaiting=1", &m_session, None)
        .await
        .text;
    assert!(list.contains(&o.number), "awaiting m's approval");
    let page = app
        .browser("GET", &format!("/orders/{id}"), &m_session, None)
        .await
        .text;
    assert!(page.contains("id=\"order-approve\"") && page.contains("id=\"order-reject\""));
    // Reject needs a comment.
    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/reject"),
            &m_session,
            Some(&[("_csrf", &m_csrf), ("comment", "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("This field is required"));
    assert_eq!(order_row(&app, id).await.status, "submitted");
    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/approve"),
            &m_session,
            Some(&[("comment", "ok")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF");
    assert_eq!(order_row(&app, id).await.status, "submitted");
    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/approve"),
            &m_session,
            Some(&[("_csrf", &m_csrf), ("comment", "同意")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(records(&app, id).await.len(), 1);
    // A second click: refused with the reason, nothing added.
    let r = app
        .browser(
            "POST",
            &format!("/orders/{id}/approve"),
            &m_session,
            Some(&[("_csrf", &m_csrf), ("comment", "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.text.contains("already been approved or rejected"),
        "{}",
        r.text
    );
    assert_eq!(records(&app, id).await.len(), 1);
    let o = order_row(&app, id).await;
    assert_eq!(o.decision_comment.as_deref(), Some("同意"));
    assert_eq!(o.decided_by, Some(f.m.id));
});

db_test!(payments_and_plans_through_forms, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "1000.00").await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let path = format!("/orders/{id}/payments");
    let r = app
        .browser(
            "POST",
            &path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("amount", "1000.01"),
                ("paid_on", "2026-03-02"),
                ("method", "cash"),
                ("note", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("The amount exceeds what is outstanding"),
        "{}",
        r.text
    );
    assert!(r.text.contains("value=\"1000.01\""));
    assert!(live_payments(&app, id).await.is_empty());
    let r = app
        .browser(
            "POST",
            &path,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("amount", "300"),
                ("paid_on", "2026-03-01"),
                ("method", "alipay"),
                ("note", "首付"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(assert_reconciles(&app, id).await, (100_000, 30_000));
    let page = app
        .browser("GET", &format!("/orders/{id}"), &session, None)
        .await
        .text;
    assert!(page.contains("Alipay") && page.contains("首付"));

    // The plan: a sum that does not match comes back with the reason.
    let plan = format!("/orders/{id}/plan");
    let r = app
        .browser(
            "POST",
            &plan,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("plan_due_date", "2026-03-01"),
                ("plan_amount", "300"),
                ("plan_note", ""),
                ("plan_due_date", "2026-04-01"),
                ("plan_amount", "600"),
                ("plan_note", ""),
                ("plan_due_date", ""),
                ("plan_amount", ""),
                ("plan_note", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"plan-error\""));
    assert!(r.text.contains("add up exactly"), "{}", r.text);
    let r = app
        .browser(
            "POST",
            &plan,
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("plan_due_date", "2026-03-01"),
                ("plan_amount", "300"),
                ("plan_note", "首期"),
                ("plan_due_date", "2026-04-01"),
                ("plan_amount", "700"),
                ("plan_note", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = app
        .browser("GET", &format!("/orders/{id}"), &session, None)
        .await
        .text;
    assert!(page.contains("id=\"plan-table\"") && page.contains("首期"));

    // Deleting a payment: managers (reps have no delete permission).
    let pid = live_payments(&app, id).await[0].id;
    let r = app
        .browser(
            "POST",
            &format!("/payments/{pid}/delete"),
            &session,
            Some(&[("_csrf", &csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (m_session, m_csrf) = app.browser_login("mgr_m", PASSWORD).await;
    let r = app
        .browser(
            "POST",
            &format!("/payments/{pid}/delete"),
            &m_session,
            Some(&[("_csrf", &m_csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(assert_reconciles(&app, id).await, (100_000, 0));
});

db_test!(a_quote_becomes_an_order_from_its_page, |app| {
    let f = fx(&app).await;
    let q = quote(&app, &f.a, f.cust, "sent", &[(f.p1, 1000, 88_800, 0)]).await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{q}/convert"),
            &session,
            Some(&[("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF");
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{q}/convert"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let loc = location(&r);
    assert!(
        loc.starts_with("/orders/") && loc.ends_with("?flash=created"),
        "{loc}"
    );
    let page = app.browser("GET", &loc, &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("¥888.00"));
    assert!(page.text.contains("id=\"order-quote-link\""));
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{q}/convert"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "2")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("already been turned into an order"));
});

db_test!(receivables_page_highlights_overdue, |app| {
    let f = fx(&app).await;
    let r = app
        .post(
            "/api/v1/orders",
            &f.a,
            json!({"customer_id": f.cust, "order_date": "2026-01-05", "due_date": "2026-02-01",
                   "lines": [{"product_id": f.p1, "quantity": "1", "unit_price": "500"}]}),
        )
        .await;
    let late = r.json()["id"].as_i64().unwrap();
    submit(&app, &f.a, late).await;
    approve(&app, &f.m, late).await;
    let fine = approved_for(&app, &f, "300.00").await;
    let (session, _) = app.browser_login("mgr_m", PASSWORD).await;
    let page = app.browser("GET", "/receivables", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains(&format!("<tr data-id=\"{late}\" class=\"table-danger\">")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&format!("<tr data-id=\"{fine}\">")));
    assert!(page.text.contains("Overdue 29 days"));
    assert!(page.text.contains("¥800.00"), "total outstanding");
    assert!(page.text.contains("¥500.00"), "overdue outstanding");
    let only = app
        .browser("GET", "/receivables?overdue=1", &session, None)
        .await
        .text;
    assert!(only.contains(&format!("data-id=\"{late}\"")));
    assert!(!only.contains(&format!("data-id=\"{fine}\"")));
    let (b_session, _) = app.browser_login("rep_b", PASSWORD).await;
    let page = app
        .browser("GET", "/receivables", &b_session, None)
        .await
        .text;
    assert!(!page.contains(&format!("data-id=\"{late}\"")), "scope");
});

db_test!(
    the_order_list_picks_a_customer_and_remembers_the_view,
    |app| {
        let f = fx(&app).await;
        let mine = approved_for(&app, &f, "100.00").await;
        let other_customer = customer(&app, &f.a, "宁波远航贸易").await;
        let other = create(&app, &f.a, other_customer, json!([line(f.p2, "1")])).await["id"]
            .as_i64()
            .unwrap();
        let (mine_no, other_no) = (
            order_row(&app, mine).await.number,
            order_row(&app, other).await.number,
        );
        let (session, _) = app.browser_login("rep_a", PASSWORD).await;
        // The unfiltered list offers the customer search; it finds customers in scope.
        let page = app.browser("GET", "/orders", &session, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("id=\"filter-customer-q\""));
        assert!(page.text.contains(&mine_no) && page.text.contains(&other_no));
        let opts = app
            .browser(
                "GET",
                "/opportunities/customer-options?customer_q=%E8%BF%9C%E8%88%AA",
                &session,
                None,
            )
            .await;
        assert!(
            opts.text.contains(&format!("value=\"{other_customer}\"")),
            "{}",
            opts.text
        );
        // Filtering by that customer lists only its orders and is remembered.
        let page = app
            .browser(
                "GET",
                &format!("/orders?customer_id={other_customer}"),
                &session,
                None,
            )
            .await;
        assert!(page.text.contains(&other_no) && !page.text.contains(&mine_no));
        assert!(
            page.text.contains("宁波远航贸易"),
            "the chosen customer is named"
        );
        let saved = crm_testkit::cookie_pair(&page.cookies(), "crm_view_orders").unwrap();
        let cookies = format!("{session}; {saved}");
        let r = app.browser("GET", "/orders", &cookies, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            location(&r),
            format!("/orders?customer_id={other_customer}")
        );
        // The "awaiting my approval" tab neither follows nor changes the view.
        let r = app
            .browser("GET", "/orders?awaiting=1", &cookies, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(crm_testkit::cookie_pair(&r.cookies(), "crm_view_orders").is_none());
        // Reset forgets it.
        let r = app.browser("GET", "/orders?status=", &cookies, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains(&mine_no) && r.text.contains(&other_no));
        let forgotten = r
            .cookies()
            .iter()
            .any(|c| c.starts_with("crm_view_orders=") && c.contains("Max-Age=0"));
        assert!(forgotten, "{:?}", r.cookies());
    }
);

db_test!(the_order_page_shows_its_history, |app| {
    let f = fx(&app).await;
    let id = approved_for(&app, &f, "300.00").await;
    let r = pay(&app, &f.a, id, "120").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/orders/{id}"), &session, None)
        .await;
    assert!(page
        .text
        .contains(&format!("hx-get=\"/orders/{id}/history\"")));
    let path = format!("/orders/{id}/history");
    let h = app.browser("GET", &path, &session, None).await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    // Newest first: the payment, the approval (by the manager), the submission, creation.
    let order_of = |needle: &str| {
        h.text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing in {}", h.text))
    };
    assert!(order_of("Payment recorded") < order_of("Approved"));
    assert!(order_of("Approved") < order_of("Submitted for approval"));
    assert!(order_of("Submitted for approval") < order_of("Order created"));
    assert!(h.text.contains("¥120.00"), "the payment's amount");
    assert!(h.text.contains("1 lines added to the purchase records"));
    let zh = app
        .browser("GET", &path, &format!("{session}; crm_lang=zh-CN"), None)
        .await;
    assert!(zh.text.contains("审批通过") && zh.text.contains("登记回款"));
    // Outside the order owner's chain: 404, nothing leaks.
    let (other, _) = app.browser_login("rep_c", PASSWORD).await;
    let r = app.browser("GET", &path, &other, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text.contains("Payment recorded"));
});
