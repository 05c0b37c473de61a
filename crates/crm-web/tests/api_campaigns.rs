//! Campaigns through the API on both databases: CRUD with versions, recycle bin and audit;
//! per-field validation that writes nothing; the permission rules (company-wide reading,
//! owner scope for changes); results against hand-computed figures and their scope.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use chrono::Duration;
use crm_domain::Role;
use crm_store::entity::{audit_log, campaign, lead, sales_order};
use crm_testkit::{db_test, json, TestApp, TestUser};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

struct Team {
    admin: TestUser,
    mgr: TestUser,
    a: TestUser,
    b: TestUser,
}

async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    Team { admin, mgr, a, b }
}

async fn create(app: &TestApp, who: &TestUser, body: Value) -> Value {
    let r = app.post("/api/v1/campaigns", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

async fn campaign_count(app: &TestApp) -> u64 {
    campaign::Entity::find().count(&app.core.db).await.unwrap()
}

db_test!(create_change_delete_restore, |app| {
    let t = team(&app).await;
    let c = create(
        &app,
        &t.mgr,
        json!({"name": "2026 上海工博会", "kind": "exhibition", "status": "active",
               "starts_on": "2026-03-01", "ends_on": "2026-03-05", "budget": 20000,
               "actual_cost": "18500.5", "expected_leads": 120, "expected_revenue": "300000",
               "description": "展位 A-12", "actual_results": null}),
    )
    .await;
    let cid = id(&c);
    assert_eq!(c["name"], "2026 上海工博会");
    assert_eq!(c["kind"], "exhibition");
    assert_eq!(c["status"], "active");
    assert_eq!(c["starts_on"], "2026-03-01");
    assert_eq!(c["ends_on"], "2026-03-05");
    assert_eq!(c["budget"], "20000.00");
    assert_eq!(c["actual_cost"], "18500.50");
    assert_eq!(c["expected_leads"], 120);
    assert_eq!(c["expected_revenue"], "300000.00");
    assert_eq!(c["owner_id"], t.mgr.id, "the creator owns it by default");
    assert_eq!(c["owner_name"], "manager");
    assert_eq!(c["form_enabled"], false);
    assert_eq!(c["form_path"], Value::Null);
    assert_eq!(c["version"], 1);
    assert_eq!(c["results"]["leads"], 0);
    assert_eq!(c["results"]["cost_per_lead"], Value::Null);
    assert_eq!(
        c["results"]["roi"], "-100.00",
        "no revenue yet: all of the cost lost"
    );

    // Defaults: only the name is required.
    let d = create(&app, &t.a, json!({"name": "电话回访"})).await;
    assert_eq!(d["kind"], "other");
    assert_eq!(d["status"], "planned");
    assert_eq!(d["budget"], "0.00");
    assert_eq!(d["results"]["roi"], Value::Null, "no ROI without cost");

    let path = format!("/api/v1/campaigns/{cid}");
    let r = app
        .patch(
            &path,
            &t.mgr,
            json!({"version": 1, "status": "completed", "actual_results": "收集名片 130 张",
                   "expected_leads": null, "ends_on": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["version"], 2);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["actual_results"], "收集名片 130 张");
    assert_eq!(v["expected_leads"], Value::Null);
    assert_eq!(v["ends_on"], Value::Null);
    assert_eq!(v["budget"], "20000.00", "omitted fields stay");
    // A stale version changes nothing; PATCH without a version is refused.
    let r = app
        .patch(&path, &t.mgr, json!({"version": 1, "name": "旧版本"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.patch(&path, &t.mgr, json!({"name": "无版本"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["version"]["code"], "required");
    assert_eq!(app.get(&path, &t.a).await.json()["name"], "2026 上海工博会");

    // Listing and filters.
    let list = app.get("/api/v1/campaigns", &t.b).await.json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["电话回访", "2026 上海工博会"], "newest first");
    let only = |q: &str| {
        let q = q.to_string();
        let app = &app;
        let who = &t.b;
        async move {
            app.get(&format!("/api/v1/campaigns?{q}"), who).await.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(only("kind=exhibition").await, vec![cid]);
    assert_eq!(only("status=planned").await, vec![id(&d)]);
    assert_eq!(only(&format!("owner_id={}", t.a.id)).await, vec![id(&d)]);
    assert_eq!(only("q=%E5%B7%A5%E5%8D%9A").await, vec![cid], "q=工博");
    assert_eq!(only("from=2026-03-02").await, vec![cid], "still running");
    assert_eq!(only("to=2026-02-28").await, Vec::<i64>::new());
    let page = app.get("/api/v1/campaigns?limit=1", &t.b).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap().to_string();
    let page2 = app
        .get(&format!("/api/v1/campaigns?limit=1&cursor={next}"), &t.b)
        .await
        .json();
    assert_eq!(page2["items"][0]["id"], cid);
    assert_eq!(page2["next"], Value::Null);
    let r = app.get("/api/v1/campaigns?kind=fair", &t.b).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Deleting needs market:delete (managers have none), then the bin brings it back.
    let r = app.delete(&format!("{path}?version=2"), &t.mgr).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.delete(&format!("{path}?version=1"), &t.admin).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "stale version");
    let r = app.delete(&format!("{path}?version=2"), &t.admin).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &t.mgr).await.status, StatusCode::NOT_FOUND);
    let bin = app.get("/api/v1/recycle-bin", &t.admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "campaign")
        .unwrap()
        .clone();
    assert_eq!(entry["entity_id"], cid);
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{}/restore", entry["id"]),
            &t.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&path, &t.mgr).await.json()["version"], 4);

    let mut actions: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::EntityType.eq("campaign"))
        .filter(audit_log::Column::EntityId.eq(cid.to_string()))
        .all(&app.core.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.sort();
    assert_eq!(actions, vec!["create", "delete", "restore", "update"]);
});

db_test!(every_field_is_validated_and_nothing_is_written, |app| {
    let t = team(&app).await;
    let cases = [
        (json!({}), "name", "required"),
        (json!({"name": "  "}), "name", "required"),
        (json!({"name": "x".repeat(201)}), "name", "too_long"),
        (
            json!({"name": "a", "kind": "fair"}),
            "kind",
            "invalid_choice",
        ),
        (
            json!({"name": "a", "status": "done"}),
            "status",
            "invalid_choice",
        ),
        (
            json!({"name": "a", "starts_on": "2026-13-01"}),
            "starts_on",
            "invalid_date",
        ),
        (
            json!({"name": "a", "starts_on": "2026-03-05", "ends_on": "2026-03-01"}),
            "ends_on",
            "ends_before_start",
        ),
        (json!({"name": "a", "budget": -1}), "budget", "negative"),
        (
            json!({"name": "a", "actual_cost": "12.345"}),
            "actual_cost",
            "invalid_amount",
        ),
        (
            json!({"name": "a", "actual_cost": "abc"}),
            "actual_cost",
            "invalid_amount",
        ),
        (
            json!({"name": "a", "expected_leads": 1.5}),
            "expected_leads",
            "invalid_number",
        ),
        (
            json!({"name": "a", "expected_leads": -3}),
            "expected_leads",
            "negative",
        ),
        (
            json!({"name": "a", "expected_revenue": "-10"}),
            "expected_revenue",
            "negative",
        ),
        (
            json!({"name": "a", "description": "长".repeat(5001)}),
            "description",
            "too_long",
        ),
        (
            json!({"name": "a", "actual_results": "bad\u{7}char"}),
            "actual_results",
            "invalid_characters",
        ),
        (
            json!({"name": "a", "owner_id": 9999}),
            "owner_id",
            "not_found",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post("/api/v1/campaigns", &t.mgr, body.clone()).await;
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
    // Several bad fields at once are all reported.
    let r = app
        .post(
            "/api/v1/campaigns",
            &t.mgr,
            json!({"kind": "x", "budget": "-5", "starts_on": "soon"}),
        )
        .await;
    let fields = r.json()["fields"].clone();
    for f in ["name", "kind", "budget", "starts_on"] {
        assert!(fields.get(f).is_some(), "{f} in {fields}");
    }
    let r = app
        .post(
            "/api/v1/campaigns",
            &t.mgr,
            json!({"name": "a", "color": "red"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
    assert_eq!(campaign_count(&app).await, 0, "nothing written");

    // A bad PATCH leaves the campaign as it was.
    let c = create(&app, &t.mgr, json!({"name": "春季研讨会", "budget": "100"})).await;
    let path = format!("/api/v1/campaigns/{}", id(&c));
    let r = app
        .patch(
            &path,
            &t.mgr,
            json!({"version": 1, "name": "改名", "budget": "-1", "starts_on": "2026-04-02",
                   "ends_on": "2026-04-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["ends_on"]["code"], "ends_before_start");
    let now = app.get(&path, &t.mgr).await.json();
    assert_eq!(now["name"], "春季研讨会");
    assert_eq!(now["budget"], "100.00");
    assert_eq!(now["version"], 1);
    let _ = t.admin;
});

db_test!(
    anyone_with_market_view_reads_only_the_owner_scope_changes,
    |app| {
        let t = team(&app).await;
        let staff = app.user("service_1", Role::ServiceStaff, None, None).await;
        let mine = create(&app, &t.mgr, json!({"name": "经理的活动"})).await;
        let path = format!("/api/v1/campaigns/{}", id(&mine));

        // A rep reads the manager's campaign but may not change it or its form.
        let r = app.get(&path, &t.a).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app
            .patch(&path, &t.a, json!({"version": 1, "name": "改掉"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = app
            .post(
                &format!("{path}/form"),
                &t.a,
                json!({"version": 1, "enabled": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&path, &t.a).await.json()["name"], "经理的活动");
        // Without market rights nothing at all; a missing campaign is 404.
        assert_eq!(
            app.get("/api/v1/campaigns", &staff).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/campaigns/999999", &t.a).await.status,
            StatusCode::NOT_FOUND
        );

        // A rep's own campaign: only they (and their managers) change it.
        let own = create(&app, &t.a, json!({"name": "A 的活动"})).await;
        let own_path = format!("/api/v1/campaigns/{}", id(&own));
        let r = app
            .post(
                "/api/v1/campaigns",
                &t.a,
                json!({"name": "给 B 的", "owner_id": t.b.id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["owner_id"]["code"], "out_of_scope");
        let r = app
            .patch(&own_path, &t.b, json!({"version": 1, "name": "B 改"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The manager (a's scope) hands it to b, after which a may no longer change it.
        let r = app
            .patch(&own_path, &t.mgr, json!({"version": 1, "owner_id": t.b.id}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["owner_id"], t.b.id);
        let r = app
            .patch(&own_path, &t.a, json!({"version": 2, "name": "A 再改"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A manager cannot give a campaign to someone outside their scope.
        let r = app
            .patch(
                &own_path,
                &t.mgr,
                json!({"version": 2, "owner_id": t.admin.id}),
            )
            .await;
        assert_eq!(r.json()["fields"]["owner_id"]["code"], "out_of_scope");
        // Reps have no market:delete.
        let r = app.delete(&format!("{own_path}?version=2"), &t.b).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

// ------------------------------------------------------------------------------------
// Results

async fn customer(app: &TestApp, who: &TestUser, name: &str) -> i64 {
    let r = app
        .post("/api/v1/customers", who, json!({ "name": name }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    id(&r.json())
}

struct LeadSpec {
    campaign: i64,
    owner: Option<i64>,
    status: &'static str,
    customer: Option<i64>,
    opportunity: Option<i64>,
    deleted: bool,
}

async fn lead(app: &TestApp, name: &str, s: LeadSpec) -> i64 {
    let now = app.core.now();
    let converted = s.status == "converted";
    lead::ActiveModel {
        name: Set(name.into()),
        source: Set(Some("exhibition".into())),
        campaign_id: Set(Some(s.campaign)),
        status: Set(s.status.into()),
        owner_id: Set(s.owner),
        converted_at: Set(converted.then_some(now)),
        customer_id: Set(s.customer),
        opportunity_id: Set(s.opportunity),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(s.deleted.then_some(now)),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id
}

/// An order written straight into the table, created `offset` from now.
async fn order(
    app: &TestApp,
    customer: i64,
    owner: i64,
    status: &str,
    total: i64,
    offset: Duration,
) {
    let at = app.core.now() + offset;
    let n = sales_order::Entity::find()
        .count(&app.core.db)
        .await
        .unwrap();
    sales_order::ActiveModel {
        number: Set(format!("SO-T-{n:04}")),
        customer_id: Set(customer),
        owner_id: Set(owner),
        status: Set(if status == "deleted" {
            "approved"
        } else {
            status
        }
        .into()),
        order_date: Set(at.date_naive()),
        subtotal: Set(total),
        discount_total: Set(0),
        total: Set(total),
        received: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        deleted_at: Set((status == "deleted").then_some(at)),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
}

async fn won_opportunity(app: &TestApp, who: &TestUser, customer: i64, amount: &str) -> i64 {
    let stages = app.get("/api/v1/pipeline-stages", who).await.json();
    let stage = stages["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            "/api/v1/opportunities",
            who,
            json!({"customer_id": customer, "name": "首单", "amount": amount, "stage_id": stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let oid = id(&r.json());
    let r = app
        .post(
            &format!("/api/v1/opportunities/{oid}/close"),
            who,
            json!({"outcome": "won", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    oid
}

fn figures(v: &Value) -> Value {
    v["results"].clone()
}

db_test!(results_are_computed_by_hand_and_follow_the_scope, |app| {
    let t = team(&app).await;
    let mkt = app.user("marketer", Role::Marketing, None, None).await;
    let c = create(
        &app,
        &t.admin,
        json!({"name": "秋季展会", "actual_cost": "1000", "expected_leads": 10,
               "expected_revenue": "5000"}),
    )
    .await;
    let cid = id(&c);
    let other = id(&create(
        &app,
        &t.admin,
        json!({"name": "其他活动", "actual_cost": 300}),
    )
    .await);
    let x = customer(&app, &t.a, "甲方科技").await;
    let y = customer(&app, &t.b, "乙方贸易").await;
    let o1 = won_opportunity(&app, &t.a, x, "3000").await;
    let spec = |owner: Option<&TestUser>, status: &'static str| LeadSpec {
        campaign: cid,
        owner: owner.map(|u| u.id),
        status,
        customer: None,
        opportunity: None,
        deleted: false,
    };
    lead(&app, "池一", spec(None, "new")).await;
    lead(&app, "池二", spec(None, "contacting")).await;
    lead(
        &app,
        "甲转化",
        LeadSpec {
            customer: Some(x),
            opportunity: Some(o1),
            ..spec(Some(&t.a), "converted")
        },
    )
    .await;
    lead(
        &app,
        "甲再转化",
        LeadSpec {
            customer: Some(x),
            ..spec(Some(&t.a), "converted")
        },
    )
    .await;
    lead(&app, "甲跟进", spec(Some(&t.a), "contacting")).await;
    lead(
        &app,
        "乙转化",
        LeadSpec {
            customer: Some(y),
            ..spec(Some(&t.b), "converted")
        },
    )
    .await;
    lead(
        &app,
        "已删除",
        LeadSpec {
            deleted: true,
            ..spec(Some(&t.a), "new")
        },
    )
    .await;
    lead(
        &app,
        "别的活动",
        LeadSpec {
            campaign: other,
            ..spec(None, "new")
        },
    )
    .await;
    let later = Duration::hours(1);
    order(&app, x, t.a.id, "approved", 200_000, later).await; // counted
    order(&app, x, t.a.id, "submitted", 99_900, later).await; // not approved
    order(&app, x, t.a.id, "approved", 777_700, -Duration::days(10)).await; // before conversion
    order(&app, x, t.a.id, "deleted", 50_000, later).await; // deleted
    order(&app, y, t.b.id, "approved", 150_000, later).await; // counted
    order(&app, y, t.b.id, "cancelled", 80_000, later).await; // cancelled

    // Everything: 6 live leads, 3 converted, customers x and y, o1 won, 2000 + 1500 revenue.
    for who in [&t.admin, &t.mgr] {
        let r = figures(
            &app.get(&format!("/api/v1/campaigns/{cid}"), who)
                .await
                .json(),
        );
        assert_eq!(r["leads"], 6, "{r}");
        assert_eq!(r["converted"], 3);
        assert_eq!(r["conversion_rate"], "50.00");
        assert_eq!(r["customers"], 2);
        assert_eq!(r["won"], 1);
        assert_eq!(r["won_amount"], "3000.00");
        assert_eq!(r["revenue"], "3500.00");
        assert_eq!(r["actual_cost"], "1000.00");
        assert_eq!(r["cost_per_lead"], "166.67", "1000 / 6 rounded half up");
        assert_eq!(r["roi"], "250.00", "(3500 − 1000) / 1000");
        assert_eq!(r["leads_vs_expected"], "60.00");
        assert_eq!(r["revenue_vs_expected"], "70.00");
    }
    // Rep a: the pool, her three leads, her customer, opportunity and order.
    let r = figures(
        &app.get(&format!("/api/v1/campaigns/{cid}"), &t.a)
            .await
            .json(),
    );
    assert_eq!(
        (
            r["leads"].as_i64(),
            r["converted"].as_i64(),
            r["customers"].as_i64()
        ),
        (Some(5), Some(2), Some(1))
    );
    assert_eq!(r["won"], 1);
    assert_eq!(r["revenue"], "2000.00");
    assert_eq!(r["cost_per_lead"], "200.00");
    assert_eq!(r["roi"], "100.00");
    // Rep b: the pool and his one converted lead.
    let r = figures(
        &app.get(&format!("/api/v1/campaigns/{cid}"), &t.b)
            .await
            .json(),
    );
    assert_eq!(r["leads"], 3);
    assert_eq!(r["converted"], 1);
    assert_eq!(r["customers"], 1);
    assert_eq!(r["won"], 0);
    assert_eq!(r["won_amount"], "0.00");
    assert_eq!(r["revenue"], "1500.00");
    assert_eq!(r["cost_per_lead"], "333.33");
    assert_eq!(r["roi"], "50.00");
    // Marketing has no sales rights: no opportunities, revenue or ROI; pool leads only.
    let r = figures(
        &app.get(&format!("/api/v1/campaigns/{cid}"), &mkt)
            .await
            .json(),
    );
    assert_eq!(r["leads"], 2);
    assert_eq!(r["won"], Value::Null);
    assert_eq!(r["revenue"], Value::Null);
    assert_eq!(r["roi"], Value::Null);
    assert_eq!(r["customers"], 0);

    // The list carries the same figures per campaign.
    let list = app.get("/api/v1/campaigns", &t.a).await.json();
    let items = list["items"].as_array().unwrap();
    let of = |cid: i64| items.iter().find(|x| x["id"] == cid).unwrap()["results"].clone();
    assert_eq!(of(cid)["leads"], 5);
    assert_eq!(of(cid)["revenue"], "2000.00");
    assert_eq!(of(other)["leads"], 1);
    assert_eq!(of(other)["revenue"], "0.00");
    assert_eq!(of(other)["roi"], "-100.00");
    assert_eq!(of(other)["cost_per_lead"], "300.00");
});
