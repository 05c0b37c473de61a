//! Demo market data (`crm demo --leads N`): campaigns of the last year, competitors met on
//! opportunities, N leads (some in the shared pool, some converted into existing
//! customers so campaigns show results) and sales quotas for the current month, quarter
//! and year for every sales rep, manager and sales department.

use crate::{Core, Result, ServiceError};
use chrono::{Duration, NaiveDate, Utc};
use crm_domain::dedupe::{company_key, email_key, phone_key};
use crm_domain::{Period, PeriodKind};
use crm_store::bulk;
use crm_store::entity::{
    campaign, competitor, customer, department, lead, opportunity, opportunity_competitor, quota,
    sales_order, user,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// (name, kind, status, starts days ago, length in days, budget yuan, spent yuan).
const CAMPAIGNS: &[(&str, &str, &str, i64, i64, i64, i64)] = &[
    (
        "2026 上海国际信息化博览会",
        "exhibition",
        "completed",
        300,
        4,
        180_000,
        172_500,
    ),
    (
        "制造业数字化转型研讨会（苏州）",
        "seminar",
        "completed",
        220,
        1,
        60_000,
        54_800,
    ),
    (
        "百度搜索推广 Q3",
        "online_ad",
        "completed",
        150,
        90,
        120_000,
        118_200,
    ),
    (
        "老客户续约邮件季",
        "email",
        "completed",
        120,
        30,
        8_000,
        6_500,
    ),
    (
        "华南区电话回访计划",
        "telemarketing",
        "active",
        60,
        90,
        30_000,
        14_000,
    ),
    (
        "政企采购对接会（北京）",
        "seminar",
        "active",
        20,
        2,
        45_000,
        38_000,
    ),
    (
        "微信公众号内容营销",
        "online_ad",
        "active",
        45,
        120,
        50_000,
        21_000,
    ),
    (
        "2027 春季新品发布会",
        "exhibition",
        "planned",
        -40,
        1,
        150_000,
        0,
    ),
];

/// (name, website, strengths, weaknesses, products and prices).
const COMPETITORS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "用友网络",
        "https://www.yonyou.com",
        "ERP 品牌强，渠道覆盖广",
        "实施周期长，定制费用高",
        "NC Cloud，约 30 万起",
    ),
    (
        "金蝶软件",
        "https://www.kingdee.com",
        "中小企业客户多，云产品成熟",
        "大型项目经验较少",
        "金蝶云星空，约 8 万/年起",
    ),
    (
        "纷享销客",
        "https://www.fxiaoke.com",
        "移动端体验好，连接型 CRM",
        "报表灵活度一般",
        "按用户计费，约 300 元/用户/年",
    ),
    (
        "销售易",
        "https://www.xiaoshouyi.com",
        "PaaS 能力强，外企客户多",
        "价格偏高",
        "按用户计费，约 600 元/用户/年",
    ),
    (
        "Salesforce",
        "https://www.salesforce.com",
        "全球领先，生态完整",
        "本地化与数据合规成本高",
        "Sales Cloud，约 150 美元/用户/月",
    ),
    (
        "本地集成商",
        "",
        "关系型销售，价格灵活",
        "产品能力弱，售后不稳定",
        "项目制报价",
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "建华", "晓东", "海燕", "志强", "丽华",
];
const CITIES: &[(&str, &str)] = &[
    ("北京", "北京"),
    ("上海", "上海"),
    ("广东", "深圳"),
    ("广东", "广州"),
    ("浙江", "杭州"),
    ("江苏", "苏州"),
    ("四川", "成都"),
    ("湖北", "武汉"),
    ("山东", "济南"),
    ("福建", "厦门"),
];
const TRADES: &[&str] = &[
    "智能",
    "精密",
    "新材料",
    "物流",
    "医疗器械",
    "信息",
    "环保",
    "食品",
    "电子",
    "建设",
];
const INDUSTRIES: &[&str] = &[
    "制造", "软件", "零售", "医疗", "教育", "物流", "金融", "能源",
];
const TITLES: &[&str] = &[
    "采购经理",
    "信息部主任",
    "总经理",
    "IT 主管",
    "副总裁",
    "行政经理",
];
const SOURCES: &[&str] = &[
    "exhibition",
    "seminar",
    "advertisement",
    "web_form",
    "referral",
    "cold_call",
    "email",
];

