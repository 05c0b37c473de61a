//! The public web form of a campaign, on both databases: the page and the JSON endpoint
//! without sign-in, the pool lead a submission creates, and every guard (unknown or
//! disabled form, honeypot, minimum fill time, rate limit, body size), each checked for
//! what it answers and that it wrote nothing.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::Duration;
use crm_store::entity::{audit_log, lead};
use crm_testkit::{db_test, json, TestApp, TestResponse, TestUser};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A request from client address `ip` (the test app trusts `X-Forwarded-For`).
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    ip: &str,
    extra: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> TestResponse {
    let mut b = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .header("x-forwarded-for", ip);
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    let req = match body {
        Some((ctype, text)) => b.header(header::CONTENT_TYPE, ctype).body(Body::from(text)),
        None => b.body(Body::empty()),
    }
    .unwrap();
    app.send(req).await
}

async fn post_form(app: &TestApp, path: &str, ip: &str, fields: &[(&str, &str)]) -> TestResponse {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    send(
        app,
        "POST",
        path,
        ip,
        &[],
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await
}

struct Form {
    admin: TestUser,
    campaign: i64,
    /// `/f/<key>`
    path: String,
    key: String,
}

/// A campaign with its form enabled.
async fn enabled_form(app: &TestApp) -> Form {
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/campaigns",
            &admin,
            json!({"name": "春季展会", "actual_cost": "100"}),
        )
        .await;
    let campaign = r.json()["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/form"),
            &admin,
            json!({"version": 1, "enabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let path = r.json()["form_path"].as_str().unwrap().to_string();
    let key = path.trim_start_matches("/f/").to_string();
    assert_eq!(key.len(), 64, "256 random bits as hex");
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
    Form {
        admin,
        campaign,
        path,
        key,
    }
}

fn token_of(html: &str) -> String {
    html.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

/// Shows the form to `ip` and waits long enough to be taken for a person.
async fn shown(app: &TestApp, f: &Form, ip: &str) -> String {
    let page = send(app, "GET", &f.path, ip, &[], None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    app.clock.advance(Duration::seconds(5));
    token_of(&page.text)
}

async fn leads(app: &TestApp) -> Vec<lead::Model> {
    lead::Entity::find().all(&app.core.db).await.unwrap()
}

fn person(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", "王小明"),
        ("company", "星辰科技有限公司"),
        ("phone", "+86 138-1234-5678"),
        ("email", "Wang.XM@Example.com"),
        ("message", "想了解报价\n谢谢"),
        ("token", token),
        ("website", ""),
    ]
}

db_test!(a_submission_becomes_a_pool_lead_of_the_campaign, |app| {
    let f = enabled_form(&app).await;
    let page = send(&app, "GET", &f.path, "203.0.113.7", &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("春季展会"));
    assert!(
        page.text.contains("name=\"website\""),
        "the honeypot is there"
    );
    assert!(!page.text.contains("sidebar"), "no app layout");
    assert!(page.cookies().is_empty(), "no session, no cookie");
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    let token = token_of(&page.text);
    app.clock.advance(Duration::seconds(4));
    let r = post_form(&app, &f.path, "203.0.113.7", &person(&token)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.header("location").unwrap(),
        format!("/f/{}/thanks", f.key)
    );
    assert!(r.cookies().is_empty());
    let thanks = send(
        &app,
        "GET",
        &format!("/f/{}/thanks", f.key),
        "203.0.113.7",
        &[],
        None,
    )
    .await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert!(thanks.text.contains("Thank you"), "{}", thanks.text);

    let all = leads(&app).await;
    assert_eq!(all.len(), 1);
    let l = &all[0];
    assert_eq!(l.name, "王小明");
    assert_eq!(l.company.as_deref(), Some("星辰科技有限公司"));
    assert_eq!(l.phone.as_deref(), Some("+86 138-1234-5678"));
    assert_eq!(l.email.as_deref(), Some("wang.xm@example.com"));
    assert_eq!(l.notes.as_deref(), Some("想了解报价\n谢谢"));
    assert_eq!(l.owner_id, None, "in the pool");
    assert_eq!(l.campaign_id, Some(f.campaign));
    assert_eq!(l.source.as_deref(), Some("web_form"));
    assert_eq!(l.status, "new");
    assert_eq!(l.created_by, None);
    assert_eq!(l.phone_norm.as_deref(), Some("13812345678"));
    assert_eq!(l.email_norm.as_deref(), Some("wang.xm@example.com"));
    assert_eq!(l.company_norm.as_deref(), Some("星辰科技"));
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::EntityType.eq("lead"))
        .filter(audit_log::Column::EntityId.eq(l.id.to_string()))
        .one(&app.core.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.action, "create");
    assert_eq!(entry.actor_id, None, "nobody signed in");
    assert!(entry.after.unwrap().contains("web_form"));
    // The campaign counts it.
    let c = app
        .get(&format!("/api/v1/campaigns/{}", f.campaign), &f.admin)
        .await
        .json();
    assert_eq!(c["results"]["leads"], 1);
    assert_eq!(c["results"]["cost_per_lead"], "100.00");
});

db_test!(the_page_speaks_the_visitors_language, |app| {
    let f = enabled_form(&app).await;
    let zh = send(
        &app,
        "GET",
        &f.path,
        "198.51.100.1",
        &[("accept-language", "zh-CN,zh;q=0.9")],
        None,
    )
    .await;
    assert!(zh.text.contains("您的姓名"), "{}", zh.text);
    assert!(zh.text.contains("lang=\"zh-CN\""));
    let en = send(
        &app,
        "GET",
        &format!("{}?lang=en", f.path),
        "198.51.100.1",
        &[("accept-language", "zh-CN")],
        None,
    )
    .await;
    assert!(en.text.contains("Your name"));
    assert!(
        en.text
            .contains(&format!("action=\"/f/{}?lang=en\"", f.key)),
        "the choice is kept"
    );
    // Field errors, in Chinese, keep what was typed and write nothing.
    let token = token_of(&zh.text);
    app.clock.advance(Duration::seconds(5));
    let r = post_form(
        &app,
        &format!("{}?lang=zh-CN", f.path),
        "198.51.100.1",
        &[
            ("name", ""),
            ("company", "保留的公司"),
            ("phone", ""),
            ("email", ""),
            ("token", &token),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("请填写电话或邮箱"), "{}", r.text);
    assert!(r.text.contains("value=\"保留的公司\""));
    let r = post_form(
        &app,
        &format!("{}?lang=en", f.path),
        "198.51.100.1",
        &[("name", "Li"), ("email", "not-an-email"), ("token", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Not a valid email address"), "{}", r.text);
    assert!(leads(&app).await.is_empty());
});

db_test!(unknown_disabled_and_replaced_forms_are_404, |app| {
    let f = enabled_form(&app).await;
    let ip = "192.0.2.10";
    for path in [
        "/f/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_string(),
        "/f/short".to_string(),
        "/api/v1/public/forms/short".to_string(),
    ] {
        assert_eq!(
            send(&app, "GET", &path, ip, &[], None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Disabled: the page, the form post and the JSON endpoints all answer 404.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{}/form", f.campaign),
            &f.admin,
            json!({"version": 2, "enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["form_path"], Value::Null);
    assert_eq!(
        send(&app, "GET", &f.path, ip, &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = post_form(&app, &f.path, ip, &person("1.x")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let api = format!("/api/v1/public/forms/{}", f.key);
    assert_eq!(
        send(&app, "GET", &api, ip, &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = send(
        &app,
        "POST",
        &format!("{api}/leads"),
        ip,
        &[],
        Some((
            "application/json",
            json!({"name": "x", "phone": "13800000000"}).to_string(),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Enabled again: the same link works; a new link retires the old one.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{}/form", f.campaign),
            &f.admin,
            json!({"version": 3, "enabled": true}),
        )
        .await;
    assert_eq!(r.json()["form_path"], f.path.as_str());
    let r = app
        .post(
            &format!("/api/v1/campaigns/{}/form/regenerate", f.campaign),
            &f.admin,
            json!({"version": 4}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new_path = r.json()["form_path"].as_str().unwrap().to_string();
    assert_ne!(new_path, f.path);
    assert_eq!(
        send(&app, "GET", &f.path, ip, &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, "GET", &new_path, ip, &[], None).await.status,
        StatusCode::OK
    );
    assert!(leads(&app).await.is_empty());
});

db_test!(robots_get_nothing_in, |app| {
    let f = enabled_form(&app).await;
    let ip = "192.0.2.20";
    // The honeypot: answered like a success, nothing written.
    let token = shown(&app, &f, ip).await;
    let mut fields = person(&token);
    fields.retain(|(k, _)| *k != "website");
    fields.push(("website", "http://spam.example"));
    let r = post_form(&app, &f.path, ip, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").unwrap(),
        format!("/f/{}/thanks", f.key)
    );
    assert!(leads(&app).await.is_empty());

    // Too fast: sent a second after the page was shown.
    let page = send(&app, "GET", &f.path, ip, &[], None).await;
    let token = token_of(&page.text);
    app.clock.advance(Duration::seconds(1));
    let r = post_form(&app, &f.path, ip, &person(&token)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("That was very quick"), "{}", r.text);
    assert!(r.text.contains("value=\"王小明\""), "what was typed stays");
    assert_ne!(token_of(&r.text), token, "a fresh stamp to send again with");
    // A forged, a missing and an expired stamp.
    let forged = format!(
        "{}.00000000000000000000000000000000",
        token.split('.').next().unwrap()
    );
    let r = post_form(&app, &f.path, "192.0.2.21", &person(&forged)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("open for too long") || r.text.contains("send it again"));
    let r = post_form(&app, &f.path, "192.0.2.22", &person("")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.clock.advance(Duration::hours(25));
    let r = post_form(&app, &f.path, "192.0.2.23", &person(&token)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(leads(&app).await.is_empty());

    // Oversized bodies are refused before anything is read.
    let token = shown(&app, &f, "192.0.2.24").await;
    let big = "长".repeat(6000);
    let mut fields = person(&token);
    fields.push(("message", &big));
    let r = post_form(&app, &f.path, "192.0.2.24", &fields).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let api = format!("/api/v1/public/forms/{}/leads", f.key);
    let body = json!({"name": "x", "phone": "13800000000", "message": big, "token": token});
    let r = send(
        &app,
        "POST",
        &api,
        "192.0.2.24",
        &[],
        Some(("application/json", body.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(leads(&app).await.is_empty());
});

db_test!(the_rate_limit_answers_429_and_writes_nothing, |app| {
    let f = enabled_form(&app).await;
    let a = "203.0.113.50";
    let token = shown(&app, &f, a).await;
    for i in 0..5 {
        let name = format!("访客{i}");
        let mut fields = person(&token);
        fields[0] = ("name", &name);
        let r = post_form(&app, &f.path, a, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}: {}", r.text);
    }
    let r = post_form(&app, &f.path, a, &person(&token)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    // The JSON endpoint shares the count.
    let api = format!("/api/v1/public/forms/{}/leads", f.key);
    let body = json!({"name": "接口", "phone": "13800000000", "token": token}).to_string();
    let r = send(
        &app,
        "POST",
        &api,
        a,
        &[],
        Some(("application/json", body.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"], "rate_limited");
    assert!(r.header("retry-after").is_some());
    assert_eq!(leads(&app).await.len(), 5, "the refused ones wrote nothing");
    // Another address is counted apart; ten minutes later the first may send again.
    let r = post_form(&app, &f.path, "203.0.113.51", &person(&token)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.clock.advance(Duration::minutes(10));
    let r = send(&app, "POST", &api, a, &[], Some(("application/json", body))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(leads(&app).await.len(), 7);

    // 200 submissions per form and hour, whatever the address (robots count too).
    let mut trap = person(&token);
    trap.retain(|(k, _)| *k != "website");
    trap.push(("website", "x"));
    for i in 0..193 {
        let r = post_form(
            &app,
            &f.path,
            &format!("10.1.{}.{}", i / 200, i % 200),
            &trap,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}");
    }
    let r = post_form(&app, &f.path, "10.9.9.9", &person(&token)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(leads(&app).await.len(), 7);
});

db_test!(the_json_endpoint_needs_no_sign_in, |app| {
    let f = enabled_form(&app).await;
    let ip = "198.51.100.9";
    let api = format!("/api/v1/public/forms/{}", f.key);
    let r = send(&app, "GET", &api, ip, &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["campaign"], "春季展会");
    assert_eq!(v["min_fill_seconds"], 3);
    let token = v["token"].as_str().unwrap().to_string();
    let post = |body: Value| {
        let app = &app;
        let api = format!("{api}/leads");
        async move {
            send(
                app,
                "POST",
                &api,
                ip,
                &[],
                Some(("application/json", body.to_string())),
            )
            .await
        }
    };
    let r = post(json!({"name": "赵六", "email": "zhao@example.com", "token": token})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["token"]["code"], "too_fast");
    app.clock.advance(Duration::seconds(3));
    let r = post(json!({"name": "", "token": token})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["fields"].clone();
    assert_eq!(fields["name"]["code"], "required");
    assert_eq!(fields["phone"]["code"], "phone_or_email");
    assert_eq!(fields["email"]["code"], "phone_or_email");
    let r = post(json!({"name": "赵六", "email": "zhao@example.com"})).await;
    assert_eq!(r.json()["fields"]["token"]["code"], "required");
    let long = json!({"name": "赵六", "email": "zhao@example.com", "token": token,
                      "message": "x".repeat(2001)});
    let r = send(
        &app,
        "POST",
        &format!("{api}/leads"),
        "198.51.100.10",
        &[],
        Some(("application/json", long.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["message"]["code"], "too_long");
    assert!(leads(&app).await.is_empty());
    let r = post(
        json!({"name": "赵六", "company": "六六商贸", "email": "zhao@example.com",
                        "message": "请回电", "token": token}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"status": "received"}),
        "no ids leak to the public"
    );
    assert!(r.cookies().is_empty());
    let all = leads(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].campaign_id, Some(f.campaign));
    assert_eq!(all[0].source.as_deref(), Some("web_form"));
    assert_eq!(all[0].notes.as_deref(), Some("请回电"));
    // A filled honeypot is answered the same and dropped.
    let r =
        post(json!({"name": "机器人", "email": "bot@example.com", "token": token, "website": "x"}))
            .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(leads(&app).await.len(), 1);
    // Listed in the OpenAPI document as unauthenticated.
    let doc = send(&app, "GET", "/api/v1/openapi.json", ip, &[], None)
        .await
        .json();
    let op = &doc["paths"]["/api/v1/public/forms/{key}/leads"]["post"];
    assert_eq!(op["security"], json!([{}]), "{op}");
    assert_eq!(
        doc["paths"]["/api/v1/campaigns"]["get"]["security"],
        json!([{"bearer": []}])
    );
    assert_eq!(
        lead::Entity::find()
            .filter(lead::Column::OwnerId.is_null())
            .count(&app.core.db)
            .await
            .unwrap(),
        1
    );
});
