//! Money, quantities, discounts and line arithmetic, all in exact integers.
//!
//! * [`Money`] is an amount in the installation currency's **minor unit** (分 for CNY), `i64`.
//! * [`Quantity`] is in **thousandths** of a unit (`1.5` 台 is 1500), so fractional units
//!   (hours, kilograms) are exact.
//! * [`Discount`] is in **basis points** (`12.5 %` is 1250), 0..=10000.
//!
//! A line total is `round_half_up(quantity × unit price × (10000 − discount) / (1000 × 10000))`;
//! a document's total is the sum of its line totals, so totals reconcile to the cent by
//! construction.

use crate::validate::ParseResult;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currency of the installation: ISO code, symbol and number of minor digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    pub symbol: String,
    pub minor_digits: u32,
}

impl Default for Currency {
    fn default() -> Self {
        Self::from_code("CNY").unwrap_or(Currency {
            code: "CNY".into(),
            symbol: "¥".into(),
            minor_digits: 2,
        })
    }
}

impl Currency {
    /// A known ISO 4217 code, or `None`.
    pub fn from_code(code: &str) -> Option<Self> {
        let (symbol, digits) = match code.to_ascii_uppercase().as_str() {
            "CNY" => ("¥", 2),
            "USD" => ("$", 2),
            "EUR" => ("€", 2),
            "HKD" => ("HK$", 2),
            "TWD" => ("NT$", 2),
            "GBP" => ("£", 2),
            "JPY" => ("¥", 0),
            "KRW" => ("₩", 0),
            "SGD" => ("S$", 2),
            _ => return None,
        };
        Some(Currency {
            code: code.to_ascii_uppercase(),
            symbol: symbol.into(),
            minor_digits: digits,
        })
    }

    fn scale(&self) -> i64 {
        10i64.pow(self.minor_digits)
    }

    /// Parses a decimal amount typed by a user ("1,234.50", "1234.5", "¥12") into minor units.
    /// Negative amounts are refused unless `allow_negative`.
    pub fn parse(&self, text: &str, allow_negative: bool) -> ParseResult<Money> {
        let cleaned: String = text
            .trim()
            .trim_start_matches(self.symbol.as_str())
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        match parse_scaled(&cleaned, self.minor_digits) {
            Some(v) if v < 0 && !allow_negative => {
                Err(("negative", "must not be negative".to_string()))
            }
            Some(v) => Ok(Money(v)),
            None => Err((
                "invalid_amount",
                format!(
                    "must be an amount with at most {} decimals",
                    self.minor_digits
                ),
            )),
        }
    }

    /// "1,234.50" (no symbol).
    pub fn format_plain(&self, m: Money) -> String {
        let scale = self.scale();
        let neg = m.0 < 0;
        let abs = m.0.unsigned_abs();
        let whole = abs / scale as u64;
        let frac = abs % scale as u64;
        let mut digits = whole.to_string();
        let mut grouped = String::new();
        while digits.len() > 3 {
            let tail = digits.split_off(digits.len() - 3);
            grouped = format!(",{tail}{grouped}");
        }
        grouped = format!("{digits}{grouped}");
        let sign = if neg { "-" } else { "" };
        if self.minor_digits == 0 {
            format!("{sign}{grouped}")
        } else {
            format!(
                "{sign}{grouped}.{frac:0width$}",
                width = self.minor_digits as usize
            )
        }
    }

    /// "¥1,234.50".
    pub fn format(&self, m: Money) -> String {
        let plain = self.format_plain(m);
        match plain.strip_prefix('-') {
            Some(rest) => format!("-{}{rest}", self.symbol),
            None => format!("{}{plain}", self.symbol),
        }
    }

    /// The amount as a decimal string without grouping ("1234.50"), for inputs and the API.
    pub fn to_decimal(&self, m: Money) -> String {
        format_scaled(m.0, self.minor_digits)
    }

    /// The amount as a float of major units, for charts only (never for arithmetic).
    pub fn to_major_f64(&self, m: Money) -> f64 {
        m.0 as f64 / self.scale() as f64
    }
}

/// An amount in minor units of the installation currency.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }
    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A quantity in thousandths of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub i64);

