//! The customer page: details, contacts, contact history, sharing, transfer, history.

#[allow(unused_imports)]
use super::*;
use crate::ui::history::{changed_fields, HistoryRow};

// ---------------------------------------------------------------------------------------
// The customer page

/// One line of the details card.
pub struct Detail {
    pub label: String,
    pub value: String,
    /// A web address to link to.
    pub href: Option<String>,
    /// Multi-line text (line breaks kept).
    pub pre: bool,
    /// Takes a whole line.
    pub wide: bool,
}

pub struct ContactRow {
    pub ct: Contact,
    pub title: String,
    pub mobile: String,
    pub phone: String,
    pub email: String,
    /// The custom-field columns.
    pub custom: Vec<String>,
}

pub struct TimelineRow {
    pub a: Activity,
    pub icon: &'static str,
    pub kind: String,
    pub at: String,
    pub author: String,
    pub contact: Option<String>,
    pub follow_up: Option<String>,
}

pub struct ShareRow {
    pub user_id: i64,
    pub name: String,
    pub access: String,
}

/// What was typed into the inline "add contact" form.
#[derive(Default)]
pub(super) struct ContactDraft {
    pub(super) name: String,
    pub(super) title: String,
    pub(super) mobile: String,
    pub(super) email: String,
    pub(super) primary: bool,
    /// Custom field values as `cf.<key>` pairs.
    pub(super) cf: Vec<(String, String)>,
}

/// What was typed into the "log contact" form.
#[derive(Default)]
pub(super) struct ActivityDraft {
    pub(super) kind: String,
    pub(super) occurred_at: String,
    pub(super) contact_id: Option<i64>,
    pub(super) content: String,
    pub(super) next_follow_up: String,
}

/// The inline forms of the customer page, with what a rejected submission typed.
#[derive(Default)]
pub(super) struct Drafts {
    pub(super) contact: ContactDraft,
    pub(super) contact_errors: FormErrors,
    pub(super) activity: ActivityDraft,
    pub(super) activity_errors: FormErrors,
    pub(super) share_user: Option<i64>,
    pub(super) share_access: String,
    pub(super) share_errors: FormErrors,
    pub(super) transfer_user: Option<i64>,
    pub(super) transfer_errors: FormErrors,
}

impl Drafts {
    fn any_errors(&self) -> bool {
        self.contact_errors.any()
            || self.activity_errors.any()
            || self.share_errors.any()
            || self.transfer_errors.any()
    }
}

#[derive(Template)]
#[template(path = "customer.html")]
pub(super) struct ShowPage {
    pub(super) l: Layout,
    pub(super) c: Customer,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) owner: String,
    /// "Read only" or "Shared with you" when the customer is not in your own scope.
    pub(super) access_badge: Option<String>,
    pub(super) read_only: bool,
    pub(super) details: Vec<Detail>,
    pub(super) contacts: Vec<ContactRow>,
    /// Headers of the contacts' custom-field columns.
    pub(super) contact_cf_labels: Vec<String>,
    pub(super) contacts_colspan: usize,
    /// The custom fields of the inline contact form.
    pub(super) cf: Vec<CfInput>,
    pub(super) timeline: Vec<TimelineRow>,
    pub(super) shares: Vec<ShareRow>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) kinds: Vec<Opt>,
    pub(super) contact_opts: Vec<Opt>,
    pub(super) share_users: Vec<Opt>,
    pub(super) access_opts: Vec<Opt>,
    pub(super) transfer_users: Vec<Opt>,
    pub(super) d: Drafts,
    /// Edit the customer and its contacts.
    pub(super) can_edit: bool,
    /// Add contacts and log contact history.
    pub(super) can_add: bool,
    /// Share and transfer.
    pub(super) can_control: bool,
    pub(super) can_delete: bool,
}

