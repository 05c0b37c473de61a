//! Opportunity pages and the pipeline administration through the router, in both languages.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use crm_domain::Role;
use crm_testkit::{db_test, json, TestApp, TestUser, PASSWORD};
use serde_json::Value;

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

async fn stage(app: &TestApp, who: &TestUser, code: &str) -> i64 {
    let list = app.get("/api/v1/pipeline-stages", who).await.json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .map(id)
        .unwrap()
}

/// The HTML of the board column of `stage` (up to the next column).
fn column(html: &str, stage: i64) -> String {
    let start = html
        .find(&format!("id=\"stage-{stage}\""))
        .unwrap_or_else(|| panic!("no column for stage {stage}"));
    let rest = &html[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |e| e + 1);
    rest[..end].to_string()
}

db_test!(
    pages_render_in_both_languages_and_the_board_groups_by_stage,
    |app| {
        let rep = app.user("rep_a", Role::SalesRep, None, None).await;
        let customer = id(&app
            .post("/api/v1/customers", &rep, json!({"name": "华信科技"}))
            .await
            .json());
        let proposal = stage(&app, &rep, "proposal").await;
        let negotiation = stage(&app, &rep, "negotiation").await;
        let o = app
            .post(
                "/api/v1/opportunities",
                &rep,
                json!({"customer_id": customer, "name": "数据中心扩容", "amount": "120000.50",
                   "stage_id": proposal, "expected_close": "2026-03-12", "probability": 80}),
            )
            .await
            .json();
        let oid = id(&o);
        let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;
        let zh = format!("{session}; crm_lang=zh-CN");
        let show = format!("/opportunities/{oid}");
        let edit = format!("/opportunities/{oid}/edit");
        let pages = [
            ("/opportunities", "Expected close from", "预计成交起"),
            ("/opportunities/board", "Open opportunities", "进行中的机会"),
            (
                "/opportunities/closing-soon",
                "Likely to close soon",
                "即将成交的机会",
            ),
            ("/opportunities/new", "New opportunity", "新建销售机会"),
            (show.as_str(), "Close the opportunity", "关闭机会"),
            (edit.as_str(), "Edit opportunity", "编辑销售机会"),
        ];
        for (page, en_text, zh_text) in pages {
            let en = app.browser("GET", page, &session, None).await;
            assert_eq!(en.status, StatusCode::OK, "{page}: {}", en.text);
            assert!(en.text.contains(en_text), "{page} in English");
            let cn = app.browser("GET", page, &zh, None).await;
            assert_eq!(cn.status, StatusCode::OK, "{page}");
            assert!(cn.text.contains(zh_text), "{page} in Chinese");
            assert!(!cn.text.contains(en_text), "{page} untranslated");
            if page != "/opportunities/new" {
                assert!(en.text.contains("数据中心扩容"), "{page}");
            }
        }
        // Amounts in the installation currency, stages by their translated labels.
        let list = app.browser("GET", "/opportunities", &session, None).await;
        assert!(list.text.contains("¥120,000.50"));
        assert!(list.text.contains("¥96,000.40"), "weighted at 80 %");
        assert!(list.text.contains("Proposal"));
        let cn = app.browser("GET", "/opportunities", &zh, None).await;
        assert!(cn.text.contains("方案报价") && cn.text.contains("进行中"));
        let soon = app
            .browser(
                "GET",
                "/opportunities/closing-soon?days=30&min_probability=60",
                &zh,
                None,
            )
            .await;
        assert!(soon.text.contains("即将成交") && soon.text.contains("数据中心扩容"));
        assert!(soon.text.contains("¥96,000.40"));
        let none = app
            .browser(
                "GET",
                "/opportunities/closing-soon?min_probability=90",
                &session,
                None,
            )
            .await;
        assert!(!none.text.contains("数据中心扩容"));

        // The board shows the card under its stage, with the column's totals.
        let board = app
            .browser("GET", "/opportunities/board", &session, None)
            .await;
        let col = column(&board.text, proposal);
        assert!(
            col.contains(&format!("data-id=\"{oid}\"")),
            "card under Proposal"
        );
        assert!(col.contains("¥120,000.50") && col.contains("¥96,000.40"));
        assert!(!column(&board.text, negotiation).contains(&format!("data-id=\"{oid}\"")));
        // Moving it is a small form: without the CSRF token nothing moves.
        let to = negotiation.to_string();
        let move_path = format!("/opportunities/{oid}/stage");
        let r = app
            .browser(
                "POST",
                &move_path,
                &session,
                Some(&[("version", "1"), ("stage_id", &to)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .browser(
                "POST",
                &move_path,
                &session,
                Some(&[("_csrf", &csrf), ("version", "1"), ("stage_id", &to)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(r
            .header("location")
            .unwrap()
            .starts_with("/opportunities/board"));
        let board = app.browser("GET", "/opportunities/board", &zh, None).await;
        assert!(column(&board.text, negotiation).contains(&format!("data-id=\"{oid}\"")));
        assert!(!column(&board.text, proposal).contains(&format!("data-id=\"{oid}\"")));
        assert!(board.text.contains("商务谈判"));
        let now = app
            .get(&format!("/api/v1/opportunities/{oid}"), &rep)
            .await
            .json();
        assert_eq!(now["stage_id"], negotiation);
        assert_eq!(now["probability"], 70, "the new stage's default");
        // A stale card (old version) is refused.
        let r = app
            .browser(
                "POST",
                &move_path,
                &session,
                Some(&[
                    ("_csrf", &csrf),
                    ("version", "1"),
                    ("stage_id", &proposal.to_string()),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
);

db_test!(the_form_creates_edits_and_closes_with_field_errors, |app| {
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let peer = app.user("rep_b", Role::SalesRep, None, None).await;
    let mine = id(&app
        .post("/api/v1/customers", &rep, json!({"name": "东方电气"}))
        .await
        .json());
    let theirs = id(&app
        .post("/api/v1/customers", &peer, json!({"name": "西部矿业"}))
        .await
        .json());
    let proposal = stage(&app, &rep, "proposal").await.to_string();
    let negotiation = stage(&app, &rep, "negotiation").await.to_string();
    let (session, csrf) = app.browser_login("rep_a", PASSWORD).await;

    // Coming from the customer page, the customer is fixed.
    let form = app
        .browser(
            "GET",
            &format!("/opportunities/new?customer_id={mine}"),
            &session,
            None,
        )
        .await;
    assert!(form.text.contains("opp-customer-fixed") && form.text.contains("东方电气"));
    // Someone else's customer is not offered, neither fixed nor in the search.
    let form = app
        .browser(
            "GET",
            &format!("/opportunities/new?customer_id={theirs}"),
            &session,
            None,
        )
        .await;
    assert!(!form.text.contains("西部矿业") && form.text.contains("东方电气"));
    let opts = app
        .browser(
            "GET",
            "/opportunities/customer-options?customer_q=%E8%A5%BF%E9%83%A8",
            &session,
            None,
        )
        .await;
    assert_eq!(opts.status, StatusCode::OK);
    assert!(!opts.text.contains("西部矿业"));
    let opts = app
        .browser(
            "GET",
            "/opportunities/customer-options?customer_q=%E4%B8%9C%E6%96%B9",
            &session,
            None,
        )
        .await;
    assert!(opts.text.contains(&format!("value=\"{mine}\"")));

    // Invalid input: the form comes back with the errors, nothing is written.
    let cid = mine.to_string();
    let theirs_s = theirs.to_string();
    let r = app
        .browser(
            "POST",
            "/opportunities",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("customer_id", &theirs_s),
                ("name", "风电项目"),
                ("amount", "-5"),
                ("stage_id", &proposal),
                ("probability", "101"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Must not be negative"), "{}", r.text);
    assert!(r.text.contains("Between 0 and 100"));
    assert!(r.text.contains("Not found, or not visible to you"));
    let list = app.get("/api/v1/opportunities", &rep).await.json();
    assert!(list["items"].as_array().unwrap().is_empty());

    let r = app
        .browser(
            "POST",
            "/opportunities",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("customer_id", &cid),
                ("name", "风电项目"),
                ("amount", "1,000.5"),
                ("stage_id", &proposal),
                ("probability", ""),
                ("expected_close", "2026-03-30"),
                ("source", "exhibition"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let loc = r.header("location").unwrap();
    let oid: i64 = loc
        .trim_start_matches("/opportunities/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let o = app
        .get(&format!("/api/v1/opportunities/{oid}"), &rep)
        .await
        .json();
    assert_eq!(o["amount"], "1000.50");
    assert_eq!(o["probability"], 50);
    assert_eq!(o["source"], "exhibition");

    // Editing: a new stage with the probability untouched takes the stage's default.
    let r = app
        .browser(
            "POST",
            &format!("/opportunities/{oid}"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("stage_was", &proposal),
                ("probability_was", "50"),
                ("name", "风电项目（一期）"),
                ("amount", "1000.50"),
                ("stage_id", &negotiation),
                ("probability", "50"),
                ("expected_close", "2026-03-30"),
                ("source", "exhibition"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let o = app
        .get(&format!("/api/v1/opportunities/{oid}"), &rep)
        .await
        .json();
    assert_eq!(o["probability"], 70);
    assert_eq!(o["name"], "风电项目（一期）");

    // Lost without a reason: the page says why; with one it is closed.
    let show = format!("/opportunities/{oid}");
    let page = app.browser("GET", &show, &session, None).await;
    assert!(page.text.contains("opp-won") && page.text.contains("opp-lost"));
    let r = app
        .browser(
            "POST",
            &format!("{show}/close"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "2"),
                ("outcome", "lost"),
                ("reason", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("is-invalid"));
    let r = app
        .browser(
            "POST",
            &format!("{show}/close"),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "2"),
                ("outcome", "lost"),
                ("reason", "预算取消"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let zh = format!("{session}; crm_lang=zh-CN");
    let page = app.browser("GET", &show, &zh, None).await;
    assert!(page.text.contains("输单") && page.text.contains("预算取消"));
    assert!(page.text.contains("opp-reopen") && !page.text.contains("opp-won"));
    // A closed opportunity's edit page refuses, in Chinese.
    let r = app.browser("GET", &format!("{show}/edit"), &zh, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("该机会已关闭"));
    // Reopen from the page.
    let r = app
        .browser(
            "POST",
            &format!("{show}/reopen"),
            &session,
            Some(&[("_csrf", &csrf), ("version", "3")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let o = app
        .get(&format!("/api/v1/opportunities/{oid}"), &rep)
        .await
        .json();
    assert_eq!(o["status"], "open");
    // The peer cannot open it.
    let (peer_session, _) = app.browser_login("rep_b", PASSWORD).await;
    let r = app.browser("GET", &show, &peer_session, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

db_test!(administrators_configure_the_pipeline_page, |app| {
    let admin = app.admin().await;
    app.user("rep_a", Role::SalesRep, None, None).await;
    let (rep_session, _) = app.browser_login("rep_a", PASSWORD).await;
    let r = app
        .browser("GET", "/admin/pipeline", &rep_session, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (session, csrf) = app.browser_login("admin", PASSWORD).await;
    let page = app.browser("GET", "/admin/pipeline", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Needs analysis") && page.text.contains("Commitment"));
    let zh = format!("{session}; crm_lang=zh-CN");
    let cn = app.browser("GET", "/admin/pipeline", &zh, None).await;
    assert!(cn.text.contains("需求分析") && cn.text.contains("新增阶段"));

    // Add a stage; a bad probability comes back with the error.
    let r = app
        .browser(
            "POST",
            "/admin/pipeline",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("name", "合同审批"),
                ("probability", "150"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("Between 0 and 100"));
    let r = app
        .browser(
            "POST",
            "/admin/pipeline",
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("name", "合同审批"),
                ("probability", "95"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let stages = app.get("/api/v1/pipeline-stages", &admin).await.json();
    let items = stages["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(items[5]["name"], "合同审批");
    let proposal = items[2].clone();

    // Rename and re-price a built-in stage.
    let r = app
        .browser(
            "POST",
            &format!("/admin/pipeline/{}", id(&proposal)),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", "1"),
                ("name", "方案阶段"),
                ("probability", "40"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // Move it down.
    let r = app
        .browser(
            "POST",
            &format!("/admin/pipeline/{}/move", id(&proposal)),
            &session,
            Some(&[("_csrf", &csrf), ("version", "2"), ("direction", "down")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let stages = app.get("/api/v1/pipeline-stages", &admin).await.json();
    let items = stages["items"].as_array().unwrap();
    assert_eq!(items[3]["name"], "方案阶段");
    assert_eq!(items[3]["probability"], 40);
    assert_eq!(items[2]["code"], "negotiation");

    // Deactivating a stage in use is refused with a message; an unused one goes.
    let customer = id(&app
        .post("/api/v1/customers", &admin, json!({"name": "测试客户"}))
        .await
        .json());
    app.post(
        "/api/v1/opportunities",
        &admin,
        json!({"customer_id": customer, "name": "在用", "stage_id": id(&items[3])}),
    )
    .await;
    let version = items[3]["version"].as_i64().unwrap().to_string();
    let r = app
        .browser(
            "POST",
            &format!("/admin/pipeline/{}/active", id(&items[3])),
            &session,
            Some(&[("_csrf", &csrf), ("version", &version), ("active", "false")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text.contains("pipeline-alert") && r.text.contains("move them to another stage"));
    let first = items[0].clone();
    let r = app
        .browser(
            "POST",
            &format!("/admin/pipeline/{}/active", id(&first)),
            &session,
            Some(&[
                ("_csrf", &csrf),
                ("version", &first["version"].to_string()),
                ("active", "false"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = app.browser("GET", "/admin/pipeline", &session, None).await;
    assert!(page
        .text
        .contains(&format!("stage-reactivate-{}", id(&first))));
    let active = app.get("/api/v1/pipeline-stages", &admin).await.json();
    assert_eq!(active["items"].as_array().unwrap().len(), 5);
});

db_test!(the_list_remembers_the_view_but_not_a_customer_link, |app| {
    let rep = app.user("rep_a", Role::SalesRep, None, None).await;
    let customer = id(&app
        .post("/api/v1/customers", &rep, json!({"name": "华信科技"}))
        .await
        .json());
    let proposal = stage(&app, &rep, "proposal").await;
    for (name, amount) in [("扩容一期", "100"), ("运维合同", "200")] {
        let r = app
            .post(
                "/api/v1/opportunities",
                &rep,
                json!({"customer_id": customer, "name": name, "amount": amount,
                       "stage_id": proposal}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let (session, _) = app.browser_login("rep_a", PASSWORD).await;
    let page = app
        .browser("GET", "/opportunities?q=%E8%BF%90%E7%BB%B4", &session, None)
        .await;
    assert!(page.text.contains("运维合同") && !page.text.contains("扩容一期"));
    let saved = crm_testkit::cookie_pair(&page.cookies(), "crm_view_opportunities").unwrap();
    let cookies = format!("{session}; {saved}");
    let r = app.browser("GET", "/opportunities", &cookies, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").unwrap(),
        "/opportunities?q=%E8%BF%90%E7%BB%B4"
    );
    // A customer's list (linked from the customer page) shows all of that customer's and
    // leaves the remembered view alone.
    let r = app
        .browser(
            "GET",
            &format!("/opportunities?customer_id={customer}"),
            &cookies,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("运维合同") && r.text.contains("扩容一期"));
    assert!(crm_testkit::cookie_pair(&r.cookies(), "crm_view_opportunities").is_none());
    // Reset shows everything again and forgets the view.
    let r = app
        .browser("GET", "/opportunities?q=", &cookies, None)
        .await;
    assert!(r.text.contains("运维合同") && r.text.contains("扩容一期"));
    assert!(r
        .cookies()
        .iter()
        .any(|c| c.starts_with("crm_view_opportunities=") && c.contains("Max-Age=0")));
});
