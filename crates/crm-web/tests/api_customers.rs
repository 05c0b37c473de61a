//! Customers, contacts and contact history through the real router on both databases,
//! including the visibility contract of the customers issue.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestResponse, TestUser};

struct Team {
    admin: TestUser,
    exec: TestUser,
    top: TestUser,
    m: TestUser,
    a: TestUser,
    b: TestUser,
    n: TestUser,
    c: TestUser,
    mkt: TestUser,
}

/// top → M → {A, B}; top → N → C (three levels); marketing sits in M's department.
async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let sales = app
        .post("/api/v1/departments", &admin, json!({"name": "销售部"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let north = app
        .post(
            "/api/v1/departments",
            &admin,
            json!({"name": "华北", "parent_id": sales}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let east = app
        .post(
            "/api/v1/departments",
            &admin,
            json!({"name": "华东", "parent_id": sales}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let exec = app.user("exec", Role::Executive, None, None).await;
    let top = app.user("top", Role::SalesManager, Some(sales), None).await;
    let m = app
        .user("mgr_m", Role::SalesManager, Some(north), Some(top.id))
        .await;
    let a = app
        .user("rep_a", Role::SalesRep, Some(north), Some(m.id))
        .await;
    let b = app
        .user("rep_b", Role::SalesRep, Some(north), Some(m.id))
        .await;
    let n = app
        .user("mgr_n", Role::SalesManager, Some(east), Some(top.id))
        .await;
    let c = app
        .user("rep_c", Role::SalesRep, Some(east), Some(n.id))
        .await;
    let mkt = app.user("mkt", Role::Marketing, Some(north), None).await;
    Team {
        admin,
        exec,
        top,
        m,
        a,
        b,
        n,
        c,
        mkt,
    }
}

fn ids(page: &serde_json::Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn sees(app: &TestApp, who: &TestUser, x: i64) -> bool {
    let detail = app.get(&format!("/api/v1/customers/{x}"), who).await;
    let list = ids(&app.get("/api/v1/customers", who).await.json()).contains(&x);
    let search = ids(&app
        .get("/api/v1/customers?q=%E5%8D%8E%E4%BF%A1", who)
        .await
        .json())
    .contains(&x);
    let contacts = app
        .get(&format!("/api/v1/contacts?customer_id={x}"), who)
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .len();
    let history = app
        .get(&format!("/api/v1/customers/{x}/history"), who)
        .await
        .status;
    let shares = app
        .get(&format!("/api/v1/customers/{x}/shares"), who)
        .await
        .status;
    let visible = detail.status == StatusCode::OK;
    // Every path agrees.
    assert_eq!(list, visible, "list vs detail for {}", who.username);
    assert_eq!(search, visible, "search vs detail for {}", who.username);
    assert_eq!(
        contacts > 0,
        visible,
        "contacts vs detail for {}",
        who.username
    );
    let expected = if visible {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    assert_eq!(history, expected, "history for {}", who.username);
    assert_eq!(shares, expected, "shares for {}", who.username);
    if !visible {
        assert_eq!(detail.status, StatusCode::NOT_FOUND);
        assert_eq!(detail.json()["error"], "not_found");
    }
    visible
}

db_test!(visibility_contract_share_and_transfer, |app| {
    let t = team(&app).await;
    let r = app
        .post("/api/v1/customers", &t.a, json!({"name": "北京华信科技有限公司", "nature": "enterprise", "phone": "010-6552-9988", "region": "华北"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let x = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["owner_id"], t.a.id);
    assert_eq!(r.json()["version"], 1);
    let r = app
        .post(
            "/api/v1/contacts",
            &t.a,
            json!({"customer_id": x, "name": "张伟", "mobile": "13800138000", "is_primary": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let contact = r.json()["id"].as_i64().unwrap();
    let r = app.post("/api/v1/activities", &t.a, json!({"customer_id": x, "kind": "visit", "content": "上门拜访，介绍产品", "next_follow_up": "2026-03-10"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let visit = r.json()["id"].as_i64().unwrap();

    // A, M, top (three levels up), admin and executive see X; B, C and N do not.
    for who in [&t.a, &t.m, &t.top, &t.admin, &t.exec, &t.mkt] {
        assert!(sees(&app, who, x).await, "{} should see X", who.username);
    }
    for who in [&t.b, &t.c, &t.n] {
        assert!(!sees(&app, who, x).await, "{} must not see X", who.username);
        assert_eq!(
            app.get(&format!("/api/v1/contacts/{contact}"), who)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/activities/{visit}"), who)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(ids(&app.get("/api/v1/activities", who).await.json()).is_empty());
        let r = app
            .patch(
                &format!("/api/v1/customers/{x}"),
                who,
                json!({"version": 1, "name": "偷改"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // The manager reads the rep's contact log.
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/activities?author_id={}", t.a.id), &t.m)
            .await
            .json()),
        vec![visit]
    );

    // A shares X with C read-only: C reads X and its contacts, and gets 403 on edit.
    let r = share(&app, &t.a, x, t.c.id, "read").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(sees(&app, &t.c, x).await);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{x}"), &t.c)
            .await
            .json()["access"],
        "read"
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"), &t.c)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.c,
            json!({"version": 1, "name": "改名"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/v1/contacts/{contact}"),
            &t.c,
            json!({"version": 1, "title": "经理"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // C's manager N still does not see it: a share is personal.
    assert!(!sees(&app, &t.n, x).await);
    // A share-holder cannot re-share or transfer.
    let r = share(&app, &t.c, x, t.n.id, "read").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/customers/{x}/transfer"),
            &t.c,
            json!({"to_user_id": t.c.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Edit access lets C edit.
    share(&app, &t.a, x, t.c.id, "edit").await;
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.c,
            json!({"version": 1, "industry": "软件"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Revoke: C loses it again.
    let r = app
        .delete(&format!("/api/v1/customers/{x}/shares/{}", t.c.id), &t.a)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(!sees(&app, &t.c, x).await);

    // A transfers X to B: B owns and sees it, A no longer does, M still does.
    let r = app
        .post(
            &format!("/api/v1/customers/{x}/transfer"),
            &t.a,
            json!({"to_user_id": t.b.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["owner_id"], t.b.id);
    assert!(sees(&app, &t.b, x).await);
    assert!(!sees(&app, &t.a, x).await);
    assert!(sees(&app, &t.m, x).await);
    // The open follow-up went along.
    let visit_now = app
        .get(&format!("/api/v1/activities/{visit}"), &t.b)
        .await
        .json();
    assert_eq!(visit_now["owner_id"], t.b.id);
    // The audit trail shows the transfer and the shares.
    let history = app
        .get(&format!("/api/v1/customers/{x}/history"), &t.m)
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["transfer", "unshare", "update", "share", "share", "create"]
    );
    let transfer = &history["items"][0];
    assert_eq!(transfer["actor_id"], t.a.id);
    assert_eq!(transfer["before"]["owner_id"], t.a.id);
    assert_eq!(transfer["after"]["owner_id"], t.b.id);
});

db_test!(search_finds_two_character_names_and_partial_phones, |app| {
    let t = team(&app).await;
    let mk = |name: &str, phone: &str| json!({"name": name, "phone": phone});
    let x = app
        .post(
            "/api/v1/customers",
            &t.a,
            mk("上海浦东发展公司", "021-5888-1234"),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let y = app
        .post(
            "/api/v1/customers",
            &t.a,
            mk("张伟个人工作室", "13912345678"),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let z = app
        .post(
            "/api/v1/customers",
            &t.b,
            mk("海淀张伟贸易", "010-8888-0000"),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/v1/contacts",
        &t.a,
        json!({"customer_id": x, "name": "李娜", "email": "Li.Na@PuDong.cn"}),
    )
    .await;
    let q = |s: &str| format!("/api/v1/customers?q={}", crm_web::ui::urlencode(s));
    let mut found = ids(&app.get(&q("张伟"), &t.a).await.json());
    found.sort();
    assert_eq!(found, vec![y], "A sees only her own 张伟");
    let mut found = ids(&app.get(&q("张伟"), &t.m).await.json());
    found.sort();
    assert_eq!(found, vec![y, z], "the manager sees both");
    assert_eq!(ids(&app.get(&q("浦东"), &t.a).await.json()), vec![x]);
    assert_eq!(ids(&app.get(&q("1234567"), &t.a).await.json()), vec![y]);
    assert_eq!(ids(&app.get(&q("5888"), &t.a).await.json()), vec![x]);
    // Contacts' names and emails find their customer.
    assert_eq!(ids(&app.get(&q("李娜"), &t.a).await.json()), vec![x]);
    assert_eq!(ids(&app.get(&q("pudong"), &t.a).await.json()), vec![x]);
    assert!(ids(&app.get(&q("不存在的名字"), &t.a).await.json()).is_empty());
    assert!(ids(&app.get(&q("%%"), &t.a).await.json()).is_empty());
    // Renaming updates the index.
    app.patch(
        &format!("/api/v1/customers/{y}"),
        &t.a,
        json!({"version": 1, "name": "王芳工作室"}),
    )
    .await;
    assert!(ids(&app.get(&q("张伟"), &t.a).await.json()).is_empty());
    assert_eq!(ids(&app.get(&q("王芳"), &t.a).await.json()), vec![y]);
});

/// Every item of every page of the customer list.
async fn all_pages(app: &TestApp, who: &TestUser, query: &str) -> Vec<serde_json::Value> {
    app.pages(&format!("/api/v1/customers?{query}"), who)
        .await
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap().iter().cloned())
        .collect()
}

/// `by` shares customer `id` with user `to` (`"read"` or `"edit"`); the answer.
async fn share(app: &TestApp, by: &TestUser, id: i64, to: i64, access: &str) -> TestResponse {
    app.post(
        &format!("/api/v1/customers/{id}/shares"),
        by,
        json!({"user_id": to, "access": access}),
    )
    .await
}

// A manager's list is read per owner and merged (crate::page in crm-store): every order,
// across pages, with equal names and times, deleted rows left out, shares merged in.
db_test!(team_lists_merge_owners_in_every_order, |app| {
    let t = team(&app).await;
    let mut made: Vec<(i64, &TestUser)> = Vec::new();
    for (i, name) in ["乙", "甲", "乙", "丙", "甲", "丁", "乙", "戊"]
        .iter()
        .enumerate()
    {
        let who = [&t.a, &t.b, &t.m][i % 3];
        let r = app
            .post("/api/v1/customers", who, json!({"name": name}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        made.push((r.json()["id"].as_i64().unwrap(), who));
    }
    // Touch two so that "recently updated" differs from "newest".
    for (id, who) in [made[1], made[4]] {
        app.clock.advance(chrono::Duration::minutes(1));
        let v = app
            .get(&format!("/api/v1/customers/{id}"), who)
            .await
            .json()["version"]
            .clone();
        let r = app
            .patch(
                &format!("/api/v1/customers/{id}"),
                who,
                json!({"version": v, "name": "甲", "phone": "010-12345678"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // One deleted.
    let (gone, gone_by) = made[3];
    let v = app
        .get(&format!("/api/v1/customers/{gone}"), gone_by)
        .await
        .json()["version"]
        .clone();
    let r = app
        .delete(&format!("/api/v1/customers/{gone}?version={v}"), gone_by)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // C owns one and has one of A's shared with them.
    let own_c = app
        .post("/api/v1/customers", &t.c, json!({"name": "乙"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let shared = made[0].0;
    let r = share(&app, &t.a, shared, t.c.id, "read").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let mut team_ids: Vec<i64> = made
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != gone)
        .collect();
    team_ids.sort_unstable();
    let mut c_ids = vec![shared, own_c];
    c_ids.sort_unstable();
    for (who, expect) in [(&t.m, &team_ids), (&t.c, &c_ids)] {
        for sort in ["newest", "name", "updated"] {
            let items = all_pages(&app, who, &format!("sort={sort}&limit=2")).await;
            let mut got: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
            let key = |i: &serde_json::Value| {
                (
                    i["name"].as_str().unwrap().to_string(),
                    chrono::DateTime::parse_from_rfc3339(i["updated_at"].as_str().unwrap())
                        .unwrap(),
                    i["id"].as_i64().unwrap(),
                )
            };
            let mut expect_order = items.clone();
            match sort {
                "newest" => expect_order.sort_by_key(|i| std::cmp::Reverse(key(i).2)),
                "name" => expect_order.sort_by_key(|i| (key(i).0, key(i).2)),
                _ => expect_order.sort_by_key(|i| std::cmp::Reverse((key(i).1, key(i).2))),
            }
            let expect_ids: Vec<i64> = expect_order.iter().map(|i| key(i).2).collect();
            assert_eq!(got, expect_ids, "{} sort={sort}", who.username);
            got.sort_unstable();
            assert_eq!(
                &got, expect,
                "{} sort={sort}: exactly the visible rows",
                who.username
            );
        }
    }
    // The updated ones lead "recently updated".
    let first = all_pages(&app, &t.m, "sort=updated&limit=2").await;
    let lead: Vec<i64> = first[..2]
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(lead, vec![made[4].0, made[1].0]);
});

db_test!(lists_filter_sort_and_page_without_offsets, |app| {
    let t = team(&app).await;
    for (i, name) in ["丙公司", "甲公司", "乙公司", "丁公司", "戊公司"]
        .iter()
        .enumerate()
    {
        let status = if i % 2 == 0 { "following" } else { "deal" };
        let r = app
            .post(
                "/api/v1/customers",
                &t.a,
                json!({"name": name, "status": status, "region": "华北", "nature": "enterprise"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    app.post(
        "/api/v1/customers",
        &t.b,
        json!({"name": "B的客户", "region": "华东"}),
    )
    .await;
    let p1 = app.get("/api/v1/customers?limit=2", &t.m).await.json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let mut all = ids(&p1);
    let mut next = p1["next"].as_str().map(str::to_string);
    while let Some(c) = next {
        assert!(all.len() < 20, "pagination does not advance: {all:?}");
        let p = app
            .get(&format!("/api/v1/customers?limit=2&cursor={c}"), &t.m)
            .await
            .json();
        all.extend(ids(&p));
        next = p["next"].as_str().map(str::to_string);
    }
    assert_eq!(all.len(), 6);
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(all, sorted, "newest first");
    // By name, across pages.
    let p1 = app
        .get("/api/v1/customers?sort=name&limit=3", &t.a)
        .await
        .json();
    let c = p1["next"].as_str().unwrap().to_string();
    let p2 = app
        .get(
            &format!("/api/v1/customers?sort=name&limit=3&cursor={c}"),
            &t.a,
        )
        .await
        .json();
    let names: Vec<String> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    let mut expect = names.clone();
    expect.sort();
    assert_eq!(names, expect);
    assert_eq!(names.len(), 5);
    // Filters.
    assert_eq!(
        ids(&app.get("/api/v1/customers?status=deal", &t.a).await.json()).len(),
        2
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/customers?region=%E5%8D%8E%E4%B8%9C", &t.m)
            .await
            .json())
        .len(),
        1
    );
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/customers?owner_id={}", t.b.id), &t.m)
            .await
            .json())
        .len(),
        1
    );
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/customers?owner_id={}", t.b.id), &t.a)
            .await
            .json())
        .len(),
        0
    );
    assert_eq!(
        ids(&app
            .get(
                "/api/v1/customers?created_from=2026-03-02&created_to=2026-03-03",
                &t.a
            )
            .await
            .json())
        .len(),
        5
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/customers?created_from=2026-03-03", &t.a)
            .await
            .json())
        .len(),
        0
    );
    assert_eq!(
        app.get("/api/v1/customers?sort=bogus", &t.a).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/customers?created_from=yesterday", &t.a)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
});

db_test!(
    bad_customer_input_gets_field_errors_and_writes_nothing,
    |app| {
        let t = team(&app).await;
        let cases = [
            (json!({}), "name", "required"),
            (json!({"name": "  "}), "name", "required"),
            (json!({"name": "x".repeat(201)}), "name", "too_long"),
            (
                json!({"name": "ok", "phone": "abc-123"}),
                "phone",
                "invalid_phone",
            ),
            (
                json!({"name": "ok", "website": "not a site"}),
                "website",
                "invalid_url",
            ),
            (
                json!({"name": "ok", "postal_code": "北京"}),
                "postal_code",
                "invalid_postal_code",
            ),
            (
                json!({"name": "ok", "nature": "alien"}),
                "nature",
                "invalid_choice",
            ),
            (
                json!({"name": "ok", "status": "happy"}),
                "status",
                "invalid_choice",
            ),
            (
                json!({"name": "ok", "owner_id": 99999}),
                "owner_id",
                "not_found",
            ),
            (
                json!({"name": "ok", "nickname": "x"}),
                "nickname",
                "invalid",
            ),
            (json!({"name": 42}), "name", "invalid"),
        ];
        for (body, field, code) in cases {
            let r = app.post("/api/v1/customers", &t.a, body.clone()).await;
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
        // A rep cannot give a customer to someone outside her scope; a manager can, within his.
        let r = app
            .post(
                "/api/v1/customers",
                &t.a,
                json!({"name": "ok", "owner_id": t.b.id}),
            )
            .await;
        assert_eq!(r.json()["fields"]["owner_id"]["code"], "out_of_scope");
        let r = app
            .post(
                "/api/v1/customers",
                &t.m,
                json!({"name": "给A的客户", "owner_id": t.a.id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let x = r.json()["id"].as_i64().unwrap();
        assert_eq!(
            ids(&app.get("/api/v1/customers", &t.a).await.json()),
            vec![x]
        );
        // Transfers: unknown or deactivated target, share with oneself.
        let r = app
            .post(
                &format!("/api/v1/customers/{x}/transfer"),
                &t.a,
                json!({"to_user_id": 424242}),
            )
            .await;
        assert_eq!(r.json()["fields"]["to_user_id"]["code"], "not_found");
        app.patch(
            &format!("/api/v1/users/{}", t.c.id),
            &t.admin,
            json!({"version": 1, "active": false}),
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/customers/{x}/transfer"),
                &t.a,
                json!({"to_user_id": t.c.id}),
            )
            .await;
        assert_eq!(r.json()["fields"]["to_user_id"]["code"], "inactive");
        let r = share(&app, &t.a, x, t.a.id, "read").await;
        assert_eq!(r.json()["fields"]["user_id"]["code"], "self_share");
        let r = share(&app, &t.a, x, t.b.id, "admin").await;
        assert_eq!(r.json()["fields"]["access"]["code"], "invalid_choice");
        // Contacts and activities.
        let bad_contacts = [
            (json!({"customer_id": x}), "name", "required"),
            (
                json!({"customer_id": x, "name": "王", "email": "wang@"}),
                "email",
                "invalid_email",
            ),
            (
                json!({"customer_id": x, "name": "王", "mobile": "call me"}),
                "mobile",
                "invalid_phone",
            ),
            (
                json!({"customer_id": x, "name": "王", "birthday": "1990-13-01"}),
                "birthday",
                "invalid_date",
            ),
            (json!({"name": "王"}), "customer_id", "required"),
            (
                json!({"customer_id": 999999, "name": "王"}),
                "customer_id",
                "not_found",
            ),
        ];
        for (body, field, code) in bad_contacts {
            let r = app.post("/api/v1/contacts", &t.a, body.clone()).await;
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
                "/api/v1/activities",
                &t.a,
                json!({"customer_id": x, "kind": "dance", "content": ""}),
            )
            .await;
        assert_eq!(r.json()["fields"]["kind"]["code"], "invalid_choice");
        assert_eq!(r.json()["fields"]["content"]["code"], "required");
        let r = app
            .post(
                "/api/v1/activities",
                &t.a,
                json!({"customer_id": x, "kind": "call", "content": "x", "occurred_at": "noon"}),
            )
            .await;
        assert_eq!(
            r.json()["fields"]["occurred_at"]["code"],
            "invalid_datetime"
        );
        // Nothing was written by any of the refused requests.
        assert_eq!(
            ids(&app.get("/api/v1/customers", &t.admin).await.json()).len(),
            1
        );
        assert!(ids(&app.get("/api/v1/contacts", &t.admin).await.json()).is_empty());
        assert!(ids(&app.get("/api/v1/activities", &t.admin).await.json()).is_empty());
        let history = app
            .get(&format!("/api/v1/customers/{x}/history"), &t.m)
            .await
            .json();
        assert_eq!(history["items"].as_array().unwrap().len(), 1);
    }
);

db_test!(versions_delete_restore_and_bulk_transfer, |app| {
    let t = team(&app).await;
    let x = app
        .post("/api/v1/customers", &t.a, json!({"name": "甲"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let y = app
        .post("/api/v1/customers", &t.a, json!({"name": "乙"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let z = app
        .post("/api/v1/customers", &t.b, json!({"name": "丙"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.a,
            json!({"version": 1, "city": "北京"}),
        )
        .await;
    assert_eq!(r.json()["version"], 2);
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.m,
            json!({"version": 1, "city": "上海"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{x}"), &t.a)
            .await
            .json()["city"],
        "北京"
    );
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.a,
            json!({"city": "上海"}),
        )
        .await;
    assert_eq!(r.json()["fields"]["version"]["code"], "required");
    // Clearing with null.
    let r = app
        .patch(
            &format!("/api/v1/customers/{x}"),
            &t.a,
            json!({"version": 2, "city": null}),
        )
        .await;
    assert!(r.json()["city"].is_null());

    // A rep cannot bulk-transfer someone else's customers: all or nothing.
    let r = app
        .post(
            "/api/v1/customers/transfer",
            &t.a,
            json!({"ids": [x, z], "to_user_id": t.c.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{x}"), &t.a)
            .await
            .json()["owner_id"],
        t.a.id
    );
    let r = app
        .post(
            "/api/v1/customers/transfer",
            &t.m,
            json!({"ids": [x, y, z], "to_user_id": t.b.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["transferred"], 3);
    assert!(ids(&app.get("/api/v1/customers", &t.a).await.json()).is_empty());
    assert_eq!(
        ids(&app.get("/api/v1/customers", &t.b).await.json()).len(),
        3
    );

    // Delete → recycle bin → restore (admin).
    let v = app
        .get(&format!("/api/v1/customers/{y}"), &t.b)
        .await
        .json()["version"]
        .as_i64()
        .unwrap();
    let r = app
        .delete(&format!("/api/v1/customers/{y}?version={v}"), &t.b)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{y}"), &t.b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/customers?q=%E4%B9%99", &t.b).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let bin = app.get("/api/v1/recycle-bin", &t.admin).await.json();
    assert_eq!(bin["items"][0]["entity_type"], "customer");
    let entry = bin["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &t.admin,
            json!({})
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/customers/{y}"), &t.b)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/customers?q=%E4%B9%99", &t.b).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
});

db_test!(contacts_and_contact_history, |app| {
    let t = team(&app).await;
    let x = app
        .post("/api/v1/customers", &t.a, json!({"name": "华信"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let first = app
        .post(
            "/api/v1/contacts",
            &t.a,
            json!({"customer_id": x, "name": "张三", "is_primary": true, "birthday": "1985-06-01"}),
        )
        .await
        .json();
    let second = app
        .post(
            "/api/v1/contacts",
            &t.a,
            json!({"customer_id": x, "name": "李四", "is_primary": true}),
        )
        .await
        .json();
    assert_eq!(second["is_primary"], true);
    let first_now = app
        .get(&format!("/api/v1/contacts/{}", first["id"]), &t.a)
        .await
        .json();
    assert_eq!(first_now["is_primary"], false, "one primary per customer");
    assert_eq!(first_now["birthday"], "1985-06-01");
    let r = app.post("/api/v1/activities", &t.a, json!({"customer_id": x, "contact_id": second["id"], "kind": "call", "content": "电话沟通报价", "occurred_at": "2026-03-01T10:00:00+08:00"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["occurred_at"], "2026-03-01T02:00:00Z");
    // A contact of another customer is refused.
    let other = app
        .post("/api/v1/customers", &t.a, json!({"name": "别家"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app.post("/api/v1/activities", &t.a, json!({"customer_id": other, "contact_id": second["id"], "kind": "call", "content": "x"})).await;
    assert_eq!(r.json()["fields"]["contact_id"]["code"], "not_found");
    let r = app
        .post(
            "/api/v1/activities",
            &t.a,
            json!({"customer_id": x, "kind": "meeting", "content": "项目会议"}),
        )
        .await;
    let meeting = r.json()["id"].as_i64().unwrap();
    let list = app
        .get(&format!("/api/v1/activities?customer_id={x}"), &t.m)
        .await
        .json();
    assert_eq!(list["items"][0]["id"], meeting, "most recent first");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let only_calls = app
        .get(
            &format!("/api/v1/activities?customer_id={x}&kind=call"),
            &t.a,
        )
        .await
        .json();
    assert_eq!(only_calls["items"].as_array().unwrap().len(), 1);
    // Editing and deleting contact history.
    let r = app
        .patch(
            &format!("/api/v1/activities/{meeting}"),
            &t.a,
            json!({"version": 1, "content": "项目启动会议"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .patch(
            &format!("/api/v1/activities/{meeting}"),
            &t.b,
            json!({"version": 2, "content": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .delete(&format!("/api/v1/activities/{meeting}?version=2"), &t.a)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Contacts search inside the list.
    let found = app.get("/api/v1/contacts?q=%E6%9D%8E", &t.a).await.json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    // Deleting a contact.
    let v = second["version"].as_i64().unwrap();
    let r = app
        .delete(
            &format!("/api/v1/contacts/{}?version={v}", second["id"]),
            &t.a,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/contacts?customer_id={x}"), &t.a)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
});

db_test!(department_scope_and_role_permissions_on_customers, |app| {
    let t = team(&app).await;
    let x = app
        .post("/api/v1/customers", &t.a, json!({"name": "华北客户"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let y = app
        .post("/api/v1/customers", &t.c, json!({"name": "华东客户"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Marketing (department scope, 华北) sees 华北 owners' customers only, and cannot create.
    let seen = ids(&app.get("/api/v1/customers", &t.mkt).await.json());
    assert_eq!(seen, vec![x]);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{y}"), &t.mkt)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post("/api/v1/customers", &t.mkt, json!({"name": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The executive sees all but cannot edit (view/export/approve only).
    let mut all = ids(&app.get("/api/v1/customers", &t.exec).await.json());
    all.sort();
    assert_eq!(all, vec![x, y]);
    assert_eq!(
        app.patch(
            &format!("/api/v1/customers/{x}"),
            &t.exec,
            json!({"version": 1, "name": "x"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Service staff see customers in their own scope only.
    let svc = app.user("svc", Role::ServiceStaff, None, None).await;
    assert!(ids(&app.get("/api/v1/customers", &svc).await.json()).is_empty());
    // A rep cannot delete a customer shared with her for editing.
    share(&app, &t.c, y, t.a.id, "edit").await;
    let r = app
        .delete(&format!("/api/v1/customers/{y}?version=1"), &t.a)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

// A list merges the owned and the shared rows in the database's own order, whatever its
// collation: on PostgreSQL the names take ICU's Chinese collation (pinyin: 安徽 北京 重庆
// 上海), which byte order (上海 北京 安徽 重庆, SQLite's) contradicts; paged two by two,
// every row comes once, in that order.
db_test!(names_page_in_the_databases_collation, |app| {
    use sea_orm::{ConnectionTrait, DbBackend};
    let pg = app.core.db.get_database_backend() == DbBackend::Postgres;
    if pg {
        app.core
            .db
            .execute_unprepared(
                r#"ALTER TABLE customers ALTER COLUMN name TYPE varchar(200) COLLATE "zh-x-icu""#,
            )
            .await
            .unwrap();
    }
    let t = team(&app).await;
    let mut ids = std::collections::HashMap::new();
    for (who, name) in [
        (&t.a, "上海"),
        (&t.a, "重庆"),
        (&t.b, "北京"),
        (&t.b, "Zeta"),
        (&t.c, "安徽"),
        (&t.c, "alpha"),
        (&t.c, "上海分公司"),
    ] {
        let r = app
            .post("/api/v1/customers", who, json!({"name": name}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        ids.insert(name, r.json()["id"].as_i64().unwrap());
    }
    for (owner, name, to) in [(&t.c, "安徽", &t.m), (&t.a, "重庆", &t.c)] {
        let r = share(&app, owner, ids[name], to.id, "read").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let cases: [(&TestUser, [&str; 5], [&str; 5]); 2] = [
        (
            &t.m,
            ["安徽", "北京", "重庆", "上海", "Zeta"],
            ["Zeta", "上海", "北京", "安徽", "重庆"],
        ),
        (
            &t.c,
            ["安徽", "重庆", "上海分公司", "alpha", ""],
            ["alpha", "上海分公司", "安徽", "重庆", ""],
        ),
    ];
    for (who, pinyin, bytes) in cases {
        let expect: Vec<&str> = if pg { pinyin } else { bytes }
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        let items = all_pages(&app, who, "sort=name&limit=2").await;
        let got: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(got, expect, "{}", who.username);
    }
});
