//! The duplicate finder (查重): phones, an email and a company name against customers and
//! contacts (through `match_keys`) and live unconverted leads (their `*_norm` columns),
//! with the reasons of each match and the one visibility rule.
//!
//! A match the user may see carries its id, name and owner. One outside the user's scope
//! carries only `{kind, visible: false, owner_name, reasons}`: enough to say "a matching
//! customer exists, owned by X", nothing of its data.

use crate::{Core, Result, ServiceError};
use crm_domain::dedupe::{company_key, email_key, phone_key};
use crm_domain::{Action, Module, Principal};
use crm_store::conversion as store;
use crm_store::match_keys::{self, COMPANY, CONTACT, EMAIL, PHONE};
use crm_store::scope::{Access, RecordScope};
use crm_store::{customers, users, ConnectionTrait};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many probes in one [`find_many`] call.
pub const MAX_PROBES: usize = 1_000;
/// At most this many matches are reported per probe.
pub const MAX_MATCHES: usize = 20;

/// What to look for: raw values as typed or imported (normalised here).
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Phone or mobile numbers in any format (`+86 138-1234-5678`).
    pub phones: Vec<String>,
    pub email: Option<String>,
    /// A company name, with or without legal-form suffixes (有限公司, Co., Ltd.).
    pub company: Option<String>,
    /// A lead never reported as a match (the lead being checked).
    pub exclude_lead: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    Customer,
    Contact,
    Lead,
    /// An earlier row of the same import file (`id` is its row number); only the lead
    /// import produces it.
    ImportRow,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Customer => "customer",
            MatchKind::Contact => "contact",
            MatchKind::Lead => "lead",
            MatchKind::ImportRow => "import_row",
        }
    }
}

/// Why two records are likely the same party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    Phone,
    Email,
    Company,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Phone => PHONE,
            Reason::Email => EMAIL,
            Reason::Company => COMPANY,
        }
    }
    fn of(kind: &str) -> Self {
        match kind {
            PHONE => Reason::Phone,
            EMAIL => Reason::Email,
            _ => Reason::Company,
        }
    }
}

/// One likely duplicate. Every `Option` but `owner_name` is `None` when `visible` is false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub kind: MatchKind,
    pub visible: bool,
    /// The customer, contact or lead.
    pub id: Option<i64>,
    pub name: Option<String>,
    /// The customer itself, or the contact's customer (none for a lead).
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub owner_id: Option<i64>,
    /// None for a lead in the shared pool.
    pub owner_name: Option<String>,
    /// A visible customer or contact whose customer the user may edit (a link or merge
    /// target).
    pub editable: bool,
    pub reasons: Vec<Reason>,
}

/// The normalised keys of one probe.
#[derive(Default)]
struct Keys {
    phones: Vec<String>,
    email: Option<String>,
    company: Option<String>,
}

impl Keys {
    fn of(p: &Probe) -> Self {
        let mut phones: Vec<String> = p.phones.iter().filter_map(|x| phone_key(x)).collect();
        phones.sort();
        phones.dedup();
        Self {
            phones,
            email: p.email.as_deref().and_then(email_key),
            company: p.company.as_deref().and_then(company_key),
        }
    }
    fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.phones
            .iter()
            .map(|k| (PHONE, k.as_str()))
            .chain(self.email.iter().map(|k| (EMAIL, k.as_str())))
            .chain(self.company.iter().map(|k| (COMPANY, k.as_str())))
    }
}

/// The matches of one probe (see [`find_many`]).
pub async fn find(core: &Core, p: &Principal, probe: &Probe) -> Result<Vec<Match>> {
    let mut all = find_many(core, p, std::slice::from_ref(probe)).await?;
    Ok(all.pop().unwrap_or_default())
}

