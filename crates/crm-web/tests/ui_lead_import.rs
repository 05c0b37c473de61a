//! The lead import pages through the real router on both databases: upload → mapping →
//! preview → run → report, in English and Chinese, with CSRF and permissions.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crm_domain::Role;
use crm_store::entity::{job, lead};
use crm_testkit::{db_test, TestApp, TestResponse, PASSWORD};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::io::Write;

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// A multipart POST of `file` (and `_csrf`) with the session's cookies.
async fn post_file(
    app: &TestApp,
    cookies: &str,
    csrf: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> TestResponse {
    let b = "----crm-ui-boundary";
    let mut body = Vec::new();
    if let Some(t) = csrf {
        write!(
            body,
            "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{t}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{b}--\r\n").unwrap();
    let req = Request::builder()
        .method("POST")
        .uri("/leads/import/upload")
        .header(header::COOKIE, cookies)
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn jobs(app: &TestApp) -> u64 {
    job::Entity::find().count(&app.core.db).await.unwrap()
}

fn file() -> Vec<u8> {
    xlsx(&[
        &["姓名", "公司", "手机", "邮箱", "备注"],
        &[
            "张伟",
            "苏州园区科技有限公司",
            "13812340001",
            "zhangwei@example.com",
            "展会名片",
        ],
        &["", "无名公司", "13812340002", "", ""],
        &["王芳", "南京软件有限公司", "13812340003", "bad-mail", ""],
    ])
}

db_test!(upload_map_preview_and_run_through_the_pages, |app| {
    app.user("ui_rep", Role::SalesRep, None, None).await;
    let (session, csrf) = app.browser_login("ui_rep", PASSWORD).await;
    let list = app.browser("GET", "/leads", &session, None).await;
    assert!(
        list.text.contains("href=\"/leads/import\""),
        "the leads list links to the import"
    );
    let page = app.browser("GET", "/leads/import", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("id=\"import-upload-form\""));
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    assert!(page.text.contains("Import leads"));

    // Without the CSRF token nothing is kept.
    let r = post_file(&app, &session, None, "leads.xlsx", &file()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(jobs(&app).await, 0);
    // A refused file comes back to the form with the reason.
    let r = post_file(&app, &session, Some(&csrf), "leads.xlsx", b"not a workbook").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"import-error\""));
    assert!(
        r.text.contains("This is not a valid .xlsx workbook"),
        "{}",
        r.text
    );

    let r = post_file(&app, &session, Some(&csrf), "leads.xlsx", &file()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let url = r.header("location").unwrap();
    assert!(url.starts_with("/leads/import/"));
    let id = url.rsplit('/').next().unwrap().to_string();

    // The mapping step: guessed fields and a preview with each row's fate.
    let m = app.browser("GET", &url, &session, None).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.text.contains("leads.xlsx"));
    assert!(
        m.text
            .contains("<option value=\"name\" selected>Name</option>"),
        "{}",
        m.text
    );
    assert!(m
        .text
        .contains("<option value=\"email\" selected>Email</option>"));
    assert!(m.text.contains("id=\"import-preview-table\""));
    assert!(m.text.contains("data-row=\"2\" data-outcome=\"import\""));
    assert!(m.text.contains("data-row=\"3\" data-outcome=\"fail\""));
    assert!(
        m.text.contains("Name: This field is required"),
        "{}",
        m.text
    );
    assert!(m.text.contains("Email: Not a valid email address"));
    assert!(m.text.contains("value=\"pool\""));
    // Preview with another mapping: nothing maps to the name.
    let form = |op: &str, first: &str| -> Vec<(String, String)> {
        [
            ("_csrf", csrf.as_str()),
            ("op", op),
            ("col_0", first),
            ("col_1", "company"),
            ("col_2", "phone"),
            ("col_3", "ignore"),
            ("col_4", "notes"),
            ("owner", "pool"),
            ("duplicates", "skip"),
            ("mode", "good_rows"),
            ("campaign_id", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let preview = form("preview", "ignore");
    let pairs: Vec<(&str, &str)> = preview
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = app.browser("POST", &url, &session, Some(&pairs)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(p.text.contains("id=\"import-no-name\""));
    assert!(!p.text.contains("data-outcome=\"import\""));
    assert_eq!(lead::Entity::find().count(&app.core.db).await.unwrap(), 0);
    // Run: back to the import's page, which follows the job to its report.
    let start = form("run", "name");
    let pairs: Vec<(&str, &str)> = start
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.browser("POST", &url, &session, Some(&pairs)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let status_url = format!("/leads/import/{id}/status");
    let mut last = String::new();
    for _ in 0..600 {
        last = app.browser("GET", &status_url, &session, None).await.text;
        if last.contains("data-status=\"done\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(last.contains("data-status=\"done\""), "{last}");
    assert!(last.contains("Imported 2"), "{last}");
    assert!(last.contains("Failed 1"), "{last}");
    assert!(last.contains("id=\"import-failures\""));
    assert!(last.contains(&format!("href=\"/jobs/{id}/download\"")));
    let page = app.browser("GET", &url, &session, None).await;
    assert!(page.text.contains("id=\"import-status\""));
    assert!(
        !page.text.contains("id=\"import-map-form\""),
        "no mapping once started"
    );
    let dl = app
        .browser("GET", &format!("/jobs/{id}/download"), &session, None)
        .await;
    assert_eq!(dl.status, StatusCode::OK);
    let rows = lead::Entity::find().all(&app.core.db).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|l| l.owner_id.is_none()),
        "imported to the pool"
    );
    assert_eq!(rows[0].notes.as_deref(), Some("展会名片"));
});

db_test!(
    the_pages_speak_chinese_and_refuse_who_may_not_import,
    |app| {
        app.user("zh_rep", Role::SalesRep, None, None).await;
        app.user("zh_exec", Role::Executive, None, None).await;
        let (session, csrf) = app.browser_login("zh_rep", PASSWORD).await;
        let zh = format!("{session}; crm_lang=zh-CN");
        let page = app.browser("GET", "/leads/import", &zh, None).await;
        assert!(page.text.contains("导入线索"));
        assert!(page.text.contains("上传 .xlsx 或 .csv 文件"));
        let r = post_file(&app, &zh, Some(&csrf), "线索.xlsx", &file()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let url = r.header("location").unwrap();
        let m = app.browser("GET", &url, &zh, None).await;
        assert_eq!(m.status, StatusCode::OK);
        assert!(m.text.contains("前 20 行预览"));
        assert!(
            m.text
                .contains("<option value=\"name\" selected>姓名</option>"),
            "{}",
            m.text
        );
        assert!(m.text.contains("线索池（未分配）"));
        assert!(m.text.contains("将导入"));
        assert!(
            m.text.contains("邮箱: "),
            "a translated field in the row errors"
        );
        let r = post_file(&app, &zh, Some(&csrf), "x.csv", b"").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("请选择要上传的 .xlsx 或 .csv 文件"),
            "{}",
            r.text
        );

        let (exec, exec_csrf) = app.browser_login("zh_exec", PASSWORD).await;
        let list = app.browser("GET", "/leads", &exec, None).await;
        assert!(
            !list.text.contains("href=\"/leads/import\""),
            "no dead import button"
        );
        assert_eq!(
            app.browser("GET", "/leads/import", &exec, None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let before = jobs(&app).await;
        let r = post_file(&app, &exec, Some(&exec_csrf), "leads.xlsx", &file()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(jobs(&app).await, before);
        // Without market:create, not even the import's page; another rep's import is 404.
        assert_eq!(
            app.browser("GET", &url, &exec, None).await.status,
            StatusCode::FORBIDDEN
        );
        app.user("zh_rep2", Role::SalesRep, None, None).await;
        let (other, _) = app.browser_login("zh_rep2", PASSWORD).await;
        assert_eq!(
            app.browser("GET", &url, &other, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
);