/// The changed fields of an update, the people of a share or transfer.
pub(super) fn history_detail(
    tr: Tr,
    action: &str,
    before: &Option<Value>,
    after: &Option<Value>,
    names: &BTreeMap<i64, String>,
) -> String {
    let name = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
            .unwrap_or_default()
    };
    match action {
        "transfer" => format!(
            "{} → {}",
            name(before.as_ref().and_then(|b| b.get("owner_id"))),
            name(after.as_ref().and_then(|a| a.get("owner_id")))
        ),
        "share" => {
            let a = after.as_ref();
            let access = a
                .and_then(|a| a.get("access"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            format!(
                "{} ({})",
                name(a.and_then(|a| a.get("user_id"))),
                label(tr, "access", access)
            )
        }
        "unshare" => name(before.as_ref().and_then(|b| b.get("user_id"))),
        "update" => changed_fields(tr, before, after, field_label),
        _ => String::new(),
    }
}

pub(super) fn field_label(tr: Tr, field: &str) -> String {
    match field {
        "owner_id" => tr.t("customers.owner"),
        "custom" => tr.t("customers.custom"),
        f => label(tr, "customers", f),
    }
}

/// The user ids a history entry mentions.
pub(super) fn history_user_ids(before: &Option<Value>, after: &Option<Value>, out: &mut Vec<i64>) {
    for v in [before, after].into_iter().flatten() {
        for key in ["owner_id", "user_id"] {
            if let Some(id) = v.get(key).and_then(Value::as_i64) {
                out.push(id);
            }
        }
    }
}

pub(super) async fn build_show(
    state: &AppState,
    s: &UiSession,
    id: i64,
    d: Drafts,
) -> Result<ShowPage, ServiceError> {
    let core = &state.core;
    let p = &s.principal;
    let tr = s.tr;
    let tz = core.settings.tz;
    let view = customers::get(core, p, id).await?;
    let c = view.customer;
    let scope = customers::scope_of(core, p).await?;
    let controls = scope.owns_scope(c.owner_id);
    let contacts_v = customers::contacts_of(core, p, id).await?;
    let filter = crm_service::activities::Filter {
        customer_id: Some(id),
        ..Default::default()
    };
    let acts = activities::list(core, p, &filter, None, TIMELINE_SIZE).await?;
    let shares_v = customers::shares(core, p, id).await?;
    let audit = customers::history(core, p, id).await?;
    let customer_defs = customers::field_defs(&core.db).await?;
    let contact_defs = contacts::field_defs(&core.db).await?;
    let contact_columns = cfui::list_columns(&contact_defs);

    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let audit: Vec<(
        crm_store::entity::audit_log::Model,
        Option<Value>,
        Option<Value>,
    )> = audit
        .into_iter()
        .map(|e| {
            let b = parse(&e.before);
            let a = parse(&e.after);
            (e, b, a)
        })
        .collect();
    let mut ids = vec![c.owner_id];
    ids.extend(acts.iter().map(|a| a.author_id));
    ids.extend(shares_v.iter().map(|s| s.user_id));
    for (e, b, a) in &audit {
        ids.extend(e.actor_id);
        history_user_ids(b, a, &mut ids);
    }
    let names = user_names(state, &ids).await?;
    let none = tr.t("common.none");
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));

    let can_edit_perm = p.can(Module::Customers, Action::Edit);
    let editable = view.access == Access::Edit;
    let can_edit = can_edit_perm && editable;
    let can_add = p.can(Module::Customers, Action::Create) && editable;
    let can_control = can_edit_perm && controls;
    let can_delete = p.can(Module::Customers, Action::Delete) && controls;

    let access_badge = if view.access == Access::Read {
        Some(tr.t("customers.read_only"))
    } else if !controls {
        Some(tr.t("customers.shared_edit"))
    } else {
        None
    };

    let address = [&c.province, &c.city, &c.district, &c.street, &c.postal_code]
        .iter()
        .filter_map(|v| v.as_deref().map(str::trim).filter(|v| !v.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    let plain = |key: &str, value: String| Detail {
        label: tr.t(key),
        value,
        href: None,
        pre: false,
        wide: false,
    };
    let mut details = vec![
        plain("customers.nature", opt_label(tr, "nature", &c.nature)),
        plain("customers.size", opt_label(tr, "size", &c.size)),
        plain("customers.source", opt_label(tr, "source", &c.source)),
        plain("customers.industry", text_or_none(tr, &c.industry)),
        plain("customers.region", text_or_none(tr, &c.region)),
        plain("customers.phone", text_or_none(tr, &c.phone)),
        Detail {
            label: tr.t("customers.website"),
            value: text_or_none(tr, &c.website),
            href: c.website.clone().filter(|w| w.starts_with("http")),
            pre: false,
            wide: false,
        },
        plain("common.created", fmt_time(tz, c.created_at)),
        plain("common.updated", fmt_time(tz, c.updated_at)),
        Detail {
            label: tr.t("customers.address"),
            value: if address.is_empty() {
                none.clone()
            } else {
                address
            },
            href: None,
            pre: false,
            wide: true,
        },
        Detail {
            label: tr.t("customers.notes"),
            value: text_or_none(tr, &c.notes),
            href: None,
            pre: true,
            wide: true,
        },
    ];
    let values = crm_service::custom_fields::values(&c.custom);
    for d in &customer_defs {
        let (value, href) = cfui::shown(tr, d, &values);
        let long = d.kind() == crm_domain::custom_field::FieldType::LongText;
        details.push(Detail {
            label: cfui::label(tr, d),
            value,
            href,
            pre: long,
            wide: long,
        });
    }

    let contact_names: BTreeMap<i64, String> = contacts_v
        .iter()
        .map(|ct| (ct.id, ct.name.clone()))
        .collect();
    let contact_opts = contacts_v
        .iter()
        .map(|ct| {
            Opt::new(
                ct.id.to_string(),
                ct.name.clone(),
                d.activity.contact_id == Some(ct.id),
            )
        })
        .collect();
    let contacts = contacts_v
        .into_iter()
        .map(|ct| ContactRow {
            title: text_or_none(tr, &ct.title),
            mobile: text_or_none(tr, &ct.mobile),
            phone: text_or_none(tr, &ct.phone),
            email: text_or_none(tr, &ct.email),
            custom: cfui::cells(tr, &contact_columns, &ct.custom),
            ct,
        })
        .collect();
    let timeline = acts
        .into_iter()
        .map(|a| TimelineRow {
            icon: kind_icon(&a.kind),
            kind: label(tr, "activity", &a.kind),
            at: fmt_time(tz, a.occurred_at),
            author: name_of(a.author_id),
            contact: a
                .contact_id
                .and_then(|cid| contact_names.get(&cid).cloned()),
            follow_up: a.next_follow_up.map(|n| n.format("%Y-%m-%d").to_string()),
            a,
        })
        .collect();
    let shares = shares_v
        .iter()
        .map(|sh| ShareRow {
            user_id: sh.user_id,
            name: name_of(sh.user_id),
            access: label(tr, "access", &sh.access),
        })
        .collect();
    let history = audit
        .iter()
        .map(|(e, b, a)| HistoryRow {
            at: fmt_time(tz, e.at),
            actor: e.actor_id.map_or_else(|| tr.t("audit.system"), name_of),
            action: label(tr, "audit_action", &e.action),
            detail: history_detail(tr, &e.action, b, a, &names),
        })
        .collect();

    let (share_users, transfer_users) = if can_control {
        let users = active_users(state, s).await?;
        let me = p.user_id.0;
        let others: Vec<User> = users.into_iter().filter(|u| u.id != c.owner_id).collect();
        let share_to: Vec<User> = others.iter().filter(|u| u.id != me).cloned().collect();
        (
            user_opts(&share_to, d.share_user),
            user_opts(&others, d.transfer_user),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let share_access = if d.share_access.is_empty() {
        "read"
    } else {
        d.share_access.as_str()
    };
    let access_opts = choice_opts(tr, "access", &["read", "edit"], share_access);
    let kind = if d.activity.kind.is_empty() {
        ActivityKind::Visit.as_str()
    } else {
        d.activity.kind.as_str()
    };
    let kinds = choice_opts(tr, "activity", &kinds(), kind);

    let cf = cfui::inputs(
        tr,
        &contact_defs,
        &d.contact.cf,
        &d.contact_errors,
        "contact-",
        true,
    );
    Ok(ShowPage {
        contact_cf_labels: contact_columns.iter().map(|d| cfui::label(tr, d)).collect(),
        contacts_colspan: 6 + contact_columns.len(),
        cf,
        l: s.layout("customers"),
        status_label: label(tr, "status", &c.status),
        status_class: status_class(&c.status),
        owner: name_of(c.owner_id),
        access_badge,
        read_only: view.access == Access::Read,
        details,
        contacts,
        timeline,
        shares,
        history,
        kinds,
        contact_opts,
        share_users,
        access_opts,
        transfer_users,
        d,
        can_edit,
        can_add,
        can_control,
        can_delete,
        c,
    })
}

pub(super) async fn show_page(state: &AppState, s: &UiSession, id: i64, d: Drafts) -> Response {
    let status = unprocessable_if(d.any_errors());
    match build_show(state, s, id, d).await {
        Ok(page) => (status, render(&page)).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id, Drafts::default()).await
}
