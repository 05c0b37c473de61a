//! The public web form of a campaign (no sign-in): a visitor's submission becomes a pool
//! lead of the campaign. Spam protection here: a honeypot field (filled → pretend success,
//! write nothing) and a signed render time (a submission faster than [`MIN_FILL`] after
//! the form was shown, or with a forged or stale stamp, is refused). The per-address rate
//! limit lives in the web layer, in front of [`submit`].

use super::hmac;
use crate::leads::{LeadInput, Origin, OwnerChoice};
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Duration, Utc};
use crm_domain::FieldErrors;
use crm_store::campaigns::{self, secret};
use crm_store::ConnectionTrait;
use sha2::{Digest, Sha256};

/// The quickest a person fills in the form.
pub const MIN_FILL: Duration = Duration::seconds(3);
/// How long a shown form can still be sent.
pub const MAX_AGE: Duration = Duration::hours(24);
/// Longest message a visitor may leave (kept in the lead's notes).
pub const MESSAGE_MAX: usize = 2000;
/// Length of a form key: 256 random bits as hex (the randomness of API tokens).
pub const KEY_LEN: usize = 64;

/// A fresh unguessable form key.
pub fn new_key() -> String {
    crate::auth::random_secret()
}

/// An enabled form, as the public page needs it.
#[derive(Debug, Clone)]
pub struct PublicForm {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub form_key: String,
}

/// What a visitor sent.
#[derive(Debug, Clone, Default)]
pub struct WebFormInput {
    pub name: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    pub message: String,
    /// The signed render time of the form ([`render_token`]).
    pub token: String,
    /// The hidden field people leave empty.
    pub honeypot: String,
}

/// The result of a submission that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A lead was created.
    Created(i64),
    /// The honeypot was filled: answered like a success, nothing written.
    Ignored,
}

