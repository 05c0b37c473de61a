//! Creating and editing orders: a customer step (search and choose, or `?customer_id=`),
//! then the form with the shared line editor (`ui/lines.rs`).

use super::*;
use crate::ui::custom_fields::CfForm;
use crate::ui::lines::{self, LineRow, LinesEditor};
use crate::ui::opt_id;
use crate::ui::quotes::{customer_choices, customer_names, opportunity_opts, visible_customer};
use crm_service::lines::Line;

/// What the form shows: the stored order, or what was typed.
#[derive(Default)]
pub(super) struct OrderFields {
    pub(super) customer_id: Option<i64>,
    pub(super) opportunity_id: Option<i64>,
    pub(super) order_date: String,
    pub(super) due_date: String,
    pub(super) notes: String,
    pub(super) version: i32,
}

impl OrderFields {
    fn of(o: &Order) -> Self {
        Self {
            customer_id: Some(o.customer_id),
            opportunity_id: o.opportunity_id,
            order_date: o.order_date.to_string(),
            due_date: o.due_date.map(|d| d.to_string()).unwrap_or_default(),
            notes: o.notes.clone().unwrap_or_default(),
            version: o.version,
        }
    }

    fn input(&self, creating: bool, lines: Vec<crm_service::lines::LineInput>) -> OrderInput {
        OrderInput {
            // The customer is fixed once chosen: only sent on create.
            customer_id: creating.then(|| self.customer_id.unwrap_or(0)),
            opportunity_id: Some(self.opportunity_id),
            quote_id: None,
            order_date: Some(self.order_date.clone()),
            due_date: Some(self.due_date.clone()),
            notes: Some(self.notes.clone()),
            lines: Some(lines),
        }
    }
}

#[derive(Deserialize)]
pub struct OrderForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    customer_id: Option<String>,
    opportunity_id: Option<String>,
    #[serde(default)]
    order_date: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    notes: String,
    version: Option<i32>,
}

impl OrderForm {
    fn fields(&self) -> OrderFields {
        OrderFields {
            customer_id: opt_id(&self.customer_id),
            opportunity_id: opt_id(&self.opportunity_id),
            order_date: self.order_date.clone(),
            due_date: self.due_date.clone(),
            notes: self.notes.clone(),
            version: self.version.unwrap_or(0),
        }
    }
}

#[derive(Template)]
#[template(path = "order_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// The order being edited (id, number); None for a new one.
    pub(super) order: Option<(i64, String)>,
    /// The chosen customer (id, name); None: the customer step.
    pub(super) customer: Option<(i64, String)>,
    pub(super) customer_q: String,
    pub(super) customer_opts: Vec<Opt>,
    pub(super) opportunities: Vec<Opt>,
    pub(super) f: OrderFields,
    pub(super) lines: LinesEditor,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.order {
            Some((id, _)) => format!("/orders/{id}"),
            None => "/orders".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match &self.order {
            Some((id, _)) => format!("/orders/{id}"),
            None => "/orders".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    order: Option<(i64, String)>,
    f: OrderFields,
    customer_q: String,
    rows: Vec<LineRow>,
    errs: Option<&FieldErrors>,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let customer = if order.is_some() {
        let id = f.customer_id.unwrap_or(0);
        customer_names(state, &[id]).await?.into_iter().next()
    } else {
        visible_customer(state, s, f.customer_id)
            .await
            .map(|c| (c.id, c.name))
    };
    let (customer_opts, opportunities) = match &customer {
        None => (customer_choices(state, s, &customer_q).await?, Vec::new()),
        Some((cid, _)) => (
            Vec::new(),
            opportunity_opts(state, s, *cid, f.opportunity_id).await?,
        ),
    };
    let mut editor = lines::editor(&state.core, &s.principal, rows).await?;
    let mut errors = FormErrors::default();
    if let Some(e) = errs {
        lines::attach_errors(&mut editor, e, tr);
        errors = form_errors(tr, e);
        // The editor shows the line messages from the quotes catalogue; ours first.
        for (key, fe) in &e.0 {
            if key == "lines" {
                editor.error = Some(message(tr, fe.code, &fe.message));
            }
        }
    }
    let status = if errs.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("orders"),
        order,
        customer,
        customer_q,
        customer_opts,
        opportunities,
        f,
        lines: editor,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Sales, Action::Create) {
        return fail(s.tr, e.into());
    }
    let f = OrderFields {
        customer_id: param(&pairs, "customer_id").and_then(|v| v.parse::<i64>().ok()),
        order_date: state.core.today().to_string(),
        ..Default::default()
    };
    let q = param(&pairs, "customer_q").unwrap_or_default().to_string();
    form_page(&state, &s, None, f, q, Vec::new(), None)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    CfForm(form, pairs): CfForm<OrderForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let f = form.fields();
    let (inputs, rows) = lines::from_form(&pairs);
    match orders::create(&state.core, &s.principal, f.input(true, inputs)).await {
        Ok(o) => Redirect::to(&format!("/orders/{}?flash=created", o.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            form_page(&state, &s, None, f, String::new(), rows, Some(&errs))
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    let v = match orders::get(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return fail(s.tr, e),
    };
    if !v.allowed.edit {
        let e = if s.principal.can(Module::Sales, Action::Edit) {
            ServiceError::conflict(
                "order_locked",
                "Only draft and rejected orders can be changed",
            )
        } else {
            ServiceError::Forbidden
        };
        return fail(s.tr, e);
    }
    let lines: Vec<Line> = v.lines.iter().map(Line::from_order_line).collect();
    let rows = lines::rows_from_lines(&lines, &state.core.settings.currency);
    let f = OrderFields::of(&v.order);
    form_page(
        &state,
        &s,
        Some((id, v.order.number)),
        f,
        String::new(),
        rows,
        None,
    )
    .await
    .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(form, pairs): CfForm<OrderForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let mut f = form.fields();
    let (inputs, rows) = lines::from_form(&pairs);
    match orders::update(
        &state.core,
        &s.principal,
        id,
        f.version,
        f.input(false, inputs),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/orders/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let v = match orders::get(&state.core, &s.principal, id).await {
                Ok(v) => v,
                Err(e) => return fail(s.tr, e),
            };
            f.customer_id = Some(v.order.customer_id);
            let order = Some((id, v.order.number));
            form_page(&state, &s, order, f, String::new(), rows, Some(&errs))
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}
