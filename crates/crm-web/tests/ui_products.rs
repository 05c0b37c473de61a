//! Product catalogue pages through the router: the list in both languages, cost prices
//! only for those who may see them, the form with its errors, categories, delete.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, PASSWORD};

db_test!(
    the_list_renders_in_both_languages_with_costs_only_for_admins,
    |app| {
        let admin = app.admin().await;
        let cat = app
            .post(
                "/api/v1/product-categories",
                &admin,
                json!({"name": "网络设备"}),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post(
                "/api/v1/products",
                &admin,
                json!({"code": "NET-100", "name": "核心交换机", "spec": "48口万兆", "unit": "台",
                   "guide_price": "12345.6", "cost_price": "8765.43", "category_id": cat}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["id"].as_i64().unwrap();
        app.user("rep_a", Role::SalesRep, None, None).await;

        let (session, _) = app.browser_login("admin", PASSWORD).await;
        let en = app.browser("GET", "/products", &session, None).await;
        assert_eq!(en.status, StatusCode::OK, "{}", en.text);
        for s in [
            "Product catalogue",
            "NET-100",
            "核心交换机",
            "48口万兆",
            "¥12,345.60",
            "¥8,765.43",
            "On sale",
            "网络设备",
            "Cost price",
        ] {
            assert!(en.text.contains(s), "{s} missing");
        }
        let zh = app
            .browser(
                "GET",
                "/products",
                &format!("{session}; crm_lang=zh-CN"),
                None,
            )
            .await;
        assert_eq!(zh.status, StatusCode::OK);
        for s in [
            "产品目录",
            "NET-100",
            "核心交换机",
            "¥12,345.60",
            "在售",
            "成本价",
            "指导价",
        ] {
            assert!(zh.text.contains(s), "{s} missing in zh-CN");
        }
        let detail = app
            .browser("GET", &format!("/products/{id}"), &session, None)
            .await;
        assert!(detail.text.contains("¥8,765.43"));
        assert!(detail.text.contains("product-delete"));

        // A rep sees the product but no cost price, and no create, edit or delete buttons.
        let (rep, _) = app.browser_login("rep_a", PASSWORD).await;
        let list = app.browser("GET", "/products?q=NET", &rep, None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text.contains("核心交换机"));
        assert!(!list.text.contains("8,765.43"));
        assert!(!list.text.contains("cost-column"));
        assert!(!list.text.contains("product-new"));
        let detail = app
            .browser("GET", &format!("/products/{id}"), &rep, None)
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.text.contains("¥12,345.60"));
        assert!(!detail.text.contains("8,765.43"));
        assert!(!detail.text.contains("product-edit"));
        assert!(!detail.text.contains("product-delete"));
        assert_eq!(
            app.browser("GET", "/products/new", &rep, None).await.status,
            StatusCode::FORBIDDEN
        );
        // Filtering by a category, and the remembered view.
        let r = app
            .browser(
                "GET",
                &format!("/products?category_id={cat}"),
                &session,
                None,
            )
            .await;
        assert!(r.text.contains("NET-100"));
        let r = app
            .browser("GET", "/products?status=discontinued", &session, None)
            .await;
        assert!(!r.text.contains("NET-100"));
    }
);

db_test!(
    the_form_shows_errors_and_writes_nothing_then_creates,
    |app| {
        let admin = app.admin().await;
        let (session, csrf) = app.browser_login("admin", PASSWORD).await;
        let page = app.browser("GET", "/products/new", &session, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("product-cost-price"));
        let r = app
            .browser(
                "POST",
                "/products",
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("code", "F-1"),
                    ("name", "表单产品"),
                    ("unit", ""),
                    ("guide_price", "-1"),
                    ("cost_price", "abc"),
                    ("status", "on_sale"),
                    ("category_id", ""),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("Must not be negative"), "{}", r.text);
        assert!(r.text.contains("This field is required"));
        assert!(r.text.contains("at most 2 decimals"));
        assert!(r.text.contains("表单产品"), "typed values are kept");
        let list = app.get("/api/v1/products", &admin).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
        // Without the CSRF token: refused.
        let r = app
            .browser("POST", "/products", &session, Some(&[("code", "F-1")]))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // In Chinese.
        let zh = format!("{session}; crm_lang=zh-CN");
        let r = app
            .browser(
                "POST",
                "/products",
                &zh,
                Some(&[
                    ("_csrf", &csrf),
                    ("code", "F-1"),
                    ("name", "x"),
                    ("unit", "个"),
                    ("guide_price", "1.234"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请输入最多两位小数的金额"), "{}", r.text);

        let r = app
            .browser(
                "POST",
                "/products",
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("code", "F-1"),
                    ("name", "表单产品"),
                    ("unit", "套"),
                    ("guide_price", "1,999.9"),
                    ("cost_price", "1200"),
                    ("status", "on_sale"),
                    ("category_id", ""),
                    ("description", "第一行\n第二行"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let loc = r.header("location").unwrap();
        let id: i64 = loc
            .trim_start_matches("/products/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let p = app
            .get(&format!("/api/v1/products/{id}"), &admin)
            .await
            .json();
        assert_eq!(p["guide_price"], "1999.90");
        assert_eq!(p["cost_price"], "1200.00");

        // Edit: the form is filled in; a duplicate code is shown next to the field.
        app.post(
            "/api/v1/products",
            &admin,
            json!({"code": "F-2", "name": "另一个", "unit": "个", "guide_price": 1}),
        )
        .await;
        let edit = app
            .browser("GET", &format!("/products/{id}/edit"), &session, None)
            .await;
        assert!(edit.text.contains("1999.90"));
        let r = app
            .browser(
                "POST",
                &format!("/products/{id}"),
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("version", &p["version"].to_string()),
                    ("code", "F-2"),
                    ("name", "表单产品"),
                    ("unit", "套"),
                    ("guide_price", "1999.90"),
                    ("cost_price", "1200.00"),
                    ("status", "discontinued"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("already used by another product"),
            "{}",
            r.text
        );
        let r = app
            .browser(
                "POST",
                &format!("/products/{id}"),
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("version", &p["version"].to_string()),
                    ("code", "F-1"),
                    ("name", "表单产品"),
                    ("unit", "套"),
                    ("guide_price", "1999.90"),
                    ("cost_price", "1200.00"),
                    ("status", "discontinued"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let now = app
            .get(&format!("/api/v1/products/{id}"), &admin)
            .await
            .json();
        assert_eq!(now["status"], "discontinued");

        // Delete from the product page.
        let r = app
            .browser(
                "POST",
                &format!("/products/{id}/delete"),
                &session,
                Some(&[("_csrf", &csrf), ("version", &now["version"].to_string())]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.get(&format!("/api/v1/products/{id}"), &admin)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

db_test!(categories_are_managed_on_their_page, |app| {
    let admin = app.admin().await;
    let (session, csrf) = app.browser_login("admin", PASSWORD).await;
    let add = |name: &'static str, parent: String| {
        let app = &app;
        let session = session.clone();
        let csrf = csrf.clone();
        async move {
            app.browser(
                "POST",
                "/products/categories",
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("name", name),
                    ("parent_id", &parent),
                    ("sort_order", ""),
                ]),
            )
            .await
        }
    };
    assert_eq!(
        add("整机", String::new()).await.status,
        StatusCode::SEE_OTHER
    );
    let tree = app.get("/api/v1/product-categories", &admin).await.json();
    let root = tree[0]["id"].as_i64().unwrap();
    assert_eq!(
        add("笔记本", root.to_string()).await.status,
        StatusCode::SEE_OTHER
    );
    let r = add("笔记本", root.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("already exists here"), "{}", r.text);
    let page = app
        .browser("GET", "/products/categories", &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("整机") && page.text.contains("笔记本"));
    let tree = app.get("/api/v1/product-categories", &admin).await.json();
    let child = tree[1]["id"].as_i64().unwrap();
    // Moving the root under its child: the row's form shows the error.
    let r = app
        .browser(
            "POST",
            &format!("/products/categories/{root}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "整机"),
                ("parent_id", &child.to_string()),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("cannot be moved under itself"),
        "{}",
        r.text
    );
    // Deleting the root while it has a child: refused with a message.
    let r = app
        .browser(
            "POST",
            &format!("/products/categories/{root}/delete"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "1")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("still has products or subcategories"));
    // Rename the child, then delete it.
    let r = app
        .browser(
            "POST",
            &format!("/products/categories/{child}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "笔记本电脑"),
                ("parent_id", &root.to_string()),
                ("sort_order", "5"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = app
        .get(&format!("/api/v1/product-categories/{child}"), &admin)
        .await
        .json();
    assert_eq!(c["name"], "笔记本电脑");
    assert_eq!(c["sort_order"], 5);
    let r = app
        .browser(
            "POST",
            &format!("/products/categories/{child}/delete"),
            &session,
            Some(&[("_csrf", &csrf), ("version", &c["version"].to_string())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tree = app.get("/api/v1/product-categories", &admin).await.json();
    assert_eq!(tree.as_array().unwrap().len(), 1);
});
