//! Custom fields in the HTML UI through the real router: the administration page, the
//! customer and contact forms, the customer page and the list's filters and columns.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, PASSWORD};

db_test!(admin_page_and_customer_form_round_trip, |app| {
    let admin = app.admin().await;
    let rep = app.user("rep", Role::SalesRep, None, None).await;
    let (session, csrf) = app.browser_login("admin", PASSWORD).await;

    // The page is in the administration menu.
    let page = app
        .browser("GET", "/admin/custom-fields", &session, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("href=\"/admin/custom-fields\""));
    assert!(page.text.contains("Custom fields"));
    assert!(page.text.contains("id=\"custom-field-form\""));

    // Create through the form: without the CSRF token nothing happens; bad input is shown.
    let create =
        |key: &'static str, label: &'static str, t: &'static str, options: &'static str| {
            vec![
                ("entity", "customer"),
                ("key", key),
                ("label_zh", label),
                ("label_en", ""),
                ("field_type", t),
                ("options", options),
            ]
        };
    let mut form = create("tier", "客户等级", "single_select", "A\nB\r\nC\n");
    let r = app
        .browser("POST", "/admin/custom-fields", &session, Some(&form))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    form.push(("_csrf", &csrf));
    form.push(("required", "on"));
    let r = app
        .browser("POST", "/admin/custom-fields", &session, Some(&form))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let mut bad = create("Bad Key", "坏", "multi_select", "");
    bad.push(("_csrf", &csrf));
    let r = app
        .browser("POST", "/admin/custom-fields", &session, Some(&bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    assert!(r.text.contains("value=\"Bad Key\""), "what was typed stays");
    for (key, label, t, options) in [
        ("budget", "预算", "number", ""),
        ("rate", "费率", "decimal", ""),
        ("tags", "标签", "multi_select", "重点\n外贸"),
        ("vip", "VIP客户", "checkbox", ""),
        ("story", "背景", "long_text", ""),
        ("signed_on", "签约日期", "date", ""),
    ] {
        let mut f = create(key, label, t, options);
        f.push(("_csrf", &csrf));
        let r = app
            .browser("POST", "/admin/custom-fields", &session, Some(&f))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{key}: {}", r.text);
    }
    let mut f = vec![
        ("entity", "contact"),
        ("key", "wechat"),
        ("label_zh", "微信"),
        ("label_en", "WeChat"),
        ("field_type", "text"),
        ("options", ""),
    ];
    f.push(("_csrf", &csrf));
    let r = app
        .browser("POST", "/admin/custom-fields", &session, Some(&f))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app
        .browser("GET", "/admin/custom-fields", &session, None)
        .await;
    assert!(page.text.contains("<code>tier</code>"));
    assert!(page.text.contains("A, B, C") || page.text.contains("A、B、C"));

    // Edit a definition: labels, options, required, position, active.
    let defs = app
        .get("/api/v1/custom-fields?entity=customer", &admin)
        .await
        .json();
    let tier = defs["items"][0].clone();
    assert_eq!(tier["key"], "tier");
    assert_eq!(tier["options"], json!(["A", "B", "C"]));
    let tier_id = tier["id"].as_i64().unwrap();
    let edit = app
        .browser(
            "GET",
            &format!("/admin/custom-fields/{tier_id}"),
            &session,
            None,
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.text.contains("id=\"custom-field-edit-form\""));
    let r = app
        .browser(
            "POST",
            &format!("/admin/custom-fields/{tier_id}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("label_zh", "客户等级"),
                ("label_en", "Tier"),
                ("options", "A\nB\nC\nD"),
                ("position", "1"),
                ("required", "on"),
                ("active", "on"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = app
        .browser(
            "POST",
            &format!("/admin/custom-fields/{tier_id}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "2"),
                ("label_zh", "客户等级"),
                ("options", ""),
                ("position", "x"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));

    // A rep cannot open the administration page.
    let (rep_session, rep_csrf) = app.browser_login("rep", PASSWORD).await;
    let r = app
        .browser("GET", "/admin/custom-fields", &rep_session, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .browser(
            "POST",
            "/admin/custom-fields",
            &rep_session,
            Some(&[
                ("_csrf", rep_csrf.as_str()),
                ("entity", "customer"),
                ("key", "sneaky"),
                ("label_zh", "x"),
                ("field_type", "text"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The customer form shows every field with the right input.
    let new = app
        .browser("GET", "/customers/new", &rep_session, None)
        .await;
    assert_eq!(new.status, StatusCode::OK);
    for needle in [
        "name=\"cf.tier\"",
        "type=\"number\" step=\"1\"",
        "step=\"0.0001\"",
        "type=\"date\"",
        "<textarea class=\"form-control\" id=\"cf-story\" name=\"cf.story\"",
        "type=\"checkbox\" id=\"cf-vip\" name=\"cf.vip\"",
        "name=\"cf.tags\" value=\"外贸\"",
        "Tier",
    ] {
        assert!(new.text.contains(needle), "missing {needle}");
    }

    // Invalid values: field errors on the form, what was typed kept, nothing written.
    let r = app
        .browser(
            "POST",
            "/customers",
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("name", "华信科技"),
                ("status", "potential"),
                ("cf.tier", ""),
                ("cf.budget", "12.5"),
                ("cf.rate", "0.5"),
                ("cf.tags", "外贸"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Enter a whole number"), "{}", r.text);
    assert!(r.text.contains("This field is required"));
    assert!(r.text.contains("value=\"12.5\""));
    assert!(r.text.contains("value=\"外贸\" checked"));
    assert_eq!(
        app.get("/api/v1/customers", &rep).await.json()["items"],
        json!([])
    );

    // Valid values are stored normalized.
    let r = app
        .browser(
            "POST",
            "/customers",
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("name", "华信科技"),
                ("status", "potential"),
                ("cf.tier", "B"),
                ("cf.budget", "120000"),
                ("cf.rate", "0.1250"),
                ("cf.tags", "外贸"),
                ("cf.tags", "重点"),
                ("cf.vip", "on"),
                ("cf.story", "第一行\r\n第二行"),
                ("cf.signed_on", "2026-03-01"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let loc = r.header("location").unwrap();
    let id: i64 = loc
        .trim_start_matches("/customers/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let c = app
        .get(&format!("/api/v1/customers/{id}"), &rep)
        .await
        .json();
    assert_eq!(c["custom_fields"]["tier"], "B");
    assert_eq!(c["custom_fields"]["budget"], 120000);
    assert_eq!(c["custom_fields"]["rate"], "0.125");
    assert_eq!(c["custom_fields"]["tags"], json!(["重点", "外贸"]));
    assert_eq!(c["custom_fields"]["vip"], true);
    assert_eq!(c["custom_fields"]["signed_on"], "2026-03-01");

    // The customer page shows them; the edit form is filled with them.
    let show = app
        .browser("GET", &format!("/customers/{id}"), &rep_session, None)
        .await;
    assert_eq!(show.status, StatusCode::OK);
    for needle in [
        "Tier",
        "120000",
        "0.125",
        "重点, 外贸",
        "2026-03-01",
        "WeChat",
    ] {
        assert!(show.text.contains(needle), "customer page lacks {needle}");
    }
    let edit = app
        .browser("GET", &format!("/customers/{id}/edit"), &rep_session, None)
        .await;
    assert!(edit.text.contains("value=\"120000\""));
    assert!(edit
        .text
        .contains("<option value=\"B\" selected>B</option>"));
    assert!(edit.text.contains("name=\"cf.vip\" value=\"on\" checked"));

    // Saving the form again with the checkbox unticked and a value cleared.
    let r = app
        .browser(
            "POST",
            &format!("/customers/{id}"),
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("version", "1"),
                ("name", "华信科技"),
                ("status", "following"),
                ("cf.tier", "C"),
                ("cf.budget", ""),
                ("cf.rate", "0.125"),
                ("cf.tags", "重点"),
                ("cf.story", ""),
                ("cf.signed_on", "2026-03-01"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let c = app
        .get(&format!("/api/v1/customers/{id}"), &rep)
        .await
        .json();
    assert_eq!(c["custom_fields"]["tier"], "C");
    assert_eq!(c["custom_fields"]["vip"], false);
    assert!(c["custom_fields"].get("budget").is_none());
    assert_eq!(c["custom_fields"]["tags"], json!(["重点"]));

    // The list has the columns and filters; a filter narrows the list.
    app.post(
        "/api/v1/customers",
        &rep,
        json!({"name": "别的客户", "custom_fields": {"tier": "A"}}),
    )
    .await;
    let list = app
        .browser("GET", "/customers?q=", &rep_session, None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text.contains("id=\"filter-cf-tier\""));
    assert!(list.text.contains("name=\"cf.vip\""));
    assert!(list.text.contains("<th>Tier</th>"));
    assert!(list.text.contains("别的客户"));
    let list = app
        .browser("GET", "/customers?cf.tier=C", &rep_session, None)
        .await;
    assert!(list.text.contains("华信科技"));
    assert!(!list.text.contains("别的客户"));
    assert!(list
        .text
        .contains("<option value=\"C\" selected>C</option>"));
    // An unknown or stale filter key is ignored on the page.
    let list = app
        .browser("GET", "/customers?cf.gone=1", &rep_session, None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text.contains("别的客户"));

    // Contacts: the inline form and the edit page carry the contact fields.
    let r = app
        .browser(
            "POST",
            &format!("/customers/{id}/contacts"),
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("name", "张伟"),
                ("cf.wechat", "zw88"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let contacts = app
        .get(&format!("/api/v1/contacts?customer_id={id}"), &rep)
        .await
        .json();
    assert_eq!(contacts["items"][0]["custom_fields"]["wechat"], "zw88");
    let k = contacts["items"][0]["id"].as_i64().unwrap();
    let show = app
        .browser("GET", &format!("/customers/{id}"), &rep_session, None)
        .await;
    assert!(show.text.contains("<td>zw88</td>"));
    assert!(show.text.contains("name=\"cf.wechat\""));
    let edit = app
        .browser("GET", &format!("/contacts/{k}/edit"), &rep_session, None)
        .await;
    assert!(edit.text.contains("value=\"zw88\""));
    let r = app
        .browser(
            "POST",
            &format!("/contacts/{k}"),
            &rep_session,
            Some(&[
                ("_csrf", &rep_csrf),
                ("version", "1"),
                ("name", "张伟"),
                ("cf.wechat", "x".repeat(201).as_str()),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));

    // In Chinese the Chinese labels show.
    let zh = format!("{session}; crm_lang=zh-CN");
    let list = app.browser("GET", "/customers?q=", &zh, None).await;
    assert!(list.text.contains("<th>客户等级</th>"));
    let page = app.browser("GET", "/admin/custom-fields", &zh, None).await;
    assert!(page.text.contains("自定义字段"));
});
