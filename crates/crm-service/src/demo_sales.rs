//! Demo sales data in bulk (`crm demo --orders N`): a product catalogue, opportunities
//! across the pipeline, and N sales orders (≈3 lines each) over the last two years — most
//! approved with their purchase records and payments, some drafts, submitted, rejected and
//! cancelled — plus quotes and sales expenses, owned by the owners of the customers.

use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use crm_domain::money::{line_gross, line_total};
use crm_domain::{Discount, Money, Quantity};
use crm_store::entity::{
    expense, opportunity, order_line, payment, product, product_category, purchase_record,
    sales_order,
};
use crm_store::{bulk, ConnectionTrait};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set};

/// A demo product: name, spec, unit, guide price in yuan.
type DemoProduct = (&'static str, &'static str, &'static str, i64);

/// (category, products).
const CATALOGUE: &[(&str, &[DemoProduct])] = &[
    (
        "服务器与存储",
        &[
            ("机架式服务器", "2U 双路 / 256GB", "台", 48_000),
            ("塔式服务器", "单路 / 64GB", "台", 16_800),
            ("全闪存储阵列", "50TB 可用", "套", 268_000),
            ("备份一体机", "20TB", "台", 89_000),
        ],
    ),
    (
        "网络设备",
        &[
            ("核心交换机", "48 口万兆", "台", 36_000),
            ("接入交换机", "24 口千兆 PoE", "台", 4_200),
            ("企业级防火墙", "10Gbps 吞吐", "台", 58_000),
            ("无线接入点", "Wi-Fi 6", "个", 1_680),
        ],
    ),
    (
        "软件许可",
        &[
            ("CRM 企业版许可", "按用户 / 年", "用户", 1_200),
            ("ERP 财务模块", "永久许可", "套", 150_000),
            ("数据库企业版", "按核", "核", 22_000),
            ("办公协同平台", "按用户 / 年", "用户", 360),
        ],
    ),
    (
        "实施与服务",
        &[
            ("实施服务", "顾问人天", "人天", 2_500),
            ("定制开发", "工程师人天", "人天", 2_000),
            ("年度维保", "7×24 响应", "年", 30_000),
            ("培训服务", "每期 20 人", "期", 8_000),
        ],
    ),
    (
        "办公设备",
        &[
            ("商用笔记本", "14 英寸 / 16GB", "台", 6_999),
            ("台式工作站", "i7 / 32GB", "台", 9_800),
            ("彩色激光打印机", "A3 网络", "台", 12_500),
            ("视频会议终端", "4K 摄像头", "套", 26_000),
        ],
    ),
    (
        "耗材与配件",
        &[
            ("硒鼓", "黑色 高容量", "个", 680),
            ("固态硬盘", "2TB NVMe", "块", 1_299),
            ("内存条", "32GB DDR5", "条", 980),
            ("网线", "六类 305 米", "箱", 560),
        ],
    ),
];

const EXPENSE_CATEGORIES: &[&str] = &[
    "travel",
    "entertainment",
    "gifts",
    "transport",
    "communication",
    "samples",
    "other",
];
const PAYMENT_METHODS: &[&str] = &[
    "bank_transfer",
    "bank_transfer",
    "alipay",
    "wechat",
    "cheque",
];
const OPPORTUNITY_NAMES: &[&str] = &[
    "数据中心扩容项目",
    "网络改造项目",
    "CRM 上线项目",
    "年度维保续约",
    "办公设备集中采购",
    "ERP 升级项目",
    "视频会议系统建设",
    "信息安全加固",
];

#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub products: u64,
    pub opportunities: u64,
    pub orders: u64,
    pub lines: u64,
    pub payments: u64,
    pub expenses: u64,
}

struct Prod {
    id: i64,
    code: String,
    name: String,
    spec: String,
    unit: String,
    price: i64,
}

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

