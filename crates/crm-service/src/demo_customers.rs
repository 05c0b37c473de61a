//! Demo customers, contacts and contact history in bulk (`crm demo --customers N`):
//! realistic Chinese company and person names, addresses by province with postal codes,
//! mobile numbers, spread over the sales reps and managers of the demo organisation, with
//! their duplicate-detection keys (`match_keys`) written in the same batches.

use crate::{Core, Result, ServiceError};
use chrono::Duration;
use crm_domain::customer::{ActivityKind, Nature, Size, Source, Status};
use crm_store::entity::{activity, contact, customer};
use crm_store::{bulk, match_keys, search, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::Set;

const CITIES: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "北京市",
        "北京",
        "华北",
        "100000",
        &["海淀区", "朝阳区", "东城区", "西城区", "丰台区"],
    ),
    (
        "天津市",
        "天津",
        "华北",
        "300000",
        &["和平区", "南开区", "河西区"],
    ),
    ("河北省", "石家庄", "华北", "050000", &["长安区", "桥西区"]),
    (
        "上海市",
        "上海",
        "华东",
        "200000",
        &["浦东新区", "徐汇区", "静安区", "闵行区"],
    ),
    (
        "江苏省",
        "南京",
        "华东",
        "210000",
        &["玄武区", "鼓楼区", "建邺区"],
    ),
    (
        "江苏省",
        "苏州",
        "华东",
        "215000",
        &["姑苏区", "工业园区", "吴中区"],
    ),
    (
        "浙江省",
        "杭州",
        "华东",
        "310000",
        &["西湖区", "滨江区", "余杭区"],
    ),
    ("山东省", "济南", "华东", "250000", &["历下区", "市中区"]),
    (
        "广东省",
        "广州",
        "华南",
        "510000",
        &["天河区", "越秀区", "海珠区", "番禺区"],
    ),
    (
        "广东省",
        "深圳",
        "华南",
        "518000",
        &["南山区", "福田区", "宝安区", "龙岗区"],
    ),
    ("福建省", "厦门", "华南", "361000", &["思明区", "湖里区"]),
    (
        "湖北省",
        "武汉",
        "华中",
        "430000",
        &["江汉区", "武昌区", "洪山区"],
    ),
    ("湖南省", "长沙", "华中", "410000", &["岳麓区", "芙蓉区"]),
    (
        "四川省",
        "成都",
        "西南",
        "610000",
        &["锦江区", "武侯区", "高新区"],
    ),
    (
        "重庆市",
        "重庆",
        "西南",
        "400000",
        &["渝中区", "江北区", "南岸区"],
    ),
    ("陕西省", "西安", "西北", "710000", &["雁塔区", "碑林区"]),
    ("辽宁省", "沈阳", "东北", "110000", &["和平区", "沈河区"]),
];
const BRANDS: &[&str] = &[
    "华信", "中科", "天成", "恒达", "宏远", "瑞丰", "金盛", "博远", "新锐", "东方", "长城", "鼎盛",
    "汇通", "盛世", "华泰", "永安", "佳禾", "正泰", "安信", "海纳", "卓越", "远航", "启明", "和润",
];
const TRADES: &[(&str, &str)] = &[
    ("科技", "软件与信息服务"),
    ("电子", "电子制造"),
    ("贸易", "批发零售"),
    ("医药", "医药医疗"),
    ("建材", "建筑建材"),
    ("物流", "交通物流"),
    ("食品", "食品饮料"),
    ("教育", "教育培训"),
    ("咨询", "商务服务"),
    ("机械", "装备制造"),
    ("能源", "能源化工"),
    ("传媒", "文化传媒"),
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓", "曹", "彭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "丹", "鹏", "婷", "浩",
];
const TITLES: &[&str] = &[
    "总经理",
    "采购经理",
    "技术总监",
    "财务经理",
    "行政主管",
    "项目经理",
    "董事长",
    "采购专员",
];
const NOTES: &[&str] = &[
    "电话沟通了新版本的报价，客户表示需要内部讨论。",
    "上门拜访，演示了产品功能，对方技术负责人比较认可。",
    "发送了产品资料和案例介绍。",
    "参加客户的供应商会议，了解了明年的采购计划。",
    "客户反馈价格偏高，约定下周再谈折扣。",
    "确认了合同条款，等待对方法务审核。",
    "回访使用情况，客户提出两个改进需求。",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

fn mobile(rng: &mut StdRng) -> String {
    let prefix = pick(
        rng,
        &[
            "138", "139", "135", "136", "150", "151", "186", "187", "188", "177",
        ],
    );
    format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub customers: u64,
    pub contacts: u64,
    pub activities: u64,
}

/// Adds `n` customers (≈2 contacts and ≈5 activities each) owned by the active sales
/// reps and managers. `progress(customers_done, n)` is called per batch.
pub async fn generate(
    core: &Core,
    n: u64,
    seed: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Generated> {
    let owners: Vec<i64> = {
        let filter = users::Filter {
            active: Some(true),
            ..Default::default()
        };
        let all = users::list(&core.db, &filter, None, 10_000).await?;
        let mut v: Vec<i64> = all
            .iter()
            .filter(|u| u.role == "sales_rep")
            .map(|u| u.id)
            .collect();
        v.extend(
            all.iter()
                .filter(|u| u.role == "sales_manager")
                .map(|u| u.id),
        );
        if v.is_empty() {
            v.extend(all.iter().map(|u| u.id));
        }
        v
    };
    if owners.is_empty() {
        return Err(ServiceError::conflict(
            "no_users",
            "Create users (crm demo) before customers",
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = core.now();
    let mut next_customer = bulk::max_id(&core.db, "customers").await? + 1;
    let mut next_contact = bulk::max_id(&core.db, "contacts").await? + 1;
    let mut next_activity = bulk::max_id(&core.db, "activities").await? + 1;
    let mut out = Generated::default();
    const BATCH: u64 = 400;
    let mut done = 0u64;
    while done < n {
        let size = BATCH.min(n - done);
        let mut cs = Vec::with_capacity(size as usize);
        let mut ks = Vec::new();
        let mut acts = Vec::new();
        let mut tokens = Vec::with_capacity(size as usize);
        let mut keys = Vec::with_capacity(size as usize * 4);
        for _ in 0..size {
            let id = next_customer;
            next_customer += 1;
            let (province, city, region, postal, districts) = *pick(&mut rng, CITIES);
            let (trade, industry) = *pick(&mut rng, TRADES);
            let individual = rng.gen_bool(0.08);
            let name = if individual {
                format!("{}（个人）", person(&mut rng))
            } else {
                format!(
                    "{}{}{}{}有限公司",
                    city,
                    pick(&mut rng, BRANDS),
                    pick(&mut rng, BRANDS),
                    trade
                )
            };
            let owner = *pick(&mut rng, &owners);
            // Customers arrive over the last two years in id order, as they would in a
            // real system (ids and creation times grow together).
            let progress_days = 720.0 * (1.0 - (done as f64 + cs.len() as f64) / n.max(1) as f64);
            let created = now
                - Duration::minutes((progress_days * 1440.0) as i64)
                - Duration::minutes(rng.gen_range(0..60));
            let phone = format!(
                "0{}-{:08}",
                rng.gen_range(10..99),
                rng.gen_range(0..100_000_000u32)
            );
            let nature = if individual {
                Nature::Individual
            } else {
                *pick(
                    &mut rng,
                    &[
                        Nature::Enterprise,
                        Nature::Enterprise,
                        Nature::Enterprise,
                        Nature::Government,
                        Nature::Other,
                    ],
                )
            };
            let mut texts: Vec<String> = vec![name.clone(), phone.clone()];
            keys.extend(match_keys::customer_keys(id, &name, Some(&phone), owner));
            cs.push(customer::ActiveModel {
                id: Set(id),
                name: Set(name),
                nature: Set(Some(nature.as_str().into())),
                size: Set(Some(pick(&mut rng, Size::ALL).as_str().into())),
                industry: Set(Some(industry.into())),
                province: Set(Some(province.into())),
                city: Set(Some(city.into())),
                district: Set(Some((*pick(&mut rng, districts)).into())),
                street: Set(Some(format!(
                    "{}路{}号",
                    pick(&mut rng, BRANDS),
                    rng.gen_range(1..999)
                ))),
                postal_code: Set(Some(postal.into())),
                region: Set(Some(region.into())),
                phone: Set(Some(phone)),
                website: Set(None),
                source: Set(Some(pick(&mut rng, Source::ALL).as_str().into())),
                status: Set(pick(&mut rng, Status::ALL).as_str().into()),
                owner_id: Set(owner),
                notes: Set(None),
                custom: Set("{}".into()),
                created_by: Set(Some(owner)),
                created_at: Set(created),
                updated_at: Set(created),
                version: Set(1),
                deleted_at: Set(None),
            });
            let n_contacts = rng.gen_range(1..=3);
            let mut contact_ids = Vec::new();
            for k in 0..n_contacts {
                let cid = next_contact;
                next_contact += 1;
                contact_ids.push(cid);
                let pname = person(&mut rng);
                let mob = mobile(&mut rng);
                texts.push(pname.clone());
                texts.push(mob.clone());
                keys.extend(match_keys::contact_keys(
                    cid,
                    id,
                    owner,
                    Some(&mob),
                    None,
                    None,
                ));
                ks.push(contact::ActiveModel {
                    id: Set(cid),
                    customer_id: Set(id),
                    name: Set(pname),
                    title: Set(Some((*pick(&mut rng, TITLES)).into())),
                    mobile: Set(Some(mob)),
                    phone: Set(None),
                    email: Set(None),
                    address: Set(None),
                    birthday: Set(None),
                    notes: Set(None),
                    is_primary: Set(k == 0),
                    custom: Set("{}".into()),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    deleted_at: Set(None),
                });
            }
            let n_acts = rng.gen_range(3..=7);
            for _ in 0..n_acts {
                let at = created
                    + Duration::minutes(rng.gen_range(0..(now - created).num_minutes().max(1)));
                let follow = if rng.gen_bool(0.15) {
                    Some((now + Duration::days(rng.gen_range(1..30))).date_naive())
                } else {
                    None
                };
                acts.push(activity::ActiveModel {
                    id: Set(next_activity),
                    customer_id: Set(id),
                    contact_id: Set(Some(*pick(&mut rng, &contact_ids))),
                    kind: Set(pick(&mut rng, ActivityKind::ALL).as_str().into()),
                    occurred_at: Set(at),
                    author_id: Set(owner),
                    owner_id: Set(owner),
                    content: Set((*pick(&mut rng, NOTES)).into()),
                    next_follow_up: Set(follow),
                    created_at: Set(at),
                    updated_at: Set(at),
                    version: Set(1),
                    deleted_at: Set(None),
                });
                next_activity += 1;
            }
            tokens.push((
                id,
                search::document_tokens(texts.iter().map(String::as_str)),
            ));
        }
        out.customers += cs.len() as u64;
        out.contacts += ks.len() as u64;
        out.activities += acts.len() as u64;
        let txn = core.begin_write().await?;
        bulk::customers(&txn, cs).await?;
        for chunk in bulk::chunks(ks, 400) {
            bulk::contacts(&txn, chunk).await?;
        }
        for chunk in bulk::chunks(acts, 400) {
            bulk::activities(&txn, chunk).await?;
        }
        for chunk in tokens.chunks(400) {
            bulk::search_tokens(&txn, chunk).await?;
        }
        match_keys::insert_many(&txn, &keys).await?;
        txn.commit().await?;
        done += size;
        progress(done, n);
    }
    for t in ["customers", "contacts", "activities"] {
        bulk::sync_sequence(&core.db, t).await?;
    }
    // Fresh planner statistics, so lists over the new data use the right plans at once.
    crm_store::optimize(&core.db, true).await?;
    Ok(out)
}
