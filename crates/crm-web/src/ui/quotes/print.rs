//! The print page of a quote: an A4 sheet with the company name, the customer, the lines
//! and the totals (for CNY also in Chinese capitals, 大写金额), and a Print button.

use super::show::{line_views, LineView};
use super::*;

#[derive(Template)]
#[template(path = "quote_print.html")]
pub(super) struct PrintPage {
    pub(super) l: Layout,
    pub(super) q: Quote,
    pub(super) customer: String,
    pub(super) address: String,
    pub(super) phone: String,
    pub(super) owner: String,
    pub(super) date: String,
    pub(super) lines: Vec<LineView>,
    pub(super) subtotal: String,
    pub(super) discount: String,
    pub(super) total: String,
    /// The total in Chinese capitals when the currency is CNY.
    pub(super) total_words: Option<String>,
}

pub async fn print(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    print_page(&state, &s, id)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

async fn print_page(state: &AppState, s: &UiSession, id: i64) -> Result<Response, ServiceError> {
    let d = quotes::get(&state.core, &s.principal, id).await?;
    let q = d.quote;
    let c = crm_store::customers::find_any(&state.core.db, q.customer_id).await?;
    let (customer, address, phone) = match c {
        Some(c) => {
            let mut addr: String = [&c.province, &c.city, &c.district, &c.street]
                .iter()
                .filter_map(|v| v.as_deref())
                .collect::<Vec<_>>()
                .join(if s.tr.is_zh() { "" } else { " " });
            if let Some(pc) = c.postal_code.as_deref() {
                addr = format!("{addr} {pc}").trim().to_string();
            }
            (c.name, addr, c.phone.unwrap_or_default())
        }
        None => (String::new(), String::new(), String::new()),
    };
    let owner = user_names(state, &[q.owner_id])
        .await?
        .remove(&q.owner_id)
        .unwrap_or_default();
    let currency = &state.core.settings.currency;
    let page = PrintPage {
        l: s.layout("quotes"),
        customer,
        address,
        phone,
        owner,
        date: crate::ui::customers::fmt_time(state.core.settings.tz, q.created_at)
            .chars()
            .take(10)
            .collect(),
        lines: line_views(state, &d.lines),
        subtotal: money(state, q.subtotal),
        discount: money(state, q.discount_total),
        total: money(state, q.total),
        total_words: (currency.code == "CNY").then(|| cny_in_capitals(q.total)),
        q,
    };
    Ok(render(&page))
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL: [&str; 4] = ["", "拾", "佰", "仟"];
const BIG: [&str; 4] = ["", "万", "亿", "万亿"];

/// 0..=9999 in capitals, without leading zeros ("壹仟零伍拾").
fn section(n: u64) -> String {
    let mut out = String::new();
    let mut zero = false;
    for i in (0..4).rev() {
        let d = (n / 10u64.pow(i)) % 10;
        if d == 0 {
            zero = !out.is_empty();
        } else {
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(DIGITS[d as usize]);
            out.push_str(SMALL[i as usize]);
        }
    }
    out
}

/// An amount in 分 as written on Chinese invoices: "壹万零叁佰元伍角整".
pub fn cny_in_capitals(minor: i64) -> String {
    let neg = minor < 0;
    let v = minor.unsigned_abs();
    let (yuan, jiao, fen) = (v / 100, (v / 10) % 10, v % 10);
    let mut out = String::new();
    if neg {
        out.push('负');
    }
    if yuan == 0 && jiao == 0 && fen == 0 {
        return "零元整".to_string();
    }
    if yuan > 0 {
        let mut groups = Vec::new();
        let mut n = yuan;
        while n > 0 {
            groups.push(n % 10_000);
            n /= 10_000;
        }
        let mut int = String::new();
        let mut gap = false;
        for (i, g) in groups.iter().enumerate().rev() {
            if *g == 0 {
                gap = !int.is_empty();
                continue;
            }
            if !int.is_empty() && (gap || *g < 1000) {
                int.push('零');
            }
            int.push_str(&section(*g));
            int.push_str(BIG.get(i).copied().unwrap_or(""));
            gap = false;
        }
        out.push_str(&int);
        out.push('元');
    }
    if jiao == 0 && fen == 0 {
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push(DIGITS[jiao as usize]);
        out.push('角');
    } else if yuan > 0 {
        out.push('零');
    }
    if fen > 0 {
        out.push(DIGITS[fen as usize]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cny_in_capitals as c;

    #[test]
    fn amounts_in_chinese_capitals() {
        assert_eq!(c(0), "零元整");
        assert_eq!(c(100), "壹元整");
        assert_eq!(c(123_450), "壹仟贰佰叁拾肆元伍角整");
        assert_eq!(c(1_000_500), "壹万零伍元整");
        assert_eq!(c(10_005_000), "壹拾万零伍拾元整");
        assert_eq!(c(10_000_500_000), "壹亿零伍仟元整");
        assert_eq!(c(100_001), "壹仟元零壹分");
        assert_eq!(c(50), "伍角整");
        assert_eq!(c(19_999), "壹佰玖拾玖元玖角玖分");
    }
}
