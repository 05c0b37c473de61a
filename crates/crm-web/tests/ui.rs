//! The HTML UI through the real router: sign-in, CSRF, language, escaping, setup.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{cookie_pair, db_test, PASSWORD};

db_test!(first_run_setup_creates_the_admin_once, |app| {
    let r = app.browser("GET", "/login", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/setup"));
    let page = app.browser("GET", "/setup", "", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = cookie_pair(&page.cookies(), "crm_login_csrf").unwrap();
    let token = csrf.split_once('=').unwrap().1.to_string();
    // Without the token: refused, nothing created.
    let r = app
        .browser(
            "POST",
            "/setup",
            "",
            Some(&[
                ("username", "boss"),
                ("display_name", "老板"),
                ("password", "long-password"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(crm_store::users::count(&app.core.db).await.unwrap(), 0);
    // Field errors are shown on the form.
    let r = app
        .browser(
            "POST",
            "/setup",
            &csrf,
            Some(&[
                ("_csrf", &token),
                ("username", "x"),
                ("display_name", ""),
                ("password", "short"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    let r = app
        .browser(
            "POST",
            "/setup",
            &csrf,
            Some(&[
                ("_csrf", &token),
                ("username", "boss"),
                ("display_name", "老板"),
                ("password", "long-password"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(cookie_pair(&r.cookies(), "crm_session").is_some());
    let u = crm_store::users::find_by_username(&app.core.db, "boss")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.role, "admin");
    // Once a user exists, setup is closed.
    let r = app.browser("GET", "/setup", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .browser(
            "POST",
            "/setup",
            &csrf,
            Some(&[
                ("_csrf", &token),
                ("username", "second"),
                ("display_name", "x"),
                ("password", "long-password"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(crm_store::users::count(&app.core.db).await.unwrap(), 1);
});

db_test!(sign_in_session_csrf_and_sign_out, |app| {
    app.admin().await;
    // Pages need a session.
    let r = app.browser("GET", "/admin/departments", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").unwrap().starts_with("/login?next="));
    // A login POST without the double-submit token is refused.
    let r = app
        .browser(
            "POST",
            "/login",
            "",
            Some(&[("username", "admin"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (session, csrf) = app.browser_login("admin", PASSWORD).await;
    assert!(!csrf.is_empty());
    let r = app.browser("GET", "/", &session, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("id=\"current-user\""));
    // A form without the session's CSRF token changes nothing.
    let r = app
        .browser(
            "POST",
            "/admin/departments",
            &session,
            Some(&[("name", "无令牌部门")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .browser(
            "POST",
            "/admin/departments",
            &session,
            Some(&[("_csrf", "forged"), ("name", "伪造部门")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(crm_store::departments::list(&app.core.db)
        .await
        .unwrap()
        .is_empty());
    // With it, the department is created; HTML in names is escaped.
    let r = app
        .browser(
            "POST",
            "/admin/departments",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("name", "<script>alert(1)</script>"),
                ("parent_id", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = app
        .browser("GET", "/admin/departments", &session, None)
        .await;
    assert!(page
        .text
        .contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!page.text.contains("<script>alert(1)</script>"));
    // Field errors on the form.
    let r = app
        .browser(
            "POST",
            "/admin/departments",
            &session,
            Some(&[("_csrf", &csrf), ("name", "")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    // Sign out ends the session server-side.
    let r = app
        .browser("POST", "/logout", &session, Some(&[("_csrf", &csrf)]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.browser("GET", "/", &session, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
});

db_test!(wrong_password_on_the_form_is_rate_limited, |app| {
    app.user("liming", Role::SalesManager, None, None).await;
    let page = app.browser("GET", "/login", "", None).await;
    let csrf = cookie_pair(&page.cookies(), "crm_login_csrf").unwrap();
    let token = csrf.split_once('=').unwrap().1.to_string();
    for _ in 0..5 {
        let r = app
            .browser(
                "POST",
                "/login",
                &csrf,
                Some(&[
                    ("_csrf", &token),
                    ("username", "liming"),
                    ("password", "wrong-one"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text.contains("id=\"login-error\""));
    }
    let r = app
        .browser(
            "POST",
            "/login",
            &csrf,
            Some(&[
                ("_csrf", &token),
                ("username", "liming"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
});

db_test!(language_follows_the_browser_then_the_switch, |app| {
    app.admin().await;
    let (session, _) = app.browser_login("admin", PASSWORD).await;
    let en = app.browser("GET", "/", &session, None).await;
    assert!(en.text.contains("Sign out"));
    let req = axum::http::Request::builder()
        .uri("/")
        .header("cookie", &session)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .body(axum::body::Body::empty())
        .unwrap();
    let zh = app.send(req).await;
    assert!(zh.text.contains("退出登录"), "{}", zh.text);
    let r = app
        .browser("GET", "/lang/zh-CN?next=/admin/users", &session, None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/admin/users"));
    let lang = cookie_pair(&r.cookies(), "crm_lang").unwrap();
    let zh = app
        .browser("GET", "/", &format!("{session}; {lang}"), None)
        .await;
    assert!(zh.text.contains("退出登录"));
    assert!(zh.text.contains("lang=\"zh-CN\""));
    // Only local paths are followed.
    let r = app
        .browser("GET", "/lang/en?next=//evil.example", "", None)
        .await;
    assert_eq!(r.header("location").as_deref(), Some("/"));
    let r = app.browser("GET", "/lang/xx", "", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

db_test!(reps_do_not_see_administration, |app| {
    app.user("liuyang", Role::SalesRep, None, None).await;
    let (session, csrf) = app.browser_login("liuyang", PASSWORD).await;
    let home = app.browser("GET", "/", &session, None).await;
    assert!(!home.text.contains("/admin/departments"));
    let r = app
        .browser(
            "POST",
            "/admin/departments",
            &session,
            Some(&[("_csrf", &csrf), ("name", "越权")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(crm_store::departments::list(&app.core.db)
        .await
        .unwrap()
        .is_empty());
});

/// A real socket: the server answers over TCP on loopback.
#[tokio::test]
async fn serves_over_a_real_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crm_testkit::TestApp::init(crm_testkit::Backend::Sqlite)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await.unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(buf.ends_with("ok"));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /static/vendor/htmx.min.js HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    assert!(String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 200"));
    assert!(bytes.len() > 10_000, "htmx is embedded");
    server.abort();
}