/// The matches of up to [`MAX_PROBES`] probes at once, in the probes' order: one `IN` query
/// per key kind over `match_keys` and one over leads, whatever the number of probes (for
/// imports). Needs `customers:view` or `market:view`; customers and contacts are visible
/// by the customer scope (owner scope or a share), leads by the leads rule (owner in
/// scope, or the pool), and only in a module the user may view.
pub async fn find_many(core: &Core, p: &Principal, probes: &[Probe]) -> Result<Vec<Vec<Match>>> {
    if !p.can(Module::Customers, Action::View) {
        p.require(Module::Market, Action::View)?;
    }
    if probes.len() > MAX_PROBES {
        return Err(ServiceError::field(
            "probes",
            "too_many",
            format!("At most {MAX_PROBES} at once"),
        ));
    }
    let scope = core.scope(p).await?;
    matches_in(&core.db, p, &scope, probes).await
}

/// [`find_many`] on a given connection (a conversion runs it inside its transaction),
/// without the permission check.
pub(super) async fn matches_in<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    scope: &RecordScope,
    probes: &[Probe],
) -> Result<Vec<Vec<Match>>> {
    let keys: Vec<Keys> = probes.iter().map(Keys::of).collect();
    let mut wanted: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for k in &keys {
        for (kind, key) in k.pairs() {
            wanted.entry(kind).or_default().insert(key.to_string());
        }
    }
    // Key rows and leads by (kind, key).
    let mut rows: HashMap<(&'static str, String), Vec<match_keys::Model>> = HashMap::new();
    let mut leads: HashMap<(&'static str, String), Vec<store::LeadModel>> = HashMap::new();
    for (kind, set) in &wanted {
        let list: Vec<String> = set.iter().cloned().collect();
        for r in match_keys::lookup(db, kind, &list).await? {
            rows.entry((*kind, r.key.clone())).or_default().push(r);
        }
        for l in store::leads_matching(db, kind, &list).await? {
            let key = match *kind {
                PHONE => l.phone_norm.clone(),
                EMAIL => l.email_norm.clone(),
                _ => l.company_norm.clone(),
            };
            if let Some(key) = key {
                leads.entry((*kind, key)).or_default().push(l);
            }
        }
    }
    // Who may see what: customers (and so their contacts) by owner scope or share.
    let see_customers = p.can(Module::Customers, Action::View);
    let see_leads = p.can(Module::Market, Action::View);
    let mut customer_ids: Vec<i64> = rows.values().flatten().map(|r| r.customer_id).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    let mut access: HashMap<i64, Access> = HashMap::new();
    if see_customers {
        let owners: HashMap<i64, i64> = rows
            .values()
            .flatten()
            .map(|r| (r.customer_id, r.owner_id))
            .collect();
        let mut others = Vec::new();
        for (&c, &o) in &owners {
            if scope.owns_scope(o) {
                access.insert(c, Access::Edit);
            } else {
                others.push(c);
            }
        }
        for (c, a) in store::customer_shares(db, scope.user_id, &others).await? {
            if let Some(a) = Access::parse(&a) {
                access.insert(c, a);
            }
        }
    }
    // Names, only of what is visible; owner names of everything.
    let visible_customers: Vec<i64> = customer_ids
        .iter()
        .copied()
        .filter(|c| access.contains_key(c))
        .collect();
    let customer_names: HashMap<i64, String> = customers::names(db, &visible_customers)
        .await?
        .into_iter()
        .collect();
    let contact_ids: Vec<i64> = rows
        .values()
        .flatten()
        .filter(|r| r.entity_type == CONTACT && access.contains_key(&r.customer_id))
        .map(|r| r.entity_id)
        .collect();
    let contact_names: HashMap<i64, String> = store::contact_names(db, &contact_ids)
        .await?
        .into_iter()
        .collect();
    let mut owner_ids: Vec<i64> = rows.values().flatten().map(|r| r.owner_id).collect();
    owner_ids.extend(leads.values().flatten().filter_map(|l| l.owner_id));
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owner_names: HashMap<i64, String> =
        users::names(db, &owner_ids).await?.into_iter().collect();
    let names = Names {
        customers: &customer_names,
        contacts: &contact_names,
        owners: &owner_names,
        access: &access,
    };

    let mut out = Vec::with_capacity(probes.len());
    for (probe, k) in probes.iter().zip(&keys) {
        let mut found: BTreeMap<(MatchKind, i64), (Match, BTreeSet<Reason>)> = BTreeMap::new();
        for (kind, key) in k.pairs() {
            let reason = Reason::of(kind);
            for r in rows.get(&(kind, key.to_string())).into_iter().flatten() {
                let mk = if r.entity_type == CONTACT {
                    MatchKind::Contact
                } else {
                    MatchKind::Customer
                };
                found
                    .entry((mk, r.entity_id))
                    .or_insert_with(|| (names.key_match(mk, r), BTreeSet::new()))
                    .1
                    .insert(reason);
            }
            for l in leads.get(&(kind, key.to_string())).into_iter().flatten() {
                if probe.exclude_lead == Some(l.id) {
                    continue;
                }
                let visible = see_leads && scope.owns_or_pooled(l.owner_id);
                found
                    .entry((MatchKind::Lead, l.id))
                    .or_insert_with(|| (names.lead_match(l, visible), BTreeSet::new()))
                    .1
                    .insert(reason);
            }
        }
        let mut list: Vec<Match> = found
            .into_values()
            .map(|(mut m, reasons)| {
                m.reasons = reasons.into_iter().collect();
                m
            })
            .collect();
        // Visible first (they can be acted on), then customers, contacts, leads.
        list.sort_by_key(|m| (!m.visible, m.kind));
        list.truncate(MAX_MATCHES);
        out.push(list);
    }
    Ok(out)
}

struct Names<'a> {
    customers: &'a HashMap<i64, String>,
    contacts: &'a HashMap<i64, String>,
    owners: &'a HashMap<i64, String>,
    access: &'a HashMap<i64, Access>,
}

impl Names<'_> {
    fn key_match(&self, kind: MatchKind, r: &match_keys::Model) -> Match {
        let owner_name = self.owners.get(&r.owner_id).cloned();
        let Some(access) = self.access.get(&r.customer_id) else {
            return hidden(kind, owner_name);
        };
        let customer_name = self.customers.get(&r.customer_id).cloned();
        let name = match kind {
            MatchKind::Contact => self.contacts.get(&r.entity_id).cloned(),
            _ => customer_name.clone(),
        };
        Match {
            kind,
            visible: true,
            id: Some(r.entity_id),
            name,
            customer_id: Some(r.customer_id),
            customer_name,
            owner_id: Some(r.owner_id),
            owner_name,
            editable: *access >= Access::Edit,
            reasons: vec![],
        }
    }

    fn lead_match(&self, l: &store::LeadModel, visible: bool) -> Match {
        let owner_name = l.owner_id.and_then(|o| self.owners.get(&o).cloned());
        if !visible {
            return hidden(MatchKind::Lead, owner_name);
        }
        Match {
            kind: MatchKind::Lead,
            visible: true,
            id: Some(l.id),
            name: Some(match &l.company {
                Some(c) => format!("{} ({c})", l.name),
                None => l.name.clone(),
            }),
            customer_id: None,
            customer_name: None,
            owner_id: l.owner_id,
            owner_name,
            editable: false,
            reasons: vec![],
        }
    }
}

fn hidden(kind: MatchKind, owner_name: Option<String>) -> Match {
    Match {
        kind,
        visible: false,
        id: None,
        name: None,
        customer_id: None,
        customer_name: None,
        owner_id: None,
        owner_name,
        editable: false,
        reasons: vec![],
    }
}

/// The probe of a lead: its phone, email and company, itself excluded.
pub fn probe_of(l: &store::LeadModel) -> Probe {
    Probe {
        phones: l.phone.iter().cloned().collect(),
        email: l.email.clone(),
        company: l.company.clone(),
        exclude_lead: Some(l.id),
    }
}

/// The duplicates of one lead the user may see (else 404); needs `market:view`.
pub async fn for_lead(core: &Core, p: &Principal, lead_id: i64) -> Result<Vec<Match>> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    let lead = store::find_lead(&core.db, lead_id)
        .await?
        .filter(|l| scope.owns_or_pooled(l.owner_id))
        .ok_or(ServiceError::NotFound)?;
    let mut all = matches_in(&core.db, p, &scope, &[probe_of(&lead)]).await?;
    Ok(all.pop().unwrap_or_default())
}
