//! Departments, users, roles, audit trail, recycle bin — through the real router.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json};

db_test!(
    departments_crud_with_versions_audit_and_recycle_bin,
    |app| {
        let admin = app.admin().await;
        let r = app
            .post("/api/v1/departments", &admin, json!({"name": "销售部"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let sales = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["version"], 1);
        let r = app
            .post(
                "/api/v1/departments",
                &admin,
                json!({"name": "华北大区", "parent_id": sales}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let north = r.json()["id"].as_i64().unwrap();
        let list = app.get("/api/v1/departments", &admin).await;
        assert_eq!(list.json()["items"].as_array().unwrap().len(), 2);
        assert!(list.json()["next"].is_null());

        // Rename with the right version, then a stale one is a 409 that changes nothing.
        let r = app
            .patch(
                &format!("/api/v1/departments/{north}"),
                &admin,
                json!({"version": 1, "name": "华北区"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["version"], 2);
        let r = app
            .patch(
                &format!("/api/v1/departments/{north}"),
                &admin,
                json!({"version": 1, "name": "旧名"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"], "stale_version");
        assert_eq!(
            app.get(&format!("/api/v1/departments/{north}"), &admin)
                .await
                .json()["name"],
            "华北区"
        );

        // A department cannot move under its own child.
        let r = app
            .patch(
                &format!("/api/v1/departments/{sales}"),
                &admin,
                json!({"version": 1, "parent_id": north}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["parent_id"]["code"], "cycle");

        // Deleting a parent with children is refused; the leaf goes to the recycle bin.
        let r = app
            .delete(&format!("/api/v1/departments/{sales}?version=1"), &admin)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"], "department_has_children");
        let r = app
            .delete(&format!("/api/v1/departments/{north}?version=2"), &admin)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        assert_eq!(
            app.get(&format!("/api/v1/departments/{north}"), &admin)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let bin = app.get("/api/v1/recycle-bin", &admin).await;
        assert_eq!(bin.json()["items"][0]["label"], "华北区");
        let entry = bin.json()["items"][0]["id"].as_i64().unwrap();
        let r = app
            .post(
                &format!("/api/v1/recycle-bin/{entry}/restore"),
                &admin,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            app.get(&format!("/api/v1/departments/{north}"), &admin)
                .await
                .status,
            StatusCode::OK
        );
        // Restoring twice changes nothing.
        let r = app
            .post(
                &format!("/api/v1/recycle-bin/{entry}/restore"),
                &admin,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/recycle-bin", &admin).await.json()["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );

        // The audit trail has who/what/when with before and after.
        let audit = app
            .get(
                &format!("/api/v1/audit?entity_type=department&entity_id={north}"),
                &admin,
            )
            .await;
        let items = audit.json()["items"].as_array().unwrap().clone();
        let actions: Vec<&str> = items
            .iter()
            .map(|i| i["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["restore", "delete", "update", "create"]);
        let update = &items[2];
        assert_eq!(update["actor_id"], admin.id);
        assert_eq!(update["before"]["name"], "华北大区");
        assert_eq!(update["after"]["name"], "华北区");
    }
);

db_test!(bad_input_gets_field_errors_and_writes_nothing, |app| {
    let admin = app.admin().await;
    let cases = [
        (json!({"name": ""}), "name", "required"),
        (json!({"name": "x".repeat(101)}), "name", "too_long"),
        (
            json!({"name": "ok", "parent_id": 999}),
            "parent_id",
            "not_found",
        ),
        (json!({"name": 5}), "name", "invalid"),
        (json!({"name": "ok", "colour": "red"}), "colour", "invalid"),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/departments", &admin, body.clone()).await;
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
    let raw = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/departments")
        .header("authorization", format!("Bearer {}", admin.token))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"name\": "))
        .unwrap();
    let r = app.send(raw).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "malformed_json");
    for path in [
        "/api/v1/departments/abc",
        "/api/v1/departments/-1",
        "/api/v1/departments/99999",
        "/api/v1/nowhere",
    ] {
        let r = app.get(path, &admin).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json()["error"], "not_found");
    }
    let r = app.get("/api/v1/users?limit=0", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/users?limit=abc", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/departments", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
});

db_test!(users_are_created_with_hierarchy_and_validated, |app| {
    let admin = app.admin().await;
    let dept = app
        .post("/api/v1/departments", &admin, json!({"name": "华东大区"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post("/api/v1/users", &admin, json!({"username": "zhaomin", "password": "secret-pass", "display_name": "赵敏", "role": "sales_manager", "department_id": dept}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mgr = r.json()["id"].as_i64().unwrap();
    assert!(r.json().get("password_hash").is_none());
    let r = app
        .post("/api/v1/users", &admin, json!({"username": "huanglei", "password": "secret-pass", "display_name": "黄磊", "role": "sales_rep", "department_id": dept, "manager_id": mgr}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let rep = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["manager_id"], mgr);

    let r = app
        .post("/api/v1/users", &admin, json!({"username": "Zhaomin", "password": "x", "display_name": "", "role": "boss", "manager_id": 9999, "email": "not-an-email"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = &r.json()["fields"];
    assert_eq!(f["username"]["code"], "taken");
    assert_eq!(f["password"]["code"], "too_short");
    assert_eq!(f["display_name"]["code"], "required");
    assert_eq!(f["role"]["code"], "invalid_choice");
    assert_eq!(f["manager_id"]["code"], "not_found");
    assert_eq!(f["email"]["code"], "invalid_email");

    // No loops in the manager chain.
    let r = app
        .patch(
            &format!("/api/v1/users/{mgr}"),
            &admin,
            json!({"version": 1, "manager_id": rep}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["manager_id"]["code"], "cycle");
    // Clearing a field with null.
    let r = app
        .patch(
            &format!("/api/v1/users/{rep}"),
            &admin,
            json!({"version": 1, "manager_id": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["manager_id"].is_null());

    // Paging through users with a cursor.
    let page1 = app.get("/api/v1/users?limit=2", &admin).await.json();
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    let next = page1["next"].as_str().unwrap().to_string();
    let page2 = app
        .get(&format!("/api/v1/users?limit=2&cursor={next}"), &admin)
        .await
        .json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert!(page2["next"].is_null());
    let found = app.get("/api/v1/users?q=%E8%B5%B5", &admin).await.json();
    assert_eq!(found["items"][0]["username"], "zhaomin");
});

db_test!(each_role_gets_what_its_policy_allows, |app| {
    let admin = app.admin().await;
    for role in Role::ALL {
        let u = app
            .user(&format!("u_{}", role.as_str()), role, None, None)
            .await;
        let create = app
            .post(
                "/api/v1/departments",
                &u,
                json!({"name": format!("d-{}", role.as_str())}),
            )
            .await;
        let audit = app.get("/api/v1/audit", &u).await;
        let roles = app.get("/api/v1/roles", &u).await;
        let me = app.get("/api/v1/users/me", &u).await;
        assert_eq!(me.status, StatusCode::OK);
        let expected_scope = role.default_policy().scope.as_str();
        assert_eq!(me.json()["scope"], expected_scope);
        if role == Role::Admin {
            assert_eq!(create.status, StatusCode::CREATED);
            assert_eq!(audit.status, StatusCode::OK);
            assert_eq!(roles.status, StatusCode::OK);
        } else {
            assert_eq!(create.status, StatusCode::FORBIDDEN, "{role:?}");
            assert_eq!(create.json()["error"], "forbidden");
            assert_eq!(audit.status, StatusCode::FORBIDDEN, "{role:?}");
            assert_eq!(roles.status, StatusCode::FORBIDDEN, "{role:?}");
        }
        // Everyone reads the directory.
        assert_eq!(
            app.get("/api/v1/departments", &u).await.status,
            StatusCode::OK
        );
        assert_eq!(app.get("/api/v1/users", &u).await.status, StatusCode::OK);
    }
    let _ = admin;
});

db_test!(
    role_changes_apply_at_once_and_admin_cannot_lock_out,
    |app| {
        let admin = app.admin().await;
        let rep = app.user("liuyang", Role::SalesRep, None, None).await;
        assert_eq!(
            app.get("/api/v1/audit", &rep).await.status,
            StatusCode::FORBIDDEN
        );
        let role = app.get("/api/v1/roles/sales_rep", &admin).await.json();
        let mut modules = role["modules"].clone();
        modules["system"] = json!(["view"]);
        let r = app
            .api(
                "PUT",
                "/api/v1/roles/sales_rep",
                Some(&admin.token),
                Some(
                    json!({"version": role["version"], "scope": "department", "modules": modules}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(app.get("/api/v1/audit", &rep).await.status, StatusCode::OK);
        assert_eq!(
            app.get("/api/v1/users/me", &rep).await.json()["scope"],
            "department"
        );
        // Stale version.
        let r = app
            .api(
                "PUT",
                "/api/v1/roles/sales_rep",
                Some(&admin.token),
                Some(json!({"version": role["version"], "scope": "own", "modules": {}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // The admin role keeps system rights.
        let a = app.get("/api/v1/roles/admin", &admin).await.json();
        let r = app
        .api("PUT", "/api/v1/roles/admin", Some(&admin.token), Some(json!({"version": a["version"], "scope": "all", "modules": {"customers": ["view"]}})))
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["fields"]["modules.system"]["code"],
            "admin_lockout"
        );
        let r = app
            .api(
                "PUT",
                "/api/v1/roles/sales_rep",
                Some(&admin.token),
                Some(json!({"version": 2, "scope": "galaxy", "modules": {"nothing": ["fly"]}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["scope"]["code"], "invalid_choice");
    }
);

db_test!(openapi_document_lists_every_endpoint, |app| {
    let r = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/departments",
        "/api/v1/departments/{id}",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/roles/{role}",
        "/api/v1/tokens",
        "/api/v1/audit",
        "/api/v1/recycle-bin/{id}/restore",
    ] {
        assert!(doc["paths"].get(p).is_some(), "missing {p}");
    }
    assert_eq!(
        app.api("GET", "/healthz", None, None).await.status,
        StatusCode::OK
    );
});

db_test!(
    concurrent_writers_all_succeed_and_stale_ones_get_409,
    |app| {
        let admin = app.admin().await;
        // 24 creations at once: every one is acknowledged and written (no SQLITE_BUSY as 500).
        let mut tasks = Vec::new();
        for i in 0..24 {
            let router = app.router.clone();
            let token = admin.token.clone();
            tasks.push(tokio::spawn(async move {
                let req = axum::http::Request::builder()
                    .method("POST")
                    .uri("/api/v1/departments")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({"name": format!("部门{i}")}).to_string(),
                    ))
                    .unwrap();
                tower::ServiceExt::oneshot(router, req)
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::CREATED);
        }
        let list = app.get("/api/v1/departments", &admin).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 24);

        // Ten editors race on one version: exactly one wins, the rest get 409.
        let id = list["items"][0]["id"].as_i64().unwrap();
        let mut tasks = Vec::new();
        for i in 0..10 {
            let router = app.router.clone();
            let token = admin.token.clone();
            tasks.push(tokio::spawn(async move {
                let req = axum::http::Request::builder()
                    .method("PATCH")
                    .uri(format!("/api/v1/departments/{id}"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({"version": 1, "name": format!("改名{i}")}).to_string(),
                    ))
                    .unwrap();
                tower::ServiceExt::oneshot(router, req)
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::OK => ok += 1,
                StatusCode::CONFLICT => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(ok, 1);
        let audit = app
            .get(
                &format!("/api/v1/audit?entity_type=department&entity_id={id}"),
                &admin,
            )
            .await
            .json();
        assert_eq!(
            audit["items"].as_array().unwrap().len(),
            2,
            "one create, one update"
        );
    }
);

db_test!(expired_sessions_and_tokens_are_refused, |app| {
    app.admin().await;
    let (session, _) = app.browser_login("admin", crm_testkit::PASSWORD).await;
    assert_eq!(
        app.browser("GET", "/", &session, None).await.status,
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::hours(13));
    let r = app.browser("GET", "/admin/users", &session, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").unwrap().starts_with("/login"));
    let login = app
        .api(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": crm_testkit::PASSWORD})),
        )
        .await;
    let token = login.json()["token"].as_str().unwrap().to_string();
    app.clock.advance(chrono::Duration::days(31));
    let r = app.api("GET", "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "invalid_token");
});
