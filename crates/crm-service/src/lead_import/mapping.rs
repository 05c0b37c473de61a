//! The column mapping (which column is which lead field, guessed from the header in Chinese
//! or English) and the import options: campaign, owner, duplicate policy, mode.

use crate::leads::{check_campaign, check_owner};
use crate::Result;
use crm_domain::{FieldErrors, Principal};
use crm_store::scope::RecordScope;
use crm_store::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The lead fields a column can fill.
pub const FIELDS: [&str; 11] = [
    "name", "company", "title", "phone", "email", "province", "city", "address", "industry",
    "source", "notes",
];
/// A column that is not imported.
pub const IGNORE: &str = "ignore";

/// Header words per field, most specific fields first (a "联系人电话" is a phone, a
/// "公司名称" a company, before "name" gets its chance). A word starting with `=` must be
/// the whole header.
const HINTS: [(&str, &[&str]); 11] = [
    ("email", &["邮箱", "邮件", "email", "=mail"]),
    (
        "phone",
        &[
            "手机",
            "电话",
            "联系方式",
            "phone",
            "mobile",
            "=tel",
            "cell",
        ],
    ),
    (
        "company",
        &[
            "公司",
            "单位",
            "企业",
            "机构",
            "客户名称",
            "company",
            "organi",
            "employer",
        ],
    ),
    (
        "title",
        &[
            "职务", "职位", "职称", "头衔", "title", "position", "=role", "=job",
        ],
    ),
    ("province", &["省份", "所在省", "=省", "province", "=state"]),
    ("city", &["城市", "所在市", "=市", "city", "=town"]),
    ("address", &["地址", "住址", "address", "street"]),
    ("industry", &["行业", "industry", "sector"]),
    ("source", &["来源", "渠道", "source", "channel", "=origin"]),
    (
        "notes",
        &[
            "备注",
            "说明",
            "描述",
            "留言",
            "note",
            "remark",
            "comment",
            "memo",
            "description",
        ],
    ),
    (
        "name",
        &[
            "姓名",
            "联系人",
            "名字",
            "=客户",
            "name",
            "contact",
            "person",
        ],
    ),
];

/// The field a header most likely means.
pub fn guess(header: &str) -> Option<&'static str> {
    let h: String = header
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if h.is_empty() {
        return None;
    }
    let hit = |w: &&str| match w.strip_prefix('=') {
        Some(exact) => h == exact,
        None => h.contains(*w),
    };
    HINTS
        .iter()
        .find(|(_, words)| words.iter().any(hit))
        .map(|(f, _)| *f)
}

/// A guess per column; a field already taken by an earlier column is not guessed again.
pub fn guess_all(headers: &[String]) -> Vec<Option<&'static str>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let g = guess(h).filter(|f| !taken.contains(f));
            taken.extend(g);
            g
        })
        .collect()
}

/// Rows matching an existing customer, contact or lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// Not imported (reported as skipped).
    #[default]
    Skip,
    /// Imported all the same, and listed in the report.
    Flag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Import the rows that pass, report the others.
    #[default]
    GoodRows,
    /// Import nothing unless every row passes.
    AllOrNothing,
}

impl Duplicates {
    pub fn as_str(self) -> &'static str {
        match self {
            Duplicates::Skip => "skip",
            Duplicates::Flag => "flag",
        }
    }
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::GoodRows => "good_rows",
            Mode::AllOrNothing => "all_or_nothing",
        }
    }
}

/// The options as chosen (form or API); anything left out takes its default.
#[derive(Debug, Clone, Default)]
pub struct OptionsInput {
    /// One per column: a field of [`FIELDS`], or `ignore` / empty. Empty list: the guess.
    pub columns: Vec<String>,
    pub campaign_id: Option<i64>,
    /// `me` (default), `pool`, or a user id in the importer's scope.
    pub owner: Option<String>,
    /// `skip` (default) or `flag`.
    pub duplicates: Option<String>,
    /// `good_rows` (default) or `all_or_nothing`.
    pub mode: Option<String>,
    /// Words a source cell may hold for a source code (its labels in every language),
    /// lower-cased: `展会` → `exhibition`.
    pub source_aliases: Vec<(String, String)>,
}