/// The largest quantity a line accepts (one billion units).
pub const MAX_QUANTITY: i64 = 1_000_000_000_000;
/// The largest amount (minor units) a price or payment accepts: 10^13 minor units
/// (one hundred billion yuan), so that sums over millions of rows stay far from i64::MAX.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

impl Quantity {
    /// "3", "1.5", "0.125": positive, at most 3 decimals.
    pub fn parse(text: &str) -> ParseResult<Quantity> {
        match parse_scaled(text.trim(), 3) {
            Some(v) if v <= 0 => Err(("not_positive", "must be greater than zero".to_string())),
            Some(v) if v > MAX_QUANTITY => Err(("too_large", "is too large".to_string())),
            Some(v) => Ok(Quantity(v)),
            None => Err((
                "invalid_quantity",
                "must be a number with at most 3 decimals".to_string(),
            )),
        }
    }
    /// "1.5" (trailing zeros trimmed).
    pub fn to_decimal(self) -> String {
        let s = format_scaled(self.0, 3);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// A discount in basis points (0..=10000).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Discount(pub i32);

impl Discount {
    /// A percentage with at most 2 decimals: "0", "5", "12.5"; over 100 or negative refused.
    pub fn parse_percent(text: &str) -> ParseResult<Discount> {
        let t = text.trim().trim_end_matches('%');
        if t.is_empty() {
            return Ok(Discount(0));
        }
        match parse_scaled(t, 2) {
            Some(v) if v < 0 => Err(("negative", "must not be negative".to_string())),
            Some(v) if v > 10_000 => Err(("over_100", "must not exceed 100 %".to_string())),
            Some(v) => Ok(Discount(v as i32)),
            None => Err((
                "invalid_discount",
                "must be a percentage with at most 2 decimals".to_string(),
            )),
        }
    }
    pub fn to_percent(self) -> String {
        let s = format_scaled(i64::from(self.0), 2);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// The total of one line: quantity × unit price less the discount, rounded half up to the
/// minor unit. `None` on overflow.
pub fn line_total(qty: Quantity, unit_price: Money, discount: Discount) -> Option<Money> {
    let gross = i128::from(qty.0) * i128::from(unit_price.0);
    let net = gross * i128::from(10_000 - discount.0);
    let den: i128 = 1000 * 10_000;
    let rounded = if net >= 0 {
        (net + den / 2) / den
    } else {
        -((-net + den / 2) / den)
    };
    i64::try_from(rounded).ok().map(Money)
}

/// The undiscounted amount of one line (quantity × unit price), rounded half up.
pub fn line_gross(qty: Quantity, unit_price: Money) -> Option<Money> {
    line_total(qty, unit_price, Discount(0))
}

/// Totals of a document: subtotal (before discounts), discount total, total (sum of lines).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
}

/// Sums the lines of a document; `None` on overflow.
pub fn totals(lines: &[(Quantity, Money, Discount)]) -> Option<Totals> {
    let mut t = Totals::default();
    for (q, p, d) in lines {
        let gross = line_gross(*q, *p)?;
        let net = line_total(*q, *p, *d)?;
        t.subtotal = t.subtotal.checked_add(gross)?;
        t.total = t.total.checked_add(net)?;
    }
    t.discount = t.subtotal.checked_sub(t.total)?;
    Some(t)
}

/// Parses "123", "-1.5", "0.05" into an integer scaled by 10^digits; refuses more decimals.
fn parse_scaled(text: &str, digits: u32) -> Option<i64> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty() {
        return None;
    }
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > digits as usize || whole.len() > 15 {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..digits as usize {
        f *= 10;
    }
    let v = w.checked_mul(10i64.pow(digits))?.checked_add(f)?;
    if v > MAX_AMOUNT * 1000 {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn format_scaled(v: i64, digits: u32) -> String {
    if digits == 0 {
        return v.to_string();
    }
    let scale = 10u64.pow(digits);
    let abs = v.unsigned_abs();
    let sign = if v < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_amounts() {
        let cny = Currency::default();
        assert_eq!(cny.parse("1,234.5", false), Ok(Money(123_450)));
        assert_eq!(cny.parse("¥12", false), Ok(Money(1200)));
        assert_eq!(cny.parse("0.01", false), Ok(Money(1)));
        assert!(cny.parse("0.001", false).is_err());
        assert!(cny.parse("-1", false).is_err());
        assert_eq!(cny.parse("-1", true), Ok(Money(-100)));
        assert!(cny.parse("abc", false).is_err());
        assert!(cny.parse("", false).is_err());
        assert!(cny.parse("1e5", false).is_err());
        assert_eq!(cny.format(Money(123_456_789)), "¥1,234,567.89");
        assert_eq!(cny.format(Money(-5)), "-¥0.05");
        assert_eq!(cny.to_decimal(Money(100_050)), "1000.50");
        let jpy = Currency::from_code("jpy").unwrap_or_default();
        assert_eq!(jpy.parse("1200", false), Ok(Money(1200)));
        assert!(jpy.parse("1.5", false).is_err());
        assert_eq!(jpy.format(Money(1_234_567)), "¥1,234,567");
    }

    #[test]
    fn quantities_and_discounts() {
        assert_eq!(Quantity::parse("1.5"), Ok(Quantity(1500)));
        assert_eq!(Quantity::parse("3"), Ok(Quantity(3000)));
        assert!(Quantity::parse("0").is_err());
        assert!(Quantity::parse("-2").is_err());
        assert!(Quantity::parse("1.2345").is_err());
        assert_eq!(Quantity(1500).to_decimal(), "1.5");
        assert_eq!(Quantity(2000).to_decimal(), "2");
        assert_eq!(Discount::parse_percent("12.5"), Ok(Discount(1250)));
        assert_eq!(Discount::parse_percent(""), Ok(Discount(0)));
        assert!(Discount::parse_percent("100.01").is_err());
        assert!(Discount::parse_percent("-1").is_err());
        assert_eq!(Discount(1250).to_percent(), "12.5");
    }

    #[test]
    fn line_arithmetic_rounds_half_up() {
        // 3 × ¥0.33 less 10 % = 0.891 → 0.89
        assert_eq!(
            line_total(Quantity(3000), Money(33), Discount(1000)),
            Some(Money(89))
        );
        // 1.5 × ¥0.03 = 0.045 → 0.05 (half up)
        assert_eq!(
            line_total(Quantity(1500), Money(3), Discount(0)),
            Some(Money(5))
        );
        let t = totals(&[
            (Quantity(2000), Money(10_000), Discount(500)),
            (Quantity(1000), Money(999), Discount(0)),
        ])
        .unwrap_or_default();
        assert_eq!(t.subtotal, Money(20_999));
        assert_eq!(t.total, Money(19_999));
        assert_eq!(t.discount, Money(1000));
    }

    proptest::proptest! {
        /// Whatever the lines, a document's figures reconcile to the minor unit: the total
        /// is the sum of the line totals, subtotal − discount = total, and no line is
        /// discounted below zero or above its gross amount.
        #[test]
        fn totals_always_reconcile(
            lines in proptest::collection::vec(
                (1i64..=1_000_000_000, 0i64..=10_000_000_000, 0i32..=10_000),
                1..40,
            )
        ) {
            let parts: Vec<(Quantity, Money, Discount)> = lines
                .iter()
                .map(|(q, p, d)| (Quantity(*q), Money(*p), Discount(*d)))
                .collect();
            let t = totals(&parts).unwrap_or_default();
            let mut sum = 0i64;
            for (q, p, d) in &parts {
                let net = line_total(*q, *p, *d).unwrap_or_default();
                let gross = line_gross(*q, *p).unwrap_or_default();
                proptest::prop_assert!(net.0 >= 0 && net.0 <= gross.0);
                if d.0 == 0 {
                    proptest::prop_assert_eq!(net, gross);
                }
                if d.0 == 10_000 {
                    proptest::prop_assert_eq!(net.0, 0);
                }
                sum += net.0;
            }
            proptest::prop_assert_eq!(t.total.0, sum);
            proptest::prop_assert_eq!(t.subtotal.0 - t.discount.0, t.total.0);
            proptest::prop_assert!(t.discount.0 >= 0);
        }

        /// Amounts survive a round trip through their decimal text.
        #[test]
        fn amounts_round_trip(v in -10_000_000_000_000i64..=10_000_000_000_000) {
            let c = Currency::default();
            proptest::prop_assert_eq!(c.parse(&c.to_decimal(Money(v)), true), Ok(Money(v)));
            proptest::prop_assert_eq!(
                c.parse(&c.format_plain(Money(v)), true),
                Ok(Money(v))
            );
        }
    }
}
