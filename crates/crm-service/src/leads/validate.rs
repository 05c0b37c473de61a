//! Lead input: the closed vocabularies and the one validation that the lead form, the API,
//! the public web form and the importer share.

use crate::contacts::parse_date;
use crate::customers::optional_long_text;
use crate::Result;
use crm_domain::customer as cv;
use crm_domain::validate::{optional_text, required_text};
use crm_domain::{FieldErrors, Validated};
use crm_store::leads::{self, refs, Fields};
use crm_store::scope::RecordScope;
use crm_store::{users, ConnectionTrait};

use super::Lead;

/// 线索来源. `web_form` and `import` are also set by the public web form and the importer
/// when a lead arrives without a source of its own.
pub const SOURCES: [&str; 10] = [
    "web_form",
    "exhibition",
    "seminar",
    "referral",
    "advertisement",
    "email",
    "cold_call",
    "partner",
    "import",
    "other",
];

/// 线索状态. `converted` is set only by the conversion (转化), never through the lead form.
pub const STATUSES: [&str; 5] = ["new", "contacting", "qualified", "unqualified", "converted"];

/// The statuses a user may choose.
pub const EDITABLE_STATUSES: [&str; 4] = ["new", "contacting", "qualified", "unqualified"];

pub const NAME_MAX: usize = 100;
pub const NOTES_MAX: usize = 5000;

/// Who owns a new lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerChoice {
    /// The shared pool (线索池): no owner.
    Pool,
    User(i64),
}

/// Raw lead fields as typed; `None` means "not given" (keep the stored value on update,
/// empty on create). `Some("")` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct LeadInput {
    pub name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub industry: Option<String>,
    /// One of [`SOURCES`].
    pub source: Option<String>,
    /// `Some(None)` clears the campaign.
    pub campaign_id: Option<Option<i64>>,
    /// One of [`EDITABLE_STATUSES`]; on create empty means `new`.
    pub status: Option<String>,
    pub notes: Option<String>,
    /// "YYYY-MM-DD" or empty.
    pub next_follow_up: Option<String>,
    /// Create only: default the creator (or the pool when nobody is signed in).
    pub owner: Option<OwnerChoice>,
}

/// Where a new lead comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Typed in by a user (form or API).
    Manual,
    /// The public web form of a campaign (source defaults to `web_form`).
    WebForm,
    /// An import; `key` identifies the row so a re-run inserts it once (source defaults to
    /// `import`).
    Import { key: String },
}

impl Origin {
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::Manual => "manual",
            Origin::WebForm => "web_form",
            Origin::Import { .. } => "import",
        }
    }
    fn default_source(&self) -> Option<&'static str> {
        match self {
            Origin::Manual => None,
            Origin::WebForm => Some("web_form"),
            Origin::Import { .. } => Some("import"),
        }
    }
}

fn choice(
    v: &str,
    allowed: &[&'static str],
    message: &str,
) -> std::result::Result<Option<String>, (&'static str, String)> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if allowed.contains(&t) {
        Ok(Some(t.to_string()))
    } else {
        Err(("invalid_choice", message.to_string()))
    }
}

/// Merges `input` over `base` (none: a new lead) and checks every field at once, without
/// touching the database: lengths, phone and email formats, the closed lists and dates.
/// The campaign's existence is checked by [`check_campaign`].
pub fn validate(
    base: Option<&Lead>,
    input: &LeadInput,
) -> std::result::Result<Fields, FieldErrors> {
    validate_from(base, input, &Origin::Manual)
}

pub(super) fn validate_from(
    base: Option<&Lead>,
    input: &LeadInput,
    origin: &Origin,
) -> std::result::Result<Fields, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut f = base.map(Fields::of).unwrap_or_default();
    let text =
        |v: &Option<String>, max: usize, field: &str, cur: Option<String>, e: &mut FieldErrors| {
            match v {
                None => cur,
                Some(s) => optional_text(s, max).collect(field, e).flatten(),
            }
        };
    match &input.name {
        Some(n) => {
            f.name = required_text(n, NAME_MAX)
                .collect("name", &mut e)
                .unwrap_or_default()
        }
        None if f.name.is_empty() => e.add("name", "required", "This field is required"),
        None => {}
    }
    f.company = text(&input.company, 200, "company", f.company.take(), &mut e);
    f.title = text(&input.title, 100, "title", f.title.take(), &mut e);
    f.province = text(&input.province, 50, "province", f.province.take(), &mut e);
    f.city = text(&input.city, 50, "city", f.city.take(), &mut e);
    f.address = text(&input.address, 300, "address", f.address.take(), &mut e);
    f.industry = text(&input.industry, 50, "industry", f.industry.take(), &mut e);
    if let Some(v) = &input.phone {
        f.phone = cv::phone(v).collect("phone", &mut e).flatten();
    }
    if let Some(v) = &input.email {
        f.email = cv::email(v).collect("email", &mut e).flatten();
    }
    if let Some(v) = &input.source {
        f.source = choice(v, &SOURCES, "Choose one of the lead sources")
            .collect("source", &mut e)
            .flatten();
    }
    if base.is_none() && f.source.is_none() && !e.0.contains_key("source") {
        f.source = origin.default_source().map(str::to_string);
    }
    if let Some(c) = input.campaign_id {
        f.campaign_id = c;
    }
    match input.status.as_deref().map(str::trim) {
        Some(leads::CONVERTED) => e.add(
            "status",
            "reserved",
            "Only converting the lead sets it to converted",
        ),
        Some(s) if EDITABLE_STATUSES.contains(&s) => f.status = s.to_string(),
        Some("") | None => {}
        Some(_) => e.add(
            "status",
            "invalid_choice",
            "use new, contacting, qualified or unqualified",
        ),
    }
    if f.status.is_empty() {
        f.status = "new".to_string();
    }
    if let Some(v) = &input.notes {
        f.notes = optional_long_text(v, NOTES_MAX)
            .collect("notes", &mut e)
            .flatten();
    }
    if let Some(v) = &input.next_follow_up {
        f.next_follow_up = parse_date(v).collect("next_follow_up", &mut e).flatten();
    }
    e.into_result()?;
    Ok(f)
}

/// A lead's campaign must be a live campaign (`campaign_id`: `unknown` otherwise).
pub async fn check_campaign<C: ConnectionTrait>(
    db: &C,
    campaign_id: Option<i64>,
    e: &mut FieldErrors,
) -> Result<()> {
    if let Some(c) = campaign_id {
        if !refs::campaign_live(db, c).await? {
            e.add("campaign_id", "unknown", "No such campaign");
        }
    }
    Ok(())
}

/// A lead's new owner: an existing, active user in the acting user's scope.
pub async fn check_owner<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    user: i64,
    field: &str,
    e: &mut FieldErrors,
) -> Result<()> {
    match users::find(db, user).await? {
        Some(u) if u.active && scope.owns_scope(user) => {}
        Some(u) if u.active => e.add(
            field,
            "out_of_scope",
            "You cannot assign records to this user",
        ),
        Some(_) => e.add(field, "inactive", "That user is deactivated"),
        None => e.add(field, "not_found", "No such user"),
    }
    Ok(())
}
