//! A realistic demo data set: a Chinese sales company with a three-level hierarchy.

use crate::auth::hash_password;
use crate::{Core, Result, ServiceError};
use crm_domain::Role;
use crm_store::audit::{self, Entry};
use crm_store::{departments, users};

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "demo1234";

/// (department key, name, parent key)
const DEPARTMENTS: &[(&str, &str, Option<&str>)] = &[
    ("hq", "华信科技有限公司", None),
    ("office", "总经理办公室", Some("hq")),
    ("sales", "销售部", Some("hq")),
    ("north", "华北大区", Some("sales")),
    ("east", "华东大区", Some("sales")),
    ("south", "华南大区", Some("sales")),
    ("marketing", "市场部", Some("hq")),
    ("service", "客户服务部", Some("hq")),
];

/// (username, display name, role, department key, manager username)
const USERS: &[(&str, &str, Role, &str, Option<&str>)] = &[
    ("admin", "系统管理员", Role::Admin, "office", None),
    ("wangjianguo", "王建国", Role::Executive, "office", None),
    (
        "liming",
        "李明",
        Role::SalesManager,
        "sales",
        Some("wangjianguo"),
    ),
    (
        "zhangwei",
        "张伟",
        Role::SalesManager,
        "north",
        Some("liming"),
    ),
    ("liuyang", "刘洋", Role::SalesRep, "north", Some("zhangwei")),
    (
        "chenjing",
        "陈静",
        Role::SalesRep,
        "north",
        Some("zhangwei"),
    ),
    ("yangfan", "杨帆", Role::SalesRep, "north", Some("zhangwei")),
    (
        "zhaomin",
        "赵敏",
        Role::SalesManager,
        "east",
        Some("liming"),
    ),
    ("huanglei", "黄磊", Role::SalesRep, "east", Some("zhaomin")),
    ("zhoujie", "周杰", Role::SalesRep, "east", Some("zhaomin")),
    ("wuting", "吴婷", Role::SalesRep, "east", Some("zhaomin")),
    ("sunli", "孙丽", Role::SalesManager, "south", Some("liming")),
    ("zhuqiang", "朱强", Role::SalesRep, "south", Some("sunli")),
    ("hujun", "胡军", Role::SalesRep, "south", Some("sunli")),
    ("guoxiao", "郭晓", Role::SalesRep, "south", Some("sunli")),
    (
        "linfang",
        "林芳",
        Role::Marketing,
        "marketing",
        Some("wangjianguo"),
    ),
    (
        "hexue",
        "何雪",
        Role::Marketing,
        "marketing",
        Some("linfang"),
    ),
    (
        "gaofeng",
        "高峰",
        Role::ServiceManager,
        "service",
        Some("wangjianguo"),
    ),
    (
        "luojuan",
        "罗娟",
        Role::ServiceStaff,
        "service",
        Some("gaofeng"),
    ),
    (
        "liangchao",
        "梁超",
        Role::ServiceStaff,
        "service",
        Some("gaofeng"),
    ),
];

#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub departments: usize,
    pub users: usize,
}

/// Fills the organisation. `progress(done, total)` is called as steps complete.
/// Refuses when demo users already exist, so it never duplicates anything.
pub async fn generate(core: &Core, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<DemoReport> {
    if users::find_by_username(&core.db, "wangjianguo")
        .await?
        .is_some()
    {
        return Err(ServiceError::conflict(
            "demo_present",
            "The demo organisation is already there",
        ));
    }
    let total = (DEPARTMENTS.len() + USERS.len()) as u64;
    let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    let now = core.now();
    let txn = core.begin_write().await?;
    let mut dept_ids: Vec<(&str, i64)> = Vec::new();
    let mut done = 0u64;
    for (key, name, parent) in DEPARTMENTS {
        let parent_id = parent.and_then(|p| dept_ids.iter().find(|(k, _)| *k == p).map(|x| x.1));
        let d = departments::insert(&txn, name, parent_id, now).await?;
        dept_ids.push((key, d.id));
        done += 1;
        progress(done, total);
    }
    let mut user_ids: Vec<(&str, i64)> = Vec::new();
    let mut created = 0;
    for (username, display, role, dept, manager) in USERS {
        let department_id = dept_ids.iter().find(|(k, _)| k == dept).map(|x| x.1);
        let manager_id = manager.and_then(|m| user_ids.iter().find(|(k, _)| *k == m).map(|x| x.1));
        if let Some(existing) = users::find_by_username(&txn, username).await? {
            // An administrator named `admin` may exist already; keep it.
            user_ids.push((username, existing.id));
        } else {
            let u = users::insert(
                &txn,
                users::NewUser {
                    username: username.to_string(),
                    display_name: display.to_string(),
                    password_hash: hash.clone(),
                    role: role.as_str().to_string(),
                    department_id,
                    manager_id,
                    email: Some(format!("{username}@huaxin.example.cn")),
                },
                now,
            )
            .await?;
            user_ids.push((username, u.id));
            created += 1;
        }
        done += 1;
        progress(done, total);
    }
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: None,
            action: "demo",
            entity_type: "system",
            entity_id: "demo".into(),
            before: None,
            after: Some(serde_json::json!({"departments": DEPARTMENTS.len(), "users": created})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(DemoReport {
        departments: DEPARTMENTS.len(),
        users: created,
    })
}
