//! Importing leads from .xlsx and .csv (线索导入) through the real router on both databases:
//! Chinese text, dates and numbers, UTF-8 with BOM and GBK, row errors, good rows vs all or
//! nothing, formulas, the row cap, zip bombs, re-runs after a crash, duplicates, owners
//! and permissions. The files are made here (rust_xlsxwriter, encoding_rs, zip).
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use calamine::Data;
use chrono::NaiveDate;
use crm_domain::Role;
use crm_store::entity::{audit_log, job, lead};
use crm_testkit::{db_test, json, xlsx_rows, TestApp, TestResponse, TestUser};
use rust_xlsxwriter::{Format, Formula, Workbook};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use std::io::{Cursor, Write};

/// A cell of a test workbook.
enum C<'a> {
    S(&'a str),
    N(f64),
    D(NaiveDate),
    F(&'a str, &'a str),
}

fn xlsx(rows: &[Vec<C>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                C::S(s) => ws.write_string(r, c, *s).map(|_| ()),
                C::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                C::D(d) => ws.write_date_with_format(r, c, d, &date).map(|_| ()),
                C::F(f, v) => ws
                    .write_formula(r, c, Formula::new(*f).set_result(*v))
                    .map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let b = "----crm-test-boundary-3f9a";
    let mut body = Vec::new();
    for (k, v) in fields {
        write!(
            body,
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        )
        .unwrap();
    }
    if let Some((name, bytes)) = file {
        write!(
            body,
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{b}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={b}"), body)
}

async fn upload(app: &TestApp, who: &TestUser, name: &str, bytes: &[u8]) -> TestResponse {
    let (ctype, body) = multipart(&[], Some((name, bytes)));
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/leads/imports")
        .header(header::AUTHORIZATION, format!("Bearer {}", who.token))
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn uploaded(app: &TestApp, who: &TestUser, name: &str, bytes: &[u8]) -> Value {
    let r = upload(app, who, name, bytes).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

/// The preview with the guessed mapping and default options (checked to answer 200).
async fn previewed(app: &TestApp, who: &TestUser, id: i64) -> Value {
    let r = app
        .post(
            &format!("/api/v1/leads/imports/{id}/preview"),
            who,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

/// Starts the import and waits for its end; the final import.
async fn run(app: &TestApp, who: &TestUser, id: i64, options: Value) -> Value {
    let r = app
        .post(&format!("/api/v1/leads/imports/{id}/run"), who, options)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.json()["status"], "running");
    for _ in 0..1200 {
        let i = app
            .get(&format!("/api/v1/leads/imports/{id}"), who)
            .await
            .json();
        if i["status"] == "done" || i["status"] == "failed" {
            assert_eq!(i["status"], "done", "{i}");
            return i;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

async fn leads(app: &TestApp) -> Vec<lead::Model> {
    lead::Entity::find()
        .order_by_asc(lead::Column::Id)
        .all(&app.core.db)
        .await
        .unwrap()
}

async fn lead_count(app: &TestApp) -> u64 {
    lead::Entity::find().count(&app.core.db).await.unwrap()
}

/// Sheet `n` of an import's .xlsx report as text, read back with calamine.
async fn report_sheet(app: &TestApp, who: &TestUser, id: i64, n: usize) -> Vec<Vec<String>> {
    let r = app
        .get(&format!("/api/v1/leads/imports/{id}/report.xlsx"), who)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    xlsx_rows(&r.bytes, n)
        .iter()
        .map(|row| row.iter().map(Data::to_string).collect())
        .collect()
}

fn csv(lines: &[&str]) -> Vec<u8> {
    lines.join("\r\n").into_bytes()
}

fn field_error(r: &TestResponse, field: &str) -> String {
    r.json()["fields"][field]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

db_test!(
    good_xlsx_keeps_chinese_text_and_imports_dates_and_numbers_as_text,
    |app| {
        let rep = app.user("zhang_rep", Role::SalesRep, None, None).await;
        let file = xlsx(&[
            vec![
                C::S("姓名"),
                C::S("公司名称"),
                C::S("手机"),
                C::S("邮箱"),
                C::S("省份"),
                C::S("城市"),
                C::S("线索来源"),
                C::S("备注"),
                C::S("内部编号"),
            ],
            vec![
                C::S("张三"),
                C::S("北京华为技术有限公司"),
                C::N(13812345678.0),
                C::S("ZhangSan@Example.com"),
                C::S("北京"),
                C::S("海淀"),
                C::S("展会"),
                C::D(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                C::N(7.0),
            ],
            vec![],
            vec![
                C::S("李四"),
                C::S("上海联通"),
                C::S("021-6888 1234"),
                C::S(""),
                C::S("上海"),
                C::S("浦东"),
                C::S("Referral"),
                C::N(12.5),
                C::S("x"),
            ],
        ]);
        let i = uploaded(&app, &rep, "线索.xlsx", &file).await;
        assert_eq!(i["status"], "queued");
        assert_eq!(i["format"], "xlsx");
        assert_eq!(i["rows"], 2);
        assert_eq!(i["file_name"], "线索.xlsx");
        assert_eq!(i["headers"][1], "公司名称");
        assert_eq!(
            i["columns"],
            json!([
                "name", "company", "phone", "email", "province", "city", "source", "notes",
                "ignore"
            ])
        );
        let id = i["id"].as_i64().unwrap();
        assert_eq!(lead_count(&app).await, 0, "the upload writes no lead");

        let done = run(&app, &rep, id, json!({})).await;
        let report = &done["report"];
        assert_eq!(report["imported"], 2, "{done}");
        assert_eq!(report["failed"], 0);
        assert_eq!(report["written"], true);
        assert_eq!(done["done"], 2);
        let rows = leads(&app).await;
        assert_eq!(rows.len(), 2);
        let digest = rows[0].import_key.clone().unwrap();
        let digest = digest.split(':').next().unwrap();
        assert_eq!(digest.len(), 16);
        let z = &rows[0];
        assert_eq!(z.name, "张三");
        assert_eq!(z.company.as_deref(), Some("北京华为技术有限公司"));
        assert_eq!(z.phone.as_deref(), Some("13812345678"));
        assert_eq!(z.phone_norm.as_deref(), Some("13812345678"));
        assert_eq!(z.email.as_deref(), Some("zhangsan@example.com"));
        assert_eq!(z.province.as_deref(), Some("北京"));
        assert_eq!(z.source.as_deref(), Some("exhibition"));
        assert_eq!(z.notes.as_deref(), Some("2026-03-01"));
        assert_eq!(z.status, "new");
        assert_eq!(z.owner_id, Some(rep.id));
        assert_eq!(z.created_by, Some(rep.id));
        assert_eq!(
            z.import_key.as_deref(),
            Some(format!("{digest}:2").as_str())
        );
        let l = &rows[1];
        assert_eq!(l.notes.as_deref(), Some("12.5"));
        assert_eq!(l.source.as_deref(), Some("referral"));
        assert_eq!(
            l.import_key.as_deref(),
            Some(format!("{digest}:4").as_str())
        );
        // One audit entry for the whole import, none per lead.
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::EntityType.is_in(["lead", "lead_import"]))
            .all(&app.core.db)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].entity_type, "lead_import");
        assert_eq!(audit[0].entity_id, id.to_string());
        assert_eq!(audit[0].actor_id, Some(rep.id));
        assert!(audit[0]
            .after
            .as_ref()
            .unwrap()
            .to_string()
            .contains("\"imported\":2"));
        // The (empty) error report downloads; the lead list shows the leads.
        let url = done["report_url"].as_str().unwrap();
        let r = app.get(url, &rep).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let list = app.get("/api/v1/leads", &rep).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        // A started import cannot be previewed or run again.
        let r = app
            .post(&format!("/api/v1/leads/imports/{id}/run"), &rep, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"], "already_started");
    }
);

db_test!(
    csv_in_utf8_with_bom_and_in_gbk_are_decoded_and_named,
    |app| {
        let rep = app.user("csv_rep", Role::SalesRep, None, None).await;
        let text = "姓名,公司,电话\r\n王五,深圳腾讯计算机系统有限公司,0755-86013388\r\n赵六,\"广州,天河\",\r\n";
        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        let i = uploaded(&app, &rep, "utf8.csv", &bom).await;
        assert_eq!(i["format"], "csv");
        assert_eq!(i["encoding"], "UTF-8 (BOM)");
        assert_eq!(
            i["headers"][0], "姓名",
            "the BOM is not part of the first header"
        );
        run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        let (gbk, _, bad) =
            encoding_rs::GBK.encode("姓名,公司\r\n孙七,杭州阿里巴巴网络技术有限公司\r\n");
        assert!(!bad);
        assert!(std::str::from_utf8(&gbk).is_err(), "really GBK bytes");
        let i = uploaded(&app, &rep, "gbk.csv", &gbk).await;
        assert_eq!(i["encoding"], "GB18030 (GBK)");
        run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        let names: Vec<(String, Option<String>)> = leads(&app)
            .await
            .into_iter()
            .map(|l| (l.name, l.company))
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    "王五".to_string(),
                    Some("深圳腾讯计算机系统有限公司".to_string())
                ),
                ("赵六".to_string(), Some("广州,天河".to_string())),
                (
                    "孙七".to_string(),
                    Some("杭州阿里巴巴网络技术有限公司".to_string())
                ),
            ]
        );
        // Bytes that are neither UTF-8 nor GBK are refused, naming the reason.
        let r = upload(
            &app,
            &rep,
            "bad.csv",
            &[b'a', b',', 0xFF, 0xFE, 0x80, b'\n', 0x81],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(field_error(&r, "file"), "encoding");
    }
);

fn bad_rows_file() -> Vec<u8> {
    csv(&[
        "name,company,email,phone,source",
        "Good One,Alpha Ltd,one@example.com,13900000001,",
        ",No Name Co,noname@example.com,,",
        "Bad Mail,Beta Ltd,not-an-email,,",
        "Bad Phone,Gamma Ltd,,abc,",
        "Good Two,Delta Ltd,,13900000002,seminar",
        "Bad Source,Eps Ltd,,,newspaper",
    ])
}

db_test!(bad_rows_are_reported_and_the_good_ones_imported, |app| {
    let rep = app.user("rows_rep", Role::SalesRep, None, None).await;
    let i = uploaded(&app, &rep, "rows.csv", &bad_rows_file()).await;
    let id = i["id"].as_i64().unwrap();
    // The preview shows each row's fate and writes nothing.
    let p = previewed(&app, &rep, id).await;
    let outcomes: Vec<&str> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        vec!["import", "fail", "fail", "fail", "import", "fail"]
    );
    assert_eq!(p["rows"][1]["row"], 3);
    assert_eq!(p["rows"][1]["errors"]["name"]["code"], "required");
    assert_eq!(p["rows"][2]["errors"]["email"]["code"], "invalid_email");
    assert_eq!(p["rows"][3]["errors"]["phone"]["code"], "invalid_phone");
    assert_eq!(p["rows"][5]["errors"]["source"]["code"], "invalid_choice");
    assert_eq!(p["rows"][0]["values"]["company"], "Alpha Ltd");
    assert_eq!(lead_count(&app).await, 0);

    let done = run(&app, &rep, id, json!({"mode": "good_rows"})).await;
    let rep_json = &done["report"];
    assert_eq!(rep_json["imported"], 2);
    assert_eq!(rep_json["failed"], 4);
    let failures = rep_json["failures"].as_array().unwrap();
    let rows: Vec<i64> = failures
        .iter()
        .map(|f| f["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, vec![3, 4, 5, 7]);
    assert_eq!(
        failures[1]["errors"]["email"]["message"],
        "Not a valid email address"
    );
    let names: Vec<String> = leads(&app).await.into_iter().map(|l| l.name).collect();
    assert_eq!(names, vec!["Good One", "Good Two"]);
    assert_eq!(leads(&app).await[1].source.as_deref(), Some("seminar"));
    assert_eq!(leads(&app).await[0].source.as_deref(), Some("import"));

    // The .xlsx report: the failed rows, their cells and a reason column.
    let cells = report_sheet(&app, &rep, id, 0).await;
    assert_eq!(
        cells[0],
        vec!["Row", "name", "company", "email", "phone", "source", "Reason"]
    );
    assert_eq!(cells.len(), 5);
    assert_eq!(cells[2][0], "4");
    assert_eq!(cells[2][3], "not-an-email");
    assert!(
        cells[2][6].contains("Email: Not a valid email address"),
        "{:?}",
        cells[2]
    );
    assert_eq!(
        cells[1][6], "Name: This field is required",
        "{:?}",
        cells[1]
    );
    // Someone else's import is invisible.
    let other = app.user("rows_other", Role::SalesRep, None, None).await;
    assert_eq!(
        app.get(&format!("/api/v1/leads/imports/{id}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/leads/imports/{id}/report.xlsx"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(all_or_nothing_writes_nothing_when_a_row_fails, |app| {
    let rep = app.user("aon_rep", Role::SalesRep, None, None).await;
    let i = uploaded(&app, &rep, "rows.csv", &bad_rows_file()).await;
    let done = run(
        &app,
        &rep,
        i["id"].as_i64().unwrap(),
        json!({"mode": "all_or_nothing"}),
    )
    .await;
    let r = &done["report"];
    assert_eq!(r["written"], false);
    assert_eq!(r["imported"], 0);
    assert_eq!(r["failed"], 4);
    assert_eq!(r["mode"], "all_or_nothing");
    assert_eq!(lead_count(&app).await, 0, "nothing written");
    // The same mode with only good rows writes them all.
    let good = csv(&[
        "姓名,电话",
        "甲,13900000011",
        "乙,13900000012",
        "丙,13900000013",
    ]);
    let i = uploaded(&app, &rep, "good.csv", &good).await;
    let done = run(
        &app,
        &rep,
        i["id"].as_i64().unwrap(),
        json!({"mode": "all_or_nothing"}),
    )
    .await;
    assert_eq!(done["report"]["imported"], 3);
    assert_eq!(done["report"]["written"], true);
    assert_eq!(lead_count(&app).await, 3);
});

db_test!(
    wrong_columns_give_row_errors_and_bad_mappings_a_422,
    |app| {
        let rep = app.user("cols_rep", Role::SalesRep, None, None).await;
        let file = csv(&["foo,bar", "1,2", "3,4"]);
        let i = uploaded(&app, &rep, "cols.csv", &file).await;
        assert_eq!(i["columns"], json!(["ignore", "ignore"]));
        let id = i["id"].as_i64().unwrap();
        let path = format!("/api/v1/leads/imports/{id}/preview");
        let preview = |body: Value| app.post(&path, &rep, body);
        let r = preview(json!({"columns": ["name"]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_error(&r, "columns"), "invalid");
        let r = preview(json!({"columns": ["name", "name"]})).await;
        assert_eq!(field_error(&r, "columns"), "duplicate");
        let r = preview(json!({"columns": ["name", "salary"]})).await;
        assert_eq!(field_error(&r, "columns"), "invalid_choice");
        let r = preview(json!({"duplicates": "merge", "mode": "some", "campaign_id": 999})).await;
        assert_eq!(field_error(&r, "duplicates"), "invalid_choice");
        assert_eq!(field_error(&r, "mode"), "invalid_choice");
        assert_eq!(field_error(&r, "campaign_id"), "unknown");
        // Nothing maps to the name: every row fails with it.
        let done = run(&app, &rep, id, json!({})).await;
        assert_eq!(done["report"]["failed"], 2);
        assert_eq!(
            done["report"]["failures"][0]["errors"]["name"]["code"],
            "required"
        );
        assert_eq!(lead_count(&app).await, 0);
        // Mapped by hand, the same columns import.
        let i = uploaded(&app, &rep, "cols.csv", &file).await;
        let done = run(
            &app,
            &rep,
            i["id"].as_i64().unwrap(),
            json!({"columns": ["name", "notes"]}),
        )
        .await;
        assert_eq!(done["report"]["imported"], 2);
        assert_eq!(leads(&app).await[0].notes.as_deref(), Some("2"));
    }
);

db_test!(
    formula_cells_import_their_cached_text_and_are_never_evaluated,
    |app| {
        let rep = app.user("formula_rep", Role::SalesRep, None, None).await;
        let file = xlsx(&[
            vec![C::S("Name"), C::S("Notes"), C::S("Company")],
            vec![
                C::F("=\"Zhang\"&\"San\"", "ZhangSan"),
                C::F("=1+1", "7"),
                C::S("=cmd|' /C calc'!A0"),
            ],
        ]);
        let i = uploaded(&app, &rep, "formulas.xlsx", &file).await;
        let done = run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        assert_eq!(done["report"]["imported"], 1, "{done}");
        let l = &leads(&app).await[0];
        assert_eq!(l.name, "ZhangSan");
        assert_eq!(l.notes.as_deref(), Some("7"), "the cached value, not 1+1");
        assert_eq!(
            l.company.as_deref(),
            Some("=cmd|' /C calc'!A0"),
            "kept as text"
        );
    }
);

db_test!(
    more_than_100000_rows_are_refused_and_nothing_is_kept,
    |app| {
        let rep = app.user("big_rep", Role::SalesRep, None, None).await;
        let mut text = String::from("name\n");
        for i in 0..100_001 {
            text.push_str(&format!("n{i}\n"));
        }
        let r = upload(&app, &rep, "big.csv", text.as_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(field_error(&r, "file"), "too_many_rows");
        assert!(r.json()["fields"]["file"]["message"]
            .as_str()
            .unwrap()
            .contains("100000"));
        assert_eq!(job::Entity::find().count(&app.core.db).await.unwrap(), 0);
        assert_eq!(lead_count(&app).await, 0);
        // Over 20 MB is refused before it is read.
        let huge = vec![b'a'; 21 * 1024 * 1024];
        let r = upload(&app, &rep, "huge.csv", &huge).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
        assert_eq!(r.json()["error"], "too_large");
    }
);

fn zip_of(entries: &[(&str, usize)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, size) in entries {
        w.start_file(*name, opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        let mut left = *size;
        while left > 0 {
            let n = left.min(chunk.len());
            w.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
    }
    w.finish().unwrap().into_inner()
}

db_test!(
    zip_bombs_and_broken_workbooks_are_refused_before_parsing,
    |app| {
        let rep = app.user("bomb_rep", Role::SalesRep, None, None).await;
        let bomb = zip_of(&[
            ("[Content_Types].xml", 100),
            ("xl/workbook.xml", 100),
            ("xl/worksheets/sheet1.xml", 12 << 20),
        ]);
        assert!(bomb.len() < 200_000, "a small file: {}", bomb.len());
        let r = upload(&app, &rep, "leads.xlsx", &bomb).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(field_error(&r, "file"), "zip_bomb");
        // Not a workbook at all, or a zip without one.
        let r = upload(&app, &rep, "leads.xlsx", b"just some text").await;
        assert_eq!(field_error(&r, "file"), "not_xlsx");
        let r = upload(
            &app,
            &rep,
            "leads.xlsx",
            &zip_of(&[("word/document.xml", 100)]),
        )
        .await;
        assert_eq!(field_error(&r, "file"), "not_xlsx");
        let r = upload(
            &app,
            &rep,
            "leads.xlsx",
            &zip_of(&[("xl/workbook.xml", 100)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(field_error(&r, "file"), "not_xlsx");
        assert_eq!(job::Entity::find().count(&app.core.db).await.unwrap(), 0);
    }
);

db_test!(
    rerunning_a_file_after_a_crash_neither_loses_nor_duplicates_rows,
    |app| {
        let rep = app.user("rerun_rep", Role::SalesRep, None, None).await;
        // Every row shares one company: a re-run must not take its own leads for duplicates.
        let file = csv(&[
            "姓名,公司,电话",
            "一号,重庆同一科技有限公司,13700000001",
            "二号,重庆同一科技有限公司,13700000002",
            "三号,重庆同一科技有限公司,13700000003",
            "四号,重庆同一科技有限公司,13700000004",
            "五号,重庆同一科技有限公司,13700000005",
        ]);
        let i = uploaded(&app, &rep, "same.csv", &file).await;
        let done = run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        assert_eq!(done["report"]["imported"], 5);
        // A crash after the first rows: the last three never reached the database.
        let keys: Vec<String> = leads(&app)
            .await
            .into_iter()
            .filter_map(|l| l.import_key)
            .collect();
        lead::Entity::delete_many()
            .filter(lead::Column::ImportKey.is_in(keys[2..].to_vec()))
            .exec(&app.core.db)
            .await
            .unwrap();
        assert_eq!(lead_count(&app).await, 2);
        let i = uploaded(&app, &rep, "same.csv", &file).await;
        let done = run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        assert_eq!(done["report"]["imported"], 3, "{done}");
        assert_eq!(done["report"]["already_imported"], 2);
        assert_eq!(done["report"]["duplicates_skipped"], 0);
        // Once more: nothing new.
        let i = uploaded(&app, &rep, "same.csv", &file).await;
        let p = app
            .post(
                &format!("/api/v1/leads/imports/{}/preview", i["id"]),
                &rep,
                json!({}),
            )
            .await
            .json();
        assert_eq!(p["rows"][0]["outcome"], "already_imported");
        let done = run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        assert_eq!(done["report"]["imported"], 0);
        assert_eq!(done["report"]["already_imported"], 5);
        let all = leads(&app).await;
        assert_eq!(all.len(), 5);
        let mut names: Vec<String> = all.into_iter().map(|l| l.name).collect();
        names.sort();
        assert_eq!(names, vec!["一号", "三号", "二号", "五号", "四号"]);
    }
);

db_test!(
    duplicates_of_customers_contacts_and_leads_are_skipped_or_flagged,
    |app| {
        let admin = app.admin().await;
        let rep = app.user("dup_rep", Role::SalesRep, None, None).await;
        let other = app.user("dup_other", Role::SalesRep, None, None).await;
        let c = app
            .post(
                "/api/v1/customers",
                &rep,
                json!({"name": "北京测试科技有限公司", "phone": "010-12345678"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
        let cid = c.json()["id"].as_i64().unwrap();
        let k = app
            .post(
                "/api/v1/contacts",
                &rep,
                json!({"customer_id": cid, "name": "钱八", "email": "qian.ba@example.com"}),
            )
            .await;
        assert_eq!(k.status, StatusCode::CREATED, "{}", k.text);
        let l = app
            .post(
                "/api/v1/leads",
                &rep,
                json!({"name": "周九", "company": "腾讯科技（深圳）有限公司"}),
            )
            .await;
        assert_eq!(l.status, StatusCode::CREATED, "{}", l.text);
        // A customer the importer may not see.
        let h = app
            .post(
                "/api/v1/customers",
                &other,
                json!({"name": "隐藏客户", "phone": "020-88886666"}),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
        let file = csv(&[
            "姓名,公司,电话,邮箱",
            "甲,,(010) 1234-5678,",
            "乙,,,QIAN.BA@EXAMPLE.COM",
            "丙,腾讯科技（深圳）,,",
            "丁,全新公司,13600000000,new@example.com",
            "戊,,020 8888 6666,",
        ]);
        let i = uploaded(&app, &rep, "dups.csv", &file).await;
        let id = i["id"].as_i64().unwrap();
        let p = previewed(&app, &rep, id).await;
        let first = &p["rows"][0]["duplicates"][0];
        assert_eq!(first["kind"], "customer");
        assert_eq!(first["visible"], true);
        assert_eq!(first["id"], cid);
        assert_eq!(p["rows"][1]["duplicates"][0]["kind"], "contact");
        assert_eq!(p["rows"][2]["duplicates"][0]["kind"], "lead");
        assert_eq!(p["rows"][3]["outcome"], "import");
        let hidden = &p["rows"][4]["duplicates"][0];
        assert_eq!(hidden["visible"], false);
        assert_eq!(hidden["owner_name"], "dup_other");
        assert!(
            hidden.get("name").is_none(),
            "nothing of a hidden match: {hidden}"
        );
        let done = run(&app, &rep, id, json!({"duplicates": "skip"})).await;
        let r = &done["report"];
        assert_eq!(r["imported"], 1, "{done}");
        assert_eq!(r["duplicates_skipped"], 4);
        let kinds: Vec<&str> = r["duplicate_rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["matches"][0]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, vec!["customer", "contact", "lead", "customer"]);
        assert_eq!(lead_count(&app).await, 2, "the lead made by hand and 丁");
        // Flagged: imported all the same and listed.
        let file2 = csv(&["姓名,电话", "己,010 12345678", "庚,13500000000"]);
        let i = uploaded(&app, &rep, "dups2.csv", &file2).await;
        let done = run(
            &app,
            &rep,
            i["id"].as_i64().unwrap(),
            json!({"duplicates": "flag"}),
        )
        .await;
        assert_eq!(done["report"]["imported"], 2);
        assert_eq!(done["report"]["duplicates_flagged"], 1);
        assert_eq!(done["report"]["duplicate_rows"][0]["skipped"], false);
        assert_eq!(lead_count(&app).await, 4);
        let _ = admin;
    }
);

db_test!(owners_are_limited_to_the_importers_scope, |app| {
    let mgr = app.user("imp_mgr", Role::SalesManager, None, None).await;
    let sub = app
        .user("imp_sub", Role::SalesRep, None, Some(mgr.id))
        .await;
    let outsider = app.user("imp_out", Role::SalesRep, None, None).await;
    let file = csv(&["姓名", "冯一"]);
    let i = uploaded(&app, &mgr, "o.csv", &file).await;
    let id = i["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/leads/imports/{id}/preview"),
            &mgr,
            json!({"owner": outsider.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&r, "owner"), "out_of_scope");
    let r = app
        .post(
            &format!("/api/v1/leads/imports/{id}/run"),
            &mgr,
            json!({"owner": outsider.id.to_string()}),
        )
        .await;
    assert_eq!(field_error(&r, "owner"), "out_of_scope");
    let r = app
        .post(
            &format!("/api/v1/leads/imports/{id}/run"),
            &mgr,
            json!({"owner": 999_999}),
        )
        .await;
    assert_eq!(field_error(&r, "owner"), "not_found");
    assert_eq!(
        app.get(&format!("/api/v1/leads/imports/{id}"), &mgr)
            .await
            .json()["status"],
        "queued"
    );
    let done = run(&app, &mgr, id, json!({"owner": sub.id})).await;
    assert_eq!(done["options"]["owner_id"], sub.id);
    assert_eq!(leads(&app).await[0].owner_id, Some(sub.id));
    assert_eq!(leads(&app).await[0].created_by, Some(mgr.id));
    // A rep may choose only themselves or the pool.
    let i = uploaded(&app, &sub, "o.csv", &csv(&["姓名", "陈二"])).await;
    let id = i["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/leads/imports/{id}/run"),
            &sub,
            json!({"owner": mgr.id}),
        )
        .await;
    assert_eq!(field_error(&r, "owner"), "out_of_scope");
    let done = run(&app, &sub, id, json!({"owner": "pool"})).await;
    assert_eq!(done["options"]["owner_id"], Value::Null);
    assert_eq!(leads(&app).await[1].owner_id, None);
});

db_test!(importing_needs_market_create, |app| {
    let admin = app.admin().await;
    let rep = app.user("perm_rep", Role::SalesRep, None, None).await;
    let exec = app.user("perm_exec", Role::Executive, None, None).await;
    let file = csv(&["name", "Someone"]);
    let r = upload(&app, &exec, "x.csv", &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A rep whose role lost market:create.
    let i = uploaded(&app, &rep, "x.csv", &file).await;
    let role = app.get("/api/v1/roles/sales_rep", &admin).await.json();
    let mut modules = role["modules"].clone();
    modules["market"] = json!(["view"]);
    let r = app
        .api(
            "PUT",
            "/api/v1/roles/sales_rep",
            Some(&admin.token),
            Some(json!({"version": role["version"], "scope": role["scope"], "modules": modules})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = upload(&app, &rep, "x.csv", &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    let id = i["id"].as_i64().unwrap();
    let r = app
        .post(&format!("/api/v1/leads/imports/{id}/run"), &rep, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(job::Entity::find().count(&app.core.db).await.unwrap(), 1);
    assert_eq!(lead_count(&app).await, 0);
    let r = app.api("POST", "/api/v1/leads/imports", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The endpoints are in the OpenAPI document.
    let doc = app
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(doc["paths"]["/api/v1/leads/imports"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/leads/imports/{id}/run"]["post"].is_object());
});

/// Speed on this machine: 100,000 rows (.xlsx) with duplicate checks against existing
/// customers. Not a timed assertion: it prints rows/s. Run with
/// `cargo test --release -p crm-web --test api_lead_import -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_100k_rows() {
    let app = TestApp::init(crm_testkit::Backend::Sqlite).await.unwrap();
    let rep = app.user("bench_rep", Role::SalesRep, None, None).await;
    let customers: u64 = std::env::var("BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t = std::time::Instant::now();
    crm_service::demo_customers::generate(&app.core, customers, 7, &|_, _| {})
        .await
        .unwrap();
    println!(
        "seeded {customers} customers (with contacts) in {:?}",
        t.elapsed()
    );
    let started = std::time::Instant::now();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "公司", "手机", "邮箱", "城市", "备注"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=100_000u32 {
        ws.write_string(r, 0, format!("联系人{r}")).unwrap();
        ws.write_string(r, 1, format!("导入测试公司{}有限公司", r % 40_000))
            .unwrap();
        ws.write_number(r, 2, 13_000_000_000.0 + r as f64 * 7.0)
            .unwrap();
        ws.write_string(r, 3, format!("user{r}@example.com"))
            .unwrap();
        ws.write_string(r, 4, "上海").unwrap();
        ws.write_string(r, 5, "bench").unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    println!("built {} bytes in {:?}", bytes.len(), started.elapsed());
    let t0 = std::time::Instant::now();
    let up = uploaded(&app, &rep, "bench.xlsx", &bytes).await;
    let t_upload = t0.elapsed();
    let t1 = std::time::Instant::now();
    let done = run(&app, &rep, up["id"].as_i64().unwrap(), json!({})).await;
    let t_run = t1.elapsed();
    let total = t0.elapsed();
    println!(
        "customers {customers}; upload+check {t_upload:?}; run {t_run:?}; total {total:?}; {:.0} rows/s (run), {:.0} rows/s (upload+run); report {}",
        100_000.0 / t_run.as_secs_f64(),
        100_000.0 / total.as_secs_f64(),
        json!({"imported": done["report"]["imported"], "skipped": done["report"]["duplicates_skipped"]})
    );
}

db_test!(
    rows_repeating_an_earlier_row_of_the_file_are_duplicates,
    |app| {
        let rep = app.user("file_dup_rep", Role::SalesRep, None, None).await;
        let mut lines: Vec<String> = vec![
            "姓名,公司,手机,邮箱".into(),
            "甲,重庆山城科技有限公司,13800000001,".into(), // row 2
            "乙,,,Yi@Example.com".into(),                  // row 3
            "丙,,+86 138-0000-0001,".into(),               // row 4: phone of row 2
            "丁,,,yi@example.COM".into(),                  // row 5: email of row 3
            "戊,重庆山城科技有限公司,13800000009,".into(), // row 6: same company only
            "己,,13800000007,not-an-email".into(),         // row 7: fails
            "庚,,13800000007,".into(),                     // row 8: row 7 was not imported
        ];
        // Far apart, in another batch of the run: row 1,210 repeats row 2's phone.
        for i in 0..1_201 {
            lines.push(format!("批量{i},,1390{i:07},"));
        }
        lines.push("辛,,138 0000 0001,".into());
        let file: Vec<u8> = lines.join("\r\n").into_bytes();
        let i = uploaded(&app, &rep, "within.csv", &file).await;
        let id = i["id"].as_i64().unwrap();
        let p = previewed(&app, &rep, id).await;
        let outcomes: Vec<&str> = p["rows"]
            .as_array()
            .unwrap()
            .iter()
            .take(7)
            .map(|r| r["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes,
            vec![
                "import",
                "import",
                "skip_duplicate",
                "skip_duplicate",
                "import",
                "fail",
                "import"
            ],
            "{p}"
        );
        let m = &p["rows"][2]["duplicates"][0];
        assert_eq!(m["kind"], "import_row", "{m}");
        assert_eq!(m["id"], 2);
        assert_eq!(m["name"], "2 · 甲");
        assert_eq!(m["reasons"], json!(["phone"]));
        assert_eq!(p["rows"][3]["duplicates"][0]["reasons"], json!(["email"]));

        let done = run(&app, &rep, id, json!({"duplicates": "skip"})).await;
        let r = &done["report"];
        assert_eq!(r["failed"], 1, "{r}");
        assert_eq!(r["duplicates_skipped"], 3, "{r}");
        assert_eq!(r["imported"], 1_201 + 4);
        let rows: Vec<i64> = r["duplicate_rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["row"].as_i64().unwrap())
            .collect();
        assert_eq!(rows, vec![4, 5, 1_210]);
        assert_eq!(r["duplicate_rows"][2]["matches"][0]["id"], 2);
        assert_eq!(lead_count(&app).await, 1_205);
        // The report workbook names the earlier row.
        let dups = report_sheet(&app, &rep, id, 1).await;
        assert_eq!(dups.len(), 4, "{dups:?}");
        assert_eq!(dups[1][0], "4");
        assert!(dups[1].last().unwrap().contains("2 · 甲"), "{dups:?}");

        // Run again (a crash after the first rows): the repeats stay duplicates of rows an
        // earlier run imported.
        let i = uploaded(&app, &rep, "within.csv", &file).await;
        let done = run(&app, &rep, i["id"].as_i64().unwrap(), json!({})).await;
        assert_eq!(done["report"]["imported"], 0, "{done}");
        assert_eq!(done["report"]["duplicates_skipped"], 3);
        assert_eq!(lead_count(&app).await, 1_205);
    }
);
