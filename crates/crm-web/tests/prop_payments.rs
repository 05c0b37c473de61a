//! Property test (SQLite): random sequences of payments, concurrent bursts of payments and
//! deletions against an approved order always keep `received == sum(live payments) ≤ total`
//! and `outstanding == total − received`, and a payment is refused exactly when it would
//! exceed what is outstanding.
#![allow(clippy::unwrap_used)]

mod orders_fixture;

use axum::http::StatusCode;
use crm_testkit::{json, Backend, TestApp};
use orders_fixture::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
enum Op {
    /// Pay this many minor units.
    Pay(i64),
    /// Delete the n-th live payment (modulo how many there are).
    Delete(usize),
    /// Several payments at the same time.
    Burst(Vec<i64>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..=60_000).prop_map(Op::Pay),
        2 => (0usize..8).prop_map(Op::Delete),
        1 => proptest::collection::vec(1i64..=30_000, 2..5).prop_map(Op::Burst),
    ]
}

fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Checks the invariants in the database and through the API; returns `received`.
async fn check(app: &TestApp, f: &Fx, order: i64) -> i64 {
    let (total, received) = assert_reconciles(app, order).await;
    let o = app
        .get(&format!("/api/v1/orders/{order}"), &f.a)
        .await
        .json();
    assert_eq!(o["received"], decimal(received));
    assert_eq!(o["outstanding"], decimal(total - received));
    received
}

#[test]
fn payments_always_reconcile() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(TestApp::init(Backend::Sqlite)).unwrap();
    let f = rt.block_on(fx(&app));
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (1_000i64..=150_000, proptest::collection::vec(op(), 1..12));
    runner
        .run(&strategy, |(total, ops)| {
            rt.block_on(async {
                let order = approved_for(&app, &f, &decimal(total)).await;
                let mut received = 0i64;
                for op in ops {
                    match op {
                        Op::Pay(a) => {
                            let r = pay(&app, &f.a, order, &decimal(a)).await;
                            if received + a <= total {
                                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                                received += a;
                            } else {
                                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
                                assert_eq!(field_code(&r.json(), "amount"), "exceeds_outstanding");
                            }
                        }
                        Op::Delete(i) => {
                            let live = live_payments(&app, order).await;
                            if live.is_empty() {
                                continue;
                            }
                            let p = &live[i % live.len()];
                            let r = app
                                .delete(&format!("/api/v1/payments/{}", p.id), &f.m)
                                .await;
                            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
                            received -= p.amount;
                        }
                        Op::Burst(amounts) => {
                            let reqs = amounts
                                .iter()
                                .map(|a| {
                                    (
                                        "POST",
                                        format!("/api/v1/orders/{order}/payments"),
                                        f.a.token.clone(),
                                        json!({ "amount": decimal(*a) }),
                                    )
                                })
                                .collect();
                            let out = parallel(&app, reqs).await;
                            let mut failed = Vec::new();
                            for ((status, body), a) in out.iter().zip(&amounts) {
                                match *status {
                                    StatusCode::CREATED => received += a,
                                    StatusCode::UNPROCESSABLE_ENTITY => {
                                        assert!(body.contains("exceeds_outstanding"), "{body}");
                                        failed.push(*a);
                                    }
                                    s => panic!("unexpected {s}: {body}"),
                                }
                            }
                            // `received` only grew during the burst: whatever was refused
                            // does not fit even now.
                            for a in failed {
                                assert!(
                                    a > total - received,
                                    "refused {a} but {} outstanding",
                                    total - received
                                );
                            }
                        }
                    }
                    assert_eq!(check(&app, &f, order).await, received);
                }
            });
            Ok(())
        })
        .unwrap();
}