/// Creates the demo catalogue when there are no products yet; returns the products.
async fn catalogue(core: &Core, out: &mut Generated) -> Result<Vec<Prod>> {
    let now = core.now();
    let existing = product::Entity::find().count(&core.db).await?;
    if existing == 0 {
        let txn = core.begin_write().await?;
        let mut pid = 0;
        for (ci, (cat, items)) in CATALOGUE.iter().enumerate() {
            let cat_id = ci as i64 + 1;
            bulk::rows(
                &txn,
                vec![product_category::ActiveModel {
                    id: Set(cat_id),
                    parent_id: Set(None),
                    name: Set((*cat).into()),
                    sort_order: Set(ci as i32 * 10),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    deleted_at: Set(None),
                }],
            )
            .await?;
            let mut rows = Vec::new();
            for (name, spec, unit, yuan) in items.iter() {
                pid += 1;
                rows.push(product::ActiveModel {
                    id: Set(pid),
                    category_id: Set(Some(cat_id)),
                    code: Set(format!("P{:04}", pid)),
                    name: Set((*name).into()),
                    spec: Set(Some((*spec).into())),
                    unit: Set((*unit).into()),
                    cost_price: Set(Some(yuan * 100 * 62 / 100)),
                    guide_price: Set(yuan * 100),
                    status: Set("on_sale".into()),
                    description: Set(None),
                    created_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    deleted_at: Set(None),
                });
            }
            out.products += rows.len() as u64;
            bulk::rows(&txn, rows).await?;
        }
        txn.commit().await?;
        for t in ["product_categories", "products"] {
            bulk::sync_sequence(&core.db, t).await?;
        }
    }
    let all = product::Entity::find()
        .order_by_asc(product::Column::Id)
        .all(&core.db)
        .await?;
    Ok(all
        .into_iter()
        .filter(|p| p.status == "on_sale" && p.deleted_at.is_none())
        .map(|p| Prod {
            id: p.id,
            code: p.code,
            name: p.name,
            spec: p.spec.unwrap_or_default(),
            unit: p.unit,
            price: p.guide_price,
        })
        .collect())
}

/// Customers as (id, owner), in id order.
async fn customers(core: &Core) -> Result<Vec<(i64, i64)>> {
    use crm_store::entity::customer;
    Ok(customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::OwnerId)
        .order_by_asc(customer::Column::Id)
        .into_tuple::<(i64, i64)>()
        .all(&core.db)
        .await?)
}

/// The stage ids of the pipeline with their probabilities.
async fn stages<C: ConnectionTrait>(db: &C) -> Result<Vec<(i64, i32)>> {
    use crm_store::entity::pipeline_stage;
    Ok(pipeline_stage::Entity::find()
        .select_only()
        .column(pipeline_stage::Column::Id)
        .column(pipeline_stage::Column::Probability)
        .order_by_asc(pipeline_stage::Column::SortOrder)
        .into_tuple::<(i64, i32)>()
        .all(db)
        .await?)
}

/// A moment `days_ago` (fractional) before `now`.
fn ago(now: DateTime<Utc>, days_ago: f64) -> DateTime<Utc> {
    now - Duration::minutes((days_ago * 1440.0) as i64)
}

