//! Test kit: a fresh database per test (SQLite temp file, or a new PostgreSQL database when
//! `CRM_TEST_DATABASE_URL` is set), the real router, and helpers to make users and requests.
//!
//! Use [`db_test!`] to run one test body on both databases.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::TimeZone;
use crm_domain::{Role, UserId};
use crm_service::{Core, FixedClock};
use crm_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The default password of users made by [`TestApp::user`].
pub const PASSWORD: &str = "password123";

/// A migrated database that lives as long as the test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let url = format!("sqlite://{}/crm.db?mode=rwc", dir.path().display());
        Self {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database on the server of `CRM_TEST_DATABASE_URL`; `None` when the
    /// variable is unset (a failure under `CI=true`, where PostgreSQL must be tested).
    pub async fn postgres() -> Option<Self> {
        let Ok(base) = std::env::var("CRM_TEST_DATABASE_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but CRM_TEST_DATABASE_URL is not set: PostgreSQL tests must run");
            }
            eprintln!("CRM_TEST_DATABASE_URL not set: skipping the PostgreSQL run");
            return None;
        };
        let admin = Database::connect(base.as_str())
            .await
            .unwrap_or_else(|e| panic!("connect {base}: {e}"));
        let name = format!("crm_test_{:016x}", rand::random::<u64>());
        admin
            .execute(Statement::from_string(
                admin.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .unwrap_or_else(|e| panic!("create database: {e}"));
        let _ = admin.close().await;
        let url = match base.rfind('/') {
            Some(i) if base[..i].contains("://") && base[i..].len() > 1 => {
                let tail = &base[i + 1..];
                let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
                format!("{}/{name}{query}", &base[..i])
            }
            _ => format!("{}/{name}", base.trim_end_matches('/')),
        };
        Some(Self {
            url,
            backend: Backend::Postgres,
            _dir: None,
        })
    }

    pub async fn connect(&self) -> DatabaseConnection {
        crm_store::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"))
    }
}

/// The application under test: a migrated database, a fixed clock and the real router.
pub struct TestApp {
    pub db: TestDb,
    pub core: Core,
    pub clock: Arc<FixedClock>,
    pub router: axum::Router,
}

/// A user made for a test, with a bearer token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub username: String,
    pub token: String,
}

/// A response, with its body read.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    /// The body as received (downloads: .xlsx, PDF).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// Every `Set-Cookie` value.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }
}

