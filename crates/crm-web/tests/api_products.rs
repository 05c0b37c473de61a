//! The product catalogue through the real router on both databases: categories as a tree,
//! products with validation, cost-price visibility, soft delete and restore, and the
//! options used by the quote and order line editors.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};
use serde_json::Value;

async fn category(app: &TestApp, who: &TestUser, name: &str, parent: Option<i64>) -> i64 {
    let r = app
        .post(
            "/api/v1/product-categories",
            who,
            json!({"name": name, "parent_id": parent}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn product(app: &TestApp, who: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/products", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

async fn count(app: &TestApp, who: &TestUser) -> usize {
    let r = app.get("/api/v1/products?limit=200", who).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["items"].as_array().unwrap().len()
}

/// 硬件 > 服务器, 软件; five products spread over them.
async fn catalogue(app: &TestApp, admin: &TestUser) -> (i64, i64, i64) {
    let hw = category(app, admin, "硬件", None).await;
    let srv = category(app, admin, "服务器", Some(hw)).await;
    let sw = category(app, admin, "软件", None).await;
    let rows = [
        ("HW-001", "交换机", hw, json!("1200"), "on_sale"),
        ("HW-002", "机柜", hw, json!("800.5"), "discontinued"),
        ("SRV-001", "塔式服务器", srv, json!("15000.00"), "on_sale"),
        ("SRV-002", "机架服务器", srv, json!(23999.99), "on_sale"),
        ("SW-001", "Office License", sw, json!("99"), "on_sale"),
    ];
    for (code, name, cat, price, status) in rows {
        product(
            app,
            admin,
            json!({"code": code, "name": name, "unit": "台", "guide_price": price,
                   "cost_price": "10", "status": status, "category_id": cat}),
        )
        .await;
    }
    (hw, srv, sw)
}

db_test!(products_are_created_listed_filtered_and_paginated, |app| {
    let admin = app.admin().await;
    let (hw, srv, sw) = catalogue(&app, &admin).await;
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;

    // Everyone with products:view sees the whole catalogue, by code.
    let all = app.get("/api/v1/products", &rep).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        codes(&all.json()),
        ["HW-001", "HW-002", "SRV-001", "SRV-002", "SW-001"]
    );
    let first = &all.json()["items"][3];
    assert_eq!(first["guide_price"], "23999.99");
    assert_eq!(first["unit"], "台");
    assert_eq!(first["category_name"], "服务器");
    assert_eq!(first["status"], "on_sale");

    // A category includes its subcategories.
    let r = app
        .get(&format!("/api/v1/products?category_id={hw}"), &rep)
        .await;
    assert_eq!(codes(&r.json()), ["HW-001", "HW-002", "SRV-001", "SRV-002"]);
    let r = app
        .get(&format!("/api/v1/products?category_id={srv}"), &rep)
        .await;
    assert_eq!(codes(&r.json()), ["SRV-001", "SRV-002"]);
    let r = app
        .get(&format!("/api/v1/products?category_id={sw}"), &rep)
        .await;
    assert_eq!(codes(&r.json()), ["SW-001"]);

    // q: code prefix, name part (Chinese and case-insensitive Latin).
    let r = app.get("/api/v1/products?q=srv-", &rep).await;
    assert_eq!(codes(&r.json()), ["SRV-001", "SRV-002"]);
    let r = app
        .get("/api/v1/products?q=%E6%9C%8D%E5%8A%A1%E5%99%A8", &rep)
        .await; // 服务器
    assert_eq!(codes(&r.json()), ["SRV-001", "SRV-002"]);
    let r = app.get("/api/v1/products?q=office", &rep).await;
    assert_eq!(codes(&r.json()), ["SW-001"]);
    let r = app.get("/api/v1/products?status=discontinued", &rep).await;
    assert_eq!(codes(&r.json()), ["HW-002"]);
    let r = app.get("/api/v1/products?status=gone", &rep).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/products?sort=price", &rep).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Sort by name; keyset pages of 2 walk the whole list once.
    for sort in ["name", "code", "updated"] {
        let mut seen = Vec::new();
        let url = format!("/api/v1/products?sort={sort}&limit=2");
        for page in app.pages(&url, &rep).await {
            assert!(page["items"].as_array().unwrap().len() <= 2);
            seen.extend(codes(&page));
        }
        assert_eq!(seen.len(), 5, "{sort}: {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{sort}: {seen:?}");
        if sort == "name" {
            let names: Vec<String> = {
                let page = app.get("/api/v1/products?sort=name", &rep).await.json();
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect()
            };
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted);
        }
    }

    // PATCH with the version; a stale version is a 409 and changes nothing.
    let p = &all.json()["items"][0];
    let id = p["id"].as_i64().unwrap();
    let v = p["version"].as_i64().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &admin,
            json!({"version": v, "name": "千兆交换机", "guide_price": 1250.5, "spec": "24口"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["guide_price"], "1250.50");
    assert_eq!(r.json()["spec"], "24口");
    assert_eq!(r.json()["code"], "HW-001");
    let r = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &admin,
            json!({"version": v, "name": "旧名"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.get(&format!("/api/v1/products/{id}"), &rep).await;
    assert_eq!(r.json()["name"], "千兆交换机");
    let r = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &admin,
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["version"]["code"], "required");
});

db_test!(product_codes_are_unique, |app| {
    let admin = app.admin().await;
    let p = product(
        &app,
        &admin,
        json!({"code": "A-1", "name": "甲", "unit": "个", "guide_price": "1"}),
    )
    .await;
    let r = app
        .post(
            "/api/v1/products",
            &admin,
            json!({"code": "A-1", "name": "乙", "unit": "个", "guide_price": "2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["code"]["code"], "taken");
    assert_eq!(count(&app, &admin).await, 1);
    // Renaming another product onto a taken code is refused too.
    let other = product(
        &app,
        &admin,
        json!({"code": "B-1", "name": "丙", "unit": "个", "guide_price": "1"}),
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/products/{}", other["id"]),
            &admin,
            json!({"version": other["version"], "code": " A-1 "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["code"]["code"], "taken");
    // Keeping one's own code is fine.
    let r = app
        .patch(
            &format!("/api/v1/products/{}", p["id"]),
            &admin,
            json!({"version": p["version"], "code": "A-1", "name": "甲二"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
});

db_test!(invalid_products_are_refused_and_nothing_is_written, |app| {
    let admin = app.admin().await;
    let base = json!({"code": "X-1", "name": "产品", "unit": "套", "guide_price": "10"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with("guide_price", json!("-1")), "guide_price", "negative"),
        (with("guide_price", json!(-5)), "guide_price", "negative"),
        (
            with("guide_price", json!("abc")),
            "guide_price",
            "invalid_amount",
        ),
        (
            with("guide_price", json!("1.234")),
            "guide_price",
            "invalid_amount",
        ),
        (with("guide_price", json!("")), "guide_price", "required"),
        (without("guide_price"), "guide_price", "required"),
        (
            with("guide_price", json!("200000000000")),
            "guide_price",
            "too_large",
        ),
        (with("cost_price", json!("-0.01")), "cost_price", "negative"),
        (without("unit"), "unit", "required"),
        (with("unit", json!("   ")), "unit", "required"),
        (with("unit", json!("u".repeat(21))), "unit", "too_long"),
        (without("code"), "code", "required"),
        (with("code", json!("c".repeat(51))), "code", "too_long"),
        (with("name", json!("名".repeat(201))), "name", "too_long"),
        (with("spec", json!("s".repeat(201))), "spec", "too_long"),
        (with("category_id", json!(9999)), "category_id", "unknown"),
        (
            with("status", json!("sold_out")),
            "status",
            "invalid_choice",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/products", &admin, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(r.json()["error"], "validation_failed", "{}", r.text);
        assert_eq!(
            r.json()["fields"][field]["code"],
            code,
            "{body}: {}",
            r.text
        );
    }
    // A wrongly typed price is refused before the service.
    let r = app
        .post("/api/v1/products", &admin, with("guide_price", json!(true)))
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert_eq!(count(&app, &admin).await, 0);
    // Several errors at once are all reported.
    let r = app
        .post(
            "/api/v1/products",
            &admin,
            json!({"code": "", "name": "", "unit": "", "guide_price": "x"}),
        )
        .await;
    let f = &r.json()["fields"];
    for k in ["code", "name", "unit", "guide_price"] {
        assert!(f.get(k).is_some(), "{k} in {f}");
    }
    // A valid edit after a refused one still sees the original values.
    let p = product(&app, &admin, base.clone()).await;
    let r = app
        .patch(
            &format!("/api/v1/products/{}", p["id"]),
            &admin,
            json!({"version": p["version"], "name": "新名", "guide_price": "-3"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = app
        .get(&format!("/api/v1/products/{}", p["id"]), &admin)
        .await
        .json();
    assert_eq!(now["name"], "产品");
    assert_eq!(now["guide_price"], "10.00");
    assert_eq!(now["version"], p["version"]);
});

db_test!(cost_price_is_only_for_those_who_may_see_it, |app| {
    let admin = app.admin().await;
    let exec = app.user("exec", Role::Executive, None, None).await;
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let p = product(
        &app,
        &admin,
        json!({"code": "C-1", "name": "成本测试", "unit": "台", "guide_price": "200",
               "cost_price": "123.4"}),
    )
    .await;
    assert_eq!(p["cost_price"], "123.40");
    let id = p["id"].as_i64().unwrap();
    let url = format!("/api/v1/products/{id}");
    // Executives (products approve) see it; reps do not: the key is absent, not null.
    assert_eq!(app.get(&url, &exec).await.json()["cost_price"], "123.40");
    let one = app.get(&url, &rep).await.json();
    assert!(one.get("cost_price").is_none(), "{one}");
    assert_eq!(one["guide_price"], "200.00");
    let list = app.get("/api/v1/products", &rep).await;
    assert!(!list.text.contains("cost_price"), "{}", list.text);
    assert!(!list.text.contains("123.4"), "{}", list.text);

    // Reps may not create, edit or delete.
    let r = app
        .post(
            "/api/v1/products",
            &rep,
            json!({"code": "R-1", "name": "私货", "unit": "个", "guide_price": "1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(&url, &rep, json!({"version": p["version"], "name": "改"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.delete(&format!("{url}?version=1"), &rep).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, &admin).await, 1);

    // Given products:create but not edit, a rep may add products but not set cost prices.
    let role = app.get("/api/v1/roles/sales_rep", &admin).await.json();
    let mut modules = role["modules"].clone();
    modules["products"] = json!(["view", "create"]);
    let r = app
        .api(
            "PUT",
            "/api/v1/roles/sales_rep",
            Some(&admin.token),
            Some(json!({"version": role["version"], "scope": role["scope"], "modules": modules})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            "/api/v1/products",
            &rep,
            json!({"code": "R-2", "name": "带成本", "unit": "个", "guide_price": "5",
                   "cost_price": "1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.json()["error"], "forbidden");
    let r = app
        .post(
            "/api/v1/products",
            &rep,
            json!({"code": "R-2", "name": "无成本", "unit": "个", "guide_price": "5"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.json().get("cost_price").is_none());
    let r2 = app
        .get(&format!("/api/v1/products/{}", r.json()["id"]), &admin)
        .await;
    assert_eq!(r2.json()["cost_price"], Value::Null);
    assert_eq!(count(&app, &admin).await, 2);

    // An edit that does not send the cost price keeps it.
    let r = app
        .patch(
            &url,
            &admin,
            json!({"version": p["version"], "name": "成本测试二"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["cost_price"], "123.40");
    // null clears it.
    let r = app
        .patch(
            &url,
            &admin,
            json!({"version": r.json()["version"], "cost_price": null}),
        )
        .await;
    assert_eq!(r.json()["cost_price"], Value::Null);
});

db_test!(category_tree_refuses_cycles_and_deleting_in_use, |app| {
    let admin = app.admin().await;
    let a = category(&app, &admin, "A", None).await;
    let b = category(&app, &admin, "B", Some(a)).await;
    let c = category(&app, &admin, "C", Some(b)).await;
    let d = category(&app, &admin, "D", None).await;
    let tree = app.get("/api/v1/product-categories", &admin).await.json();
    let shape: Vec<(String, i64)> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_string(),
                n["depth"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("A".into(), 0),
            ("B".into(), 1),
            ("C".into(), 2),
            ("D".into(), 0)
        ]
    );
    let version = |id: i64| {
        let app = &app;
        let admin = &admin;
        async move {
            app.get(&format!("/api/v1/product-categories/{id}"), admin)
                .await
                .json()["version"]
                .clone()
        }
    };
    // Under its own descendant, or itself: a cycle.
    for parent in [c, b, a] {
        let r = app
            .patch(
                &format!("/api/v1/product-categories/{a}"),
                &admin,
                json!({"version": version(a).await, "parent_id": parent}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json()["fields"]["parent_id"]["code"], "cycle");
    }
    let r = app
        .patch(
            &format!("/api/v1/product-categories/{a}"),
            &admin,
            json!({"version": version(a).await, "parent_id": 99999}),
        )
        .await;
    assert_eq!(r.json()["fields"]["parent_id"]["code"], "unknown");
    assert_eq!(
        app.get(&format!("/api/v1/product-categories/{a}"), &admin)
            .await
            .json()["parent_id"],
        Value::Null
    );
    // A legal move and rename; a sibling with the same name is refused.
    let r = app
        .patch(
            &format!("/api/v1/product-categories/{c}"),
            &admin,
            json!({"version": version(c).await, "parent_id": d, "name": "C2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["parent_id"], d);
    assert_eq!(r.json()["name"], "C2");
    let r = app
        .post(
            "/api/v1/product-categories",
            &admin,
            json!({"name": "C2", "parent_id": d}),
        )
        .await;
    assert_eq!(r.json()["fields"]["name"]["code"], "taken");
    // A stale version is a 409.
    let r = app
        .patch(
            &format!("/api/v1/product-categories/{c}"),
            &admin,
            json!({"version": 1, "name": "C3"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // In use: it has a subcategory (a) or a product (d holds C2 and then a product).
    let del = |id: i64, v: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            app.delete(
                &format!("/api/v1/product-categories/{id}?version={v}"),
                admin,
            )
            .await
        }
    };
    let r = del(a, version(a).await).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "category_in_use");
    let p = product(
        &app,
        &admin,
        json!({"code": "P", "name": "P", "unit": "个", "guide_price": 1, "category_id": b}),
    )
    .await;
    let r = del(b, version(b).await).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "category_in_use");
    // Empty: deleted, gone from the tree, and a product may no longer be filed there.
    let r = del(c, version(c).await).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let tree = app.get("/api/v1/product-categories", &admin).await.text;
    assert!(!tree.contains("C2"));
    let r = app
        .patch(
            &format!("/api/v1/products/{}", p["id"]),
            &admin,
            json!({"version": p["version"], "category_id": c}),
        )
        .await;
    assert_eq!(r.json()["fields"]["category_id"]["code"], "unknown");
    // Reps read the tree but cannot change it.
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    assert_eq!(
        app.get("/api/v1/product-categories", &rep).await.status,
        StatusCode::OK
    );
    let r = app
        .post("/api/v1/product-categories", &rep, json!({"name": "X"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(
    deleted_products_go_to_the_recycle_bin_and_come_back,
    |app| {
        let admin = app.admin().await;
        let cat = category(&app, &admin, "配件", None).await;
        let p = product(
            &app,
            &admin,
            json!({"code": "D-1", "name": "可删", "unit": "个", "guide_price": "3",
               "category_id": cat}),
        )
        .await;
        let url = format!("/api/v1/products/{}", p["id"]);
        let r = app.delete(&format!("{url}?version=99"), &admin).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .delete(&format!("{url}?version={}", p["version"]), &admin)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get(&url, &admin).await.status, StatusCode::NOT_FOUND);
        assert_eq!(count(&app, &admin).await, 0);
        // The code stays reserved while the product waits in the recycle bin.
        let r = app
            .post(
                "/api/v1/products",
                &admin,
                json!({"code": "D-1", "name": "新", "unit": "个", "guide_price": "3"}),
            )
            .await;
        assert_eq!(r.json()["fields"]["code"]["code"], "taken");
        // Its category is now empty and may go; restoring the product then waits for it.
        let cv = app
            .get(&format!("/api/v1/product-categories/{cat}"), &admin)
            .await
            .json()["version"]
            .clone();
        let r = app
            .delete(
                &format!("/api/v1/product-categories/{cat}?version={cv}"),
                &admin,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let bin = app.get("/api/v1/recycle-bin", &admin).await.json();
        let entries = bin["items"].as_array().unwrap();
        let entry_of = |t: &str| {
            entries
                .iter()
                .find(|e| e["entity_type"] == t)
                .map(|e| e["id"].as_i64().unwrap())
                .unwrap()
        };
        let pe = entry_of("product");
        let ce = entry_of("product_category");
        let r = app
            .post(
                &format!("/api/v1/recycle-bin/{pe}/restore"),
                &admin,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(app.get(&url, &admin).await.status, StatusCode::NOT_FOUND);
        for e in [ce, pe] {
            let r = app
                .post(
                    &format!("/api/v1/recycle-bin/{e}/restore"),
                    &admin,
                    json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let back = app.get(&url, &admin).await;
        assert_eq!(back.status, StatusCode::OK);
        assert_eq!(back.json()["category_id"], cat);
        assert_eq!(back.json()["name"], "可删");
        assert_eq!(count(&app, &admin).await, 1);
    }
);

db_test!(line_editors_get_on_sale_options, |app| {
    let admin = app.admin().await;
    catalogue(&app, &admin).await;
    app.user("rep_a", Role::SalesRep, None, None).await;
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let r = app
        .browser("GET", "/products/options", &session, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v: Value = serde_json::from_str(&r.text).unwrap();
    let got: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    // Discontinued HW-002 is not offered; by code.
    assert_eq!(got, ["HW-001", "SRV-001", "SRV-002", "SW-001"]);
    let first = &v[2];
    assert_eq!(
        first,
        &json!({"id": first["id"], "code": "SRV-002", "name": "机架服务器", "spec": "",
                "unit": "台", "guide_price": "23999.99"})
    );
    let r = app
        .browser(
            "GET",
            "/products/options?q=%E6%9C%8D%E5%8A%A1",
            &session,
            None,
        )
        .await;
    let v: Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    // A role with neither products:view nor sales:view gets a 403.
    app.user("staff", Role::ServiceStaff, None, None).await;
    let role = app.get("/api/v1/roles/service_staff", &admin).await.json();
    let mut modules = role["modules"].clone();
    modules.as_object_mut().unwrap().remove("products");
    let r = app
        .api(
            "PUT",
            "/api/v1/roles/service_staff",
            Some(&admin.token),
            Some(json!({"version": role["version"], "scope": role["scope"], "modules": modules})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (staff, _) = app.browser_login("staff", PASSWORD).await;
    let r = app.browser("GET", "/products/options", &staff, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.text.contains("SRV-001"));
    // Without a session: the sign-in page.
    let r = app.browser("GET", "/products/options", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
});

db_test!(the_catalogue_is_in_the_openapi_document, |app| {
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    for path in [
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/product-categories",
        "/api/v1/product-categories/{id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("ProductDto").is_some());
});
