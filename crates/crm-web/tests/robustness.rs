//! No input produces a 500: junk bodies, types, query strings and ids on every endpoint,
//! as an administrator (who passes every permission check and so reaches the deepest code).
#![allow(clippy::unwrap_used)]

use crm_testkit::{db_test, json};

const JUNK_BODIES: &[&str] = &[
    "",
    "null",
    "[]",
    "{}",
    "\"x\"",
    "{\"version\": \"one\"}",
    "{\"version\": 99999999999}",
    "{\"name\": null, \"version\": 1}",
    "{\"name\": [1,2], \"parent_id\": {}}",
    "{\"name\": \"\\u0000\\u0007\", \"version\": 1}",
    "{\"ids\": \"all\", \"to_user_id\": -1}",
    "{\"ids\": [], \"to_user_id\": 1}",
    "{\"user_id\": 1, \"access\": \"root\"}",
    "{\"customer_id\": -5, \"name\": \"x\", \"kind\": \"call\", \"content\": \"x\"}",
    "{\"occurred_at\": \"2026-99-99T99:99\", \"customer_id\": 1, \"kind\": \"call\", \"content\": \"x\"}",
    "{\"birthday\": \"0000-00-00\", \"customer_id\": 1, \"name\": \"x\"}",
    "{\"username\": \"\", \"password\": \"\"}",
    "{\"username\": \"a\\u0000b\", \"password\": \"x\\u0000\"}",
    "{\"scope\": \"all\", \"modules\": {\"system\": [\"fly\"]}, \"version\": 1}",
    "{\"name\": \"𠀀𠀁𠀂😀\", \"phone\": \"+-+-+-+-+-+-\", \"website\": \"http://\"}",
    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":[[[[[[[[[[1]]]]]]]]]]}}}}}",
];

const QUERIES: &[&str] = &[
    "?limit=-1",
    "?limit=99999999999999999999",
    "?cursor=abc",
    "?cursor=-9223372036854775808",
    "?q=%00%FF",
    "?q=%27%22%3B--",
    "?q=*%22%20OR%201",
    "?sort=%27",
    "?created_from=9999-99-99",
    "?owner_id=abc",
    "?active=maybe",
    "?entity_id=%25",
    "?version=x",
];

db_test!(no_input_produces_a_server_error, |app| {
    let admin = app.admin().await;
    let c = app
        .post("/api/v1/customers", &admin, json!({"name": "测试客户"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let paths = [
        "/api/v1/auth/login".to_string(),
        "/api/v1/departments".to_string(),
        "/api/v1/departments/1".to_string(),
        "/api/v1/users".to_string(),
        format!("/api/v1/users/{}", admin.id),
        "/api/v1/users/me/password".to_string(),
        "/api/v1/roles/sales_rep".to_string(),
        "/api/v1/tokens".to_string(),
        "/api/v1/audit".to_string(),
        "/api/v1/recycle-bin".to_string(),
        "/api/v1/recycle-bin/1/restore".to_string(),
        "/api/v1/customers".to_string(),
        format!("/api/v1/customers/{c}"),
        format!("/api/v1/customers/{c}/transfer"),
        "/api/v1/customers/transfer".to_string(),
        format!("/api/v1/customers/{c}/shares"),
        format!("/api/v1/customers/{c}/history"),
        "/api/v1/customers/export.xlsx".to_string(),
        "/api/v1/contacts".to_string(),
        "/api/v1/contacts/1".to_string(),
        "/api/v1/activities".to_string(),
        "/api/v1/activities/1".to_string(),
        "/api/v1/customers/99999999999999999999".to_string(),
        "/api/v1/customers/%F0%9F%98%80".to_string(),
    ];
    let mut checked = 0;
    for path in &paths {
        for method in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
            for body in JUNK_BODIES {
                let req = axum::http::Request::builder()
                    .method(method)
                    .uri(path.as_str())
                    .header("authorization", format!("Bearer {}", admin.token))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(*body))
                    .unwrap();
                let r = app.send(req).await;
                assert!(
                    r.status.as_u16() < 500,
                    "{method} {path} {body}: {} {}",
                    r.status,
                    r.text
                );
                checked += 1;
            }
        }
        for q in QUERIES {
            let r = app.get(&format!("{path}{q}"), &admin).await;
            assert!(
                r.status.as_u16() < 500,
                "GET {path}{q}: {} {}",
                r.status,
                r.text
            );
            checked += 1;
        }
    }
    assert!(checked > 2000);
    // Still one customer, no stray departments: junk wrote nothing it should not have.
    let list = app.get("/api/v1/customers", &admin).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["name"], "测试客户");
});