fn plausible_key(k: &str) -> bool {
    k.len() == KEY_LEN && k.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn find<C: ConnectionTrait>(db: &C, form_key: &str) -> Result<crm_store::campaigns::Model> {
    if !plausible_key(form_key) {
        return Err(ServiceError::NotFound);
    }
    campaigns::find_by_form_key(db, form_key)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The enabled form under `form_key`; an unknown key or a disabled form is 404.
pub async fn open(core: &Core, form_key: &str) -> Result<PublicForm> {
    let c = find(&core.db, form_key).await?;
    Ok(PublicForm {
        campaign_id: c.id,
        campaign_name: c.name,
        form_key: form_key.to_string(),
    })
}

/// The signing key of one form: derived from stored secret material of the installation
/// (see [`secret::secret_material`]) and the form's key, so a new link also invalidates
/// stamps handed out for the old one.
async fn signing_key(core: &Core, form: &PublicForm) -> Result<[u8; 32]> {
    let material = secret::secret_material(&core.db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut h = Sha256::new();
    h.update(b"crm/web-form/v1\0");
    h.update(material.as_bytes());
    h.update(b"\0");
    h.update(form.form_key.as_bytes());
    Ok(h.finalize().into())
}

fn mac(key: &[u8; 32], form: &PublicForm, ts: i64) -> String {
    let msg = format!("{}:{ts}", form.campaign_id);
    hex::encode(&hmac::sign(key, msg.as_bytes())[..16])
}

/// The signed render time to put in the form: `<unix seconds>.<128-bit tag>`.
pub async fn render_token(core: &Core, form: &PublicForm) -> Result<String> {
    let key = signing_key(core, form).await?;
    let ts = core.now().timestamp();
    Ok(format!("{ts}.{}", mac(&key, form, ts)))
}

/// Checks a render stamp: `Err(code)` when missing, forged, too fresh or too old.
async fn check_token(core: &Core, form: &PublicForm, token: &str) -> Result<Option<&'static str>> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(Some("required"));
    }
    let Some((ts, tag)) = token.split_once('.') else {
        return Ok(Some("invalid_token"));
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return Ok(Some("invalid_token"));
    };
    let key = signing_key(core, form).await?;
    if !hmac::equal(mac(&key, form, ts).as_bytes(), tag.as_bytes()) {
        return Ok(Some("invalid_token"));
    }
    let Some(shown) = DateTime::<Utc>::from_timestamp(ts, 0) else {
        return Ok(Some("invalid_token"));
    };
    let age = core.now() - shown;
    Ok(if age < MIN_FILL {
        Some("too_fast")
    } else if age > MAX_AGE {
        Some("expired")
    } else {
        None
    })
}

/// The visitor's fields as lead input: a pool lead of the campaign.
fn lead_input(campaign_id: i64, input: &WebFormInput) -> LeadInput {
    LeadInput {
        name: Some(input.name.clone()),
        company: Some(input.company.clone()),
        phone: Some(input.phone.clone()),
        email: Some(input.email.clone()),
        notes: Some(input.message.clone()),
        campaign_id: Some(Some(campaign_id)),
        owner: Some(OwnerChoice::Pool),
        ..Default::default()
    }
}

/// The lead's `notes` are the form's `message`.
fn form_fields(mut e: FieldErrors) -> FieldErrors {
    if let Some(v) = e.0.remove("notes") {
        e.0.insert("message".into(), v);
    }
    e
}

/// What the web form asks beyond a lead: a phone or an email, a message of at most
/// [`MESSAGE_MAX`] characters.
fn form_rules(input: &WebFormInput, e: &mut FieldErrors) {
    if input.phone.trim().is_empty() && input.email.trim().is_empty() {
        let msg = "Give a phone number or an email address";
        e.add("phone", "phone_or_email", msg);
        e.add("email", "phone_or_email", msg);
    }
    if input.message.trim().chars().count() > MESSAGE_MAX {
        e.add(
            "message",
            "too_long",
            format!("At most {MESSAGE_MAX} characters"),
        );
    }
}

/// Takes one submission of the form under `form_key` from `client_ip`. Unknown or disabled
/// form: 404. Honeypot filled: [`Outcome::Ignored`]. A bad stamp (`token`: `required`,
/// `invalid_token`, `too_fast`, `expired`) or bad fields (validated like every lead, by
/// [`crate::leads::create_in`], plus a phone or an email): 422, nothing written.
pub async fn submit(
    core: &Core,
    form_key: &str,
    input: WebFormInput,
    client_ip: &str,
) -> Result<Outcome> {
    let form = open(core, form_key).await?;
    if !input.honeypot.trim().is_empty() {
        tracing::info!(
            campaign = form.campaign_id,
            ip = client_ip,
            "web form honeypot filled"
        );
        return Ok(Outcome::Ignored);
    }
    let lead = lead_input(form.campaign_id, &input);
    let mut e = FieldErrors::new();
    if let Some(code) = check_token(core, &form, &input.token).await? {
        e.add("token", code, token_message(code));
    }
    form_rules(&input, &mut e);
    if !e.is_empty() {
        // Every problem at once: the lead's own checks too (they need no database).
        if let Err(more) = crate::leads::validate(None, &lead) {
            for (k, v) in form_fields(more).0 {
                e.0.entry(k).or_insert(v);
            }
        }
        return Err(ServiceError::Validation(e));
    }
    let txn = core.begin_write().await?;
    // Still enabled now that we write.
    let c = find(&txn, form_key).await?;
    let l = match crate::leads::create_in(&txn, None, &lead, &Origin::WebForm, core.now()).await {
        Ok(l) => l,
        Err(ServiceError::Validation(e)) => return Err(ServiceError::Validation(form_fields(e))),
        Err(other) => return Err(other),
    };
    txn.commit().await?;
    tracing::info!(
        campaign = c.id,
        lead = l.id,
        ip = client_ip,
        "web form lead"
    );
    Ok(Outcome::Created(l.id))
}

fn token_message(code: &str) -> &'static str {
    match code {
        "too_fast" => "That was very quick; please check your entries and send the form again",
        "expired" => "The form was open too long; please send it again",
        "required" => "Send the token of the form you were shown",
        _ => "The form could not be verified; please send it again",
    }
}