#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub campaigns: usize,
    pub competitors: usize,
    pub leads: u64,
    pub converted: u64,
    pub links: usize,
    pub quotas: usize,
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

/// Adds campaigns, competitors and quotas (once) and `n` leads.
pub async fn generate(
    core: &Core,
    n: u64,
    seed: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Generated> {
    let db = &core.db;
    let users = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let reps: Vec<i64> = users
        .iter()
        .filter(|u| u.role == "sales_rep")
        .map(|u| u.id)
        .collect();
    let Some(marketer) = users
        .iter()
        .find(|u| u.role == "marketing")
        .or(users.first())
    else {
        return Err(ServiceError::conflict(
            "no_users",
            "Create the demo organisation first",
        ));
    };
    if reps.is_empty() {
        return Err(ServiceError::conflict(
            "no_users",
            "Create the demo organisation first",
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x3a7_ce7);
    let mut out = Generated::default();
    let now = core.now();
    let today = core.today();
    let campaigns = campaigns(core, marketer.id, today, &mut out).await?;
    competitors(core, &mut out).await?;
    quotas(core, &users, today, &mut out).await?;

    // Customers owned by reps, for converted leads (campaign results): preferably ones
    // that bought afterwards (their first approved order), so campaigns show revenue.
    let buyers: Vec<(i64, i64, chrono::DateTime<Utc>)> = sales_order::Entity::find()
        .select_only()
        .column(sales_order::Column::CustomerId)
        .column(sales_order::Column::OwnerId)
        .column_as(sales_order::Column::CreatedAt.min(), "first")
        .filter(sales_order::Column::Status.eq("approved"))
        .filter(sales_order::Column::OwnerId.is_in(reps.clone()))
        .filter(sales_order::Column::DeletedAt.is_null())
        .group_by(sales_order::Column::CustomerId)
        .group_by(sales_order::Column::OwnerId)
        .order_by_asc(sales_order::Column::CustomerId)
        .limit(5_000)
        .into_tuple()
        .all(db)
        .await?;
    let first_order: std::collections::HashMap<i64, chrono::DateTime<Utc>> =
        buyers.iter().map(|b| (b.0, b.2)).collect();
    let customers: Vec<(i64, i64)> = if buyers.is_empty() {
        customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::OwnerId)
            .filter(customer::Column::OwnerId.is_in(reps.clone()))
            .filter(customer::Column::DeletedAt.is_null())
            .order_by_asc(customer::Column::Id)
            .limit(5_000)
            .into_tuple()
            .all(db)
            .await?
    } else {
        buyers.iter().map(|b| (b.0, b.1)).collect()
    };
    let mut next = bulk::max_id(db, "leads").await? + 1;
    const BATCH: u64 = 1_000;
    let mut done = 0u64;
    while done < n {
        let size = BATCH.min(n - done);
        let mut rows = Vec::with_capacity(size as usize);
        for i in 0..size {
            let k = done + i;
            let name = format!("{}{}", pick(&mut rng, SURNAMES), pick(&mut rng, GIVEN));
            let (province, city) = *pick(&mut rng, CITIES);
            let company = format!(
                "{city}{}{}有限公司",
                pick(&mut rng, TRADES),
                ["科技", "实业", "集团", "股份"][(k % 4) as usize]
            );
            let phone = format!(
                "1{}{:09}",
                [3, 5, 7, 8, 9][(k % 5) as usize],
                rng.gen_range(0..1_000_000_000u64)
            );
            let email = format!(
                "lead{}@{}.example.cn",
                next,
                ["qq", "163", "corp"][(k % 3) as usize]
            );
            let campaign_id = (rng.gen_bool(0.7)).then(|| *pick(&mut rng, &campaigns));
            let pool = rng.gen_bool(0.3);
            let owner = (!pool).then(|| *pick(&mut rng, &reps));
            let roll: f64 = rng.gen();
            let converted = owner.is_some() && roll < 0.12 && !customers.is_empty();
            let status = if converted {
                "converted"
            } else if roll < 0.45 {
                "new"
            } else if roll < 0.75 {
                "contacting"
            } else if roll < 0.9 {
                "qualified"
            } else {
                "unqualified"
            };
            let mut created = now - Duration::minutes(rng.gen_range(0..(300 * 1440)));
            let (customer_id, converted_at) = if converted {
                let (cid, _) = *pick(&mut rng, &customers);
                // Converted before the customer's first order, the lead a while before.
                let at = match first_order.get(&cid) {
                    Some(first) => *first - Duration::hours(rng.gen_range(1..(20 * 24))),
                    None => created + Duration::days(rng.gen_range(1..30)),
                };
                created = created.min(at - Duration::days(rng.gen_range(1..30)));
                (Some(cid), Some(at))
            } else {
                (None, None)
            };
            let conv_owner = customer_id
                .and_then(|c| customers.iter().find(|x| x.0 == c).map(|x| x.1))
                .or(owner);
            rows.push(lead::ActiveModel {
                id: Set(next),
                name: Set(name),
                company_norm: Set(company_key(&company)),
                company: Set(Some(company)),
                title: Set(Some((*pick(&mut rng, TITLES)).into())),
                phone_norm: Set(phone_key(&phone)),
                phone: Set(Some(phone)),
                email_norm: Set(email_key(&email)),
                email: Set(Some(email)),
                province: Set(Some(province.into())),
                city: Set(Some(city.into())),
                address: Set(None),
                industry: Set(Some((*pick(&mut rng, INDUSTRIES)).into())),
                source: Set(Some(
                    if campaign_id.is_some() {
                        "exhibition"
                    } else {
                        *pick(&mut rng, SOURCES)
                    }
                    .into(),
                )),
                campaign_id: Set(campaign_id),
                status: Set(status.into()),
                owner_id: Set(if converted { conv_owner } else { owner }),
                notes: Set(None),
                next_follow_up: Set(
                    (status == "contacting").then(|| today + Duration::days(rng.gen_range(-5..20)))
                ),
                last_contacted_at: Set(None),
                import_key: Set(None),
                converted_at: Set(converted_at),
                converted_by: Set(converted.then_some(conv_owner).flatten()),
                customer_id: Set(customer_id),
                contact_id: Set(None),
                opportunity_id: Set(None),
                created_by: Set(Some(marketer.id)),
                created_at: Set(created),
                updated_at: Set(converted_at.unwrap_or(created)),
                version: Set(1),
                deleted_at: Set(None),
            });
            out.converted += u64::from(converted);
            next += 1;
        }
        let txn = core.begin_write().await?;
        lead::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        done += size;
        out.leads = done;
        progress(done, n);
    }
    crm_store::db::sync_sequence(db, "leads").await?;
    links(core, &mut rng, &mut out).await?;
    Ok(out)
}

async fn campaigns(
    core: &Core,
    owner: i64,
    today: NaiveDate,
    out: &mut Generated,
) -> Result<Vec<i64>> {
    let db = &core.db;
    let existing: Vec<i64> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .filter(campaign::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    let now = core.now();
    let txn = core.begin_write().await?;
    let mut ids = Vec::new();
    for (name, kind, status, ago, len, budget, spent) in CAMPAIGNS {
        let starts = today - Duration::days(*ago);
        let m = campaign::ActiveModel {
            name: Set((*name).into()),
            kind: Set((*kind).into()),
            status: Set((*status).into()),
            starts_on: Set(Some(starts)),
            ends_on: Set(Some(starts + Duration::days(*len))),
            budget: Set(budget * 100),
            actual_cost: Set(spent * 100),
            expected_leads: Set(Some((budget / 400) as i32)),
            expected_revenue: Set(Some(budget * 100 * 8)),
            owner_id: Set(owner),
            form_enabled: Set(false),
            created_by: Set(Some(owner)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        ids.push(campaign::Entity::insert(m).exec(&txn).await?.last_insert_id);
    }
    txn.commit().await?;
    out.campaigns = ids.len();
    Ok(ids)
}

async fn competitors(core: &Core, out: &mut Generated) -> Result<()> {
    if competitor::Entity::find().count(&core.db).await? > 0 {
        return Ok(());
    }
    let now = core.now();
    let txn = core.begin_write().await?;
    for (name, web, strengths, weaknesses, products) in COMPETITORS {
        competitor::Entity::insert(competitor::ActiveModel {
            name: Set((*name).into()),
            website: Set((!web.is_empty()).then(|| (*web).into())),
            strengths: Set(Some((*strengths).into())),
            weaknesses: Set(Some((*weaknesses).into())),
            products: Set(Some((*products).into())),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        out.competitors += 1;
    }
    txn.commit().await?;
    Ok(())
}

/// One or two competitors on up to 3,000 opportunities (once).
async fn links(core: &Core, rng: &mut StdRng, out: &mut Generated) -> Result<()> {
    let db = &core.db;
    if opportunity_competitor::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let comps: Vec<i64> = competitor::Entity::find()
        .select_only()
        .column(competitor::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let opps: Vec<(i64, i64)> = opportunity::Entity::find()
        .select_only()
        .column(opportunity::Column::Id)
        .column(opportunity::Column::Amount)
        .order_by_desc(opportunity::Column::Id)
        .limit(3_000)
        .into_tuple()
        .all(db)
        .await?;
    if comps.is_empty() || opps.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::new();
    for (oid, amount) in opps {
        let first = rng.gen_range(0..comps.len());
        let mut chosen = vec![comps[first]];
        if rng.gen_bool(0.3) {
            chosen.push(comps[(first + 1) % comps.len()]);
        }
        for c in chosen {
            rows.push(opportunity_competitor::ActiveModel {
                opportunity_id: Set(oid),
                competitor_id: Set(c),
                their_price: Set(Some(amount / 100 * rng.gen_range(85..115))),
                notes: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
        }
    }
    out.links = rows.len();
    let txn = core.begin_write().await?;
    for chunk in rows.chunks(500) {
        opportunity_competitor::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sales-amount targets for the current month, quarter and year: every rep and manager,
/// and every department under 销售部 (once).
async fn quotas(
    core: &Core,
    users: &[user::Model],
    today: NaiveDate,
    out: &mut Generated,
) -> Result<()> {
    let db = &core.db;
    if quota::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let depts = department::Entity::find().all(db).await?;
    let sales_depts: Vec<i64> = depts
        .iter()
        .filter(|d| d.name.contains("销售") || d.name.contains("大区"))
        .map(|d| d.id)
        .collect();
    let now = core.now();
    let txn = core.begin_write().await?;
    for (kind, per_rep) in [
        (PeriodKind::Month, 400_000i64),
        (PeriodKind::Quarter, 1_200_000),
        (PeriodKind::Year, 4_800_000),
    ] {
        let start = Period::containing(kind, today, core.settings.week_start).start;
        let mut subjects: Vec<(String, Option<i64>, Option<i64>, i64)> = users
            .iter()
            .filter(|u| u.role == "sales_rep" || u.role == "sales_manager")
            .map(|u| {
                let t = if u.role == "sales_rep" {
                    per_rep
                } else {
                    per_rep * 3
                };
                (format!("user:{}", u.id), Some(u.id), None, t * 100)
            })
            .collect();
        subjects.extend(
            sales_depts
                .iter()
                .map(|d| (format!("department:{d}"), None, Some(*d), per_rep * 400)),
        );
        for (key, uid, did, target) in subjects {
            quota::Entity::insert(quota::ActiveModel {
                subject_key: Set(key),
                user_id: Set(uid),
                department_id: Set(did),
                metric: Set("sales_amount".into()),
                period_kind: Set(kind.as_str().into()),
                period_start: Set(start),
                target: Set(target),
                set_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            out.quotas += 1;
        }
    }
    txn.commit().await?;
    Ok(())
}
