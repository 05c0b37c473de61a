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
