//! Custom fields (自定义字段) through the real router on both databases: definitions,
//! values of every type on customers and contacts, required fields, list filters,
//! visibility and the Excel export.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use calamine::Data;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use serde_json::Value;

async fn define(app: &TestApp, admin: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/custom-fields", admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

/// One customer field of every type; `budget` (number) and `tier` (single choice) first.
async fn define_all_types(app: &TestApp, admin: &TestUser) {
    let fields = [
        json!({"entity": "customer", "key": "memo", "label_zh": "备忘", "label_en": "Memo", "field_type": "text"}),
        json!({"entity": "customer", "key": "story", "label_zh": "背景", "label_en": "Story", "field_type": "long_text"}),
        json!({"entity": "customer", "key": "budget", "label_zh": "预算", "label_en": "Budget", "field_type": "number"}),
        json!({"entity": "customer", "key": "rate", "label_zh": "费率", "label_en": "Rate", "field_type": "decimal"}),
        json!({"entity": "customer", "key": "signed_on", "label_zh": "签约日期", "label_en": "Signed on", "field_type": "date"}),
        json!({"entity": "customer", "key": "tier", "label_zh": "等级", "label_en": "Tier", "field_type": "single_select", "options": ["A", "B", "C"]}),
        json!({"entity": "customer", "key": "tags", "label_zh": "标签", "label_en": "Tags", "field_type": "multi_select", "options": ["重点", "外贸", "新客"]}),
        json!({"entity": "customer", "key": "vip", "label_zh": "VIP", "label_en": "VIP", "field_type": "checkbox"}),
        json!({"entity": "customer", "key": "portal", "label_zh": "门户", "label_en": "Portal", "field_type": "url"}),
        json!({"entity": "customer", "key": "billing_email", "label_zh": "账单邮箱", "label_en": "Billing email", "field_type": "email"}),
        json!({"entity": "customer", "key": "hotline", "label_zh": "热线", "label_en": "Hotline", "field_type": "phone"}),
    ];
    for f in fields {
        define(app, admin, f).await;
    }
}

fn ids(page: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    v.sort_unstable();
    v
}

async fn customer_count(app: &TestApp, who: &TestUser) -> usize {
    ids(&app.get("/api/v1/customers?limit=200", who).await.json()).len()
}

db_test!(definitions_crud_is_admin_only_and_checks_input, |app| {
    let admin = app.admin().await;
    let rep = app.user("rep", Role::SalesRep, None, None).await;
    let f = define(
        &app,
        &admin,
        json!({"entity": "customer", "key": "tier", "label_zh": "客户等级", "label_en": "Tier",
               "field_type": "single_select", "required": true, "options": [" A ", "B", ""]}),
    )
    .await;
    assert_eq!(f["key"], "tier");
    assert_eq!(f["options"], json!(["A", "B"]));
    assert_eq!(f["required"], true);
    assert_eq!(f["active"], true);
    assert_eq!(f["version"], 1);
    let id = f["id"].as_i64().unwrap();
    // The same key on the other record type is another field; one label is enough.
    let c = define(
        &app,
        &admin,
        json!({"entity": "contact", "key": "tier", "label_zh": "联系人等级", "field_type": "text"}),
    )
    .await;
    assert_eq!(c["label_en"], "联系人等级");
    assert_eq!(c["options"], json!([]));

    // Only administrators define fields; everyone reads the active ones.
    let r = app
        .post(
            "/api/v1/custom-fields",
            &rep,
            json!({"entity": "customer", "key": "x", "label_zh": "x", "field_type": "text"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/v1/custom-fields/{id}"),
            &rep,
            json!({"version": 1, "label_zh": "偷改"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .delete(&format!("/api/v1/custom-fields/{id}?version=1"), &rep)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/custom-fields?entity=customer", &rep).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/custom-fields", &rep).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = app
        .get("/api/v1/custom-fields?include_inactive=true", &rep)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Bad input: field-level errors, nothing written.
    let bad = [
        (
            json!({"entity": "customer", "key": "Bad Key", "label_zh": "x", "field_type": "text"}),
            "key",
            "invalid_key",
        ),
        (
            json!({"entity": "customer", "key": "tier", "label_zh": "x", "field_type": "text"}),
            "key",
            "taken",
        ),
        (
            json!({"entity": "customer", "key": "ok_key", "label_zh": "x", "field_type": "money"}),
            "field_type",
            "invalid_choice",
        ),
        (
            json!({"entity": "customer", "key": "ok_key", "label_zh": "x", "field_type": "single_select"}),
            "options",
            "required",
        ),
        (
            json!({"entity": "customer", "key": "ok_key", "label_zh": "x", "field_type": "multi_select", "options": ["", " "]}),
            "options",
            "required",
        ),
        (
            json!({"entity": "customer", "key": "ok_key", "label_zh": "x", "field_type": "multi_select", "options": ["a", "a"]}),
            "options",
            "duplicate_option",
        ),
        (
            json!({"entity": "order", "key": "ok_key", "label_zh": "x", "field_type": "text"}),
            "entity",
            "invalid_choice",
        ),
        (
            json!({"entity": "customer", "key": "ok_key", "field_type": "text"}),
            "label_zh",
            "required",
        ),
        (
            json!({"entity": "customer", "label_zh": "x", "field_type": "text"}),
            "key",
            "required",
        ),
    ];
    for (body, field, code) in bad {
        let r = app
            .post("/api/v1/custom-fields", &admin, body.clone())
            .await;
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
    let r = app
        .post(
            "/api/v1/custom-fields",
            &admin,
            json!({"entity": "customer", "key": "x", "label_zh": "x", "field_type": "text", "colour": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let all = app
        .get("/api/v1/custom-fields?include_inactive=true", &admin)
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    // Edit: labels, options, required; key and type are fixed; versions are checked.
    let r = app
        .patch(
            &format!("/api/v1/custom-fields/{id}"),
            &admin,
            json!({"version": 1, "label_en": "Customer tier", "options": ["A", "B", "C"], "required": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["options"], json!(["A", "B", "C"]));
    assert_eq!(r.json()["label_zh"], "客户等级");
    assert_eq!(r.json()["required"], false);
    assert_eq!(r.json()["version"], 2);
    let r = app
        .patch(
            &format!("/api/v1/custom-fields/{id}"),
            &admin,
            json!({"version": 1, "label_en": "stale"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    for (k, v) in [
        ("key", "grade"),
        ("field_type", "text"),
        ("entity", "contact"),
    ] {
        let r = app
            .patch(
                &format!("/api/v1/custom-fields/{id}"),
                &admin,
                json!({"version": 2, k: v}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert_eq!(r.json()["fields"][k]["code"], "immutable");
    }
    // Sending the unchanged key is fine; emptying the options of a choice field is not.
    let r = app
        .patch(
            &format!("/api/v1/custom-fields/{id}"),
            &admin,
            json!({"version": 2, "key": "tier", "options": []}),
        )
        .await;
    assert_eq!(r.json()["fields"]["options"]["code"], "required");
    let r = app
        .patch(&format!("/api/v1/custom-fields/{id}"), &admin, json!({}))
        .await;
    assert_eq!(r.json()["fields"]["version"]["code"], "required");

    // Delete deactivates: gone for users, kept for administrators.
    let r = app
        .delete(&format!("/api/v1/custom-fields/{id}?version=2"), &admin)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/custom-fields?entity=customer", &rep)
            .await
            .json()["items"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/api/v1/custom-fields/{id}"), &rep)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .get(&format!("/api/v1/custom-fields/{id}"), &admin)
        .await;
    assert_eq!(r.json()["active"], false);
    // The audit trail has the definition's history.
    let audit = app
        .get("/api/v1/audit?entity_type=custom_field", &admin)
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"deactivate") && actions.contains(&"create"),
        "{actions:?}"
    );
    // And the OpenAPI document lists the endpoints.
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(doc["paths"].get("/api/v1/custom-fields").is_some());
    assert!(doc["paths"].get("/api/v1/custom-fields/{id}").is_some());
});

db_test!(
    customer_values_of_every_type_are_validated_and_normalized,
    |app| {
        let admin = app.admin().await;
        let rep = app.user("rep", Role::SalesRep, None, None).await;
        define_all_types(&app, &admin).await;

        let good = json!({
            "memo": " 老客户介绍 ", "story": "第一行\n第二行", "budget": "120000", "rate": "0.1250",
            "signed_on": "2026-03-01", "tier": "B", "tags": ["新客", "重点"], "vip": true,
            "portal": "portal.huaxin.cn", "billing_email": "Bill@Huaxin.CN", "hotline": "400-800-1234"
        });
        let r = app
            .post(
                "/api/v1/customers",
                &rep,
                json!({"name": "华信科技", "custom_fields": good}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let x = r.json()["id"].as_i64().unwrap();
        let cf = &r.json()["custom_fields"];
        assert_eq!(cf["memo"], "老客户介绍");
        assert_eq!(cf["story"], "第一行\n第二行");
        assert_eq!(cf["budget"], 120000);
        assert_eq!(cf["rate"], "0.125");
        assert_eq!(cf["signed_on"], "2026-03-01");
        assert_eq!(cf["tier"], "B");
        assert_eq!(
            cf["tags"],
            json!(["重点", "新客"]),
            "in the order of the options"
        );
        assert_eq!(cf["vip"], true);
        assert_eq!(cf["portal"], "https://portal.huaxin.cn");
        assert_eq!(cf["billing_email"], "bill@huaxin.cn");
        assert_eq!(cf["hotline"], "400-800-1234");
        // Read back the same.
        let shown = app
            .get(&format!("/api/v1/customers/{x}"), &rep)
            .await
            .json();
        assert_eq!(shown["custom_fields"], *cf);

        // Every kind of bad value: a field-level error each, nothing written.
        let before = customer_count(&app, &rep).await;
        let bad = json!({
            "memo": "长".repeat(201), "story": 5, "budget": "12.5", "rate": "1.23456",
            "signed_on": "2026-02-30", "tier": "Z", "tags": ["重点", "不存在"], "vip": "maybe",
            "portal": "not a url", "billing_email": "bill@", "hotline": "call me", "nope": 1
        });
        let r = app
            .post(
                "/api/v1/customers",
                &rep,
                json!({"name": "坏数据", "custom_fields": bad}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let fields = &r.json()["fields"];
        for (key, code) in [
            ("memo", "too_long"),
            ("story", "invalid_type"),
            ("budget", "invalid_number"),
            ("rate", "invalid_decimal"),
            ("signed_on", "invalid_date"),
            ("tier", "invalid_choice"),
            ("tags", "invalid_choice"),
            ("vip", "invalid_type"),
            ("portal", "invalid_url"),
            ("billing_email", "invalid_email"),
            ("hotline", "invalid_phone"),
            ("nope", "unknown_field"),
        ] {
            assert_eq!(
                fields[format!("custom_fields.{key}")]["code"],
                code,
                "{key}: {fields}"
            );
        }
        assert_eq!(customer_count(&app, &rep).await, before);

        // PATCH merges: given keys change, null clears, the rest stays.
        let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &rep,
            json!({"version": 1, "custom_fields": {"budget": 5, "memo": null, "tags": [], "vip": false}}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cf = &r.json()["custom_fields"];
        assert_eq!(cf["budget"], 5);
        assert!(cf.get("memo").is_none(), "{cf}");
        assert!(cf.get("tags").is_none(), "{cf}");
        assert_eq!(cf["vip"], false);
        assert_eq!(cf["tier"], "B");
        // A bad value in an update changes nothing at all.
        let r = app
            .patch(
                &format!("/api/v1/customers/{x}"),
                &rep,
                json!({"version": 2, "name": "改名", "custom_fields": {"budget": "many"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["fields"]["custom_fields.budget"]["code"],
            "invalid_number"
        );
        let now = app
            .get(&format!("/api/v1/customers/{x}"), &rep)
            .await
            .json();
        assert_eq!(now["name"], "华信科技");
        assert_eq!(now["version"], 2);
        assert_eq!(now["custom_fields"]["budget"], 5);
        // A wrong shape for the whole object is a body error.
        let r = app
            .patch(
                &format!("/api/v1/customers/{x}"),
                &rep,
                json!({"version": 2, "custom_fields": ["budget"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The audit trail records the values before and after.
        let h = app
            .get(&format!("/api/v1/customers/{x}/history"), &rep)
            .await
            .json();
        let update = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "update")
            .unwrap()
            .clone();
        assert_eq!(update["before"]["custom"]["budget"], 120000);
        assert_eq!(update["after"]["custom"]["budget"], 5);

        // A deactivated field disappears from the record but its value is kept.
        let defs = app
            .get("/api/v1/custom-fields?entity=customer", &admin)
            .await
            .json();
        let tier = defs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == "tier")
            .unwrap()
            .clone();
        let tier_id = tier["id"].as_i64().unwrap();
        let r = app
            .delete(
                &format!("/api/v1/custom-fields/{tier_id}?version=1"),
                &admin,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let now = app
            .get(&format!("/api/v1/customers/{x}"), &rep)
            .await
            .json();
        assert!(now["custom_fields"].get("tier").is_none());
        let r = app
            .patch(
                &format!("/api/v1/customers/{x}"),
                &rep,
                json!({"version": 2, "custom_fields": {"tier": "A"}}),
            )
            .await;
        assert_eq!(
            r.json()["fields"]["custom_fields.tier"]["code"],
            "unknown_field"
        );
        app.patch(
            &format!("/api/v1/custom-fields/{tier_id}"),
            &admin,
            json!({"version": 2, "active": true}),
        )
        .await;
        let now = app
            .get(&format!("/api/v1/customers/{x}"), &rep)
            .await
            .json();
        assert_eq!(now["custom_fields"]["tier"], "B");
    }
);

db_test!(required_fields_are_enforced_on_create_and_update, |app| {
    let admin = app.admin().await;
    let rep = app.user("rep", Role::SalesRep, None, None).await;
    let early = app
        .post("/api/v1/customers", &rep, json!({"name": "早期客户"}))
        .await
        .json();
    define(
        &app,
        &admin,
        json!({"entity": "customer", "key": "contract_no", "label_zh": "合同号", "field_type": "text", "required": true}),
    )
    .await;
    define(
        &app,
        &admin,
        json!({"entity": "contact", "key": "wechat", "label_zh": "微信", "field_type": "text", "required": true}),
    )
    .await;

    let r = app
        .post("/api/v1/customers", &rep, json!({"name": "新客户"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["fields"]["custom_fields.contract_no"]["code"],
        "required"
    );
    let r = app
        .post(
            "/api/v1/customers",
            &rep,
            json!({"name": "新客户", "custom_fields": {"contract_no": "  "}}),
        )
        .await;
    assert_eq!(
        r.json()["fields"]["custom_fields.contract_no"]["code"],
        "required"
    );
    let r = app
        .post(
            "/api/v1/customers",
            &rep,
            json!({"name": "新客户", "custom_fields": {"contract_no": "HT-2026-001"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let x = r.json()["id"].as_i64().unwrap();
    // It cannot be cleared…
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &rep,
            json!({"version": 1, "custom_fields": {"contract_no": null}}),
        )
        .await;
    assert_eq!(
        r.json()["fields"]["custom_fields.contract_no"]["code"],
        "required"
    );
    // …but other changes go through, also on a customer made before the field existed.
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &rep,
            json!({"version": 1, "status": "deal"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/customers/{}", early["id"]),
            &rep,
            json!({"version": 1, "industry": "制造业"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Contacts: the same rules.
    let r = app
        .post(
            "/api/v1/contacts",
            &rep,
            json!({"customer_id": x, "name": "张伟"}),
        )
        .await;
    assert_eq!(
        r.json()["fields"]["custom_fields.wechat"]["code"],
        "required"
    );
    let r = app
        .post(
            "/api/v1/contacts",
            &rep,
            json!({"customer_id": x, "name": "张伟", "custom_fields": {"wechat": "zhangwei88"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["custom_fields"]["wechat"], "zhangwei88");
    let k = r.json()["id"].as_i64().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/contacts/{k}"),
            &rep,
            json!({"version": 1, "custom_fields": {"wechat": ""}}),
        )
        .await;
    assert_eq!(
        r.json()["fields"]["custom_fields.wechat"]["code"],
        "required"
    );
    let r = app
        .patch(
            &format!("/api/v1/contacts/{k}"),
            &rep,
            json!({"version": 1, "title": "经理", "custom_fields": {"wechat": "zw_2026"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["custom_fields"]["wechat"], "zw_2026");
    let listed = app
        .get(&format!("/api/v1/contacts?customer_id={x}"), &rep)
        .await
        .json();
    assert_eq!(listed["items"][0]["custom_fields"]["wechat"], "zw_2026");
    // Customer fields are not contact fields.
    let r = app
        .patch(
            &format!("/api/v1/contacts/{k}"),
            &rep,
            json!({"version": 2, "custom_fields": {"contract_no": "x"}}),
        )
        .await;
    assert_eq!(
        r.json()["fields"]["custom_fields.contract_no"]["code"],
        "unknown_field"
    );
});

db_test!(list_filters_on_custom_fields_within_visibility, |app| {
    let admin = app.admin().await;
    let mgr = app.user("mgr", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, None).await;
    define_all_types(&app, &admin).await;
    let mut made = Vec::new();
    for (who, name, cf) in [
        (
            &a,
            "甲",
            json!({"tier": "A", "tags": ["重点", "外贸"], "budget": 100, "vip": true, "memo": "Key Account 北京", "signed_on": "2026-03-01", "rate": "1.5"}),
        ),
        (
            &a,
            "乙",
            json!({"tier": "B", "tags": ["外贸"], "budget": 2000, "vip": false, "memo": "small", "rate": "1.05"}),
        ),
        (&a, "丙", json!({})),
        (
            &b,
            "丁",
            json!({"tier": "A", "tags": ["重点"], "budget": 100, "vip": true, "memo": "key account"}),
        ),
    ] {
        let r = app
            .post(
                "/api/v1/customers",
                who,
                json!({"name": name, "custom_fields": cf}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        made.push(r.json()["id"].as_i64().unwrap());
    }
    let (jia, yi, _bing, ding) = (made[0], made[1], made[2], made[3]);
    let q = |path: &str| format!("/api/v1/customers?{path}");
    for (query, expected) in [
        ("cf.tier=A", vec![jia]),
        ("cf.tier=B", vec![yi]),
        ("cf.tags=%E5%A4%96%E8%B4%B8", vec![jia, yi]),
        ("cf.tags=%E9%87%8D%E7%82%B9", vec![jia]),
        ("cf.budget=100", vec![jia]),
        ("cf.budget=0100", vec![jia]),
        ("cf.vip=true", vec![jia]),
        ("cf.vip=false", vec![yi]),
        ("cf.memo=KEY%20acc", vec![jia]),
        ("cf.memo=%E5%8C%97%E4%BA%AC", vec![jia]),
        ("cf.signed_on=2026-03-01", vec![jia]),
        ("cf.rate=1.50", vec![jia]),
        ("cf.rate=1.05", vec![yi]),
        ("cf.tier=A&cf.budget=2000", vec![]),
        ("cf.tier=A&sort=name&q=%E7%94%B2", vec![jia]),
        ("cf.memo=", vec![jia, yi, made[2]]),
    ] {
        let r = app.get(&q(query), &a).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text);
        assert_eq!(ids(&r.json()), expected, "{query}");
    }
    // The manager sees the rep's matches; the other rep only their own.
    assert_eq!(ids(&app.get(&q("cf.tier=A"), &mgr).await.json()), vec![jia]);
    assert_eq!(ids(&app.get(&q("cf.tier=A"), &b).await.json()), vec![ding]);
    assert_eq!(
        ids(&app.get(&q("cf.tier=A"), &admin).await.json()),
        vec![jia, ding]
    );
    // Visibility is unchanged: B cannot read or write A's customer, custom fields or not.
    assert_eq!(
        app.get(&format!("/api/v1/customers/{jia}"), &b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .patch(
            &format!("/api/v1/customers/{jia}"),
            &b,
            json!({"version": 1, "custom_fields": {"tier": "C"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{jia}"), &a)
            .await
            .json()["custom_fields"]["tier"],
        "A"
    );
    // Unknown keys and impossible values are refused.
    let r = app.get(&q("cf.nope=1"), &a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["cf.nope"]["code"], "unknown_field");
    let r = app.get(&q("cf.budget=lots"), &a).await;
    assert_eq!(r.json()["fields"]["cf.budget"]["code"], "invalid_value");
    let r = app.get(&q("cf.tier=Z"), &a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get(&q("colour=red"), &a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "invalid_query");
    // Quotes and wildcards in a value are data, not SQL.
    let r = app.get(&q("cf.memo=%27%20OR%201%3D1%20--%25"), &a).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(ids(&r.json()), Vec::<i64>::new());
});

async fn download(app: &TestApp, path: &str, who: &TestUser, lang: &str) -> Vec<Vec<Data>> {
    let auth = format!("Bearer {}", who.token);
    let r = app
        .get_with(path, &[("authorization", &auth), ("accept-language", lang)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    crm_testkit::xlsx_rows(&r.bytes, 0)
}

fn column(rows: &[Vec<Data>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

db_test!(exports_have_custom_field_columns, |app| {
    let admin = app.admin().await;
    define_all_types(&app, &admin).await;
    define(
        &app,
        &admin,
        json!({"entity": "contact", "key": "wechat", "label_zh": "微信", "label_en": "WeChat", "field_type": "text"}),
    )
    .await;
    define(
        &app,
        &admin,
        json!({"entity": "contact", "key": "met_on", "label_zh": "初次见面", "label_en": "Met on", "field_type": "date"}),
    )
    .await;
    let x = app
        .post(
            "/api/v1/customers",
            &admin,
            json!({"name": "华信科技", "custom_fields": {
                "budget": 120000, "rate": "0.125", "signed_on": "2026-03-01", "tier": "B",
                "tags": ["重点", "新客"], "vip": true, "memo": "=1+1"}}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/customers",
        &admin,
        json!({"name": "空白客户", "custom_fields": {"vip": false}}),
    )
    .await;
    app.post(
        "/api/v1/contacts",
        &admin,
        json!({"customer_id": x, "name": "张伟", "custom_fields": {"wechat": "zw88", "met_on": "2025-12-24"}}),
    )
    .await;

    let rows = download(&app, "/api/v1/customers/export.xlsx", &admin, "zh-CN").await;
    assert_eq!(rows.len(), 3);
    // The custom columns follow the fixed ones, headed in the reader's language.
    let fixed = crm_service::export::CUSTOMER_COLUMNS.len();
    assert_eq!(rows[0].len(), fixed + 11);
    assert_eq!(rows[0][fixed].to_string(), "备忘");
    let row = rows
        .iter()
        .find(|r| r[0].to_string() == x.to_string())
        .unwrap();
    let budget = &row[column(&rows, "预算")];
    assert!(
        matches!(budget, Data::Float(f) if *f == 120000.0) || matches!(budget, Data::Int(120000)),
        "{budget:?}"
    );
    assert!(matches!(row[column(&rows, "费率")], Data::Float(f) if (f - 0.125).abs() < 1e-9));
    assert!(
        matches!(row[column(&rows, "签约日期")], Data::DateTime(_)),
        "{:?}",
        row[column(&rows, "签约日期")]
    );
    assert_eq!(row[column(&rows, "等级")].to_string(), "B");
    assert_eq!(row[column(&rows, "标签")].to_string(), "重点、新客");
    assert_eq!(row[column(&rows, "VIP")].to_string(), "是");
    assert_eq!(row[column(&rows, "备忘")].to_string(), "'=1+1");
    let other = rows.iter().find(|r| r[1] == "空白客户").unwrap();
    assert_eq!(other[column(&rows, "VIP")].to_string(), "否");
    assert!(matches!(other[column(&rows, "预算")], Data::Empty));

    // English headers and labels; the list's custom filters apply to the export.
    let rows = download(
        &app,
        "/api/v1/customers/export.xlsx?cf.vip=false",
        &admin,
        "en",
    )
    .await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][column(&rows, "VIP")].to_string(), "No");
    column(&rows, "Signed on");

    let rows = download(&app, "/api/v1/contacts/export.xlsx", &admin, "zh-CN").await;
    let fixed = crm_service::export::CONTACT_COLUMNS.len();
    assert_eq!(rows[0].len(), fixed + 2);
    assert_eq!(rows[1][column(&rows, "微信")].to_string(), "zw88");
    assert!(matches!(
        rows[1][column(&rows, "初次见面")],
        Data::DateTime(_)
    ));
});