/// Adds the catalogue (once), `n / 2` opportunities, `n` orders with lines, purchase
/// records and payments, and `n / 4` expenses. `progress(orders_done, n)` per batch.
pub async fn generate(
    core: &Core,
    n: u64,
    seed: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Generated> {
    let mut out = Generated::default();
    let products = catalogue(core, &mut out).await?;
    let custs = customers(core).await?;
    if custs.is_empty() || products.is_empty() {
        return Err(ServiceError::conflict(
            "no_customers",
            "Create customers (crm demo --customers N) before orders",
        ));
    }
    let stages = stages(&core.db).await?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5a1e5);
    let now = core.now();
    let today = core.today();
    let mut next_opp = bulk::max_id(&core.db, "opportunities").await? + 1;
    let mut next_order = bulk::max_id(&core.db, "sales_orders").await? + 1;
    let mut next_line = bulk::max_id(&core.db, "order_lines").await? + 1;
    let mut next_pay = bulk::max_id(&core.db, "payments").await? + 1;
    let mut next_exp = bulk::max_id(&core.db, "expenses").await? + 1;
    const BATCH: u64 = 500;
    let mut done = 0u64;
    while done < n {
        let size = BATCH.min(n - done);
        let mut opps = Vec::new();
        let mut orders = Vec::with_capacity(size as usize);
        let mut lines = Vec::new();
        let mut records = Vec::new();
        let mut pays = Vec::new();
        let mut exps = Vec::new();
        for i in 0..size {
            let (customer_id, owner) = *pick(&mut rng, &custs);
            // Orders arrive over the last two years in id order.
            let days_ago =
                720.0 * (1.0 - (done + i) as f64 / n.max(1) as f64) + rng.gen_range(0.0..1.0);
            let created = ago(now, days_ago);
            let order_date: NaiveDate = core.settings.local_date(created);
            if (done + i).is_multiple_of(2) {
                let (stage_id, prob) = *pick(&mut rng, &stages);
                let roll: f64 = rng.gen();
                let (status, closed) = if roll < 0.6 {
                    ("open", None)
                } else if roll < 0.85 {
                    ("won", Some(order_date))
                } else {
                    ("lost", Some(order_date))
                };
                let expected = if status == "open" {
                    today + Duration::days(rng.gen_range(-30..120))
                } else {
                    order_date
                };
                opps.push(opportunity::ActiveModel {
                    id: Set(next_opp),
                    customer_id: Set(customer_id),
                    name: Set((*pick(&mut rng, OPPORTUNITY_NAMES)).into()),
                    amount: Set(rng.gen_range(10..500) * 100_000),
                    stage_id: Set(stage_id),
                    probability: Set(match status {
                        "won" => 100,
                        "lost" => 0,
                        _ => prob,
                    }),
                    expected_close: Set(Some(expected)),
                    source: Set(None),
                    owner_id: Set(owner),
                    status: Set(status.into()),
                    closed_on: Set(closed),
                    close_reason: Set(None),
                    notes: Set(None),
                    created_by: Set(Some(owner)),
                    created_at: Set(ago(now, days_ago + rng.gen_range(5.0..60.0))),
                    updated_at: Set(created),
                    version: Set(1),
                    deleted_at: Set(None),
                });
                next_opp += 1;
            }
            let id = next_order;
            next_order += 1;
            let roll: f64 = rng.gen();
            let status = if days_ago < 3.0 {
                *pick(&mut rng, &["draft", "submitted"])
            } else if roll < 0.86 {
                "approved"
            } else if roll < 0.90 {
                "rejected"
            } else if roll < 0.94 {
                "cancelled"
            } else if roll < 0.97 {
                "submitted"
            } else {
                "draft"
            };
            let n_lines = rng.gen_range(1..=5);
            let mut subtotal = 0i64;
            let mut total = 0i64;
            let decided = created + Duration::hours(rng.gen_range(1..72));
            for no in 0..n_lines {
                let p = pick(&mut rng, &products);
                // Fewer of the expensive items: one storage array, thirty licences.
                let max_qty = (5_000_000 / p.price.max(1)).clamp(1, 30);
                let qty = Quantity(rng.gen_range(1..=max_qty) * 1000);
                let disc = Discount(*pick(&mut rng, &[0, 0, 0, 500, 1000, 1500]));
                let gross = line_gross(qty, Money(p.price)).unwrap_or_default().0;
                let net = line_total(qty, Money(p.price), disc).unwrap_or_default().0;
                subtotal += gross;
                total += net;
                lines.push(order_line::ActiveModel {
                    id: Set(next_line),
                    order_id: Set(id),
                    line_no: Set(no + 1),
                    product_id: Set(p.id),
                    product_code: Set(p.code.clone()),
                    product_name: Set(p.name.clone()),
                    spec: Set(Some(p.spec.clone())),
                    unit: Set(p.unit.clone()),
                    quantity: Set(qty.0),
                    unit_price: Set(p.price),
                    discount_bp: Set(disc.0),
                    line_total: Set(net),
                });
                if status == "approved" || status == "cancelled" {
                    records.push(purchase_record::ActiveModel {
                        customer_id: Set(customer_id),
                        order_id: Set(id),
                        order_line_id: Set(next_line),
                        product_id: Set(p.id),
                        product_name: Set(p.name.clone()),
                        quantity: Set(qty.0),
                        amount: Set(net),
                        purchased_at: Set(decided),
                        reversed_at: Set((status == "cancelled").then_some(decided)),
                        ..Default::default()
                    });
                }
                next_line += 1;
            }
            // Approved orders are mostly paid: in full, in part, or not yet.
            let mut received = 0i64;
            if status == "approved" {
                let roll: f64 = rng.gen();
                let paid = if roll < 0.75 {
                    total
                } else if roll < 0.9 {
                    total / 2
                } else {
                    0
                };
                if paid > 0 {
                    let first_on =
                        core.settings.local_date(decided) + Duration::days(rng.gen_range(0..40));
                    // Two instalments for a good share of the fully paid orders.
                    let parts = if paid == total && rng.gen_bool(0.4) {
                        vec![
                            (paid / 2, first_on),
                            (paid - paid / 2, first_on + Duration::days(30)),
                        ]
                    } else {
                        vec![(paid, first_on)]
                    };
                    for (amount, on) in parts {
                        pays.push(payment::ActiveModel {
                            id: Set(next_pay),
                            order_id: Set(id),
                            customer_id: Set(customer_id),
                            owner_id: Set(owner),
                            amount: Set(amount),
                            paid_on: Set(on.min(today)),
                            method: Set((*pick(&mut rng, PAYMENT_METHODS)).into()),
                            note: Set(None),
                            created_by: Set(Some(owner)),
                            created_at: Set(decided),
                            deleted_at: Set(None),
                        });
                        next_pay += 1;
                    }
                    received = paid;
                }
            }
            let decided_status = matches!(status, "approved" | "rejected" | "cancelled");
            orders.push(sales_order::ActiveModel {
                id: Set(id),
                number: Set(format!("SO{}-{:06}", order_date.format("%Y%m%d"), id)),
                customer_id: Set(customer_id),
                quote_id: Set(None),
                opportunity_id: Set(None),
                owner_id: Set(owner),
                status: Set(status.into()),
                order_date: Set(order_date),
                due_date: Set(Some(order_date + Duration::days(30))),
                subtotal: Set(subtotal),
                discount_total: Set(subtotal - total),
                total: Set(total),
                received: Set(received),
                notes: Set(None),
                submitted_at: Set((status != "draft").then_some(created)),
                submitted_by: Set((status != "draft").then_some(owner)),
                decided_at: Set(decided_status.then_some(decided)),
                decided_by: Set(None),
                decision_comment: Set(None),
                cancelled_at: Set((status == "cancelled").then_some(decided)),
                cancelled_by: Set(None),
                cancel_reason: Set(None),
                created_by: Set(Some(owner)),
                created_at: Set(created),
                updated_at: Set(created),
                version: Set(1),
                deleted_at: Set(None),
            });
            if (done + i).is_multiple_of(4) {
                exps.push(expense::ActiveModel {
                    id: Set(next_exp),
                    customer_id: Set(customer_id),
                    opportunity_id: Set(None),
                    category: Set((*pick(&mut rng, EXPENSE_CATEGORIES)).into()),
                    amount: Set(rng.gen_range(50..5000) * 100),
                    spent_on: Set(order_date),
                    note: Set(None),
                    owner_id: Set(owner),
                    created_by: Set(Some(owner)),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    deleted_at: Set(None),
                });
                next_exp += 1;
            }
        }
        out.opportunities += opps.len() as u64;
        out.orders += orders.len() as u64;
        out.lines += lines.len() as u64;
        out.payments += pays.len() as u64;
        out.expenses += exps.len() as u64;
        let txn = core.begin_write().await?;
        bulk::rows(&txn, opps).await?;
        bulk::rows(&txn, orders).await?;
        for chunk in bulk::chunks(lines, 400) {
            bulk::rows(&txn, chunk).await?;
        }
        for chunk in bulk::chunks(records, 400) {
            bulk::rows(&txn, chunk).await?;
        }
        bulk::rows(&txn, pays).await?;
        bulk::rows(&txn, exps).await?;
        txn.commit().await?;
        done += size;
        progress(done, n);
    }
    for t in [
        "opportunities",
        "sales_orders",
        "order_lines",
        "purchase_records",
        "payments",
        "expenses",
    ] {
        bulk::sync_sequence(&core.db, t).await?;
    }
    crm_store::optimize(&core.db, true).await?;
    Ok(out)
}
