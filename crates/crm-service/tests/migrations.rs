//! Migrations on both databases, with data present; a newer schema is refused.
#![allow(clippy::unwrap_used)]

use crm_testkit::{db_test, TestApp};
use sea_orm::{ConnectionTrait, Statement};

db_test!(migrations_are_idempotent_and_keep_data, |app| {
    let db = &app.core.db;
    let now = app.core.now();
    let d = crm_store::departments::insert(db, "保留的部门", None, now)
        .await
        .unwrap();
    app.user("keeper", crm_domain::Role::SalesRep, Some(d.id), None)
        .await;
    // Reconnect and migrate again, as a restarted server does.
    let again = app.db.connect().await;
    crm_store::migrate(&again).await.unwrap();
    assert_eq!(
        crm_store::departments::find(&again, d.id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "保留的部门"
    );
    assert!(crm_store::users::find_by_username(&again, "keeper")
        .await
        .unwrap()
        .is_some());
    // The built-in roles were seeded.
    assert_eq!(crm_store::roles::list(&again).await.unwrap().len(), 7);
});

db_test!(a_database_newer_than_the_binary_is_refused, |app| {
    let db = &app.core.db;
    let p = crm_store::scope::placeholder(db.get_database_backend(), 1);
    let p2 = crm_store::scope::placeholder(db.get_database_backend(), 2);
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!("INSERT INTO seaql_migrations (version, applied_at) VALUES ({p}, {p2})"),
        ["m29990101_000001_from_the_future".into(), 0i64.into()],
    ))
    .await
    .unwrap();
    let err = crm_store::migrate(db).await.unwrap_err();
    assert!(
        matches!(err, crm_store::StoreError::SchemaTooNew(_)),
        "{err}"
    );
    assert!(err.to_string().contains("newer than this binary"));
    let _: &TestApp = &app;
});

/// Customers and contacts saved before custom fields existed (their `custom` column held
/// '' when written through the service) get a JSON object, so custom-field filters can
/// read every row.
async fn custom_fields_migration_over_existing_records(db: crm_testkit::TestDb) {
    use sea_orm_migration::MigratorTrait;
    let conn = db.connect().await;
    crm_store::migration::Migrator::up(&conn, Some(3))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let owner = crm_store::users::insert(
        &conn,
        crm_store::users::NewUser {
            username: "old_rep".into(),
            display_name: "老销售".into(),
            password_hash: "x".into(),
            role: "sales_rep".into(),
            department_id: None,
            manager_id: None,
            email: None,
        },
        now,
    )
    .await
    .unwrap();
    let fields = crm_store::customers::Fields {
        name: "旧客户".into(),
        status: "potential".into(),
        custom: String::new(),
        ..Default::default()
    };
    let old = crm_store::customers::insert(&conn, fields, owner.id, None, now)
        .await
        .unwrap();
    let contact = crm_store::contacts::Fields {
        name: "旧联系人".into(),
        custom: String::new(),
        ..Default::default()
    };
    let old_contact = crm_store::contacts::insert(&conn, old.id, contact, now)
        .await
        .unwrap();
    conn.close().await.unwrap();

    // The server starts on the new binary: migrations 4… run over the data.
    let app = TestApp::on(db).await;
    let db = &app.core.db;
    let c = crm_store::customers::find(db, old.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.custom, "{}");
    assert_eq!(c.name, "旧客户");
    let k = crm_store::contacts::find(db, old_contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(k.custom, "{}");
    // Custom fields work on the old rows: a filter reads them, an update writes them.
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/custom-fields",
            &admin,
            serde_json::json!({"entity": "customer", "key": "tier", "label_zh": "等级",
                "field_type": "single_select", "options": ["A", "B"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let r = app.get("/api/v1/customers?cf.tier=A", &admin).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    assert_eq!(r.json()["items"], serde_json::json!([]));
    let r = app
        .patch(
            &format!("/api/v1/customers/{}", old.id),
            &admin,
            serde_json::json!({"version": 1, "custom_fields": {"tier": "A"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let r = app.get("/api/v1/customers?cf.tier=A", &admin).await;
    assert_eq!(r.json()["items"][0]["id"], old.id);
}

mod custom_fields_migration_keeps_and_fixes_old_records {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        custom_fields_migration_over_existing_records(crm_testkit::TestDb::sqlite()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(db) = crm_testkit::TestDb::postgres().await {
            custom_fields_migration_over_existing_records(db).await;
        }
    }
}

/// An installation whose sales_rep role still has view-only market rights gets create and
/// edit (reps work their own leads); one whose administrator changed them keeps its choice.
async fn reps_gain_market_rights_only_from_the_old_default(db: crm_testkit::TestDb, changed: bool) {
    use sea_orm_migration::MigratorTrait;
    let conn = db.connect().await;
    crm_store::migration::Migrator::up(&conn, Some(7))
        .await
        .unwrap();
    // The role as an installation from before the market issue has it.
    let b = conn.get_database_backend();
    let role = crm_store::roles::find(&conn, "sales_rep")
        .await
        .unwrap()
        .unwrap();
    let mut modules: serde_json::Value = serde_json::from_str(&role.modules).unwrap();
    modules["market"] = if changed {
        serde_json::json!([])
    } else {
        serde_json::json!(["view"])
    };
    let p = crm_store::scope::placeholder(b, 1);
    conn.execute(Statement::from_sql_and_values(
        b,
        format!("UPDATE roles SET modules = {p} WHERE key = 'sales_rep'"),
        [modules.to_string().into()],
    ))
    .await
    .unwrap();
    conn.close().await.unwrap();

    let app = TestApp::on(db).await;
    let role = crm_store::roles::find(&app.core.db, "sales_rep")
        .await
        .unwrap()
        .unwrap();
    let after: serde_json::Value = serde_json::from_str(&role.modules).unwrap();
    let expected = if changed {
        serde_json::json!([])
    } else {
        serde_json::json!(["view", "create", "edit"])
    };
    assert_eq!(after["market"], expected, "{}", role.modules);
    // Everything else of the role is untouched.
    assert_eq!(after["customers"], modules["customers"]);
}

mod reps_gain_market_rights_from_the_old_default {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        reps_gain_market_rights_only_from_the_old_default(crm_testkit::TestDb::sqlite(), false)
            .await;
        reps_gain_market_rights_only_from_the_old_default(crm_testkit::TestDb::sqlite(), true)
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        for changed in [false, true] {
            if let Some(db) = crm_testkit::TestDb::postgres().await {
                reps_gain_market_rights_only_from_the_old_default(db, changed).await;
            }
        }
    }
}
