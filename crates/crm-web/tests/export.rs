//! Excel exports read back with another reader (calamine), on both databases.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use calamine::Data;
use crm_domain::Role;
use crm_testkit::{db_test, json, xlsx_rows, TestApp, TestUser};

async fn download(
    app: &TestApp,
    path: &str,
    who: &TestUser,
    lang: &str,
) -> (StatusCode, Vec<Vec<Data>>) {
    let auth = format!("Bearer {}", who.token);
    let r = app
        .get_with(path, &[("authorization", &auth), ("accept-language", lang)])
        .await;
    if r.status != StatusCode::OK {
        return (r.status, vec![]);
    }
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    // Streamed from its temporary file, announced at its full length.
    assert_eq!(
        r.header("content-length").as_deref(),
        Some(r.bytes.len().to_string().as_str())
    );
    (r.status, xlsx_rows(&r.bytes, 0))
}

fn cell(rows: &[Vec<Data>], r: usize, c: usize) -> String {
    rows[r][c].to_string()
}

db_test!(
    customer_export_honours_scope_filter_and_neutralizes_formulas,
    |app| {
        let admin = app.admin().await;
        let mgr = app.user("manager", Role::SalesManager, None, None).await;
        let a = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
        let other = app.user("rep_z", Role::SalesRep, None, None).await;
        let x = app
        .post("/api/v1/customers", &a, json!({"name": "=HYPERLINK(\"http://evil\",\"点我\")", "status": "deal", "phone": "+86 10 6552 9988", "city": "北京"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
        app.post(
            "/api/v1/customers",
            &a,
            json!({"name": "北京华信科技有限公司", "status": "following", "notes": "@SUM(1,2)"}),
        )
        .await;
        app.post("/api/v1/customers", &other, json!({"name": "别人的客户"}))
            .await;
        app.post("/api/v1/contacts", &a, json!({"customer_id": x, "name": "张伟", "birthday": "1988-08-08", "email": "zw@example.cn"})).await;

        // Export is a permission of its own: reps do not have it by default.
        let (status, _) = download(&app, "/api/v1/customers/export.xlsx", &a, "zh-CN").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, rows) = download(&app, "/api/v1/customers/export.xlsx", &mgr, "zh-CN").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            rows.len(),
            3,
            "header + the team's two customers, not the third"
        );
        assert_eq!(cell(&rows, 0, 1), "客户名称");
        let names: Vec<String> = rows[1..].iter().map(|r| r[1].to_string()).collect();
        assert!(names.contains(&"北京华信科技有限公司".to_string()));
        assert!(
            names.contains(&"'=HYPERLINK(\"http://evil\",\"点我\")".to_string()),
            "{names:?}"
        );
        let first = rows
            .iter()
            .find(|r| r[0].to_string() == x.to_string())
            .unwrap();
        assert_eq!(first[2].to_string(), "已成交");
        assert_eq!(first[12].to_string(), "'+86 10 6552 9988");
        // Dates are real dates, not text.
        assert!(matches!(first[17], Data::DateTime(_)), "{:?}", first[17]);
        let notes: Vec<String> = rows[1..].iter().map(|r| r[16].to_string()).collect();
        assert!(notes.contains(&"'@SUM(1,2)".to_string()));

        // The filter applies; English headers follow Accept-Language.
        let (_, rows) = download(
            &app,
            "/api/v1/customers/export.xlsx?status=deal",
            &admin,
            "en",
        )
        .await;
        assert_eq!(rows.len(), 2);
        assert_eq!(cell(&rows, 0, 1), "Customer name");
        assert_eq!(cell(&rows, 1, 2), "Deal closed");
        let (_, rows) = download(&app, "/api/v1/customers/export.xlsx", &admin, "en").await;
        assert_eq!(rows.len(), 4);

        // Contacts export: scope through the customer, birthday as a date.
        let (_, rows) = download(&app, "/api/v1/contacts/export.xlsx", &mgr, "zh-CN").await;
        assert_eq!(rows.len(), 2);
        assert_eq!(cell(&rows, 1, 2), "张伟");
        assert_eq!(cell(&rows, 1, 1), "'=HYPERLINK(\"http://evil\",\"点我\")");
        assert!(matches!(rows[1][8], Data::DateTime(_)));
        let outsider = app.user("outsider", Role::SalesManager, None, None).await;
        let (_, rows) = download(&app, "/api/v1/contacts/export.xlsx", &outsider, "zh-CN").await;
        assert_eq!(rows.len(), 1, "only the header");
    }
);

db_test!(
    ui_export_runs_as_a_job_with_progress_and_a_private_download,
    |app| {
        let mgr = app.user("manager", Role::SalesManager, None, None).await;
        let rep = app.user("rep_a", Role::SalesRep, None, Some(mgr.id)).await;
        for i in 0..30 {
            app.post("/api/v1/customers", &rep, json!({"name": format!("客户{i:02}"), "status": if i % 3 == 0 { "deal" } else { "following" }})).await;
        }
        // Reps lack the export permission.
        let (rep_session, rep_csrf) = app.browser_login("rep_a", crm_testkit::PASSWORD).await;
        let r = app
            .browser(
                "POST",
                "/exports/customers",
                &rep_session,
                Some(&[("_csrf", &rep_csrf), ("query", "")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Without the CSRF token nothing starts.
        let (session, csrf) = app.browser_login("manager", crm_testkit::PASSWORD).await;
        let r = app
            .browser(
                "POST",
                "/exports/customers",
                &session,
                Some(&[("query", "")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The export honours the list's filter (status=deal: 10 of 30).
        let r = app
            .browser(
                "POST",
                "/exports/customers",
                &session,
                Some(&[("_csrf", &csrf), ("query", "status=deal")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let job_url = r.header("location").unwrap();
        assert!(job_url.starts_with("/jobs/"));
        let page = app.browser("GET", &job_url, &session, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("job-progress"));
        let mut done = false;
        for _ in 0..100 {
            let frag = app
                .browser("GET", &format!("{job_url}/progress"), &session, None)
                .await;
            if frag.text.contains("job-download") {
                assert!(frag.text.contains("100%"));
                done = true;
                break;
            }
            assert!(!frag.text.contains("bg-danger"), "{}", frag.text);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(done, "the export job finished");
        // Only its owner downloads it.
        let other = app
            .browser("GET", &format!("{job_url}/download"), &rep_session, None)
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let r = app
            .get_with(&format!("{job_url}/download"), &[("cookie", &session)])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let rows = xlsx_rows(&r.bytes, 0).len();
        assert_eq!(rows, 11, "header + 10 deals");
    }
);
