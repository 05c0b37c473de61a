//! Leads through the API: CRUD with field errors that write nothing, the duplicate keys,
//! scope (owner scope + the shared pool) on every path, claim races, release and assign
//! rules, round-robin distribution, follow-ups moving status and dates, converted leads
//! read-only, the recycle bin.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::Value;

struct World {
    admin: TestUser,
    mgr: TestUser,
    a: TestUser,
    b: TestUser,
    other_mgr: TestUser,
    c: TestUser,
    marketing: TestUser,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let other_mgr = app.user("manager2", Role::SalesManager, None, None).await;
    let c = app
        .user("rep_c", Role::SalesRep, None, Some(other_mgr.id))
        .await;
    let marketing = app.user("marketer", Role::Marketing, None, None).await;
    World {
        admin,
        mgr,
        a,
        b,
        other_mgr,
        c,
        marketing,
    }
}

/// A campaign row (the campaigns module is not needed to test leads).
async fn campaign(app: &TestApp, owner: i64, name: &str, deleted: bool) -> i64 {
    let now = app.core.now();
    crm_store::entity::campaign::ActiveModel {
        name: Set(name.into()),
        kind: Set("exhibition".into()),
        status: Set("active".into()),
        starts_on: Set(None),
        ends_on: Set(None),
        budget: Set(0),
        actual_cost: Set(0),
        expected_leads: Set(None),
        expected_revenue: Set(None),
        actual_results: Set(None),
        description: Set(None),
        owner_id: Set(owner),
        form_enabled: Set(false),
        form_key: Set(None),
        created_by: Set(Some(owner)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(deleted.then_some(now)),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id
}

async fn lead(app: &TestApp, who: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/leads", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

async fn lead_id(app: &TestApp, who: &TestUser, body: Value) -> i64 {
    lead(app, who, body).await["id"].as_i64().unwrap()
}

async fn stored(app: &TestApp, id: i64) -> crm_store::leads::Model {
    crm_store::leads::find_any(&app.core.db, id)
        .await
        .unwrap()
        .unwrap()
}

async fn lead_rows(app: &TestApp) -> u64 {
    crm_store::entity::lead::Entity::find()
        .count(&app.core.db)
        .await
        .unwrap()
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {v}"))
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// The conversion sets `converted`; tests stand in for it with a direct write.
async fn mark_converted(app: &TestApp, id: i64) {
    let mut am: crm_store::entity::lead::ActiveModel = stored(app, id).await.into();
    am.status = Set("converted".into());
    am.converted_at = Set(Some(app.core.now()));
    am.update(&app.core.db).await.unwrap();
}

db_test!(create_read_update_with_duplicate_keys, |app| {
    let w = world(&app).await;
    let camp = campaign(&app, w.marketing.id, "春季展会", false).await;
    let l = lead(
        &app,
        &w.a,
        json!({
            "name": "张伟", "company": "北京星河科技有限公司", "title": "采购经理",
            "phone": "+86 138-1234-5678", "email": "Zhang.Wei@Example.COM",
            "province": "北京", "city": "北京", "address": "海淀区中关村大街 1 号",
            "industry": "软件", "source": "exhibition", "campaign_id": camp,
            "notes": "展会上留的名片", "next_follow_up": "2026-03-05"
        }),
    )
    .await;
    let id = l["id"].as_i64().unwrap();
    assert_eq!(l["status"], "new");
    assert_eq!(l["owner_id"], w.a.id, "a new lead is its creator's");
    assert_eq!(l["owner_name"], "rep_a");
    assert_eq!(l["pool"], false);
    assert_eq!(l["campaign_name"], "春季展会");
    assert_eq!(l["email"], "zhang.wei@example.com");
    assert_eq!(l["next_follow_up"], "2026-03-05");
    assert_eq!(l["overdue"], false);
    assert_eq!(l["version"], 1);
    let m = stored(&app, id).await;
    assert_eq!(m.phone_norm.as_deref(), Some("13812345678"));
    assert_eq!(m.email_norm.as_deref(), Some("zhang.wei@example.com"));
    assert_eq!(m.company_norm.as_deref(), Some("北京星河科技"));
    assert_eq!(m.created_by, Some(w.a.id));

    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": 1, "phone": "010-8888 6666", "company": "ACME Co., Ltd.",
                   "email": null, "status": "qualified", "campaign_id": null,
                   "next_follow_up": "2026-02-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let l = r.json();
    assert_eq!(l["status"], "qualified");
    assert_eq!(l["email"], Value::Null);
    assert_eq!(l["campaign_id"], Value::Null);
    assert_eq!(l["name"], "张伟", "omitted fields stay");
    assert_eq!(l["overdue"], true, "2026-02-01 is before today");
    assert_eq!(l["version"], 2);
    let m = stored(&app, id).await;
    assert_eq!(m.phone_norm.as_deref(), Some("01088886666"));
    assert_eq!(m.email_norm, None, "clearing the email clears its key");
    assert_eq!(m.company_norm.as_deref(), Some("acme"));

    // A stale version and the reserved status change nothing.
    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": 1, "name": "李雷"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "stale_version");
    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": 2, "status": "converted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["status"]["code"], "reserved");
    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": 2, "owner_id": w.b.id}),
        )
        .await;
    assert_eq!(r.json()["fields"]["owner_id"]["code"], "immutable");
    let got = app.get(&format!("/api/v1/leads/{id}"), &w.a).await.json();
    assert_eq!(got["name"], "张伟");
    assert_eq!(got["status"], "qualified");
    assert_eq!(got["version"], 2);

    // Explicit pool and explicit owner.
    let pool = lead(&app, &w.mgr, json!({"name": "王芳", "pool": true})).await;
    assert_eq!(pool["owner_id"], Value::Null);
    assert_eq!(pool["pool"], true);
    let given = lead(&app, &w.mgr, json!({"name": "赵强", "owner_id": w.b.id})).await;
    assert_eq!(given["owner_id"], w.b.id);
    let r = app
        .post(
            "/api/v1/leads",
            &w.mgr,
            json!({"name": "x", "pool": true, "owner_id": w.b.id}),
        )
        .await;
    assert_eq!(r.json()["fields"]["owner_id"]["code"], "pool_and_owner");
    // Every write is audited.
    let trail = app
        .get(
            &format!("/api/v1/audit?entity_type=lead&entity_id={id}"),
            &w.admin,
        )
        .await;
    let actions: Vec<String> = trail.json()["items"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|e| e["action"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        actions.contains(&"create".to_string()) && actions.contains(&"update".to_string()),
        "{}",
        trail.text
    );
});

db_test!(each_bad_field_is_refused_and_nothing_written, |app| {
    let w = world(&app).await;
    let gone = campaign(&app, w.marketing.id, "已删除活动", true).await;
    app.patch(
        &format!("/api/v1/users/{}", w.b.id),
        &w.admin,
        json!({"version": 1, "active": false}),
    )
    .await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"company": "无名"}), "name", "required"),
        (json!({"name": "   "}), "name", "required"),
        (json!({"name": "长".repeat(101)}), "name", "too_long"),
        (
            json!({"name": "a", "company": "c".repeat(201)}),
            "company",
            "too_long",
        ),
        (
            json!({"name": "a", "title": "t".repeat(101)}),
            "title",
            "too_long",
        ),
        (
            json!({"name": "a", "address": "地".repeat(301)}),
            "address",
            "too_long",
        ),
        (
            json!({"name": "a", "email": "zhang@"}),
            "email",
            "invalid_email",
        ),
        (
            json!({"name": "a", "phone": "12ab34"}),
            "phone",
            "invalid_phone",
        ),
        (
            json!({"name": "a", "phone": "123"}),
            "phone",
            "invalid_phone",
        ),
        (
            json!({"name": "a", "source": "tv"}),
            "source",
            "invalid_choice",
        ),
        (
            json!({"name": "a", "status": "won"}),
            "status",
            "invalid_choice",
        ),
        (
            json!({"name": "a", "status": "converted"}),
            "status",
            "reserved",
        ),
        (
            json!({"name": "a", "campaign_id": 424242}),
            "campaign_id",
            "unknown",
        ),
        (
            json!({"name": "a", "campaign_id": gone}),
            "campaign_id",
            "unknown",
        ),
        (
            json!({"name": "a", "next_follow_up": "03/05/2026"}),
            "next_follow_up",
            "invalid_date",
        ),
        (
            json!({"name": "a", "notes": "n".repeat(5001)}),
            "notes",
            "too_long",
        ),
        (
            json!({"name": "a", "owner_id": w.c.id}),
            "owner_id",
            "out_of_scope",
        ),
        (
            json!({"name": "a", "owner_id": w.b.id}),
            "owner_id",
            "inactive",
        ),
        (
            json!({"name": "a", "owner_id": 424242}),
            "owner_id",
            "not_found",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/leads", &w.mgr, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        let v = r.json();
        assert_eq!(v["error"], "validation_failed");
        assert_eq!(v["fields"][field]["code"], code, "{body}: {}", r.text);
    }
    // Several problems are reported at once.
    let r = app
        .post(
            "/api/v1/leads",
            &w.mgr,
            json!({"email": "x", "campaign_id": 424242, "owner_id": w.c.id}),
        )
        .await;
    let f = &r.json()["fields"];
    for k in ["name", "email", "campaign_id", "owner_id"] {
        assert!(f.get(k).is_some(), "{k} missing: {}", r.text);
    }
    assert_eq!(lead_rows(&app).await, 0, "nothing was written");
    // A refused update writes nothing either.
    let id = lead_id(&app, &w.a, json!({"name": "张伟", "phone": "13812345678"})).await;
    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": 1, "name": "李雷", "phone": "bad phone"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let m = stored(&app, id).await;
    assert_eq!((m.name.as_str(), m.version), ("张伟", 1));
    // Executives see leads but do not create them.
    let exec = app.user("boss", Role::Executive, None, None).await;
    let r = app.post("/api/v1/leads", &exec, json!({"name": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(lead_rows(&app).await, 1);
});

db_test!(scope_hides_others_leads_and_shares_the_pool, |app| {
    let w = world(&app).await;
    let la = lead_id(&app, &w.a, json!({"name": "甲线索"})).await;
    let lb = lead_id(&app, &w.b, json!({"name": "乙线索"})).await;
    let lc = lead_id(&app, &w.c, json!({"name": "丙线索"})).await;
    let pool = lead_id(&app, &w.marketing, json!({"name": "池线索", "pool": true})).await;
    app.post(
        &format!("/api/v1/leads/{la}/activities"),
        &w.a,
        json!({"kind": "call", "content": "第一次电话"}),
    )
    .await;
    let list = |who: TestUser, q: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/leads{q}"), &who).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let mut v = ids(&r.json());
            v.sort_unstable();
            v
        }
    };
    let count = |who: TestUser, q: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/leads/count{q}"), &who)
                .await
                .json()["count"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(list(w.a.clone(), "").await, vec![la, pool]);
    assert_eq!(list(w.b.clone(), "").await, vec![lb, pool]);
    assert_eq!(list(w.mgr.clone(), "").await, vec![la, lb, pool]);
    assert_eq!(list(w.other_mgr.clone(), "").await, vec![lc, pool]);
    assert_eq!(list(w.admin.clone(), "").await, vec![la, lb, lc, pool]);
    assert_eq!(count(w.b.clone(), "").await, 2);
    assert_eq!(count(w.other_mgr.clone(), "").await, 2);
    // Naming someone else's owner id shows nothing more.
    let q: &'static str = Box::leak(format!("?owner={}", w.a.id).into_boxed_str());
    assert!(list(w.b.clone(), q).await.is_empty());
    assert_eq!(count(w.b.clone(), q).await, 0);
    assert_eq!(list(w.mgr.clone(), q).await, vec![la]);
    assert_eq!(list(w.c.clone(), "?owner=pool").await, vec![pool]);
    assert_eq!(list(w.a.clone(), "?owner=me").await, vec![la]);
    // Outside the scope: 404 on every path, and nothing changes.
    for who in [&w.b, &w.other_mgr, &w.c] {
        for path in [
            format!("/api/v1/leads/{la}"),
            format!("/api/v1/leads/{la}/activities"),
        ] {
            assert_eq!(app.get(&path, who).await.status, StatusCode::NOT_FOUND);
        }
        for (path, body) in [
            (
                format!("/api/v1/leads/{la}/activities"),
                json!({"kind": "note", "content": "x"}),
            ),
            (format!("/api/v1/leads/{la}/release"), json!({})),
            (format!("/api/v1/leads/{la}/claim"), json!({})),
            (
                format!("/api/v1/leads/{la}/assign"),
                json!({"user_id": who.id}),
            ),
        ] {
            let r = app.post(&path, who, body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        }
        let r = app
            .patch(
                &format!("/api/v1/leads/{la}"),
                who,
                json!({"version": 2, "name": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let m = stored(&app, la).await;
    assert_eq!((m.owner_id, m.name.as_str()), (Some(w.a.id), "甲线索"));
    // The manager reads the subordinate's lead and its follow-ups; anyone reads the pool.
    let r = app
        .get(&format!("/api/v1/leads/{la}/activities"), &w.mgr)
        .await;
    assert_eq!(ids(&r.json()).len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/leads/{pool}"), &w.c).await.status,
        StatusCode::OK
    );
    // Without market rights, nothing.
    let service = app.user("helpdesk", Role::ServiceStaff, None, None).await;
    assert_eq!(
        app.get("/api/v1/leads", &service).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v1/leads/{pool}"), &service)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

db_test!(racing_claims_give_exactly_one_owner, |app| {
    let w = world(&app).await;
    let mut reps = vec![w.a.clone(), w.b.clone(), w.c.clone()];
    for i in 0..3 {
        reps.push(
            app.user(&format!("racer{i}"), Role::SalesRep, None, None)
                .await,
        );
    }
    let id = lead_id(
        &app,
        &w.marketing,
        json!({"name": "抢手线索", "pool": true}),
    )
    .await;
    let path = format!("/api/v1/leads/{id}/claim");
    let claims = reps.iter().map(|r| app.post(&path, r, json!({})));
    let results = futures_join(claims.collect()).await;
    let won: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == StatusCode::OK)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for (i, r) in results.iter().enumerate() {
        if i != won[0] {
            // A loser that read the pool before the winner committed is told the lead was
            // claimed; one that read after no longer sees it at all.
            let code = r.json()["error"].as_str().unwrap_or_default().to_string();
            assert!(
                (r.status, code.as_str()) == (StatusCode::CONFLICT, "already_claimed")
                    || (r.status, code.as_str()) == (StatusCode::NOT_FOUND, "not_found"),
                "{}: {}",
                r.status,
                r.text
            );
        }
    }
    let winner = &reps[won[0]];
    assert_eq!(stored(&app, id).await.owner_id, Some(winner.id));
    assert_eq!(stored(&app, id).await.version, 2, "one write");
    // Claiming an owned lead again is a conflict too, and the conditional update itself
    // refuses a claim that read the pool before the winner wrote.
    let r = app.post(&path, winner, json!({})).await;
    assert_eq!(r.json()["error"], "already_claimed");
    let late =
        crm_store::leads::move_owner(&app.core.db, id, None, Some(w.a.id), None, app.core.now())
            .await
            .unwrap();
    assert_eq!(late, crm_store::Versioned::Stale);
    assert_eq!(stored(&app, id).await.owner_id, Some(winner.id));
});

/// Polls all futures together (the claims race on the database).
async fn futures_join<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let handles: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    let mut handles: Vec<Option<_>> = handles.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, h) in handles.iter_mut().enumerate() {
            if let Some(f) = h {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out[i] = Some(v);
                        *h = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

db_test!(release_and_assign_follow_the_scope, |app| {
    let w = world(&app).await;
    let la = lead_id(&app, &w.a, json!({"name": "甲线索"})).await;
    // The owner releases to the pool; releasing again is a conflict.
    let r = app
        .post(&format!("/api/v1/leads/{la}/release"), &w.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["owner_id"], Value::Null);
    let r = app
        .post(&format!("/api/v1/leads/{la}/release"), &w.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "in_pool");
    // B claims it; A (no longer owner, own scope) cannot release it; their manager can.
    assert_eq!(
        app.post(&format!("/api/v1/leads/{la}/claim"), &w.b, json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post(&format!("/api/v1/leads/{la}/release"), &w.a, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("/api/v1/leads/{la}/release"),
            &w.other_mgr,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(&format!("/api/v1/leads/{la}/release"), &w.mgr, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(stored(&app, la).await.owner_id, None);
    // Assign: to someone in the assigner's scope, active; a rep only to themself.
    let assign = |who: TestUser, to: i64| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/leads/{la}/assign"),
                &who,
                json!({"user_id": to}),
            )
            .await
        }
    };
    let r = assign(w.mgr.clone(), w.c.id).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["user_id"]["code"], "out_of_scope");
    let r = assign(w.a.clone(), w.b.id).await;
    assert_eq!(r.json()["fields"]["user_id"]["code"], "out_of_scope");
    let r = assign(w.mgr.clone(), 424242).await;
    assert_eq!(r.json()["fields"]["user_id"]["code"], "not_found");
    let gone = app
        .user("rep_gone", Role::SalesRep, None, Some(w.mgr.id))
        .await;
    app.patch(
        &format!("/api/v1/users/{}", gone.id),
        &w.admin,
        json!({"version": 1, "active": false}),
    )
    .await;
    let r = assign(w.mgr.clone(), gone.id).await;
    assert_eq!(r.json()["fields"]["user_id"]["code"], "inactive");
    assert_eq!(
        stored(&app, la).await.owner_id,
        None,
        "refusals wrote nothing"
    );
    let r = assign(w.mgr.clone(), w.a.id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["owner_id"], w.a.id);
    // A stale version is refused.
    let r = app
        .post(
            &format!("/api/v1/leads/{la}/assign"),
            &w.mgr,
            json!({"user_id": w.b.id, "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Executives may look but not assign.
    let exec = app.user("boss", Role::Executive, None, None).await;
    assert_eq!(assign(exec, w.b.id).await.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, la).await.owner_id, Some(w.a.id));
    let trail = app
        .get(
            &format!("/api/v1/audit?entity_type=lead&entity_id={la}"),
            &w.admin,
        )
        .await
        .json();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in ["create", "release", "claim", "assign"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
});

db_test!(round_robin_distribution_hands_out_in_turn, |app| {
    let w = world(&app).await;
    let extra = app
        .user("rep_d", Role::SalesRep, None, Some(w.mgr.id))
        .await;
    let mut pool = Vec::new();
    for i in 0..7 {
        pool.push(
            lead_id(
                &app,
                &w.marketing,
                json!({"name": format!("池{i}"), "pool": true}),
            )
            .await,
        );
    }
    let users = [w.a.id, w.b.id, extra.id];
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": pool, "user_ids": users}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["assigned"], 7);
    for (i, id) in pool.iter().enumerate() {
        assert_eq!(
            stored(&app, *id).await.owner_id,
            Some(users[i % 3]),
            "lead {i}"
        );
    }
    let mut counts = [0; 3];
    for id in &pool {
        let o = stored(&app, *id).await.owner_id.unwrap();
        counts[users.iter().position(|u| *u == o).unwrap()] += 1;
    }
    assert_eq!(counts, [3, 2, 2], "7 leads among 3 reps");
    // Bulk assignment to one user.
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": [pool[0], pool[1]], "user_ids": [w.b.id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(stored(&app, pool[0]).await.owner_id, Some(w.b.id));
    assert_eq!(stored(&app, pool[1]).await.owner_id, Some(w.b.id));
    // All or nothing: one lead outside the scope stops the whole batch.
    let foreign = lead_id(&app, &w.c, json!({"name": "丙线索"})).await;
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": [pool[2], foreign], "user_ids": [w.a.id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&app, pool[2]).await.owner_id, Some(extra.id));
    // Users are checked before anything moves; empty lists are refused.
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": [pool[3]], "user_ids": [w.a.id, w.c.id]}),
        )
        .await;
    assert_eq!(r.json()["fields"]["user_ids"]["code"], "out_of_scope");
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": [], "user_ids": [w.a.id]}),
        )
        .await;
    assert_eq!(r.json()["fields"]["lead_ids"]["code"], "invalid_count");
    assert_eq!(stored(&app, pool[3]).await.owner_id, Some(w.a.id));
    // Bulk claim from the pool: all or nothing.
    let p1 = lead_id(&app, &w.marketing, json!({"name": "新池1", "pool": true})).await;
    let p2 = lead_id(&app, &w.marketing, json!({"name": "新池2", "pool": true})).await;
    let r = app
        .post(
            "/api/v1/leads/claim",
            &w.c,
            json!({"lead_ids": [p1, pool[4]]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "pool[4] is owned in another team"
    );
    assert_eq!(stored(&app, p1).await.owner_id, None);
    let r = app
        .post("/api/v1/leads/claim", &w.c, json!({"lead_ids": [p1, p2]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["claimed"], 2);
    assert_eq!(stored(&app, p2).await.owner_id, Some(w.c.id));
});

db_test!(follow_ups_move_status_and_dates, |app| {
    let w = world(&app).await;
    let id = lead_id(
        &app,
        &w.a,
        json!({"name": "张伟", "next_follow_up": "2026-03-03"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/activities"),
            &w.a,
            json!({"kind": "call", "occurred_at": "2026-03-02T08:30:00+08:00",
                   "content": "介绍了产品", "next_follow_up": "2026-03-09"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let first = r.json();
    assert_eq!(first["author_id"], w.a.id);
    assert_eq!(first["author_name"], "rep_a");
    let l = app.get(&format!("/api/v1/leads/{id}"), &w.a).await.json();
    assert_eq!(l["status"], "contacting");
    assert_eq!(l["next_follow_up"], "2026-03-09");
    assert_eq!(l["last_contacted_at"], "2026-03-02T00:30:00Z");
    assert_eq!(l["version"], 2);
    // An earlier contact logged later keeps the latest contact time; no next date clears it.
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/activities"),
            &w.mgr,
            json!({"kind": "visit", "occurred_at": "2026-02-20T10:00:00Z", "content": "补记拜访"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let second = r.json()["id"].as_i64().unwrap();
    let l = app.get(&format!("/api/v1/leads/{id}"), &w.a).await.json();
    assert_eq!(l["last_contacted_at"], "2026-03-02T00:30:00Z");
    assert_eq!(l["next_follow_up"], Value::Null);
    // A qualified lead stays qualified.
    app.patch(
        &format!("/api/v1/leads/{id}"),
        &w.a,
        json!({"version": 3, "status": "qualified"}),
    )
    .await;
    app.post(
        &format!("/api/v1/leads/{id}/activities"),
        &w.a,
        json!({"kind": "email", "content": "发了报价"}),
    )
    .await;
    let l = app.get(&format!("/api/v1/leads/{id}"), &w.a).await.json();
    assert_eq!(l["status"], "qualified");
    assert_eq!(
        l["last_contacted_at"], "2026-03-02T09:00:00Z",
        "default: now"
    );
    // Bad input writes nothing.
    for (body, field) in [
        (json!({"kind": "fax", "content": "x"}), "kind"),
        (json!({"kind": "call"}), "content"),
        (
            json!({"kind": "call", "content": "x", "occurred_at": "yesterday"}),
            "occurred_at",
        ),
        (
            json!({"kind": "call", "content": "x", "next_follow_up": "9.3."}),
            "next_follow_up",
        ),
    ] {
        let r = app
            .post(&format!("/api/v1/leads/{id}/activities"), &w.a, body)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["fields"].get(field).is_some(), "{}", r.text);
    }
    let listed = app
        .get(&format!("/api/v1/leads/{id}/activities"), &w.a)
        .await
        .json();
    assert_eq!(ids(&listed).len(), 3);
    assert_eq!(listed["items"][1]["id"], first["id"], "most recent first");
    // Only its author deletes an entry.
    let del = format!("/api/v1/leads/{id}/activities/{second}");
    let r = app.delete(&del, &w.a).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "not_author");
    let r = app.delete(&del, &w.mgr).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.delete(&del, &w.mgr).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = app
        .get(&format!("/api/v1/leads/{id}/activities"), &w.a)
        .await
        .json();
    assert!(!ids(&listed).contains(&second));
    // Pages.
    let page = app
        .get(&format!("/api/v1/leads/{id}/activities?limit=1"), &w.a)
        .await
        .json();
    assert_eq!(ids(&page).len(), 1);
    let next = page["next"].as_str().unwrap().to_string();
    let page2 = app
        .get(
            &format!("/api/v1/leads/{id}/activities?limit=1&cursor={next}"),
            &w.a,
        )
        .await
        .json();
    assert_eq!(ids(&page2), vec![first["id"].as_i64().unwrap()]);
});

db_test!(a_converted_lead_is_read_only, |app| {
    let w = world(&app).await;
    let id = lead_id(&app, &w.a, json!({"name": "张伟"})).await;
    mark_converted(&app, id).await;
    let v = stored(&app, id).await.version;
    let r = app
        .patch(
            &format!("/api/v1/leads/{id}"),
            &w.a,
            json!({"version": v, "name": "李雷"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let body = r.json();
    assert_eq!(body["error"], "converted");
    assert!(body["message"].as_str().unwrap().contains("converted"));
    for path in [
        format!("/api/v1/leads/{id}/release"),
        format!("/api/v1/leads/{id}/claim"),
    ] {
        let r = app.post(&path, &w.a, json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.text);
    }
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/assign"),
            &w.mgr,
            json!({"user_id": w.b.id}),
        )
        .await;
    assert_eq!(r.json()["error"], "converted");
    let r = app
        .post(
            "/api/v1/leads/assign",
            &w.mgr,
            json!({"lead_ids": [id], "user_ids": [w.b.id]}),
        )
        .await;
    assert_eq!(r.json()["error"], "converted");
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/activities"),
            &w.a,
            json!({"kind": "call", "content": "x"}),
        )
        .await;
    assert_eq!(r.json()["error"], "converted");
    let r = app
        .delete(&format!("/api/v1/leads/{id}?version={v}"), &w.marketing)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "marketing does not see A's lead"
    );
    let r = app
        .delete(&format!("/api/v1/leads/{id}?version={v}"), &w.admin)
        .await;
    assert_eq!(r.json()["error"], "converted");
    let m = stored(&app, id).await;
    assert_eq!(
        (m.name.as_str(), m.owner_id, m.version),
        ("张伟", Some(w.a.id), v)
    );
    assert!(m.deleted_at.is_none());
});

db_test!(deleted_leads_go_to_the_recycle_bin_and_come_back, |app| {
    let w = world(&app).await;
    let id = lead_id(
        &app,
        &w.marketing,
        json!({"name": "王芳", "company": "华信"}),
    )
    .await;
    // Reps and managers have no delete right on market records.
    let r = app
        .delete(&format!("/api/v1/leads/{id}?version=1"), &w.mgr)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .delete(&format!("/api/v1/leads/{id}?version=9"), &w.marketing)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .delete(&format!("/api/v1/leads/{id}?version=1"), &w.marketing)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/leads/{id}"), &w.marketing)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(ids(&app.get("/api/v1/leads", &w.admin).await.json()).is_empty());
    let bin = app.get("/api/v1/recycle-bin", &w.admin).await.json();
    assert_eq!(bin["items"][0]["entity_type"], "lead");
    assert_eq!(bin["items"][0]["label"], "王芳 (华信)");
    let entry = bin["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &w.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        ids(&app.get("/api/v1/leads", &w.marketing).await.json()),
        vec![id]
    );
    assert_eq!(stored(&app, id).await.version, 3);
});

db_test!(lists_filter_search_sort_and_page, |app| {
    let w = world(&app).await;
    let camp = campaign(&app, w.marketing.id, "线上推广", false).await;
    let l1 = lead_id(
        &app,
        &w.a,
        json!({"name": "张伟", "company": "北京星河科技有限公司", "phone": "138 1234 5678",
               "source": "exhibition", "next_follow_up": "2026-03-10"}),
    )
    .await;
    let l2 = lead_id(
        &app,
        &w.a,
        json!({"name": "Li Lei", "company": "ACME Inc.", "email": "li.lei@acme.com",
               "campaign_id": camp, "source": "web_form", "next_follow_up": "2026-03-04"}),
    )
    .await;
    app.clock.advance(chrono::Duration::days(2));
    let l3 = lead_id(&app, &w.a, json!({"name": "王芳", "status": "qualified"})).await;
    let l4 = lead_id(
        &app,
        &w.marketing,
        json!({"name": "赵强", "pool": true, "next_follow_up": "2026-03-04"}),
    )
    .await;
    let q = |path: String| {
        let app = &app;
        let who = w.a.clone();
        async move {
            let r = app.get(&path, &who).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            ids(&r.json())
        }
    };
    assert_eq!(
        q("/api/v1/leads".into()).await,
        vec![l4, l3, l2, l1],
        "newest first"
    );
    assert_eq!(
        q("/api/v1/leads?q=%E6%98%9F%E6%B2%B3".into()).await,
        vec![l1]
    );
    assert_eq!(q("/api/v1/leads?q=acme".into()).await, vec![l2]);
    assert_eq!(q("/api/v1/leads?q=li%20lei".into()).await, vec![l2]);
    assert_eq!(
        q("/api/v1/leads?q=%2B86-138-1234-5678".into()).await,
        vec![l1]
    );
    assert_eq!(q("/api/v1/leads?q=1234".into()).await, vec![l1]);
    assert_eq!(
        q("/api/v1/leads?q=LI.LEI%40ACME.COM".into()).await,
        vec![l2]
    );
    assert_eq!(q("/api/v1/leads?status=qualified".into()).await, vec![l3]);
    assert_eq!(
        q(format!("/api/v1/leads?campaign_id={camp}")).await,
        vec![l2]
    );
    assert_eq!(q("/api/v1/leads?source=exhibition".into()).await, vec![l1]);
    assert_eq!(q("/api/v1/leads?owner=pool".into()).await, vec![l4]);
    assert_eq!(
        q("/api/v1/leads?created_from=2026-03-03".into()).await,
        vec![l4, l3]
    );
    assert_eq!(
        q("/api/v1/leads?created_to=2026-03-03".into()).await,
        vec![l2, l1]
    );
    // Earliest follow-up first (ties by id), leads without one last; paged by cursor.
    let order = vec![l2, l4, l1, l3];
    assert_eq!(q("/api/v1/leads?sort=follow_up".into()).await, order);
    let mut seen = Vec::new();
    for page in app
        .pages("/api/v1/leads?sort=follow_up&limit=1", &w.a)
        .await
    {
        seen.extend(ids(&page));
    }
    assert_eq!(seen, order);
    let p1 = app.get("/api/v1/leads?limit=3", &w.a).await.json();
    assert_eq!(ids(&p1), vec![l4, l3, l2]);
    let next = p1["next"].as_str().unwrap();
    let p2 = app
        .get(&format!("/api/v1/leads?limit=3&cursor={next}"), &w.a)
        .await
        .json();
    assert_eq!(ids(&p2), vec![l1]);
    assert_eq!(p2["next"], Value::Null);
    // Overdue flags follow today (2026-03-04 now).
    let l = app.get(&format!("/api/v1/leads/{l2}"), &w.a).await.json();
    assert_eq!(l["overdue"], false);
    app.clock.advance(chrono::Duration::days(1));
    let l = app.get(&format!("/api/v1/leads/{l2}"), &w.a).await.json();
    assert_eq!(l["overdue"], true);
    // Bad filters are refused.
    for bad in [
        "?status=won",
        "?source=tv",
        "?owner=nobody",
        "?sort=name",
        "?limit=0",
    ] {
        let r = app.get(&format!("/api/v1/leads{bad}"), &w.a).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
});

db_test!(the_openapi_document_lists_the_lead_endpoints, |app| {
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    for p in [
        "/api/v1/leads",
        "/api/v1/leads/count",
        "/api/v1/leads/assign",
        "/api/v1/leads/claim",
        "/api/v1/leads/{id}",
        "/api/v1/leads/{id}/claim",
        "/api/v1/leads/{id}/release",
        "/api/v1/leads/{id}/assign",
        "/api/v1/leads/{id}/activities",
        "/api/v1/leads/{id}/activities/{activity_id}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "missing {p}");
    }
    for s in ["LeadDto", "LeadBody", "FollowUpDto", "AssignManyBody"] {
        assert!(doc["components"]["schemas"].get(s).is_some(), "missing {s}");
    }
});
