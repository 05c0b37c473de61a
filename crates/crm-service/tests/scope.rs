//! The one scope mechanism: own / subordinates (three levels deep) / department / all, plus
//! explicit shares — resolved and applied in SQL on both databases.
#![allow(clippy::unwrap_used)]

use crm_domain::Role;
use crm_store::entity::user;
use crm_store::scope::{Access, RecordScope, Visible};
use crm_testkit::{db_test, TestApp};
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};

struct Org {
    top: i64,
    m: i64,
    a: i64,
    b: i64,
    n: i64,
    c: i64,
    marketing: i64,
    exec: i64,
}

async fn org(app: &TestApp) -> Org {
    let db = &app.core.db;
    let now = app.core.now();
    let sales = crm_store::departments::insert(db, "销售部", None, now)
        .await
        .unwrap()
        .id;
    let north = crm_store::departments::insert(db, "华北", Some(sales), now)
        .await
        .unwrap()
        .id;
    let east = crm_store::departments::insert(db, "华东", None, now)
        .await
        .unwrap()
        .id;
    let top = app
        .user("top", Role::SalesManager, Some(sales), None)
        .await
        .id;
    let m = app
        .user("mgr_m", Role::SalesManager, Some(north), Some(top))
        .await
        .id;
    let a = app
        .user("rep_a", Role::SalesRep, Some(north), Some(m))
        .await
        .id;
    let b = app
        .user("rep_b", Role::SalesRep, Some(north), Some(m))
        .await
        .id;
    let n = app
        .user("mgr_n", Role::SalesManager, Some(east), Some(top))
        .await
        .id;
    let c = app
        .user("rep_c", Role::SalesRep, Some(east), Some(n))
        .await
        .id;
    let marketing = app.user("mkt", Role::Marketing, Some(sales), None).await.id;
    let exec = app.user("exec", Role::Executive, None, None).await.id;
    Org {
        top,
        m,
        a,
        b,
        n,
        c,
        marketing,
        exec,
    }
}

async fn scope_of(app: &TestApp, id: i64) -> RecordScope {
    let u = crm_store::users::find(&app.core.db, id)
        .await
        .unwrap()
        .unwrap();
    let p = crm_service::auth::principal_of(&app.core.db, &u)
        .await
        .unwrap();
    RecordScope::load(&app.core.db, &p).await.unwrap()
}

fn owners(s: &RecordScope) -> Vec<i64> {
    match &s.visible {
        Visible::All => vec![],
        Visible::Owners(v) => v.clone(),
    }
}

/// Counts visible rows of a table whose owner column is `users.id` (each user row "owned"
/// by that user): the same SQL condition every module applies.
async fn visible_count(app: &TestApp, s: &RecordScope) -> u64 {
    user::Entity::find()
        .filter(s.condition("user", user::Column::Id, user::Column::Id))
        .count(&app.core.db)
        .await
        .unwrap()
}

db_test!(scopes_follow_the_hierarchy_and_departments, |app| {
    let o = org(&app).await;
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };
    // Own: only A.
    assert_eq!(owners(&scope_of(&app, o.a).await), vec![o.a]);
    // Subordinates, three levels: top sees M, A, B (via M), N, C (via N).
    let top = scope_of(&app, o.top).await;
    assert_eq!(owners(&top), sorted(vec![o.top, o.m, o.a, o.b, o.n, o.c]));
    // A middle manager sees only their branch.
    assert_eq!(
        owners(&scope_of(&app, o.m).await),
        sorted(vec![o.m, o.a, o.b])
    );
    assert_eq!(owners(&scope_of(&app, o.n).await), sorted(vec![o.n, o.c]));
    // Department (+ sub-departments): marketing in 销售部 sees 销售部 and 华北 people.
    let mk = scope_of(&app, o.marketing).await;
    assert_eq!(owners(&mk), sorted(vec![o.top, o.m, o.a, o.b, o.marketing]));
    // All.
    assert_eq!(scope_of(&app, o.exec).await.visible, Visible::All);

    // Applied in SQL.
    assert_eq!(visible_count(&app, &scope_of(&app, o.a).await).await, 1);
    assert_eq!(visible_count(&app, &scope_of(&app, o.m).await).await, 3);
    assert_eq!(visible_count(&app, &top).await, 6);
    assert_eq!(visible_count(&app, &mk).await, 5);
    assert_eq!(visible_count(&app, &scope_of(&app, o.exec).await).await, 8);
});

db_test!(shares_extend_visibility_with_their_access, |app| {
    let o = org(&app).await;
    let db = &app.core.db;
    let now = app.core.now();
    let a = scope_of(&app, o.a).await;
    assert_eq!(
        a.access(db, "user", o.a, o.a).await.unwrap(),
        Some(Access::Edit)
    );
    assert_eq!(a.access(db, "user", o.c, o.c).await.unwrap(), None);
    crm_store::scope::share(db, "user", o.c, o.a, Access::Read, o.c, now)
        .await
        .unwrap();
    assert_eq!(
        a.access(db, "user", o.c, o.c).await.unwrap(),
        Some(Access::Read)
    );
    // Lists include the shared part once the scope is resolved after the share (a share is
    // a write, and writes end cached scopes).
    assert_eq!(a.shared, Vec::<String>::new());
    assert_eq!(visible_count(&app, &a).await, 1);
    let a = scope_of(&app, o.a).await;
    assert_eq!(a.shared, vec!["user".to_string()]);
    assert_eq!(visible_count(&app, &a).await, 2);
    // A share of another entity type does not leak.
    crm_store::scope::share(db, "other", o.b, o.a, Access::Edit, o.b, now)
        .await
        .unwrap();
    let a = scope_of(&app, o.a).await;
    assert_eq!(visible_count(&app, &a).await, 2);
    // Upgrading and revoking.
    crm_store::scope::share(db, "user", o.c, o.a, Access::Edit, o.c, now)
        .await
        .unwrap();
    assert_eq!(
        a.access(db, "user", o.c, o.c).await.unwrap(),
        Some(Access::Edit)
    );
    assert_eq!(
        crm_store::scope::shares_of(db, "user", o.c)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(crm_store::scope::unshare(db, "user", o.c, o.a)
        .await
        .unwrap());
    let a = scope_of(&app, o.a).await;
    assert_eq!(visible_count(&app, &a).await, 1);
    // A manager above the owner edits without a share; a peer does not see it.
    let m = scope_of(&app, o.m).await;
    assert_eq!(
        m.access(db, "user", o.a, o.a).await.unwrap(),
        Some(Access::Edit)
    );
    let n = scope_of(&app, o.n).await;
    assert_eq!(n.access(db, "user", o.a, o.a).await.unwrap(), None);
});
