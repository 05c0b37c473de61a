//! Opportunities (销售机会), "likely to close soon" and the pipeline stages through the real
//! router on both databases.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use serde_json::Value;

struct Team {
    admin: TestUser,
    exec: TestUser,
    mgr: TestUser,
    a: TestUser,
    b: TestUser,
    /// A's customer and B's customer.
    ca: i64,
    cb: i64,
}

/// mgr → {rep A, rep B}; each rep owns one customer.
async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let exec = app.user("exec", Role::Executive, None, None).await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let ca = id(&app
        .post("/api/v1/customers", &a, json!({"name": "甲方科技"}))
        .await
        .json());
    let cb = id(&app
        .post("/api/v1/customers", &b, json!({"name": "乙方贸易"}))
        .await
        .json());
    Team {
        admin,
        exec,
        mgr,
        a,
        b,
        ca,
        cb,
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(id)
        .collect()
}

/// The id of the built-in stage `code`.
async fn stage(app: &TestApp, who: &TestUser, code: &str) -> i64 {
    let list = app
        .get("/api/v1/pipeline-stages?include_inactive=true", who)
        .await
        .json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .map(id)
        .unwrap_or_else(|| panic!("no stage {code}"))
}

async fn create(app: &TestApp, who: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/opportunities", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

/// Every live opportunity, as the administrator sees them.
async fn all_ids(app: &TestApp, admin: &TestUser) -> Vec<i64> {
    ids(&app
        .get("/api/v1/opportunities?limit=200", admin)
        .await
        .json())
}

db_test!(crud_and_the_stage_default_probability, |app| {
    let t = team(&app).await;
    let proposal = stage(&app, &t.a, "proposal").await;
    let negotiation = stage(&app, &t.a, "negotiation").await;
    let o = create(
        &app,
        &t.a,
        json!({"customer_id": t.ca, "name": "ERP 升级项目", "amount": "120000.50",
               "stage_id": proposal, "expected_close": "2026-03-20", "source": "referral",
               "notes": "二期"}),
    )
    .await;
    let oid = id(&o);
    assert_eq!(o["probability"], 50, "the stage's default");
    assert_eq!(o["amount"], "120000.50");
    assert_eq!(o["weighted_amount"], "60000.25");
    assert_eq!(o["owner_id"], t.a.id);
    assert_eq!(o["status"], "open");
    assert_eq!(o["expected_close"], "2026-03-20");
    assert_eq!(o["version"], 1);
    // A number is accepted for the amount too.
    let n = create(
        &app,
        &t.a,
        json!({"customer_id": t.ca, "name": "数字金额", "amount": 99.9, "stage_id": proposal,
               "probability": 20}),
    )
    .await;
    assert_eq!(n["amount"], "99.90");
    assert_eq!(n["probability"], 20);

    let got = app.get(&format!("/api/v1/opportunities/{oid}"), &t.a).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["name"], "ERP 升级项目");

    // A change of stage without a probability takes the new stage's default.
    let path = format!("/api/v1/opportunities/{oid}");
    let r = app
        .patch(&path, &t.a, json!({"version": 1, "stage_id": negotiation}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["probability"], 70);
    assert_eq!(r.json()["stage_id"], negotiation);
    // A probability given with the change wins.
    let r = app
        .patch(
            &path,
            &t.a,
            json!({"version": 2, "stage_id": proposal, "probability": "55"}),
        )
        .await;
    assert_eq!(r.json()["probability"], 55);
    // Other fields leave the probability alone; null clears an optional field.
    let r = app
        .patch(
            &path,
            &t.a,
            json!({"version": 3, "name": "ERP 升级（二期）", "expected_close": null}),
        )
        .await;
    let v = r.json();
    assert_eq!(v["probability"], 55);
    assert_eq!(v["expected_close"], Value::Null);
    assert_eq!(v["notes"], "二期");
    assert_eq!(v["version"], 4);
    // A stale version is refused and changes nothing.
    let r = app
        .patch(&path, &t.a, json!({"version": 3, "name": "旧"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    let r = app.patch(&path, &t.a, json!({"name": "无版本"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&path, &t.a).await.json()["name"],
        "ERP 升级（二期）"
    );

    // The list, with filters and sorts.
    let page = app.get("/api/v1/opportunities", &t.a).await.json();
    assert_eq!(ids(&page), vec![id(&n), oid], "newest first");
    let page = app
        .get("/api/v1/opportunities?sort=amount", &t.a)
        .await
        .json();
    assert_eq!(ids(&page), vec![oid, id(&n)]);
    let page = app
        .get("/api/v1/opportunities?q=erp&limit=1", &t.a)
        .await
        .json();
    assert_eq!(ids(&page), vec![oid]);
    assert_eq!(page["next"], Value::Null);
    let page = app.get("/api/v1/opportunities?limit=1", &t.a).await.json();
    let next = page["next"].as_str().unwrap().to_string();
    let page2 = app
        .get(
            &format!("/api/v1/opportunities?limit=1&cursor={next}"),
            &t.a,
        )
        .await
        .json();
    assert_eq!(ids(&page2), vec![oid]);
    let r = app.get("/api/v1/opportunities?status=maybe", &t.a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Reps may not delete; the manager moves it to the recycle bin, an admin restores it.
    let r = app.delete(&format!("{path}?version=4"), &t.a).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.delete(&format!("{path}?version=4"), &t.mgr).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &t.a).await.status, StatusCode::NOT_FOUND);
    assert_eq!(all_ids(&app, &t.admin).await, vec![id(&n)]);
    let bin = app.get("/api/v1/recycle-bin", &t.admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "opportunity")
        .cloned()
        .unwrap();
    assert_eq!(entry["entity_id"], oid);
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{}/restore", id(&entry)),
            &t.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&path, &t.a).await.status, StatusCode::OK);
});

db_test!(invalid_input_is_refused_and_nothing_is_written, |app| {
    let t = team(&app).await;
    let proposal = stage(&app, &t.a, "proposal").await;
    // An inactive stage: added by the admin, then deactivated.
    let extra = app
        .post(
            "/api/v1/pipeline-stages",
            &t.admin,
            json!({"name": "旧阶段", "probability": 40}),
        )
        .await
        .json();
    let r = app
        .patch(
            &format!("/api/v1/pipeline-stages/{}", id(&extra)),
            &t.admin,
            json!({"version": 1, "active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let good = json!({"customer_id": t.ca, "name": "好机会", "amount": "100",
                      "stage_id": proposal});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"amount": "-1"}), "amount", "negative"),
        (json!({"amount": "1.234"}), "amount", "invalid_amount"),
        (json!({"amount": "abc"}), "amount", "invalid_amount"),
        (json!({"amount": "100000000001"}), "amount", "too_large"),
        (json!({"probability": 101}), "probability", "out_of_range"),
        (json!({"probability": -5}), "probability", "out_of_range"),
        (
            json!({"probability": "六十"}),
            "probability",
            "invalid_number",
        ),
        (json!({"stage_id": 999_999}), "stage_id", "unknown"),
        (
            json!({"stage_id": id(&extra)}),
            "stage_id",
            "inactive_stage",
        ),
        (json!({"customer_id": t.cb}), "customer_id", "unknown"),
        (json!({"customer_id": 999_999}), "customer_id", "unknown"),
        (json!({"name": "长".repeat(201)}), "name", "too_long"),
        (json!({"name": "  "}), "name", "required"),
        (
            json!({"expected_close": "2026-02-30"}),
            "expected_close",
            "invalid_date",
        ),
        (json!({"source": "pigeon"}), "source", "invalid_choice"),
        (json!({"owner_id": t.b.id}), "owner_id", "out_of_scope"),
    ];
    for (patch, field, code) in cases {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post("/api/v1/opportunities", &t.a, body.clone()).await;
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
    // Missing required fields are all reported at once.
    let r = app.post("/api/v1/opportunities", &t.a, json!({})).await;
    let f = &r.json()["fields"];
    for field in ["customer_id", "name", "stage_id"] {
        assert_eq!(f[field]["code"], "required", "{field}: {}", r.text);
    }
    // 200 characters are fine.
    let mut body = good.clone();
    body["name"] = json!("长".repeat(200));
    create(&app, &t.a, body).await;

    // Nothing else was written: one opportunity, one create in the audit trail.
    assert_eq!(all_ids(&app, &t.admin).await.len(), 1);
    let audit = app
        .get("/api/v1/audit?entity_type=opportunity", &t.admin)
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);

    // An update with a bad field changes nothing either.
    let oid = all_ids(&app, &t.admin).await[0];
    let path = format!("/api/v1/opportunities/{oid}");
    let r = app
        .patch(
            &path,
            &t.a,
            json!({"version": 1, "name": "改名", "amount": "-3"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = app.get(&path, &t.a).await.json();
    assert_eq!(now["version"], 1);
    assert_eq!(now["amount"], "100.00");
});

db_test!(close_won_lost_and_reopen, |app| {
    let t = team(&app).await;
    let proposal = stage(&app, &t.a, "proposal").await;
    let o = create(
        &app,
        &t.a,
        json!({"customer_id": t.ca, "name": "年度框架合同", "amount": 5000, "stage_id": proposal,
               "probability": 80}),
    )
    .await;
    let path = format!("/api/v1/opportunities/{}", id(&o));
    let r = app
        .post(
            &format!("{path}/close"),
            &t.a,
            json!({"outcome": "won", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "won");
    assert_eq!(v["probability"], 100);
    assert_eq!(v["weighted_amount"], "5000.00");
    // 09:00 UTC is 17:00 in Shanghai: today there.
    assert_eq!(v["closed_on"], "2026-03-02");
    // Closed: no second close, no edits.
    let r = app
        .post(
            &format!("{path}/close"),
            &t.a,
            json!({"outcome": "lost", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "opportunity_closed");
    let r = app
        .patch(&path, &t.a, json!({"version": 2, "name": "改"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "opportunity_closed");
    assert_eq!(app.get(&path, &t.a).await.json()["name"], "年度框架合同");

    // Reopen (no body needed): back to open with the stage's default probability.
    let r = app
        .api("POST", &format!("{path}/reopen"), Some(&t.a.token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "open");
    assert_eq!(v["probability"], 50);
    assert_eq!(v["closed_on"], Value::Null);
    let r = app.post(&format!("{path}/reopen"), &t.a, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "opportunity_open");

    // Lost needs a reason; without one nothing changes.
    let r = app
        .post(&format!("{path}/close"), &t.a, json!({"outcome": "lost"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["reason"]["code"], "required");
    let r = app
        .post(
            &format!("{path}/close"),
            &t.a,
            json!({"outcome": "maybe", "reason": "x"}),
        )
        .await;
    assert_eq!(r.json()["fields"]["outcome"]["code"], "invalid_choice");
    assert_eq!(app.get(&path, &t.a).await.json()["status"], "open");
    // A day later (01:00 in Shanghai on the 3rd) it is lost, with a reason.
    app.clock.advance(chrono::Duration::hours(8));
    let r = app
        .post(
            &format!("{path}/close"),
            &t.a,
            json!({"outcome": "lost", "reason": "价格高于竞争对手"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "lost");
    assert_eq!(v["probability"], 0);
    assert_eq!(v["weighted_amount"], "0.00");
    assert_eq!(v["close_reason"], "价格高于竞争对手");
    assert_eq!(v["closed_on"], "2026-03-03");
    // Filter by status; the audit trail has every step.
    let lost = app
        .get("/api/v1/opportunities?status=lost", &t.a)
        .await
        .json();
    assert_eq!(ids(&lost), vec![id(&o)]);
    let open = app
        .get("/api/v1/opportunities?status=open", &t.a)
        .await
        .json();
    assert!(ids(&open).is_empty());
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_type=opportunity&entity_id={}", id(&o)),
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
    assert_eq!(actions, vec!["lost", "reopen", "won", "create"]);
});

db_test!(visibility_follows_the_owner_scope, |app| {
    let t = team(&app).await;
    let proposal = stage(&app, &t.a, "proposal").await;
    let oa = id(&create(
        &app,
        &t.a,
        json!({"customer_id": t.ca, "name": "A 的机会", "stage_id": proposal,
               "expected_close": "2026-03-10", "probability": 80, "amount": "10"}),
    )
    .await);
    let ob = id(&create(
        &app,
        &t.b,
        json!({"customer_id": t.cb, "name": "B 的机会", "stage_id": proposal,
               "expected_close": "2026-03-11", "probability": 80, "amount": "20"}),
    )
    .await);
    let path = format!("/api/v1/opportunities/{oa}");
    // B, A's peer: a 404 on every path, and not in any list.
    assert_eq!(app.get(&path, &t.b).await.status, StatusCode::NOT_FOUND);
    let r = app
        .patch(&path, &t.b, json!({"version": 1, "name": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(&format!("{path}/close"), &t.b, json!({"outcome": "won"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.post(&format!("{path}/reopen"), &t.b, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ids(&app.get("/api/v1/opportunities", &t.b).await.json()),
        vec![ob]
    );
    let filtered = app
        .get(&format!("/api/v1/opportunities?owner_id={}", t.a.id), &t.b)
        .await
        .json();
    assert!(ids(&filtered).is_empty());
    let soon = app
        .get("/api/v1/opportunities/closing-soon", &t.b)
        .await
        .json();
    assert_eq!(ids(&soon), vec![ob]);
    assert_eq!(soon["summary"]["count"], 1);
    assert_eq!(soon["summary"]["amount"], "20.00");
    // The manager, the executive and the admin see both.
    for who in [&t.mgr, &t.exec, &t.admin] {
        assert_eq!(app.get(&path, who).await.status, StatusCode::OK);
        assert_eq!(
            ids(&app.get("/api/v1/opportunities", who).await.json()),
            vec![ob, oa],
            "{}",
            who.username
        );
        let soon = app
            .get("/api/v1/opportunities/closing-soon", who)
            .await
            .json();
        assert_eq!(ids(&soon), vec![oa, ob], "{}", who.username);
        assert_eq!(soon["summary"]["amount"], "30.00");
    }
    // The manager edits a subordinate's opportunity and assigns new ones within the team.
    let r = app
        .patch(&path, &t.mgr, json!({"version": 1, "amount": "15"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let assigned = create(
        &app,
        &t.mgr,
        json!({"customer_id": t.ca, "name": "经理分配", "stage_id": proposal,
               "owner_id": t.a.id}),
    )
    .await;
    assert_eq!(assigned["owner_id"], t.a.id);
    assert_eq!(
        app.get(&format!("/api/v1/opportunities/{}", id(&assigned)), &t.a)
            .await
            .status,
        StatusCode::OK
    );
    // for_customer-style listing: B cannot read A's customer's opportunities by filter.
    let r = app
        .get(&format!("/api/v1/opportunities?customer_id={}", t.ca), &t.b)
        .await
        .json();
    assert!(ids(&r).is_empty());
    // Marketing has no sales rights at all.
    let mkt = app.user("mkt", Role::Marketing, None, None).await;
    assert_eq!(
        app.get("/api/v1/opportunities", &mkt).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/pipeline-stages", &mkt).await.status,
        StatusCode::FORBIDDEN
    );
});

db_test!(closing_soon_weights_a_hand_computed_set, |app| {
    let t = team(&app).await;
    let proposal = stage(&app, &t.a, "proposal").await;
    // Today is 2026-03-02 in Shanghai; the default window is 30 days and 60 %.
    let mk = |name: &str, amount: &str, p: i64, close: Option<&str>| {
        json!({"customer_id": t.ca, "name": name, "amount": amount, "stage_id": proposal,
               "probability": p, "expected_close": close})
    };
    let o1 = id(&create(&app, &t.a, mk("o1", "100.01", 67, Some("2026-03-05"))).await);
    let o2 = id(&create(&app, &t.a, mk("o2", "0.50", 61, Some("2026-03-20"))).await);
    let o3 = id(&create(&app, &t.a, mk("o3", "1000", 60, Some("2026-03-02"))).await);
    create(&app, &t.a, mk("o4", "500", 59, Some("2026-03-10"))).await;
    let o5 = id(&create(&app, &t.a, mk("o5", "12345.67", 90, Some("2026-04-01"))).await);
    create(&app, &t.a, mk("o6", "500", 90, Some("2026-04-02"))).await;
    create(&app, &t.a, mk("o7", "500", 90, Some("2026-03-01"))).await;
    let o8 = id(&create(&app, &t.a, mk("o8", "500", 90, Some("2026-03-05"))).await);
    app.post(
        &format!("/api/v1/opportunities/{o8}/close"),
        &t.a,
        json!({"outcome": "won"}),
    )
    .await;
    let o9 = id(&create(&app, &t.a, mk("o9", "500", 90, Some("2026-03-05"))).await);
    let r = app
        .delete(&format!("/api/v1/opportunities/{o9}?version=1"), &t.mgr)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    create(&app, &t.a, mk("o10", "500", 90, None)).await;
    let mut peer = mk("o11", "7.77", 70, Some("2026-03-03"));
    peer["customer_id"] = json!(t.cb);
    let o11 = id(&create(&app, &t.b, peer).await);

    let soon = app
        .get("/api/v1/opportunities/closing-soon", &t.a)
        .await
        .json();
    assert_eq!(soon["from"], "2026-03-02");
    assert_eq!(soon["to"], "2026-04-01");
    assert_eq!(ids(&soon), vec![o3, o1, o2, o5], "soonest first");
    let weighted: Vec<&str> = soon["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["weighted_amount"].as_str().unwrap())
        .collect();
    // 1000×60 % = 600; 100.01×67 % = 67.0067 → 67.01; 0.50×61 % = 0.305 → 0.31 (half up);
    // 12345.67×90 % = 11111.103 → 11111.10.
    assert_eq!(weighted, vec!["600.00", "67.01", "0.31", "11111.10"]);
    assert_eq!(soon["summary"]["count"], 4);
    assert_eq!(soon["summary"]["amount"], "13446.18");
    assert_eq!(soon["summary"]["weighted"], "11778.42");

    // A narrower window and a lower bar.
    let soon = app
        .get("/api/v1/opportunities/closing-soon?days=3", &t.a)
        .await
        .json();
    assert_eq!(ids(&soon), vec![o3, o1]);
    assert_eq!(soon["summary"]["weighted"], "667.01");
    let soon = app
        .get(
            "/api/v1/opportunities/closing-soon?days=10&min_probability=59&limit=1",
            &t.a,
        )
        .await
        .json();
    assert_eq!(ids(&soon), vec![o3], "limited list");
    assert_eq!(soon["summary"]["count"], 3, "the totals count them all");
    // The manager sees the team's, and can look at one rep.
    let soon = app
        .get("/api/v1/opportunities/closing-soon", &t.mgr)
        .await
        .json();
    assert_eq!(ids(&soon), vec![o3, o11, o1, o2, o5]);
    assert_eq!(soon["summary"]["count"], 5);
    // 7.77 × 70 % = 5.439 → 5.44
    assert_eq!(soon["summary"]["weighted"], "11783.86");
    let soon = app
        .get(
            &format!("/api/v1/opportunities/closing-soon?owner_id={}", t.b.id),
            &t.mgr,
        )
        .await
        .json();
    assert_eq!(ids(&soon), vec![o11]);
    // The manager's window is reused only until something is written: B's opportunity
    // leaves the window at once when its probability drops.
    let r = app
        .patch(
            &format!("/api/v1/opportunities/{o11}"),
            &t.b,
            json!({"version": 1, "probability": 20}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let soon = app
        .get("/api/v1/opportunities/closing-soon", &t.mgr)
        .await
        .json();
    assert_eq!(ids(&soon), vec![o3, o1, o2, o5]);
    assert_eq!(soon["summary"]["weighted"], "11778.42");
    // Out-of-range parameters.
    for q in ["days=-1", "days=400", "min_probability=101", "limit=0"] {
        let r = app
            .get(&format!("/api/v1/opportunities/closing-soon?{q}"), &t.a)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
    // The list sorted by expected close puts undated ones last, on both databases.
    let page = app
        .get(
            "/api/v1/opportunities?sort=expected_close&status=open",
            &t.a,
        )
        .await
        .json();
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["o7", "o3", "o1", "o4", "o2", "o5", "o6", "o10"]);
    // …and pages through them in the same order.
    let mut seen = Vec::new();
    let url = "/api/v1/opportunities?sort=expected_close&status=open&limit=3";
    for page in app.pages(url, &t.a).await {
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(seen, names);
});

db_test!(pipeline_stages_are_configured_by_administrators, |app| {
    let t = team(&app).await;
    let list = app.get("/api/v1/pipeline-stages", &t.a).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json()["items"].as_array().unwrap().clone();
    let codes: Vec<&str> = items.iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        vec![
            "qualification",
            "needs_analysis",
            "proposal",
            "negotiation",
            "commitment"
        ]
    );
    let probs: Vec<i64> = items
        .iter()
        .map(|s| s["probability"].as_i64().unwrap())
        .collect();
    assert_eq!(probs, vec![10, 30, 50, 70, 90]);
    assert!(items.iter().all(|s| s["name"].is_null()));

    // Not for reps or managers.
    let body = json!({"name": "合同审批", "probability": 95});
    for who in [&t.a, &t.mgr] {
        let r = app.post("/api/v1/pipeline-stages", who, body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .patch(
                &format!("/api/v1/pipeline-stages/{}", id(&items[0])),
                who,
                json!({"version": 1, "probability": 20}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &format!("/api/v1/pipeline-stages/{}/move", id(&items[0])),
                who,
                json!({"version": 1, "direction": "down"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // The admin adds a stage at the end; it becomes a default probability for new ones.
    let r = app.post("/api/v1/pipeline-stages", &t.admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let added = r.json();
    assert_eq!(added["code"], Value::Null);
    assert_eq!(added["name"], "合同审批");
    assert!(added["sort_order"].as_i64().unwrap() > 50);
    let r = app
        .post(
            "/api/v1/pipeline-stages",
            &t.admin,
            json!({"name": "", "probability": 101}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = r.json()["fields"].clone();
    assert_eq!(f["name"]["code"], "required");
    assert_eq!(f["probability"]["code"], "out_of_range");
    let o = create(
        &app,
        &t.a,
        json!({"customer_id": t.ca, "name": "审批中", "stage_id": id(&added)}),
    )
    .await;
    assert_eq!(o["probability"], 95);

    // Rename a built-in stage, then give it back its translated label; change the default.
    let proposal = id(&items[2]);
    let p = format!("/api/v1/pipeline-stages/{proposal}");
    let r = app
        .patch(
            &p,
            &t.admin,
            json!({"version": 1, "name": "方案", "probability": 45}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "方案");
    assert_eq!(r.json()["code"], "proposal");
    let r = app
        .patch(&p, &t.admin, json!({"version": 2, "name": null}))
        .await;
    assert_eq!(r.json()["name"], Value::Null);
    assert_eq!(r.json()["probability"], 45);
    let r = app
        .patch(&p, &t.admin, json!({"version": 2, "probability": 1}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    // An added stage must keep a name.
    let r = app
        .patch(
            &format!("/api/v1/pipeline-stages/{}", id(&added)),
            &t.admin,
            json!({"version": 1, "name": ""}),
        )
        .await;
    assert_eq!(r.json()["fields"]["name"]["code"], "required");

    // Move the added stage up one place: it comes before commitment.
    let r = app
        .post(
            &format!("/api/v1/pipeline-stages/{}/move", id(&added)),
            &t.admin,
            json!({"version": 1, "direction": "up"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let order: Vec<Value> = app.get("/api/v1/pipeline-stages", &t.a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].clone())
        .collect();
    assert_eq!(
        order,
        vec![
            json!("qualification"),
            json!("needs_analysis"),
            json!("proposal"),
            json!("negotiation"),
            Value::Null,
            json!("commitment")
        ]
    );

    // A stage with open opportunities cannot be deactivated.
    let sp = format!("/api/v1/pipeline-stages/{}", id(&added));
    let version = app.get("/api/v1/pipeline-stages", &t.a).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == added["id"])
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(&sp, &t.admin, json!({"version": version, "active": false}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stage_in_use");
    // Once the opportunity is won it can.
    app.post(
        &format!("/api/v1/opportunities/{}/close", id(&o)),
        &t.a,
        json!({"outcome": "won"}),
    )
    .await;
    let r = app
        .patch(&sp, &t.admin, json!({"version": version, "active": false}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["active"], false);
    let active = app.get("/api/v1/pipeline-stages", &t.a).await.json();
    assert_eq!(active["items"].as_array().unwrap().len(), 5);
    let every = app
        .get("/api/v1/pipeline-stages?include_inactive=true", &t.a)
        .await
        .json();
    assert_eq!(every["items"].as_array().unwrap().len(), 6);
    // The won opportunity stays in its (now inactive) stage and can still be read.
    let got = app
        .get(&format!("/api/v1/opportunities/{}", id(&o)), &t.a)
        .await
        .json();
    assert_eq!(got["stage_id"], added["id"]);
    // Reactivated, it is offered again.
    let r = app
        .patch(
            &sp,
            &t.admin,
            json!({"version": version + 1, "active": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let active = app.get("/api/v1/pipeline-stages", &t.a).await.json();
    assert_eq!(active["items"].as_array().unwrap().len(), 6);
});

db_test!(the_openapi_document_lists_the_endpoints, |app| {
    let doc = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.json()["paths"].clone();
    for p in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/{id}",
        "/api/v1/opportunities/{id}/close",
        "/api/v1/opportunities/{id}/reopen",
        "/api/v1/opportunities/closing-soon",
        "/api/v1/pipeline-stages",
        "/api/v1/pipeline-stages/{id}",
        "/api/v1/pipeline-stages/{id}/move",
    ] {
        assert!(
            paths.get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
    let schemas = doc.json()["components"]["schemas"].clone();
    for s in [
        "OpportunityDto",
        "ClosingSoonDto",
        "StageDto",
        "OpportunityBody",
    ] {
        assert!(schemas.get(s).is_some(), "{s} missing");
    }
});
