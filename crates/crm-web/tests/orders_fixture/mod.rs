//! Shared set-up of the order, payment and receivable tests: a sales team, customers,
//! products written straight into the catalogue, and helpers that go through the router.
#![allow(dead_code, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use crm_domain::Role;
use crm_store::entity::{payment, product, purchase_record, quote, quote_line, sales_order};
use crm_testkit::{json, TestApp, TestUser};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use tower::ServiceExt;

/// top → m → {a, b}; n (another manager) → c; exec sees all; admin.
pub struct Fx {
    pub admin: TestUser,
    pub exec: TestUser,
    pub top: TestUser,
    pub m: TestUser,
    pub a: TestUser,
    pub b: TestUser,
    pub n: TestUser,
    pub c: TestUser,
    /// Owned by a.
    pub cust: i64,
    /// Owned by c.
    pub cust_c: i64,
    /// Guide price 1000.00.
    pub p1: i64,
    /// Guide price 250.50.
    pub p2: i64,
    /// Guide price 99.99.
    pub p3: i64,
    /// Discontinued.
    pub p_off: i64,
}

pub async fn product(app: &TestApp, code: &str, guide_minor: i64, status: &str) -> i64 {
    let now = app.core.now();
    product::ActiveModel {
        category_id: Set(None),
        code: Set(code.into()),
        name: Set(format!("产品 {code}")),
        spec: Set(Some("标准".into())),
        unit: Set("台".into()),
        cost_price: Set(Some(guide_minor / 2)),
        guide_price: Set(guide_minor),
        status: Set(status.into()),
        description: Set(None),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap()
    .id
}

pub async fn customer(app: &TestApp, who: &TestUser, name: &str) -> i64 {
    let r = app
        .post("/api/v1/customers", who, json!({ "name": name }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

pub async fn fx(app: &TestApp) -> Fx {
    let admin = app.admin().await;
    let exec = app.user("exec", Role::Executive, None, None).await;
    let top = app.user("top", Role::SalesManager, None, None).await;
    let m = app
        .user("mgr_m", Role::SalesManager, None, Some(top.id))
        .await;
    let a = app.user("rep_a", Role::SalesRep, None, Some(m.id)).await;
    let b = app.user("rep_b", Role::SalesRep, None, Some(m.id)).await;
    let n = app.user("mgr_n", Role::SalesManager, None, None).await;
    let c = app.user("rep_c", Role::SalesRep, None, Some(n.id)).await;
    let cust = customer(app, &a, "华信科技").await;
    let cust_c = customer(app, &c, "东方电子").await;
    let p1 = product(app, "P-001", 100_000, "on_sale").await;
    let p2 = product(app, "P-002", 25_050, "on_sale").await;
    let p3 = product(app, "P-003", 9_999, "on_sale").await;
    let p_off = product(app, "P-OLD", 5_000, "discontinued").await;
    Fx {
        admin,
        exec,
        top,
        m,
        a,
        b,
        n,
        c,
        cust,
        cust_c,
        p1,
        p2,
        p3,
        p_off,
    }
}

pub fn line(product: i64, qty: &str) -> Value {
    json!({ "product_id": product, "quantity": qty })
}

/// Creates a draft order (asserting 201).
pub async fn create(app: &TestApp, who: &TestUser, customer: i64, lines: Value) -> Value {
    let r = app
        .post(
            "/api/v1/orders",
            who,
            json!({ "customer_id": customer, "lines": lines }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

pub async fn submit(app: &TestApp, who: &TestUser, id: i64) -> Value {
    let r = app
        .post(&format!("/api/v1/orders/{id}/submit"), who, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

pub async fn approve(app: &TestApp, who: &TestUser, id: i64) -> Value {
    let r = app
        .post(&format!("/api/v1/orders/{id}/approve"), who, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

/// A's order with `lines`, submitted by a and approved by m.
pub async fn approved(app: &TestApp, f: &Fx, lines: Value) -> Value {
    let o = create(app, &f.a, f.cust, lines).await;
    let id = o["id"].as_i64().unwrap();
    submit(app, &f.a, id).await;
    approve(app, &f.m, id).await
}

/// A's approved order for exactly one unit of P-001 at `price` (major units).
pub async fn approved_for(app: &TestApp, f: &Fx, price: &str) -> i64 {
    let o = approved(
        app,
        f,
        json!([{ "product_id": f.p1, "quantity": "1", "unit_price": price }]),
    )
    .await;
    o["id"].as_i64().unwrap()
}

pub async fn pay(
    app: &TestApp,
    who: &TestUser,
    order: i64,
    amount: &str,
) -> crm_testkit::TestResponse {
    app.post(
        &format!("/api/v1/orders/{order}/payments"),
        who,
        json!({ "amount": amount, "method": "bank_transfer" }),
    )
    .await
}

/// Purchase records of an order in the database (reversed ones included).
pub async fn records(app: &TestApp, order: i64) -> Vec<purchase_record::Model> {
    purchase_record::Entity::find()
        .filter(purchase_record::Column::OrderId.eq(order))
        .all(&app.core.db)
        .await
        .unwrap()
}

pub async fn order_row(app: &TestApp, order: i64) -> sales_order::Model {
    sales_order::Entity::find_by_id(order)
        .one(&app.core.db)
        .await
        .unwrap()
        .unwrap()
}

pub async fn order_count(app: &TestApp) -> u64 {
    sales_order::Entity::find()
        .count(&app.core.db)
        .await
        .unwrap()
}

/// Live payments of an order in the database.
pub async fn live_payments(app: &TestApp, order: i64) -> Vec<payment::Model> {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order))
        .filter(payment::Column::DeletedAt.is_null())
        .all(&app.core.db)
        .await
        .unwrap()
}

/// received == sum of live payments ≤ total, straight from the database.
pub async fn assert_reconciles(app: &TestApp, order: i64) -> (i64, i64) {
    let o = order_row(app, order).await;
    let sum: i64 = live_payments(app, order)
        .await
        .iter()
        .map(|p| p.amount)
        .sum();
    assert_eq!(
        o.received, sum,
        "received vs live payments of order {order}"
    );
    assert!(
        o.received <= o.total,
        "received {} > total {}",
        o.received,
        o.total
    );
    assert!(o.received >= 0);
    (o.total, o.received)
}

/// A quote of `who` for `customer` with lines (product, quantity ‰, unit price, discount bp).
pub async fn quote(
    app: &TestApp,
    who: &TestUser,
    customer: i64,
    status: &str,
    lines: &[(i64, i64, i64, i32)],
) -> i64 {
    let now = app.core.now();
    let mut subtotal = 0;
    let mut total = 0;
    for (_, q, p, d) in lines {
        let gross = crm_domain::money::line_gross(crm_domain::Quantity(*q), crm_domain::Money(*p))
            .unwrap()
            .0;
        subtotal += gross;
        total += crm_domain::money::line_total(
            crm_domain::Quantity(*q),
            crm_domain::Money(*p),
            crm_domain::Discount(*d),
        )
        .unwrap()
        .0;
    }
    let q = quote::ActiveModel {
        number: Set(format!("QT-T-{}", rand_suffix())),
        customer_id: Set(customer),
        opportunity_id: Set(None),
        title: Set("年度采购".into()),
        status: Set(status.into()),
        valid_until: Set(None),
        notes: Set(Some("报价备注".into())),
        subtotal: Set(subtotal),
        discount_total: Set(subtotal - total),
        total: Set(total),
        owner_id: Set(who.id),
        order_id: Set(None),
        created_by: Set(Some(who.id)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&app.core.db)
    .await
    .unwrap();
    for (i, (pid, qty, price, disc)) in lines.iter().enumerate() {
        let pm = product::Entity::find_by_id(*pid)
            .one(&app.core.db)
            .await
            .unwrap()
            .unwrap();
        quote_line::ActiveModel {
            quote_id: Set(q.id),
            line_no: Set(i as i32 + 1),
            product_id: Set(*pid),
            product_code: Set(pm.code),
            product_name: Set(pm.name),
            spec: Set(pm.spec),
            unit: Set(pm.unit),
            quantity: Set(*qty),
            unit_price: Set(*price),
            discount_bp: Set(*disc),
            line_total: Set(crm_domain::money::line_total(
                crm_domain::Quantity(*qty),
                crm_domain::Money(*price),
                crm_domain::Discount(*disc),
            )
            .unwrap()
            .0),
            ..Default::default()
        }
        .insert(&app.core.db)
        .await
        .unwrap();
    }
    q.id
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Sends the same kind of request many times at once, each on its own task (so they really
/// overlap on the multi-threaded runtime and the database pool). Returns status and body.
pub async fn parallel(
    app: &TestApp,
    reqs: Vec<(&'static str, String, String, Value)>,
) -> Vec<(StatusCode, String)> {
    let mut handles = Vec::new();
    for (method, path, token, body) in reqs {
        let router = app.router.clone();
        handles.push(tokio::spawn(async move {
            let req = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let resp = router.oneshot(req).await.unwrap();
            let status = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

pub fn field_code(body: &Value, field: &str) -> String {
    body["fields"][field]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no field error {field} in {body}"))
        .to_string()
}
