//! Sign-in, tokens, rate limits, password change — through the real router on both databases.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, PASSWORD};

async fn login(app: &TestApp, user: &str, pw: &str, ip: &str) -> crm_testkit::TestResponse {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .header("x-forwarded-for", ip)
        .body(axum::body::Body::from(
            json!({"username": user, "password": pw}).to_string(),
        ))
        .unwrap();
    app.send(req).await
}

db_test!(login_returns_a_working_token, |app| {
    app.user("zhangwei", Role::SalesRep, None, None).await;
    let r = login(&app, "ZhangWei", PASSWORD, "10.0.0.1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("crm_"));
    let me = app.api("GET", "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "zhangwei");
    assert_eq!(me.json()["role"], "sales_rep");
    assert_eq!(me.json()["scope"], "own");

    // Logout revokes exactly that token.
    let out = app
        .api("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let me = app.api("GET", "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.json()["error"], "invalid_token");
});

db_test!(wrong_credentials_and_missing_tokens_are_401, |app| {
    app.user("liuyang", Role::SalesRep, None, None).await;
    let r = login(&app, "liuyang", "wrong-password", "10.0.0.2").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "invalid_credentials");
    let r = login(&app, "nobody", "whatever1", "10.0.0.2").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.api("GET", "/api/v1/users/me", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "unauthorized");
    let r = app
        .api("GET", "/api/v1/users/me", Some("crm_forged"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

db_test!(sign_in_is_rate_limited_per_account_and_per_ip, |app| {
    app.user("chenjing", Role::SalesRep, None, None).await;
    app.user("yangfan", Role::SalesRep, None, None).await;
    for i in 0..5 {
        let r = login(&app, "chenjing", "bad-password", &format!("10.1.0.{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // The right password is refused while the account is locked, from any address.
    let r = login(&app, "chenjing", PASSWORD, "10.9.9.9").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.json()["error"], "rate_limited");
    assert!(r.header("retry-after").is_some());
    // Other accounts are unaffected.
    assert_eq!(
        login(&app, "yangfan", PASSWORD, "10.9.9.9").await.status,
        StatusCode::OK
    );
    // After the window the account opens again.
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        login(&app, "chenjing", PASSWORD, "10.9.9.9").await.status,
        StatusCode::OK
    );

    // One address guessing many accounts is limited too.
    for i in 0..30 {
        login(&app, &format!("guess{i}"), "bad-password", "10.2.2.2").await;
    }
    let r = login(&app, "yangfan", PASSWORD, "10.2.2.2").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        login(&app, "yangfan", PASSWORD, "10.3.3.3").await.status,
        StatusCode::OK
    );
});

db_test!(personal_tokens_can_be_created_listed_and_revoked, |app| {
    let rep = app.user("huanglei", Role::SalesRep, None, None).await;
    let r = app
        .post("/api/v1/tokens", &rep, json!({"name": "报表脚本"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.json()["token"].as_str().unwrap().to_string();
    let id = r.json()["id"].as_i64().unwrap();
    let me = app
        .api("GET", "/api/v1/users/me", Some(&secret), None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let list = app.get("/api/v1/tokens", &rep).await;
    assert_eq!(list.json()["items"][0]["name"], "报表脚本");
    assert!(
        list.json()["items"][0].get("token").is_none(),
        "secret never listed"
    );
    // Someone else cannot revoke it.
    let other = app.user("zhoujie", Role::SalesRep, None, None).await;
    let r = app.delete(&format!("/api/v1/tokens/{id}"), &other).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete(&format!("/api/v1/tokens/{id}"), &rep).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = app
        .api("GET", "/api/v1/users/me", Some(&secret), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let r = app.post("/api/v1/tokens", &rep, json!({"name": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["name"]["code"], "required");
});

db_test!(
    password_change_checks_the_old_one_and_ends_other_access,
    |app| {
        let rep = app.user("wuting", Role::SalesRep, None, None).await;
        let r = app
            .post(
                "/api/v1/users/me/password",
                &rep,
                json!({"current_password": "nope-nope", "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["fields"]["current_password"]["code"],
            "wrong_password"
        );
        let r = app
            .post(
                "/api/v1/users/me/password",
                &rep,
                json!({"current_password": PASSWORD, "new_password": "short"}),
            )
            .await;
        assert_eq!(r.json()["fields"]["new_password"]["code"], "too_short");
        let r = app
            .post(
                "/api/v1/users/me/password",
                &rep,
                json!({"current_password": PASSWORD, "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        assert_eq!(
            app.get("/api/v1/users/me", &rep).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&app, "wuting", PASSWORD, "10.0.0.5").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&app, "wuting", "new-password-1", "10.0.0.5")
                .await
                .status,
            StatusCode::OK
        );
    }
);

db_test!(deactivated_users_lose_access_but_keep_their_row, |app| {
    let admin = app.admin().await;
    let rep = app.user("zhuqiang", Role::SalesRep, None, None).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{}", rep.id),
            &admin,
            json!({"version": 1, "active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["active"], false);
    assert_eq!(
        app.get("/api/v1/users/me", &rep).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "zhuqiang", PASSWORD, "10.0.0.6").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.get(&format!("/api/v1/users/{}", rep.id), &admin).await;
    assert_eq!(r.status, StatusCode::OK);
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=user&entity_id={}", rep.id),
            &admin,
        )
        .await;
    assert_eq!(audit.json()["items"][0]["action"], "deactivate");
    // Nobody deactivates themselves.
    let r = app
        .patch(
            &format!("/api/v1/users/{}", admin.id),
            &admin,
            json!({"version": 1, "active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});
