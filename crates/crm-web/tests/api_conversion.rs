//! Duplicate detection (查重) and lead conversion (线索转化) through the real router on both
//! databases: every field carried over, the duplicate keys and their visibility, link and
//! merge rules, 409s, concurrent conversions, and the upkeep of `match_keys`.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use crm_domain::dedupe::{company_key, email_key, phone_key};
use crm_domain::Role;
use crm_store::entity::{activity, lead, lead_activity, match_key};
use crm_testkit::{db_test, json, TestApp, TestUser};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

/// A lead written straight to the table (as the leads module does: keys normalised).
#[derive(Default)]
struct NewLead<'a> {
    name: &'a str,
    company: Option<&'a str>,
    title: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    province: Option<&'a str>,
    city: Option<&'a str>,
    address: Option<&'a str>,
    industry: Option<&'a str>,
    source: Option<&'a str>,
    notes: Option<&'a str>,
    owner: Option<i64>,
}

async fn add_lead(app: &TestApp, l: NewLead<'_>) -> lead::Model {
    let now = app.core.now();
    lead::ActiveModel {
        name: Set(l.name.into()),
        company: Set(l.company.map(Into::into)),
        title: Set(l.title.map(Into::into)),
        phone: Set(l.phone.map(Into::into)),
        email: Set(l.email.map(Into::into)),
        phone_norm: Set(l.phone.and_then(phone_key)),
        email_norm: Set(l.email.and_then(email_key)),
        company_norm: Set(l.company.and_then(company_key)),
        province: Set(l.province.map(Into::into)),
        city: Set(l.city.map(Into::into)),
        address: Set(l.address.map(Into::into)),
        industry: Set(l.industry.map(Into::into)),
        source: Set(l.source.map(Into::into)),
        campaign_id: Set(None),
        status: Set("qualified".into()),
        owner_id: Set(l.owner),
        notes: Set(l.notes.map(Into::into)),
        next_follow_up: Set(None),
        last_contacted_at: Set(None),
        import_key: Set(None),
        converted_at: Set(None),
        converted_by: Set(None),
        customer_id: Set(None),
        contact_id: Set(None),
        opportunity_id: Set(None),
        created_by: Set(l.owner),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
}

async fn lead_row(app: &TestApp, id: i64) -> lead::Model {
    lead::Entity::find_by_id(id)
        .one(&app.core.db)
        .await
        .unwrap()
        .unwrap()
}

async fn customer(app: &TestApp, who: &TestUser, body: Value) -> i64 {
    let r = app.post("/api/v1/customers", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn contact(app: &TestApp, who: &TestUser, body: Value) -> i64 {
    let r = app.post("/api/v1/contacts", who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn customers_count(app: &TestApp) -> u64 {
    crm_store::entity::customer::Entity::find()
        .count(&app.core.db)
        .await
        .unwrap()
}

async fn stage(app: &TestApp) -> crm_store::pipeline::Model {
    crm_store::pipeline::list(&app.core.db, true)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

/// The (kind, key, owner) rows of one record in `match_keys`.
async fn keys(app: &TestApp, entity_type: &str, id: i64) -> Vec<(String, String, i64)> {
    crm_store::match_keys::of_entity(&app.core.db, entity_type, id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.kind, k.key, k.owner_id))
        .collect()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn dups(app: &TestApp, who: &TestUser, query: &[(&str, &str)]) -> Vec<Value> {
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    let r = app
        .get(&format!("/api/v1/duplicates?{}", q.join("&")), who)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["items"].as_array().unwrap().clone()
}

fn reasons(m: &Value) -> Vec<&str> {
    m["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect()
}

db_test!(conversion_carries_every_field_and_the_history, |app| {
    let admin = app.admin().await;
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let l = add_lead(
        &app,
        NewLead {
            name: "王小明",
            company: Some("北京星河科技有限公司"),
            title: Some("采购经理"),
            phone: Some("+86 138-1234-5678"),
            email: Some("Wang.XM@Xinghe.cn"),
            province: Some("北京市"),
            city: Some("北京"),
            address: Some("海淀区中关村大街1号"),
            industry: Some("软件与信息服务"),
            source: Some("exhibition"),
            notes: Some("展会上留的名片"),
            owner: Some(rep.id),
        },
    )
    .await;
    let t0 = app.core.now() - Duration::days(3);
    for (i, (kind, author)) in [("call", Some(rep.id)), ("visit", None)].iter().enumerate() {
        lead_activity::ActiveModel {
            lead_id: Set(l.id),
            kind: Set((*kind).into()),
            occurred_at: Set(t0 + Duration::hours(i as i64)),
            content: Set(format!("跟进 {i}")),
            next_follow_up: Set(NaiveDate::from_ymd_opt(2026, 3, 10 + i as u32)),
            author_id: Set(*author),
            created_at: Set(t0),
            deleted_at: Set(None),
            ..Default::default()
        }
        .insert(&app.core.db)
        .await
        .unwrap();
    }
    let st = stage(&app).await;
    let r = app
        .post(
            &format!("/api/v1/leads/{}/convert", l.id),
            &admin,
            json!({"customer": {"mode": "create"},
                   "opportunity": {"name": "星河 CRM 项目", "amount": "120000.50",
                                   "stage_id": st.id, "expected_close": "2026-06-30"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["customer_created"], true);
    assert_eq!(body["activities_copied"], 2);
    let cid = body["customer_id"].as_i64().unwrap();
    let kid = body["contact_id"].as_i64().unwrap();
    let oid = body["opportunity_id"].as_i64().unwrap();

    let c = app
        .get(&format!("/api/v1/customers/{cid}"), &admin)
        .await
        .json();
    assert_eq!(c["name"], "北京星河科技有限公司");
    assert_eq!(c["nature"], "enterprise");
    assert_eq!(c["phone"], "+86 138-1234-5678");
    assert_eq!(c["province"], "北京市");
    assert_eq!(c["city"], "北京");
    assert_eq!(c["street"], "海淀区中关村大街1号");
    assert_eq!(c["industry"], "软件与信息服务");
    assert_eq!(c["source"], "exhibition");
    assert_eq!(c["notes"], "展会上留的名片");
    assert_eq!(c["status"], "potential");
    assert_eq!(c["owner_id"], rep.id, "the lead's owner owns the customer");

    let k = crm_store::contacts::find(&app.core.db, kid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(k.customer_id, cid);
    assert_eq!(k.name, "王小明");
    assert_eq!(k.title.as_deref(), Some("采购经理"));
    assert_eq!(k.mobile.as_deref(), Some("+86 138-1234-5678"));
    assert_eq!(k.phone, None);
    assert_eq!(k.email.as_deref(), Some("wang.xm@xinghe.cn"));
    assert!(k.is_primary);

    let o = app
        .get(&format!("/api/v1/opportunities/{oid}"), &admin)
        .await
        .json();
    assert_eq!(o["customer_id"], cid);
    assert_eq!(o["name"], "星河 CRM 项目");
    assert_eq!(o["amount"], "120000.50");
    assert_eq!(o["stage_id"], st.id);
    assert_eq!(o["probability"], st.probability);
    assert_eq!(o["expected_close"], "2026-06-30");
    assert_eq!(o["owner_id"], rep.id);
    assert_eq!(o["source"], "exhibition");

    let acts = activity::Entity::find()
        .filter(activity::Column::CustomerId.eq(cid))
        .all(&app.core.db)
        .await
        .unwrap();
    assert_eq!(acts.len(), 2);
    let mut acts = acts;
    acts.sort_by_key(|a| a.occurred_at);
    assert_eq!(acts[0].kind, "call");
    assert_eq!(acts[0].content, "跟进 0");
    assert_eq!(acts[0].author_id, rep.id);
    assert_eq!(acts[0].occurred_at, t0);
    assert_eq!(acts[0].next_follow_up, NaiveDate::from_ymd_opt(2026, 3, 10));
    assert_eq!(acts[1].kind, "visit");
    assert_eq!(acts[1].author_id, admin.id, "no author: the converter");
    assert!(acts
        .iter()
        .all(|a| a.contact_id == Some(kid) && a.owner_id == rep.id));
    // The customer's timeline (contact history) shows them.
    let list = app
        .get(&format!("/api/v1/activities?customer_id={cid}"), &rep)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 2);

    let l2 = lead_row(&app, l.id).await;
    assert_eq!(l2.status, "converted");
    assert_eq!(l2.converted_by, Some(admin.id));
    assert_eq!(l2.converted_at, Some(app.core.now()));
    assert_eq!(l2.customer_id, Some(cid));
    assert_eq!(l2.contact_id, Some(kid));
    assert_eq!(l2.opportunity_id, Some(oid));
    assert_eq!(l2.version, 2);

    let audit = crm_store::audit::list(&app.core.db, &Default::default(), None, 50)
        .await
        .unwrap();
    let has = |t: &str, a: &str, id: i64| {
        audit
            .iter()
            .any(|e| e.entity_type == t && e.action == a && e.entity_id == id.to_string())
    };
    assert!(has("lead", "convert", l.id));
    assert!(has("customer", "create", cid));
    assert!(has("contact", "create", kid));
    assert!(has("opportunity", "create", oid));

    // match_keys in step: the new customer and contact are found by the next check.
    assert_eq!(
        keys(&app, "customer", cid).await,
        vec![
            ("company".into(), "北京星河科技".into(), rep.id),
            ("phone".into(), "13812345678".into(), rep.id),
        ]
    );
    assert_eq!(keys(&app, "contact", kid).await.len(), 2);
});

db_test!(
    a_person_without_company_becomes_an_individual_customer,
    |app| {
        let rep = app.user("rep_a", Role::SalesRep, None, None).await;
        let l = add_lead(
            &app,
            NewLead {
                name: "李四",
                phone: Some("010-6552 9988"),
                source: Some("web_form"),
                ..Default::default()
            },
        )
        .await;
        // A pool lead: the converter owns the customer.
        let r = app
            .post(&format!("/api/v1/leads/{}/convert", l.id), &rep, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cid = r.json()["customer_id"].as_i64().unwrap();
        let c = crm_store::customers::find(&app.core.db, cid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.name, "李四");
        assert_eq!(c.nature.as_deref(), Some("individual"));
        assert_eq!(c.source.as_deref(), Some("website"));
        assert_eq!(c.owner_id, rep.id);
        let k = crm_store::contacts::of_customer(&app.core.db, cid)
            .await
            .unwrap();
        assert_eq!(
            k[0].phone.as_deref(),
            Some("010-6552 9988"),
            "a landline is a phone"
        );
        assert_eq!(k[0].mobile, None);
        assert_eq!(r.json()["opportunity_id"], Value::Null);
    }
);

db_test!(
    duplicates_are_found_across_formats_case_and_suffixes,
    |app| {
        let admin = app.admin().await;
        let cid = customer(
            &app,
            &admin,
            json!({"name": "北京星河科技有限公司", "phone": "010-8888 6666"}),
        )
        .await;
        let kid = contact(
            &app,
            &admin,
            json!({"customer_id": cid, "name": "李明", "mobile": "13812345678",
               "email": "Li.Ming@Example.com"}),
        )
        .await;
        let acme = customer(&app, &admin, json!({"name": "ACME Co., Ltd."})).await;
        let lead = add_lead(
            &app,
            NewLead {
                name: "王五",
                phone: Some("138 1234 5678"),
                company: Some("星河传媒"),
                ..Default::default()
            },
        )
        .await;

        let m = dups(&app, &admin, &[("phone", "+86 138-1234-5678")]).await;
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0]["kind"], "contact");
        assert_eq!(m[0]["id"], kid);
        assert_eq!(m[0]["name"], "李明");
        assert_eq!(m[0]["customer_id"], cid);
        assert_eq!(m[0]["customer_name"], "北京星河科技有限公司");
        assert_eq!(m[0]["owner_name"], "admin");
        assert_eq!(m[0]["editable"], true);
        assert_eq!(reasons(&m[0]), ["phone"]);
        assert_eq!(m[1]["kind"], "lead");
        assert_eq!(m[1]["id"], lead.id);

        let m = dups(&app, &admin, &[("email", "LI.MING@example.COM")]).await;
        assert_eq!((m.len(), &m[0]["id"]), (1, &json!(kid)));
        assert_eq!(reasons(&m[0]), ["email"]);

        for name in [
            "北京星河科技",
            "北京星河科技股份有限公司",
            "北京 星河科技（有限公司）",
        ] {
            let m = dups(&app, &admin, &[("company", name)]).await;
            assert_eq!(m.len(), 1, "{name}: {m:?}");
            assert_eq!(
                (&m[0]["kind"], &m[0]["id"]),
                (&json!("customer"), &json!(cid))
            );
            assert_eq!(reasons(&m[0]), ["company"]);
        }
        for name in ["Acme Inc.", "ACME Limited", "acme"] {
            let m = dups(&app, &admin, &[("company", name)]).await;
            assert_eq!(m.len(), 1, "{name}");
            assert_eq!(m[0]["id"], acme);
        }
        assert!(dups(&app, &admin, &[("company", "北京星河")])
            .await
            .is_empty());
        assert!(dups(&app, &admin, &[("phone", "13812345679")])
            .await
            .is_empty());

        // Several phones (comma-separated) and an email: reasons of one record merged.
        let m = dups(
            &app,
            &admin,
            &[
                ("phone", "010 8888 6666, 0086 13812345678"),
                ("email", "li.ming@example.com"),
                ("company", "北京星河科技有限公司"),
            ],
        )
        .await;
        let contact_match = m.iter().find(|x| x["kind"] == "contact").unwrap();
        assert_eq!(reasons(contact_match), ["phone", "email"]);
        let customer_match = m.iter().find(|x| x["kind"] == "customer").unwrap();
        assert_eq!(reasons(customer_match), ["phone", "company"]);

        // The lead's own duplicates leave the lead out.
        let r = app
            .get(&format!("/api/v1/leads/{}/duplicates", lead.id), &admin)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["id"], kid);

        // The batch form: one answer per probe, in order.
        let r = app
        .post(
            "/api/v1/duplicates/batch",
            &admin,
            json!({"probes": [{"company": "Acme"}, {"phone": "123"}, {"email": "li.ming@example.com"}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let res = r.json()["results"].as_array().unwrap().clone();
        assert_eq!(res.len(), 3);
        assert_eq!(res[0][0]["id"], acme);
        assert!(res[1].as_array().unwrap().is_empty());
        assert_eq!(res[2][0]["id"], kid);
        let many: Vec<Value> = (0..1001).map(|_| json!({"company": "x"})).collect();
        let r = app
            .post("/api/v1/duplicates/batch", &admin, json!({"probes": many}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["probes"]["code"], "too_many");
    }
);

db_test!(invisible_matches_reveal_only_the_owner_name, |app| {
    let mgr = app.user("manager", Role::SalesManager, None, None).await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(mgr.id)).await;
    let svc = app.user("service", Role::ServiceStaff, None, None).await;
    let cid = customer(
        &app,
        &a,
        json!({"name": "上海秘密贸易有限公司", "phone": "021-5555 1234"}),
    )
    .await;
    let hidden_lead = add_lead(
        &app,
        NewLead {
            name: "赵六",
            email: Some("zhao@secret.cn"),
            company: Some("上海秘密贸易"),
            owner: Some(a.id),
            ..Default::default()
        },
    )
    .await;
    let pool_lead = add_lead(
        &app,
        NewLead {
            name: "钱七",
            company: Some("上海秘密贸易公司"),
            ..Default::default()
        },
    )
    .await;

    let r = app
        .get(
            &format!("/api/v1/duplicates?company={}", enc("上海秘密贸易")),
            &b,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text.contains("上海秘密贸易有限公司"), "{}", r.text);
    assert!(!r.text.contains("赵六"), "{}", r.text);
    let m = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(m.len(), 3, "{m:?}");
    // Visible first: the pool lead.
    assert_eq!(m[0]["kind"], "lead");
    assert_eq!(m[0]["visible"], true);
    assert_eq!(m[0]["id"], pool_lead.id);
    assert_eq!(m[0]["owner_name"], Value::Null);
    for (x, kind) in [(&m[1], "customer"), (&m[2], "lead")] {
        assert_eq!(x["kind"], kind);
        assert_eq!(x["visible"], false);
        assert_eq!(x["owner_name"], "rep_a");
        assert_eq!(reasons(x), ["company"]);
        let keys: Vec<&String> = x.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kind", "owner_name", "reasons", "visible"], "{x}");
    }
    // The manager sees the customer and the lead; a read share shows it, not editable.
    let m = dups(&app, &mgr, &[("company", "上海秘密贸易")]).await;
    assert!(m.iter().all(|x| x["visible"] == true));
    assert!(m.iter().any(|x| x["id"] == cid && x["kind"] == "customer"));
    assert!(m.iter().any(|x| x["id"] == hidden_lead.id));
    let r = app
        .post(
            &format!("/api/v1/customers/{cid}/shares"),
            &a,
            json!({"user_id": b.id, "access": "read"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let m = dups(&app, &b, &[("phone", "02155551234")]).await;
    assert_eq!(m.len(), 1);
    assert_eq!(
        (&m[0]["visible"], &m[0]["editable"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(m[0]["name"], "上海秘密贸易有限公司");
    // Someone who may view customers but not leads: leads are hidden; without either
    // module the finder is refused.
    let m = dups(&app, &svc, &[("company", "上海秘密贸易")]).await;
    assert!(m
        .iter()
        .filter(|x| x["kind"] == "lead")
        .all(|x| x["visible"] == false));
    let lead_dups = app
        .get(&format!("/api/v1/leads/{}/duplicates", hidden_lead.id), &b)
        .await;
    assert_eq!(
        lead_dups.status,
        StatusCode::NOT_FOUND,
        "another rep's lead"
    );
});

db_test!(link_and_merge_follow_the_customer_rules, |app| {
    let a = app.user("rep_a", Role::SalesRep, None, None).await;
    let b = app.user("rep_b", Role::SalesRep, None, None).await;
    let c = app.user("rep_c", Role::SalesRep, None, None).await;
    let shared = customer(&app, &a, json!({"name": "广州共享电子有限公司"})).await;
    let hidden = customer(&app, &c, json!({"name": "深圳隐形科技"})).await;
    let lead_of = |name: &'static str| NewLead {
        name,
        company: Some("广州共享电子"),
        phone: Some("13900001111"),
        email: Some("share@gz.cn"),
        province: Some("广东省"),
        city: Some("广州"),
        industry: Some("电子制造"),
        owner: Some(b.id),
        ..Default::default()
    };
    let l = add_lead(&app, lead_of("孙八")).await;
    let convert =
        |mode: &'static str, id: i64| json!({"customer": {"mode": mode, "customer_id": id}});
    let path = format!("/api/v1/leads/{}/convert", l.id);
    // Invisible customer: a field error, never a hint that it exists.
    let r = app.post(&path, &b, convert("link", hidden)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["fields"]["customer_id"]["code"], "unknown");
    // Read-only share: 403.
    app.post(
        &format!("/api/v1/customers/{shared}/shares"),
        &a,
        json!({"user_id": b.id, "access": "read"}),
    )
    .await;
    let r = app.post(&path, &b, convert("merge", shared)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app
        .post(&path, &b, json!({"customer": {"mode": "link"}}))
        .await;
    assert_eq!(r.json()["fields"]["customer_id"]["code"], "required");
    // Nothing was written by the refusals.
    assert_eq!(lead_row(&app, l.id).await.status, "qualified");
    assert!(crm_store::contacts::of_customer(&app.core.db, shared)
        .await
        .unwrap()
        .is_empty());

    // Edit share: link adds the person as (the first, so primary) contact; the customer
    // keeps its owner and fields.
    app.post(
        &format!("/api/v1/customers/{shared}/shares"),
        &a,
        json!({"user_id": b.id, "access": "edit"}),
    )
    .await;
    let r = app.post(&path, &b, convert("link", shared)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["customer_created"], false);
    let cust = crm_store::customers::find(&app.core.db, shared)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((cust.owner_id, cust.province.clone()), (a.id, None));
    let ks = crm_store::contacts::of_customer(&app.core.db, shared)
        .await
        .unwrap();
    assert_eq!(ks.len(), 1);
    assert_eq!((ks[0].name.as_str(), ks[0].is_primary), ("孙八", true));

    // Merge: the customer's empty fields are filled; the same person (same phone) is the
    // existing contact, not a second one.
    let l2 = add_lead(&app, lead_of("孙八")).await;
    let r = app
        .post(
            &format!("/api/v1/leads/{}/convert", l2.id),
            &b,
            convert("merge", shared),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["contact_id"], ks[0].id);
    let cust = crm_store::customers::find(&app.core.db, shared)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cust.name, "广州共享电子有限公司", "the name stays");
    assert_eq!(cust.province.as_deref(), Some("广东省"));
    assert_eq!(cust.city.as_deref(), Some("广州"));
    assert_eq!(cust.industry.as_deref(), Some("电子制造"));
    assert_eq!(cust.phone.as_deref(), Some("13900001111"));
    assert_eq!(cust.nature.as_deref(), Some("enterprise"));
    assert_eq!(cust.owner_id, a.id);
    assert_eq!(
        crm_store::contacts::of_customer(&app.core.db, shared)
            .await
            .unwrap()
            .len(),
        1
    );
    // The merged phone is a duplicate key of the customer now.
    assert!(keys(&app, "customer", shared).await.contains(&(
        "phone".into(),
        "13900001111".into(),
        a.id
    )));
});

db_test!(
    duplicates_without_force_are_a_409_and_write_nothing,
    |app| {
        let a = app.user("rep_a", Role::SalesRep, None, None).await;
        let b = app.user("rep_b", Role::SalesRep, None, None).await;
        customer(
            &app,
            &a,
            json!({"name": "杭州重复网络有限公司", "phone": "0571-8888 1234"}),
        )
        .await;
        let l = add_lead(
            &app,
            NewLead {
                name: "周九",
                company: Some("杭州重复网络"),
                owner: Some(b.id),
                ..Default::default()
            },
        )
        .await;
        let before = customers_count(&app).await;
        let path = format!("/api/v1/leads/{}/convert", l.id);
        let r = app
            .post(&path, &b, json!({"customer": {"mode": "create"}}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "duplicates_found");
        let m = body["matches"].as_array().unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            (&m[0]["visible"], &m[0]["owner_name"]),
            (&json!(false), &json!("rep_a"))
        );
        assert!(!r.text.contains("杭州重复网络有限公司"));
        assert_eq!(customers_count(&app).await, before);
        let row = lead_row(&app, l.id).await;
        assert_eq!(
            (row.status.as_str(), row.version, row.customer_id),
            ("qualified", 1, None)
        );
        let audit = crm_store::audit::list(&app.core.db, &Default::default(), None, 50)
            .await
            .unwrap();
        assert!(!audit.iter().any(|e| e.entity_type == "lead"));
        // Creating anyway.
        let r = app
            .post(
                &path,
                &b,
                json!({"customer": {"mode": "create"}, "force": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(customers_count(&app).await, before + 1);
    }
);

db_test!(
    converting_twice_or_invisible_or_without_rights_is_refused,
    |app| {
        let a = app.user("rep_a", Role::SalesRep, None, None).await;
        let b = app.user("rep_b", Role::SalesRep, None, None).await;
        let mkt = app.user("marketer", Role::Marketing, None, None).await;
        let l = add_lead(
            &app,
            NewLead {
                name: "吴十",
                owner: Some(a.id),
                ..Default::default()
            },
        )
        .await;
        let path = format!("/api/v1/leads/{}/convert", l.id);
        let r = app.post(&path, &b, json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another rep's lead");
        // Marketing may edit leads but not create customers.
        let r = app.post(&path, &mkt, json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(&path, &a, json!({"customer": {"mode": "adopt"}}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"]["mode"]["code"], "invalid_choice");
        // Opportunity rules: an unknown stage and a negative amount, nothing written.
        let r = app
            .post(
                &path,
                &a,
                json!({"opportunity": {"amount": "-5", "stage_id": 999_999}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let f = &r.json()["fields"];
        assert_eq!(f["opportunity.stage_id"]["code"], "unknown");
        assert_eq!(f["opportunity.amount"]["code"], "negative");
        assert_eq!(lead_row(&app, l.id).await.status, "qualified");
        let before = customers_count(&app).await;
        let r = app.post(&path, &a, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = app.post(&path, &a, json!({"force": true})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"], "already_converted");
        assert_eq!(customers_count(&app).await, before + 1);
        assert_eq!(lead_row(&app, l.id).await.version, 2);
    }
);

db_test!(concurrent_conversions_make_one_customer, |app| {
    let a = app.user("rep_a", Role::SalesRep, None, None).await;
    let l = add_lead(
        &app,
        NewLead {
            name: "并发测试",
            company: Some("并发科技"),
            owner: Some(a.id),
            ..Default::default()
        },
    )
    .await;
    let path = format!("/api/v1/leads/{}/convert", l.id);
    let body = json!({"force": true});
    let (r1, r2, r3) = tokio::join!(
        app.post(&path, &a, body.clone()),
        app.post(&path, &a, body.clone()),
        app.post(&path, &a, body.clone()),
    );
    let mut statuses = vec![r1.status, r2.status, r3.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT, StatusCode::CONFLICT],
        "{} / {} / {}",
        r1.text,
        r2.text,
        r3.text
    );
    let made = crm_store::entity::customer::Entity::find()
        .filter(crm_store::entity::customer::Column::Name.eq("并发科技"))
        .count(&app.core.db)
        .await
        .unwrap();
    assert_eq!(made, 1);
    let row = lead_row(&app, l.id).await;
    assert_eq!(row.version, 2);
    assert!(row.customer_id.is_some());
});

db_test!(match_keys_follow_every_customer_and_contact_write, |app| {
    let admin = app.admin().await;
    let a = app.user("rep_a", Role::SalesRep, None, None).await;
    let b = app.user("rep_b", Role::SalesRep, None, None).await;
    let cid = customer(
        &app,
        &a,
        json!({"name": "成都天府软件有限公司", "phone": "028-8765 4321"}),
    )
    .await;
    assert_eq!(
        keys(&app, "customer", cid).await,
        vec![
            ("company".into(), "成都天府软件".into(), a.id),
            ("phone".into(), "02887654321".into(), a.id),
        ]
    );
    let r = app
        .patch(
            &format!("/api/v1/customers/{cid}"),
            &a,
            json!({"version": 1, "name": "成都天府云计算", "phone": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        keys(&app, "customer", cid).await,
        vec![("company".into(), "成都天府云计算".into(), a.id)]
    );
    let kid = contact(
        &app,
        &a,
        json!({"customer_id": cid, "name": "陈一", "mobile": "13700001234", "phone": "137-0000-1234"}),
    )
    .await;
    assert_eq!(
        keys(&app, "contact", kid).await,
        vec![("phone".into(), "13700001234".into(), a.id)]
    );
    let r = app
        .patch(
            &format!("/api/v1/contacts/{kid}"),
            &a,
            json!({"version": 1, "email": "Chen@TianFu.cn", "mobile": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        keys(&app, "contact", kid).await,
        vec![
            ("email".into(), "chen@tianfu.cn".into(), a.id),
            ("phone".into(), "13700001234".into(), a.id),
        ]
    );
    // Transfer: every key of the customer and its contacts moves to the new owner.
    let r = app
        .post(
            &format!("/api/v1/customers/{cid}/transfer"),
            &a,
            json!({"to_user_id": b.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(keys(&app, "customer", cid)
        .await
        .iter()
        .all(|k| k.2 == b.id));
    assert!(keys(&app, "contact", kid).await.iter().all(|k| k.2 == b.id));
    assert_eq!(
        dups(&app, &b, &[("email", "chen@tianfu.cn")]).await[0]["visible"],
        true
    );
    assert_eq!(
        dups(&app, &a, &[("email", "chen@tianfu.cn")]).await[0]["visible"],
        false
    );
    // Deleting the contact removes its keys; restoring brings them back.
    let r = app
        .delete(&format!("/api/v1/contacts/{kid}?version=2"), &b)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(keys(&app, "contact", kid).await.is_empty());
    let bin = app.get("/api/v1/recycle-bin", &admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "contact")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&app, "contact", kid).await.len(), 2);
    // Deleting the customer removes its keys and its contacts'; restoring brings both.
    let version = app
        .get(&format!("/api/v1/customers/{cid}"), &b)
        .await
        .json()["version"]
        .as_i64()
        .unwrap();
    let r = app
        .delete(&format!("/api/v1/customers/{cid}?version={version}"), &b)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(keys(&app, "customer", cid).await.is_empty());
    assert!(keys(&app, "contact", kid).await.is_empty());
    assert!(dups(&app, &admin, &[("company", "成都天府云计算")])
        .await
        .is_empty());
    let bin = app.get("/api/v1/recycle-bin", &admin).await.json();
    let entry = bin["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_type"] == "customer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/recycle-bin/{entry}/restore"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(keys(&app, "customer", cid).await.len(), 1);
    assert_eq!(keys(&app, "contact", kid).await.len(), 2);
});

db_test!(the_backfill_gives_existing_records_their_keys, |app| {
    let a = app.user("rep_a", Role::SalesRep, None, None).await;
    let db = &app.core.db;
    let now = app.core.now();
    // Rows written below the service layer, as before migration 9: no keys.
    let mut ids = Vec::new();
    for i in 0..12 {
        let f = crm_store::customers::Fields {
            name: format!("回填测试{i}有限公司"),
            phone: Some(format!("0755-2000 {i:04}")),
            status: "potential".into(),
            custom: "{}".into(),
            ..Default::default()
        };
        let c = crm_store::customers::insert(db, f, a.id, None, now)
            .await
            .unwrap();
        let k = crm_store::contacts::Fields {
            name: format!("联系人{i}"),
            mobile: Some(format!("1390000{i:04}")),
            email: Some(format!("C{i}@Fill.cn")),
            custom: "{}".into(),
            ..Default::default()
        };
        let k = crm_store::contacts::insert(db, c.id, k, now).await.unwrap();
        ids.push((c.id, k.id));
    }
    let (gone, _) = ids[11];
    crm_store::customers::soft_delete(db, gone, 1, now)
        .await
        .unwrap();
    assert_eq!(match_key::Entity::find().count(db).await.unwrap(), 0);
    let (customers, contacts) = crm_store::match_keys::backfill(db).await.unwrap();
    assert_eq!((customers, contacts), (11, 11));
    assert_eq!(
        match_key::Entity::find().count(db).await.unwrap(),
        11 * 2 + 11 * 2
    );
    assert_eq!(
        keys(&app, "customer", ids[3].0).await,
        vec![
            ("company".into(), "回填测试3".into(), a.id),
            ("phone".into(), "075520000003".into(), a.id),
        ]
    );
    assert_eq!(
        keys(&app, "contact", ids[3].1).await,
        vec![
            ("email".into(), "c3@fill.cn".into(), a.id),
            ("phone".into(), "13900000003".into(), a.id),
        ]
    );
    assert!(keys(&app, "customer", gone).await.is_empty());
    assert!(keys(&app, "contact", ids[11].1).await.is_empty());
    // Running it again rebuilds rather than duplicates.
    crm_store::match_keys::backfill(db).await.unwrap();
    assert_eq!(match_key::Entity::find().count(db).await.unwrap(), 44);
    assert_eq!(
        dups(&app, &a, &[("email", "C5@fill.CN")]).await[0]["id"],
        ids[5].1
    );
});