/// Checked options.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Options {
    /// The field of each column (`None`: ignored).
    pub columns: Vec<Option<String>>,
    pub campaign_id: Option<i64>,
    /// `None`: the shared pool.
    pub owner_id: Option<i64>,
    pub duplicates: Duplicates,
    pub mode: Mode,
    #[serde(skip)]
    pub aliases: HashMap<String, String>,
}

impl Options {
    pub fn column_of(&self, field: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.as_deref() == Some(field))
    }
}

/// Checks the options against the file's `headers` and the importer's scope; every
/// problem at once (`columns`, `owner`, `campaign_id`, `duplicates`, `mode`).
pub async fn check<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    scope: &RecordScope,
    headers: &[String],
    input: &OptionsInput,
) -> Result<Options, crate::ServiceError> {
    let mut e = FieldErrors::new();
    let columns: Vec<Option<String>> = if input.columns.is_empty() {
        guess_all(headers)
            .into_iter()
            .map(|g| g.map(str::to_string))
            .collect()
    } else {
        input
            .columns
            .iter()
            .map(|c| match c.trim() {
                "" | IGNORE => None,
                f => Some(f.to_string()),
            })
            .collect()
    };
    if columns.len() != headers.len() {
        e.add(
            "columns",
            "invalid",
            format!(
                "Choose one field (or ignore) for each of the {} columns",
                headers.len()
            ),
        );
    } else if let Some(f) = columns
        .iter()
        .flatten()
        .find(|f| !FIELDS.contains(&f.as_str()))
    {
        e.add(
            "columns",
            "invalid_choice",
            format!("{f} is not a lead field"),
        );
    } else if let Some(f) = FIELDS
        .iter()
        .find(|f| columns.iter().flatten().filter(|c| c == f).count() > 1)
    {
        e.add(
            "columns",
            "duplicate",
            format!("Two columns are mapped to {f}"),
        );
    }
    let owner_id = match input.owner.as_deref().map(str::trim) {
        None | Some("") | Some("me") => Some(p.user_id.0),
        Some("pool") => None,
        Some(v) => {
            let id = v.parse::<i64>().unwrap_or(0);
            check_owner(db, scope, id, "owner", &mut e).await?;
            Some(id)
        }
    };
    check_campaign(db, input.campaign_id, &mut e).await?;
    let duplicates = match input.duplicates.as_deref().map(str::trim) {
        None | Some("") | Some("skip") => Duplicates::Skip,
        Some("flag") => Duplicates::Flag,
        Some(_) => {
            e.add("duplicates", "invalid_choice", "Use skip or flag");
            Duplicates::Skip
        }
    };
    let mode = match input.mode.as_deref().map(str::trim) {
        None | Some("") | Some("good_rows") => Mode::GoodRows,
        Some("all_or_nothing") => Mode::AllOrNothing,
        Some(_) => {
            e.add("mode", "invalid_choice", "Use good_rows or all_or_nothing");
            Mode::GoodRows
        }
    };
    e.into_result()?;
    Ok(Options {
        columns,
        campaign_id: input.campaign_id,
        owner_id,
        duplicates,
        mode,
        aliases: input
            .source_aliases
            .iter()
            .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_chinese_and_english_are_guessed() {
        let h = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let g = guess_all(&h(&[
            "姓名",
            "公司名称",
            "职务",
            "手机号",
            "电子邮箱",
            "省份",
            "城市",
            "详细地址",
            "所属行业",
            "线索来源",
            "备注",
            "联系人",
        ]));
        assert_eq!(
            g,
            vec![
                Some("name"),
                Some("company"),
                Some("title"),
                Some("phone"),
                Some("email"),
                Some("province"),
                Some("city"),
                Some("address"),
                Some("industry"),
                Some("source"),
                Some("notes"),
                None
            ]
        );
        let g = guess_all(&h(&[
            "Contact Name",
            "Company",
            "Job Title",
            "E-mail",
            "Mobile",
            "?",
        ]));
        assert_eq!(
            g,
            vec![
                Some("name"),
                Some("company"),
                Some("title"),
                Some("email"),
                Some("phone"),
                None
            ]
        );
        assert_eq!(guess("联系人电话"), Some("phone"));
        assert_eq!(guess("单位"), Some("company"));
        assert_eq!(guess("市场活动"), None);
        assert_eq!(guess("Tel"), Some("phone"));
    }
}
