//! `/products/categories`: the category tree with add, rename / move and delete.

#[allow(unused_imports)]
use super::*;
use crm_service::products::categories::CategoryInput;

pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub depth: usize,
    pub version: i32,
    pub sort_order: i32,
    /// Possible parents: every category outside its own subtree.
    pub parents: Vec<Opt>,
    pub is_root: bool,
}

#[derive(Template)]
#[template(path = "product_categories.html")]
struct CategoriesPage {
    l: Layout,
    rows: Vec<CategoryRow>,
    parents: Vec<Opt>,
    add_name: String,
    add_sort: String,
    /// The form the errors belong to: `None` the add form, `Some(id)` a row's form.
    error_row: Option<i64>,
    errors: FormErrors,
    alert: Option<String>,
    can_create: bool,
    can_edit: bool,
    can_delete: bool,
}

impl CategoriesPage {
    fn row_failed(&self, id: &i64) -> bool {
        self.error_row == Some(*id) && self.errors.any()
    }
    fn add_failed(&self) -> bool {
        self.error_row.is_none() && self.errors.any()
    }
}

#[derive(Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    sort_order: String,
    version: Option<i32>,
}

impl CategoryForm {
    fn input(&self) -> Result<CategoryInput, ServiceError> {
        let parent = match self.parent_id.trim() {
            "" => None,
            p => Some(p.parse::<i64>().unwrap_or(0)),
        };
        let sort = match self.sort_order.trim() {
            "" => None,
            v => Some(v.parse::<i32>().map_err(|_| {
                ServiceError::field("sort_order", "invalid_number", "Enter a whole number")
            })?),
        };
        Ok(CategoryInput {
            name: Some(self.name.clone()),
            parent_id: Some(parent),
            sort_order: sort,
        })
    }
}

/// What went wrong on the page, if anything.
#[derive(Default)]
struct Problem {
    error_row: Option<i64>,
    errors: FormErrors,
    alert: Option<String>,
    add: CategoryForm,
}

async fn page(state: &AppState, s: &UiSession, status: StatusCode, pb: Problem) -> Response {
    let tree = match categories::list(&state.core, &s.principal).await {
        Ok(t) => t,
        Err(e) => return error_page(s.tr, e),
    };
    let all: Vec<_> = tree.iter().map(|n| n.category.clone()).collect();
    let rows = tree
        .iter()
        .map(|n| {
            let own = categories::subtree(&all, n.category.id);
            let allowed: Vec<Node> = tree
                .iter()
                .filter(|o| !own.contains(&o.category.id))
                .cloned()
                .collect();
            CategoryRow {
                id: n.category.id,
                name: n.category.name.clone(),
                depth: n.depth,
                version: n.category.version,
                sort_order: n.category.sort_order,
                parents: category_opts(&allowed, n.category.parent_id),
                is_root: n.category.parent_id.is_none(),
            }
        })
        .collect();
    let p = &s.principal;
    let selected = pb.add.parent_id.trim().parse::<i64>().ok();
    let page = CategoriesPage {
        l: s.layout("products"),
        rows,
        parents: category_opts(&tree, selected),
        add_name: pb.add.name,
        add_sort: pb.add.sort_order,
        error_row: pb.error_row,
        errors: pb.errors,
        alert: pb.alert,
        can_create: p.can(Module::Products, Action::Create),
        can_edit: p.can(Module::Products, Action::Edit),
        can_delete: p.can(Module::Products, Action::Delete),
    };
    (status, render(&page)).into_response()
}

pub async fn categories_index(State(state): State<AppState>, s: UiSession) -> Response {
    page(&state, &s, StatusCode::OK, Problem::default()).await
}

/// The answer to a failed change: the page again with the errors where they belong.
async fn failed(
    state: &AppState,
    s: &UiSession,
    e: ServiceError,
    row: Option<i64>,
    add: CategoryForm,
) -> Response {
    let tr = s.tr;
    let (status, pb) = match e {
        ServiceError::Validation(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Problem {
                error_row: row,
                errors: form_errors(tr, &errs),
                alert: None,
                add,
            },
        ),
        ServiceError::Conflict {
            code: "category_in_use",
            ..
        } => (
            StatusCode::CONFLICT,
            Problem {
                alert: Some(tr.t("products.category_in_use")),
                ..Default::default()
            },
        ),
        ServiceError::StaleVersion => (
            StatusCode::CONFLICT,
            Problem {
                alert: Some(tr.t("common.version_conflict")),
                ..Default::default()
            },
        ),
        other => return error_page(tr, other),
    };
    page(state, s, status, pb).await
}

pub async fn category_create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<CategoryForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let result = match f.input() {
        Ok(input) => categories::create(&state.core, &s.principal, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/products/categories?flash=saved").into_response(),
        Err(e) => failed(&state, &s, e, None, f).await,
    }
}

pub async fn category_update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<CategoryForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let version = f.version.unwrap_or(0);
    let result = match f.input() {
        Ok(input) => categories::update(&state.core, &s.principal, id, version, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/products/categories?flash=saved").into_response(),
        Err(e) => failed(&state, &s, e, Some(id), CategoryForm::default()).await,
    }
}

pub async fn category_delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let version = f.version.unwrap_or(0);
    match categories::delete(&state.core, &s.principal, id, version).await {
        Ok(()) => Redirect::to("/products/categories?flash=deleted").into_response(),
        Err(e) => failed(&state, &s, e, Some(id), CategoryForm::default()).await,
    }
}
