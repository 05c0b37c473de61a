//! The product page.

#[allow(unused_imports)]
use super::*;

/// One label/value pair of the details card.
pub struct Detail {
    pub label: String,
    pub value: String,
    pub id: &'static str,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    version: i32,
    title: String,
    status_label: String,
    status_class: &'static str,
    details: Vec<Detail>,
    description: String,
    can_edit: bool,
    can_delete: bool,
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    let v = match products::get(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let tr = s.tr;
    let none = || tr.t("common.none");
    let m = &v.product;
    let mut details = vec![
        Detail {
            label: tr.t("products.code"),
            value: m.code.clone(),
            id: "product-code",
        },
        Detail {
            label: tr.t("products.name"),
            value: m.name.clone(),
            id: "product-name",
        },
        Detail {
            label: tr.t("products.spec"),
            value: m.spec.clone().unwrap_or_else(none),
            id: "product-spec",
        },
        Detail {
            label: tr.t("products.unit"),
            value: m.unit.clone(),
            id: "product-unit",
        },
        Detail {
            label: tr.t("products.category"),
            value: v
                .category_name
                .clone()
                .unwrap_or_else(|| tr.t("products.no_category")),
            id: "product-category",
        },
        Detail {
            label: tr.t("products.guide_price_long"),
            value: money(&state, m.guide_price),
            id: "product-guide-price",
        },
    ];
    if v.cost_visible {
        details.push(Detail {
            label: tr.t("products.cost_price"),
            value: m.cost_price.map_or_else(none, |c| money(&state, c)),
            id: "product-cost-price",
        });
    }
    details.push(Detail {
        label: tr.t("products.created_at"),
        value: when(&state, m.created_at),
        id: "product-created",
    });
    details.push(Detail {
        label: tr.t("products.updated_at"),
        value: when(&state, m.updated_at),
        id: "product-updated",
    });
    let p = &s.principal;
    let page = ShowPage {
        l: s.layout("products"),
        id: m.id,
        version: m.version,
        title: format!("{} · {}", m.code, m.name),
        status_label: status_label(tr, &m.status),
        status_class: status_class(&m.status),
        description: m.description.clone().unwrap_or_default(),
        details,
        can_edit: p.can(Module::Products, Action::Edit),
        can_delete: p.can(Module::Products, Action::Delete),
    };
    render(&page)
}
