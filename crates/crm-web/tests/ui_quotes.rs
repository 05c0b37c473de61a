//! Quote and expense pages through the router: the quote form with the line editor, the
//! quote page and its actions, the print page in both languages, the expense list with its
//! totals and the expense form.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};

struct World {
    mgr: TestUser,
    a: TestUser,
    ca: i64,
    p1: i64,
    p2: i64,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let ca = app
        .post(
            "/api/v1/customers",
            &a,
            json!({"name": "甲方科技", "province": "北京市", "city": "北京市",
                   "district": "海淀区", "street": "中关村大街1号", "postal_code": "100080"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let product = |code: &str, price: &str| {
        let admin = admin.clone();
        let code = code.to_string();
        let price = price.to_string();
        async move {
            let r = app
                .post(
                    "/api/v1/products",
                    &admin,
                    json!({"code": code, "name": format!("产品{code}"), "spec": "标准",
                           "unit": "台", "guide_price": price}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.json()["id"].as_i64().unwrap()
        }
    };
    let p1 = product("SRV-01", "100.00").await;
    let p2 = product("CBL-02", "0.33").await;
    World { mgr, a, ca, p1, p2 }
}

fn location(r: &crm_testkit::TestResponse) -> String {
    r.header("location").unwrap_or_default()
}

db_test!(a_quote_is_made_with_the_line_editor, |app| {
    let w = world(&app).await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    // Step one: choose the customer.
    let page = app.browser("GET", "/quotes/new", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("quote-customer-choose"));
    assert!(page.text.contains("甲方科技"));
    // Step two: the form with the line editor (3 blank rows, the script, product options).
    let page = app
        .browser(
            "GET",
            &format!("/quotes/new?customer_id={}", w.ca),
            &session,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("id=\"quote-form\""));
    assert!(page.text.contains("SRV-01 · 产品SRV-01 (标准)"));
    assert!(page.text.contains("data-price=\"100.00\""));
    assert!(page.text.contains("/static/lines.js"));
    // Three blank rows, plus the template row the script clones.
    assert_eq!(page.text.matches("name=\"line_quantity\"").count(), 4);
    let js = app.browser("GET", "/static/lines.js", "", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.text.contains("data-line-template"));
    let ca = w.ca.to_string();
    let (p1, p2) = (w.p1.to_string(), w.p2.to_string());
    // Without the CSRF token nothing is written.
    let r = app
        .browser(
            "POST",
            "/quotes",
            &session,
            Some(&[("customer_id", &ca), ("title", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad lines come back with their errors under the cells, and nothing is written.
    let bad: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("customer_id", &ca),
        ("title", "机房报价"),
        ("line_product_id", &p1),
        ("line_quantity", "-1"),
        ("line_unit_price", ""),
        ("line_discount", ""),
        ("line_product_id", ""),
        ("line_quantity", ""),
        ("line_unit_price", ""),
        ("line_discount", ""),
        ("line_product_id", &p2),
        ("line_quantity", "3"),
        ("line_unit_price", ""),
        ("line_discount", "101"),
    ];
    let r = app.browser("POST", "/quotes", &session, Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Must be greater than zero"), "{}", r.text);
    assert!(r.text.contains("Must not exceed 100 %"));
    assert!(r.text.contains("value=\"-1\""), "typed values are kept");
    assert!(r.text.contains("value=\"101\""));
    assert!(r.text.contains("value=\"机房报价\""));
    let list = app.get("/api/v1/quotes", &w.a).await.json();
    assert!(list["items"].as_array().unwrap().is_empty());
    // Good lines: saved, totals computed by the server (2 × 100 less 5 % + 3 × 0.33 less 10 %).
    let good: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("customer_id", &ca),
        ("opportunity_id", ""),
        ("title", "机房报价"),
        ("valid_until", "2026-03-31"),
        ("notes", ""),
        ("line_product_id", &p1),
        ("line_quantity", "2"),
        ("line_unit_price", ""),
        ("line_discount", "5"),
        ("line_product_id", &p2),
        ("line_quantity", "3"),
        ("line_unit_price", "0.33"),
        ("line_discount", "10"),
        ("line_product_id", ""),
        ("line_quantity", ""),
        ("line_unit_price", ""),
        ("line_discount", ""),
    ];
    let r = app.browser("POST", "/quotes", &session, Some(&good)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = location(&r);
    assert!(to.starts_with("/quotes/"), "{to}");
    let list = app.get("/api/v1/quotes", &w.a).await.json();
    let q = &list["items"][0];
    let id = q["id"].as_i64().unwrap();
    assert_eq!(q["total"], "190.89");
    assert_eq!(q["subtotal"], "200.99");
    // The quote page: number, lines, totals, status actions, create-order button.
    let page = app
        .browser("GET", &format!("/quotes/{id}"), &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let number = format!("QT20260302-{id:06}");
    assert!(page.text.contains(&number));
    assert!(page.text.contains("¥190.89"));
    assert!(page.text.contains("¥10.10"));
    assert!(page.text.contains("产品CBL-02"));
    assert!(page.text.contains("data-quote-status=\"sent\""));
    assert!(page
        .text
        .contains(&format!("action=\"/quotes/{id}/convert\"")));
    assert!(page.text.contains(&format!("/quotes/{id}/print")));
    assert!(
        !page.text.contains("id=\"quote-delete\""),
        "reps cannot delete"
    );
    // The edit page shows the stored rows; saving replaces the lines.
    let page = app
        .browser("GET", &format!("/quotes/{id}/edit"), &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("value=\"0.33\""));
    assert!(page.text.contains("190.00"), "stored line total shown");
    let edit: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("version", "1"),
        ("opportunity_id", ""),
        ("title", "机房报价（修订）"),
        ("valid_until", ""),
        ("notes", "含三年维保"),
        ("line_product_id", &p1),
        ("line_quantity", "1"),
        ("line_unit_price", "88.8"),
        ("line_discount", ""),
    ];
    let r = app
        .browser("POST", &format!("/quotes/{id}"), &session, Some(&edit))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let q = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    assert_eq!(q["total"], "88.80");
    assert_eq!(q["lines"].as_array().unwrap().len(), 1);
    assert_eq!(q["notes"], "含三年维保");
    // Status buttons move it along; once accepted the edit page refuses.
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{id}/status"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "2"), ("status", "sent")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{id}/status"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "3"), ("status", "accepted")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app
        .browser("GET", &format!("/quotes/{id}"), &session, None)
        .await;
    assert!(page.text.contains("data-status=\"accepted\""));
    assert!(!page.text.contains("id=\"quote-edit\""));
    let r = app
        .browser("GET", &format!("/quotes/{id}/edit"), &session, None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // The list shows it; a peer gets a 404 page.
    let page = app
        .browser("GET", "/quotes?status=accepted", &session, None)
        .await;
    assert!(page.text.contains(&number));
    let page = app
        .browser("GET", "/quotes?status=draft", &session, None)
        .await;
    assert!(!page.text.contains(&number));
    app.user("rep_b", Role::SalesRep, None, None).await;
    let (peer, _) = app.browser_login("rep_b", PASSWORD).await;
    let r = app
        .browser("GET", &format!("/quotes/{id}"), &peer, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .browser("GET", &format!("/quotes/{id}/print"), &peer, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The manager may delete a draft from its page.
    let q2 = app
        .post(
            "/api/v1/quotes",
            &w.a,
            json!({"customer_id": w.ca, "title": "草稿", "lines": [{"product_id": w.p1, "quantity": 1}]}),
        )
        .await
        .json();
    let id2 = q2["id"].as_i64().unwrap();
    let (msession, mcsrf) = app.browser_login("manager", PASSWORD).await;
    let page = app
        .browser("GET", &format!("/quotes/{id2}"), &msession, None)
        .await;
    assert!(page.text.contains("id=\"quote-delete\""));
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{id2}/delete"),
            &msession,
            Some(&[("_csrf", &mcsrf), ("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/api/v1/quotes/{id2}"), &w.mgr)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(the_print_page_in_both_languages, |app| {
    let w = world(&app).await;
    let q = app
        .post(
            "/api/v1/quotes",
            &w.a,
            json!({"customer_id": w.ca, "title": "服务器采购报价", "valid_until": "2026-03-31",
                   "lines": [
                       {"product_id": w.p1, "quantity": "2", "discount": "5"},
                       {"product_id": w.p2, "quantity": 3, "discount": 10},
                       {"product_id": w.p1, "quantity": "1.5", "unit_price": "0.03"}]}),
        )
        .await
        .json();
    let id = q["id"].as_i64().unwrap();
    assert_eq!(q["total"], "190.94");
    let number = format!("QT20260302-{id:06}");
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let zh = app
        .browser(
            "GET",
            &format!("/quotes/{id}/print"),
            &format!("{session}; crm_lang=zh-CN"),
            None,
        )
        .await;
    assert_eq!(zh.status, StatusCode::OK);
    for needle in [
        "华信 CRM",
        "报价单",
        number.as_str(),
        "甲方科技",
        "北京市北京市海淀区中关村大街1号 100080",
        "SRV-01",
        "产品CBL-02",
        "190.00",
        "0.89",
        "0.05",
        "¥201.04",
        "¥10.10",
        "¥190.94",
        "壹佰玖拾元玖角肆分",
        "2026-03-31",
        "window.print()",
        "@media print",
        "打印",
    ] {
        assert!(zh.text.contains(needle), "zh-CN print page lacks {needle}");
    }
    let en = app
        .browser("GET", &format!("/quotes/{id}/print"), &session, None)
        .await;
    assert_eq!(en.status, StatusCode::OK);
    for needle in [
        "Huaxin CRM",
        "QUOTATION",
        number.as_str(),
        "甲方科技",
        "Line total",
        "¥190.94",
        "Valid until",
        "Print",
    ] {
        assert!(en.text.contains(needle), "en print page lacks {needle}");
    }
    // The quote page and list render in Chinese too.
    let page = app
        .browser(
            "GET",
            &format!("/quotes/{id}"),
            &format!("{session}; crm_lang=zh-CN"),
            None,
        )
        .await;
    assert!(page.text.contains("草稿") && page.text.contains("生成订单"));
    let page = app
        .browser(
            "GET",
            "/quotes",
            &format!("{session}; crm_lang=zh-CN"),
            None,
        )
        .await;
    assert!(page.text.contains("报价方案") && page.text.contains(&number));
    // "Create order" posts to the orders helper; afterwards the quote links to the order
    // and offers neither the button nor editing.
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let r = app
        .browser(
            "POST",
            &format!("/quotes/{id}/convert"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(location(&r).starts_with("/orders/"), "{}", location(&r));
    let q = app.get(&format!("/api/v1/quotes/{id}"), &w.a).await.json();
    let order = q["order_id"].as_i64().unwrap();
    let page = app
        .browser("GET", &format!("/quotes/{id}"), &session, None)
        .await;
    assert!(page.text.contains(&format!("href=\"/orders/{order}\"")));
    assert!(!page.text.contains("id=\"quote-convert\""));
    assert!(!page.text.contains("id=\"quote-edit\""));
});

db_test!(expense_pages_list_totals_and_forms, |app| {
    let w = world(&app).await;
    let b = app
        .user("rep_b", Role::SalesRep, None, Some(w.mgr.id))
        .await;
    let cb = app
        .post("/api/v1/customers", &b, json!({"name": "乙方贸易"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/expenses",
        &b,
        json!({"customer_id": cb, "category": "gifts", "amount": "66.60"}),
    )
    .await;
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
    let page = app.browser("GET", "/expenses/new", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("expense-customer-choose"));
    let page = app
        .browser(
            "GET",
            &format!("/expenses/new?customer_id={}", w.ca),
            &session,
            None,
        )
        .await;
    assert!(page.text.contains("id=\"expense-form\""));
    assert!(
        page.text.contains("value=\"2026-03-02\""),
        "today by default"
    );
    assert!(page.text.contains("max=\"2026-03-02\""));
    assert!(
        !page.text.contains("expense-owner-field"),
        "reps record their own"
    );
    let ca = w.ca.to_string();
    let r = app
        .browser(
            "POST",
            "/expenses",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("customer_id", &ca),
                ("opportunity_id", ""),
                ("category", "travel"),
                ("amount", "88"),
                ("spent_on", "2026-03-05"),
                ("note", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Must not be in the future"));
    assert!(app.get("/api/v1/expenses", &w.a).await.json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
    for (amount, day) in [("88", "2026-03-01"), ("12.34", "2026-02-20")] {
        let r = app
            .browser(
                "POST",
                "/expenses",
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("customer_id", &ca),
                    ("category", "travel"),
                    ("amount", amount),
                    ("spent_on", day),
                    ("note", "拜访"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
    // The list with its totals: a sees only her own.
    let page = app.browser("GET", "/expenses", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("¥100.34"), "grand total");
    assert!(page.text.contains("甲方科技"));
    assert!(!page.text.contains("乙方贸易"));
    assert!(!page.text.contains("¥66.60"));
    let page = app
        .browser(
            "GET",
            "/expenses?from=2026-03-01&to=2026-03-02",
            &session,
            None,
        )
        .await;
    assert!(page.text.contains("¥88.00") && !page.text.contains("¥12.34"));
    // The manager sees both reps and both customers in the totals panel.
    let (msession, mcsrf) = app.browser_login("manager", PASSWORD).await;
    let page = app
        .browser(
            "GET",
            "/expenses",
            &format!("{msession}; crm_lang=zh-CN"),
            None,
        )
        .await;
    assert!(page.text.contains("按销售代表") && page.text.contains("按客户"));
    assert!(page.text.contains("¥166.94"), "100.34 + 66.60");
    assert!(page.text.contains("乙方贸易") && page.text.contains("甲方科技"));
    assert!(page.text.contains(&format!("data-owner=\"{}\"", b.id)));
    assert!(page.text.contains("差旅费"));
    // Edit (the manager may pick a spender in scope) and delete.
    let id = app.get("/api/v1/expenses?limit=1", &w.a).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let page = app
        .browser("GET", &format!("/expenses/{id}/edit"), &msession, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("expense-owner-field"));
    assert!(page.text.contains("id=\"expense-delete\""));
    let r = app
        .browser(
            "POST",
            &format!("/expenses/{id}"),
            &msession,
            Some(&[
                ("_csrf", &mcsrf),
                ("version", "1"),
                ("category", "entertainment"),
                ("amount", "90"),
                ("spent_on", "2026-03-01"),
                ("owner_id", &w.a.id.to_string()),
                ("note", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let x = app
        .get(&format!("/api/v1/expenses/{id}"), &w.a)
        .await
        .json();
    assert_eq!(x["amount"], "90.00");
    assert_eq!(x["category"], "entertainment");
    let r = app
        .browser(
            "POST",
            &format!("/expenses/{id}/delete"),
            &msession,
            Some(&[("_csrf", &mcsrf), ("version", "2")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/api/v1/expenses/{id}"), &w.a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});