impl TestApp {
    pub async fn init(backend: Backend) -> Option<Self> {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres().await?,
        };
        Some(Self::on(db).await)
    }

    pub async fn on(db: TestDb) -> Self {
        let conn = db.connect().await;
        crm_store::migrate(&conn)
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .unwrap_or_else(chrono::Utc::now);
        let clock = Arc::new(FixedClock::new(start));
        let core = Core::new(conn, clock.clone());
        let state = AppState::new(
            core.clone(),
            WebConfig {
                secure_cookies: false,
                trust_proxy: true,
            },
        );
        Self {
            db,
            router: crm_web::router(state),
            core,
            clock,
        }
    }

    /// Creates a user with `role` (and optional department/manager) and a bearer token.
    pub async fn user(
        &self,
        username: &str,
        role: Role,
        department_id: Option<i64>,
        manager_id: Option<i64>,
    ) -> TestUser {
        let u = crm_service::users::create_unchecked(
            &self.core,
            None,
            crm_service::users::NewUserInput {
                username: username.into(),
                password: PASSWORD.into(),
                display_name: username.into(),
                role: role.as_str().into(),
                department_id,
                manager_id,
                email: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create user {username}: {e:?}"));
        let (token, _) =
            crm_service::auth::issue_token(&self.core, UserId(u.id), "test", "login", None)
                .await
                .unwrap_or_else(|e| panic!("token: {e:?}"));
        TestUser {
            id: u.id,
            username: u.username,
            token,
        }
    }

    /// An administrator.
    pub async fn admin(&self) -> TestUser {
        self.user("admin", Role::Admin, None, None).await
    }

    /// Sends a request through the router.
    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("router: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        TestResponse {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// A JSON API call; `token` may be None for anonymous requests.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET))
            .uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap_or_else(|e| panic!("request: {e}"));
        self.send(req).await
    }

    pub async fn get(&self, path: &str, who: &TestUser) -> TestResponse {
        self.api("GET", path, Some(&who.token), None).await
    }

    /// Every page of a keyset-paged list as `who`, from `path` (which carries a query
    /// string) following each page's `next` cursor; each page must answer 200.
    pub async fn pages(&self, path: &str, who: &TestUser) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut url = path.to_string();
        loop {
            let r = self.get(&url, who).await;
            assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
            let page = r.json();
            let next = page["next"].as_str().map(str::to_string);
            pages.push(page);
            assert!(pages.len() < 100, "{path}: pagination does not advance");
            match next {
                Some(c) => url = format!("{path}&cursor={c}"),
                None => return pages,
            }
        }
    }

    /// A GET with the given headers only (a bearer token, a session cookie, a language),
    /// e.g. for downloads: the body is in [`TestResponse::bytes`].
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut b = Request::builder().uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(
            b.body(Body::empty())
                .unwrap_or_else(|e| panic!("request: {e}")),
        )
        .await
    }

    pub async fn post(&self, path: &str, who: &TestUser, body: Value) -> TestResponse {
        self.api("POST", path, Some(&who.token), Some(body)).await
    }

    /// A `DELETE` as `who` (the path carries `?version=` where the API wants one).
    pub async fn delete(&self, path: &str, who: &TestUser) -> TestResponse {
        self.api("DELETE", path, Some(&who.token), None).await
    }

    pub async fn patch(&self, path: &str, who: &TestUser, body: Value) -> TestResponse {
        self.api("PATCH", path, Some(&who.token), Some(body)).await
    }

    /// A browser request with cookies and (for POST) an urlencoded form.
    pub async fn browser(
        &self,
        method: &str,
        path: &str,
        cookies: &str,
        form: Option<&[(&str, &str)]>,
    ) -> TestResponse {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET))
            .uri(path)
            .header(header::ACCEPT_LANGUAGE, "en");
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies);
        }
        let req = match form {
            Some(fields) => {
                let body = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
            }
            None => b.body(Body::empty()),
        }
        .unwrap_or_else(|e| panic!("request: {e}"));
        self.send(req).await
    }

    /// Signs in through the HTML form; returns the cookie header for later requests and
    /// the CSRF token of the session.
    pub async fn browser_login(&self, username: &str, password: &str) -> (String, String) {
        let page = self.browser("GET", "/login", "", None).await;
        let csrf_cookie = cookie_pair(&page.cookies(), "crm_login_csrf")
            .unwrap_or_else(|| panic!("no login csrf cookie"));
        let token = csrf_cookie
            .split_once('=')
            .map(|x| x.1.to_string())
            .unwrap_or_default();
        let resp = self
            .browser(
                "POST",
                "/login",
                &csrf_cookie,
                Some(&[
                    ("_csrf", &token),
                    ("username", username),
                    ("password", password),
                ]),
            )
            .await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login failed: {}",
            resp.text
        );
        let session = cookie_pair(&resp.cookies(), "crm_session")
            .unwrap_or_else(|| panic!("no session cookie"));
        let home = self.browser("GET", "/", &session, None).await;
        let csrf = extract_meta_csrf(&home.text);
        (session, csrf)
    }
}

/// `name=value` of a Set-Cookie list.
pub fn cookie_pair(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .find(|kv| kv.starts_with(&format!("{name}=")) && kv.len() > name.len() + 1)
        .map(str::to_string)
}

pub fn extract_meta_csrf(html: &str) -> String {
    html.split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Runs one async test body on SQLite and, when `CRM_TEST_DATABASE_URL` is set, on
/// PostgreSQL: `db_test!(name, |app| { ... })`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) = $crate::TestApp::init($crate::Backend::Sqlite).await else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::TestApp::init($crate::Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}

/// The rows of sheet `n` of an .xlsx file, read back with another reader (calamine).
pub fn xlsx_rows(bytes: &[u8], n: usize) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .unwrap_or_else(|e| panic!("not an .xlsx file: {e}"));
    let name = book.sheet_names()[n].clone();
    let range = book
        .worksheet_range(&name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(<[calamine::Data]>::to_vec).collect()
}
