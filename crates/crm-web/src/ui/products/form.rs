//! Creating, editing and deleting products. The cost-price field is only on the form for
//! users who may see cost prices; without it an edit keeps the stored cost price.

#[allow(unused_imports)]
use super::*;

/// What the product form shows: the stored product, or what was typed.
#[derive(Default, Deserialize)]
pub struct ProductForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    spec: String,
    #[serde(default)]
    unit: String,
    /// Absent from the form of users who may not see cost prices.
    cost_price: Option<String>,
    #[serde(default)]
    guide_price: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category_id: String,
    #[serde(default)]
    description: String,
    version: Option<i32>,
}

impl ProductForm {
    fn of(state: &AppState, v: &ProductView) -> Self {
        let cur = &state.core.settings.currency;
        let m = &v.product;
        Self {
            csrf: String::new(),
            code: m.code.clone(),
            name: m.name.clone(),
            spec: m.spec.clone().unwrap_or_default(),
            unit: m.unit.clone(),
            cost_price: v.cost_visible.then(|| {
                m.cost_price
                    .map(|c| cur.to_decimal(Money(c)))
                    .unwrap_or_default()
            }),
            guide_price: cur.to_decimal(Money(m.guide_price)),
            status: m.status.clone(),
            category_id: m.category_id.map(|c| c.to_string()).unwrap_or_default(),
            description: m.description.clone().unwrap_or_default(),
            version: Some(m.version),
        }
    }

    /// Every field is sent: an empty one clears the stored value. A category that is not a
    /// number becomes id 0, which the service reports as unknown.
    fn input(&self, sees_cost: bool) -> ProductInput {
        let category = match self.category_id.trim() {
            "" => None,
            c => Some(c.parse::<i64>().unwrap_or(0)),
        };
        ProductInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            spec: Some(self.spec.clone()),
            unit: Some(self.unit.clone()),
            cost_price: if sees_cost {
                self.cost_price.clone()
            } else {
                None
            },
            guide_price: Some(self.guide_price.clone()),
            status: Some(self.status.clone()),
            category_id: Some(category),
            description: Some(self.description.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "product_form.html")]
struct FormPage {
    l: Layout,
    /// None for a new product.
    id: Option<i64>,
    f: ProductForm,
    cost: String,
    sees_cost: bool,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/products/{id}"),
            None => "/products".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match self.id {
            Some(id) => format!("/products/{id}"),
            None => "/products".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    id: Option<i64>,
    f: ProductForm,
    errors: FormErrors,
) -> Response {
    let tree = match categories::list(&state.core, &s.principal).await {
        Ok(t) => t,
        Err(e) => return error_page(s.tr, e),
    };
    let selected = f.category_id.trim().parse::<i64>().ok();
    let page = FormPage {
        l: s.layout("products"),
        id,
        cost: f.cost_price.clone().unwrap_or_default(),
        sees_cost: s.principal.sees_cost(),
        statuses: status_opts(s.tr, &f.status),
        categories: category_opts(&tree, selected),
        f,
        errors,
    };
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Products, Action::Create) {
        return error_page(s.tr, e.into());
    }
    let f = ProductForm {
        status: products::ON_SALE.to_string(),
        ..Default::default()
    };
    form_page(&state, &s, None, f, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<ProductForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = f.input(s.principal.sees_cost());
    match products::create(&state.core, &s.principal, input).await {
        Ok(v) => Redirect::to(&format!("/products/{}?flash=created", v.product.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, None, f, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Products, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let v = match products::get(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let f = ProductForm::of(&state, &v);
    form_page(&state, &s, Some(id), f, FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ProductForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = f.input(s.principal.sees_cost());
    let version = f.version.unwrap_or(0);
    match products::update(&state.core, &s.principal, id, version, input).await {
        Ok(_) => Redirect::to(&format!("/products/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, Some(id), f, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match products::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/products?flash=deleted").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
