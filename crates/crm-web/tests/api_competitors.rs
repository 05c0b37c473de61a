//! Competitors (竞争对手) through the real router on both databases: CRUD and field
//! validation that writes nothing, market permissions, links to opportunities (scope, 409,
//! deleted competitors), the win/loss record against hand-computed figures and the
//! viewer's scope, and the recycle bin.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use serde_json::Value;

struct Team {
    admin: TestUser,
    exec: TestUser,
    mgr: TestUser,
    /// Reps under `mgr`.
    a: TestUser,
    b: TestUser,
    /// A rep outside `mgr`'s team.
    c: TestUser,
    mkt: TestUser,
    /// No market rights at all.
    staff: TestUser,
    /// One customer of each rep.
    ca: i64,
    cb: i64,
    cc: i64,
    stage: i64,
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let exec = app.user("exec", Role::Executive, None, None).await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let c = app.user("rep_c", Role::SalesRep, None, None).await;
    let mkt = app.user("marketer", Role::Marketing, None, None).await;
    let staff = app.user("service", Role::ServiceStaff, None, None).await;
    let customer = |who: TestUser, name: &'static str| async move {
        let r = app
            .post("/api/v1/customers", &who, json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        id(&r.json())
    };
    let ca = customer(a.clone(), "甲方科技").await;
    let cb = customer(b.clone(), "乙方贸易").await;
    let cc = customer(c.clone(), "丙方制造").await;
    let stages = app
        .get("/api/v1/pipeline-stages?include_inactive=true", &admin)
        .await
        .json();
    let stage = stages["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "proposal")
        .map(id)
        .unwrap();
    Team {
        admin,
        exec,
        mgr,
        a,
        b,
        c,
        mkt,
        staff,
        ca,
        cb,
        cc,
        stage,
    }
}

async fn competitor(app: &TestApp, who: &TestUser, name: &str) -> i64 {
    let r = app
        .post("/api/v1/competitors", who, json!({ "name": name }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id(&r.json())
}

async fn opportunity(app: &TestApp, t: &Team, who: &TestUser, customer: i64, amount: i64) -> i64 {
    let r = app
        .post(
            "/api/v1/opportunities",
            who,
            json!({"customer_id": customer, "name": format!("机会 {amount}"),
                   "amount": amount, "stage_id": t.stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id(&r.json())
}

async fn close(app: &TestApp, who: &TestUser, opp: i64, outcome: &str) {
    let r = app
        .post(
            &format!("/api/v1/opportunities/{opp}/close"),
            who,
            json!({"outcome": outcome, "reason": "价格"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn link(app: &TestApp, who: &TestUser, opp: i64, comp: i64, body: Value) -> StatusCode {
    let mut body = body;
    body["competitor_id"] = json!(comp);
    let r = app
        .post(
            &format!("/api/v1/opportunities/{opp}/competitors"),
            who,
            body,
        )
        .await;
    r.status
}

/// Names of the live competitors, as the administrator lists them.
async fn names(app: &TestApp, who: &TestUser) -> Vec<String> {
    app.get("/api/v1/competitors?limit=200", who).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

db_test!(crud_with_field_errors_that_write_nothing, |app| {
    let t = team(&app).await;
    let r = app
        .post(
            "/api/v1/competitors",
            &t.a,
            json!({"name": "  Acme Cloud ", "website": "acme.example.com",
                   "strengths": "价格低\n交付快", "weaknesses": "服务弱",
                   "products": "ACME ERP ¥98,000/年", "market_share": "华东 15%",
                   "notes": "去年新进入"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let acme = r.json();
    let acme_id = id(&acme);
    assert_eq!(acme["name"], "Acme Cloud");
    assert_eq!(acme["website"], "https://acme.example.com");
    assert_eq!(acme["strengths"], "价格低\n交付快");
    assert_eq!(acme["market_share"], "华东 15%");
    assert_eq!(acme["version"], 1);
    assert_eq!(acme["created_by"], t.a.id);

    // Each bad field is reported, all at once; nothing is written.
    let long = "长".repeat(5001);
    let cases = [
        (json!({"name": "ACME cloud"}), "name", "name_taken"),
        (json!({"name": "  "}), "name", "required"),
        (json!({"website": "x"}), "name", "required"),
        (json!({"name": "长".repeat(201)}), "name", "too_long"),
        (
            json!({"name": "B", "website": "not a url"}),
            "website",
            "invalid_url",
        ),
        (
            json!({"name": "B", "website": "javascript:alert(1)"}),
            "website",
            "invalid_url",
        ),
        (
            json!({"name": "B", "strengths": long}),
            "strengths",
            "too_long",
        ),
        (
            json!({"name": "B", "weaknesses": long}),
            "weaknesses",
            "too_long",
        ),
        (
            json!({"name": "B", "products": long}),
            "products",
            "too_long",
        ),
        (
            json!({"name": "B", "market_share": long}),
            "market_share",
            "too_long",
        ),
        (json!({"name": "B", "notes": long}), "notes", "too_long"),
        (
            json!({"name": "B", "notes": "a\u{0}b"}),
            "notes",
            "invalid_characters",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/competitors", &t.a, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        let e = r.json();
        assert_eq!(e["error"], "validation_failed");
        assert_eq!(e["fields"][field]["code"], code, "{body}: {e}");
    }
    let r = app
        .post(
            "/api/v1/competitors",
            &t.a,
            json!({"name": "", "website": "bad url", "notes": "长".repeat(5001)}),
        )
        .await;
    let fields = r.json()["fields"].clone();
    assert_eq!(fields.as_object().unwrap().len(), 3, "{fields}");
    assert_eq!(names(&app, &t.admin).await, ["Acme Cloud"]);
    let r = app
        .post(
            "/api/v1/competitors",
            &t.a,
            json!({"name": "x", "colour": "red"}),
        )
        .await;
    assert!(r.status.is_client_error(), "unknown fields are refused");
    assert_eq!(names(&app, &t.admin).await, ["Acme Cloud"]);

    // PATCH: version required and checked; omitted fields stay; null clears.
    let path = format!("/api/v1/competitors/{acme_id}");
    let r = app.patch(&path, &t.a, json!({"name": "Acme"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["version"]["code"], "required");
    let r = app
        .patch(
            &path,
            &t.a,
            json!({"version": 1, "name": "ACME CLOUD", "website": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(
        v["name"], "ACME CLOUD",
        "its own name in another case is fine"
    );
    assert_eq!(v["website"], Value::Null);
    assert_eq!(v["strengths"], "价格低\n交付快");
    assert_eq!(v["version"], 2);
    let r = app
        .patch(&path, &t.a, json!({"version": 1, "name": "Stale"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    let other = competitor(&app, &t.a, "用友").await;
    let r = app
        .patch(
            &format!("/api/v1/competitors/{other}"),
            &t.a,
            json!({"version": 1, "name": "acme cloud", "website": "::"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["fields"]["website"]["code"], "invalid_url");
    assert_eq!(
        e["fields"]["name"]["code"], "name_taken",
        "reported with the others"
    );
    let r = app
        .patch(
            &format!("/api/v1/competitors/{other}"),
            &t.a,
            json!({"version": 1, "name": "acme cloud"}),
        )
        .await;
    assert_eq!(r.json()["fields"]["name"]["code"], "name_taken");
    let got = app.get(&path, &t.b).await.json();
    assert_eq!(got["name"], "ACME CLOUD");
    assert_eq!(got["version"], 2);
    assert_eq!(
        app.get(&format!("/api/v1/competitors/{other}"), &t.b)
            .await
            .json()["name"],
        "用友"
    );

    // Audited: create and update with before/after.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=competitor&entity_id={acme_id}"),
            &t.admin,
        )
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create"]);
    assert_eq!(audit["items"][0]["before"]["name"], "Acme Cloud");
    assert_eq!(audit["items"][0]["after"]["name"], "ACME CLOUD");

    // The q filter and keyset pages.
    for n in ["金蝶", "SAP", "Oracle"] {
        competitor(&app, &t.a, n).await;
    }
    let page = app.get("/api/v1/competitors?q=acme", &t.a).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let page = app.get("/api/v1/competitors?q=ERP", &t.a).await.json();
    assert_eq!(
        page["items"][0]["name"], "ACME CLOUD",
        "products text is searched"
    );
    let first = app.get("/api/v1/competitors?limit=2", &t.a).await.json();
    let cursor = first["next"].as_str().unwrap().to_string();
    let second = app
        .get(
            &format!("/api/v1/competitors?limit=2&cursor={cursor}"),
            &t.a,
        )
        .await
        .json();
    let third = app
        .get(
            &format!(
                "/api/v1/competitors?limit=2&cursor={}",
                second["next"].as_str().unwrap()
            ),
            &t.a,
        )
        .await
        .json();
    let mut all: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(third["next"], Value::Null);
    // Every competitor once across the pages (the order is the database's collation).
    all.sort();
    assert_eq!(all, ["ACME CLOUD", "Oracle", "SAP", "用友", "金蝶"]);
});

db_test!(market_rights_decide_who_reads_and_writes, |app| {
    let t = team(&app).await;
    // No market rights: nothing, not even the list.
    assert_eq!(
        app.get("/api/v1/competitors", &t.staff).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post("/api/v1/competitors", &t.staff, json!({"name": "X"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Executives read but do not create.
    let r = app
        .post("/api/v1/competitors", &t.exec, json!({"name": "X"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(names(&app, &t.admin).await.is_empty());
    // Reps create, view and edit; only market:delete deletes.
    let x = competitor(&app, &t.a, "X 公司").await;
    let path = format!("/api/v1/competitors/{x}");
    for who in [&t.b, &t.c, &t.exec, &t.mkt, &t.mgr] {
        let r = app.get(&path, who).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert_eq!(app.get(&path, &t.staff).await.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(&path, &t.b, json!({"version": 1, "notes": "b 补充"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .patch(&path, &t.exec, json!({"version": 2, "notes": "exec"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for who in [&t.a, &t.mgr, &t.exec] {
        let r = app.delete(&format!("{path}?version=2"), who).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", who.username);
    }
    assert_eq!(app.get(&path, &t.a).await.json()["notes"], "b 补充");
    let r = app.delete(&format!("{path}?version=1"), &t.mkt).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "stale version");
    let r = app.delete(&format!("{path}?version=2"), &t.mkt).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &t.a).await.status, StatusCode::NOT_FOUND);
    assert!(names(&app, &t.admin).await.is_empty());
    // Marketing has no sales rights: competitors without their record.
    let y = competitor(&app, &t.mkt, "Y 公司").await;
    let v = app
        .get(&format!("/api/v1/competitors/{y}"), &t.mkt)
        .await
        .json();
    assert!(v.get("record").is_none(), "{v}");
    let r = app
        .get(&format!("/api/v1/competitors/{y}/opportunities"), &t.mkt)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v = app
        .get(&format!("/api/v1/competitors/{y}"), &t.a)
        .await
        .json();
    assert_eq!(v["record"]["opportunities"], 0);
    assert_eq!(v["record"]["win_rate"], Value::Null);
});

db_test!(
    links_need_a_visible_opportunity_and_a_live_competitor,
    |app| {
        let t = team(&app).await;
        let x = competitor(&app, &t.a, "华为云").await;
        let y = competitor(&app, &t.a, "阿里云").await;
        let oa = opportunity(&app, &t, &t.a, t.ca, 100_000).await;
        let ob = opportunity(&app, &t, &t.b, t.cb, 50_000).await;
        let links = |opp: i64| format!("/api/v1/opportunities/{opp}/competitors");

        // Someone else's opportunity does not exist for a rep.
        assert_eq!(
            app.get(&links(ob), &t.a).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            link(&app, &t.a, ob, x, json!({})).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            link(&app, &t.a, 999_999, x, json!({})).await,
            StatusCode::NOT_FOUND
        );
        // Sales rights: executives read, only sales:edit changes; marketing sees no sales data.
        assert_eq!(
            link(&app, &t.exec, oa, x, json!({})).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&links(oa), &t.mkt).await.status,
            StatusCode::FORBIDDEN
        );

        // Bad input: field errors, nothing written.
        let r = app
            .post(&links(oa), &t.a, json!({"their_price": "-1"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = r.json();
        assert_eq!(e["fields"]["competitor_id"]["code"], "required");
        assert_eq!(e["fields"]["their_price"]["code"], "negative");
        let r = app
            .post(
                &links(oa),
                &t.a,
                json!({"competitor_id": 999_999, "their_price": "abc", "notes": "长".repeat(2001)}),
            )
            .await;
        let e = r.json();
        assert_eq!(e["fields"]["competitor_id"]["code"], "unknown");
        assert_eq!(e["fields"]["their_price"]["code"], "invalid_amount");
        assert_eq!(e["fields"]["notes"]["code"], "too_long");
        assert_eq!(app.get(&links(oa), &t.a).await.json()["items"], json!([]));

        // Link, then linking again is a conflict.
        let r = app
            .post(
                &links(oa),
                &t.a,
                json!({"competitor_id": x, "their_price": 98000.5, "notes": "报价更低"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let l = r.json();
        assert_eq!(l["competitor_name"], "华为云");
        assert_eq!(l["their_price"], "98000.50");
        assert_eq!(l["notes"], "报价更低");
        let r = app
            .post(
                &links(oa),
                &t.a,
                json!({"competitor_id": x, "their_price": "1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"], "already_linked");
        assert_eq!(
            link(&app, &t.a, oa, y, json!({})).await,
            StatusCode::CREATED
        );
        let list = app.get(&links(oa), &t.a).await.json();
        let linked: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["competitor_id"].as_i64().unwrap())
            .collect();
        assert_eq!(linked, [x, y]);
        assert_eq!(
            list["items"][0]["their_price"], "98000.50",
            "unchanged by the 409"
        );
        assert_eq!(list["items"][1]["their_price"], Value::Null);
        // The manager sees the subordinate's links; the outside rep does not.
        assert_eq!(app.get(&links(oa), &t.mgr).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&links(oa), &t.c).await.status,
            StatusCode::NOT_FOUND
        );

        // PATCH changes the price and notes; null clears.
        let one = format!("{}/{x}", links(oa));
        let r = app
            .patch(&one, &t.a, json!({"their_price": "95,000", "notes": null}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["their_price"], "95000.00");
        assert_eq!(r.json()["notes"], Value::Null);
        let r = app.patch(&one, &t.a, json!({"their_price": "-5"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.patch(&one, &t.a, json!({"competitor_id": y})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.get(&links(oa), &t.a).await.json()["items"][0]["their_price"],
            "95000.00"
        );
        let r = app.patch(&one, &t.c, json!({"their_price": "1"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // A deleted competitor cannot be linked, and disappears from the links meanwhile.
        let z = competitor(&app, &t.a, "腾讯云").await;
        let r = app
            .delete(&format!("/api/v1/competitors/{z}?version=1"), &t.admin)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app
            .post(&links(oa), &t.a, json!({"competitor_id": z}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["competitor_id"]["code"], "deleted");

        // Unlink: once; the outside rep cannot.
        let del = |who: &TestUser, path: String| {
            let token = who.token.clone();
            let app = &app;
            async move { app.api("DELETE", &path, Some(&token), None).await.status }
        };
        assert_eq!(del(&t.c, one.clone()).await, StatusCode::NOT_FOUND);
        assert_eq!(del(&t.exec, one.clone()).await, StatusCode::FORBIDDEN);
        assert_eq!(del(&t.a, one.clone()).await, StatusCode::NO_CONTENT);
        assert_eq!(del(&t.a, one.clone()).await, StatusCode::NOT_FOUND);
        let list = app.get(&links(oa), &t.a).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(list["items"][0]["competitor_id"], y);

        // Every change is in the opportunity's audit trail.
        let audit = app
            .get(
                &format!("/api/v1/audit?entity_type=opportunity&entity_id={oa}"),
                &t.admin,
            )
            .await
            .json();
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "remove_competitor",
                "edit_competitor",
                "add_competitor",
                "add_competitor",
                "create"
            ]
        );
    }
);

db_test!(win_loss_matches_hand_computed_figures_in_scope, |app| {
    let t = team(&app).await;
    let x = competitor(&app, &t.a, "华为云").await;
    let y = competitor(&app, &t.a, "阿里云").await;
    let _idle = competitor(&app, &t.a, "百度智能云").await;
    // Rep A: 5000 won, 3000 lost (against X and Y), 2000 open; a deleted lost one.
    let a1 = opportunity(&app, &t, &t.a, t.ca, 5000).await;
    let a2 = opportunity(&app, &t, &t.a, t.ca, 3000).await;
    let a3 = opportunity(&app, &t, &t.a, t.ca, 2000).await;
    let a4 = opportunity(&app, &t, &t.a, t.ca, 9000).await;
    // Rep B (same manager): 10000 won, 7000 lost. Rep C (outside): 4000 won.
    let b1 = opportunity(&app, &t, &t.b, t.cb, 10_000).await;
    let b2 = opportunity(&app, &t, &t.b, t.cb, 7000).await;
    let c1 = opportunity(&app, &t, &t.c, t.cc, 4000).await;
    for (who, opp) in [
        (&t.a, a1),
        (&t.a, a2),
        (&t.a, a3),
        (&t.a, a4),
        (&t.b, b1),
        (&t.b, b2),
        (&t.c, c1),
    ] {
        let price = json!({"their_price": "1"});
        assert_eq!(link(&app, who, opp, x, price).await, StatusCode::CREATED);
    }
    assert_eq!(
        link(&app, &t.a, a2, y, json!({})).await,
        StatusCode::CREATED
    );
    // 2026-03-02 (Q1): a2 lost, b2 lost, c1 won.
    close(&app, &t.a, a2, "lost").await;
    close(&app, &t.b, b2, "lost").await;
    close(&app, &t.c, c1, "won").await;
    close(&app, &t.a, a4, "lost").await;
    // 2026-04-11 (Q2): a1 won, b1 won.
    app.clock.advance(chrono::Duration::days(40));
    close(&app, &t.a, a1, "won").await;
    close(&app, &t.b, b1, "won").await;
    // A deleted opportunity counts for nobody.
    let r = app
        .delete(&format!("/api/v1/opportunities/{a4}?version=2"), &t.mgr)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    let record = |who: &TestUser, comp: i64| {
        let app = &app;
        let who = who.clone();
        async move {
            let r = app.get(&format!("/api/v1/competitors/{comp}"), &who).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.json()["record"].clone()
        }
    };
    // Everyone (admin): X has a1 won 5000, b1 won 10000, c1 won 4000, a2 lost 3000,
    // b2 lost 7000, a3 open 2000 → 3 / 5 = 60.0 %.
    let all = record(&t.admin, x).await;
    assert_eq!(all["opportunities"], 6);
    assert_eq!(all["won"], json!({"count": 3, "amount": "19000.00"}));
    assert_eq!(all["lost"], json!({"count": 2, "amount": "10000.00"}));
    assert_eq!(all["open"], json!({"count": 1, "amount": "2000.00"}));
    assert_eq!(all["win_rate"], "60.0");
    // Rep A: only her own: a1 won, a2 lost, a3 open → 50.0 %.
    let mine = record(&t.a, x).await;
    assert_eq!(mine["opportunities"], 3);
    assert_eq!(mine["won"], json!({"count": 1, "amount": "5000.00"}));
    assert_eq!(mine["lost"], json!({"count": 1, "amount": "3000.00"}));
    assert_eq!(mine["win_rate"], "50.0");
    // The manager: A's and B's, not C's → 2 / 4 = 50.0 %, won 15000, lost 10000.
    let team_rec = record(&t.mgr, x).await;
    assert_eq!(team_rec["opportunities"], 5);
    assert_eq!(team_rec["won"], json!({"count": 2, "amount": "15000.00"}));
    assert_eq!(team_rec["lost"], json!({"count": 2, "amount": "10000.00"}));
    assert_eq!(team_rec["win_rate"], "50.0");
    // Rep C: one win → 100.0 %. Rep B: 1 / 2.
    assert_eq!(record(&t.c, x).await["win_rate"], "100.0");
    assert_eq!(record(&t.b, x).await["win_rate"], "50.0");
    // Y: only a2, lost → 0.0 % for A, the manager and the admin; nothing for B.
    assert_eq!(record(&t.a, y).await["win_rate"], "0.0");
    assert_eq!(record(&t.admin, y).await["lost"]["amount"], "3000.00");
    let b_y = record(&t.b, y).await;
    assert_eq!(b_y["opportunities"], 0);
    assert_eq!(b_y["win_rate"], Value::Null);

    // The list carries the same figures per row, in the viewer's scope.
    let rows = |who: &TestUser| {
        let app = &app;
        let who = who.clone();
        async move {
            let page = app.get("/api/v1/competitors", &who).await.json();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap().to_string(),
                        c["record"]["opportunities"].as_i64().unwrap(),
                        c["record"]["win_rate"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let mut a_rows = rows(&t.a).await;
    a_rows.sort_by(|l, r| l.0.cmp(&r.0));
    let mut expected = vec![
        ("华为云".to_string(), 3, json!("50.0")),
        ("阿里云".to_string(), 1, json!("0.0")),
        ("百度智能云".to_string(), 0, Value::Null),
    ];
    expected.sort_by(|l, r| l.0.cmp(&r.0));
    assert_eq!(a_rows, expected);
    let mgr_x = rows(&t.mgr)
        .await
        .into_iter()
        .find(|r| r.0 == "华为云")
        .unwrap();
    assert_eq!((mgr_x.1, mgr_x.2), (5, json!("50.0")));

    // The competitor's opportunities and quarters in scope.
    let opps = app
        .get(&format!("/api/v1/competitors/{x}/opportunities"), &t.a)
        .await
        .json();
    let listed: Vec<i64> = opps["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["opportunity_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        listed,
        [a3, a2, a1],
        "newest first, only A's, not the deleted one"
    );
    assert_eq!(opps["items"][0]["their_price"], "1.00");
    assert_eq!(opps["items"][1]["status"], "lost");
    assert_eq!(
        opps["quarters"],
        json!([
            {"quarter": "2026-Q1", "won": {"count": 0, "amount": "0.00"},
             "lost": {"count": 1, "amount": "3000.00"}},
            {"quarter": "2026-Q2", "won": {"count": 1, "amount": "5000.00"},
             "lost": {"count": 0, "amount": "0.00"}}
        ])
    );
    let mgr_q = app
        .get(&format!("/api/v1/competitors/{x}/opportunities"), &t.mgr)
        .await
        .json();
    assert_eq!(mgr_q["items"].as_array().unwrap().len(), 5);
    assert_eq!(mgr_q["quarters"][0]["lost"]["amount"], "10000.00");
    assert_eq!(mgr_q["quarters"][1]["won"]["amount"], "15000.00");
});

db_test!(deleted_competitors_come_back_from_the_recycle_bin, |app| {
    let t = team(&app).await;
    let x = competitor(&app, &t.a, "Acme").await;
    let oa = opportunity(&app, &t, &t.a, t.ca, 1000).await;
    assert_eq!(
        link(&app, &t.a, oa, x, json!({})).await,
        StatusCode::CREATED
    );
    let r = app
        .delete(&format!("/api/v1/competitors/{x}?version=1"), &t.mkt)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let links = format!("/api/v1/opportunities/{oa}/competitors");
    assert_eq!(app.get(&links, &t.a).await.json()["items"], json!([]));
    // While it is in the bin, its name is free; restoring then is a conflict.
    let twin = competitor(&app, &t.a, "ACME").await;
    let bin = app.get("/api/v1/recycle-bin", &t.admin).await.json();
    assert_eq!(bin["items"][0]["entity_type"], "competitor");
    assert_eq!(bin["items"][0]["label"], "Acme");
    let entry = id(&bin["items"][0]);
    let restore = format!("/api/v1/recycle-bin/{entry}/restore");
    let r = app.post(&restore, &t.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "name_taken");
    assert_eq!(
        app.get(&format!("/api/v1/competitors/{x}"), &t.a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .patch(
            &format!("/api/v1/competitors/{twin}"),
            &t.a,
            json!({"version": 1, "name": "Acme 2"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post(&restore, &t.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = app
        .get(&format!("/api/v1/competitors/{x}"), &t.a)
        .await
        .json();
    assert_eq!(v["name"], "Acme");
    assert_eq!(v["version"], 3, "delete and restore bump the version");
    // Its links count again.
    assert_eq!(v["record"]["opportunities"], 1);
    assert_eq!(
        app.get(&links, &t.a).await.json()["items"][0]["competitor_id"],
        x
    );
    let r = app.post(&restore, &t.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "restored once");
});

db_test!(the_endpoints_are_in_the_openapi_document, |app| {
    let doc = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let v = doc.json();
    for (path, methods) in [
        ("/api/v1/competitors", &["get", "post"][..]),
        ("/api/v1/competitors/{id}", &["get", "patch", "delete"][..]),
        ("/api/v1/competitors/{id}/opportunities", &["get"][..]),
        (
            "/api/v1/opportunities/{id}/competitors",
            &["get", "post"][..],
        ),
        (
            "/api/v1/opportunities/{id}/competitors/{competitor_id}",
            &["patch", "delete"][..],
        ),
    ] {
        for m in methods {
            assert!(v["paths"][path][m].is_object(), "{m} {path} is documented");
        }
    }
    assert!(v["components"]["schemas"]["RecordDto"].is_object());
});
