//! The OpenAPI document (`/api/v1/openapi.json`) and its browsable page (`/api/docs`).

use crate::AppState;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "CRM API", description = "JSON API of the CRM. Authenticate with \
        `POST /api/v1/auth/login`, then send `Authorization: Bearer <token>`. Errors are \
        `{\"error\": code, \"message\": text, \"fields\": {field: {code, message}}}`."),
    paths(
        super::auth::login, super::auth::logout,
        super::departments::list, super::departments::show, super::departments::create,
        super::departments::update, super::departments::remove,
        super::users::list, super::users::me, super::users::show, super::users::create,
        super::users::update, super::users::change_password,
        super::roles::list, super::roles::show, super::roles::update,
        super::tokens::list, super::tokens::create, super::tokens::revoke,
        super::audit::list,
        super::recycle::list, super::recycle::restore,
        super::customers::list, super::customers::show, super::customers::create,
        super::customers::update, super::customers::remove, super::customers::transfer,
        super::customers::transfer_many, super::customers::shares, super::customers::share,
        super::customers::unshare, super::customers::history,
        super::contacts::list, super::contacts::show, super::contacts::create,
        super::contacts::update, super::contacts::remove,
        super::activities::list, super::activities::show, super::activities::create,
        super::activities::update, super::activities::remove,
        super::export::customers, super::export::contacts,
        super::custom_fields::list, super::custom_fields::show, super::custom_fields::create,
        super::custom_fields::update, super::custom_fields::remove,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document: the core paths above plus each module's own `Doc`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::products::Doc::openapi());
    doc.merge(super::opportunities::Doc::openapi());
    doc.merge(super::quotes::Doc::openapi());
    doc.merge(super::orders::Doc::openapi());
    doc.merge(super::payments::Doc::openapi());
    doc.merge(super::expenses::Doc::openapi());
    doc.merge(super::stats::Doc::openapi());
    doc.merge(super::campaigns::Doc::openapi());
    doc.merge(super::leads::Doc::openapi());
    doc.merge(super::lead_import::Doc::openapi());
    doc.merge(super::competitors::Doc::openapi());
    doc.merge(super::quotas::Doc::openapi());
    doc.merge(super::conversion::Doc::openapi());
    doc
}

pub fn docs_router() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", document()))
}
