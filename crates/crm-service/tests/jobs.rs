//! Jobs keep their result file in the database; reading a job's progress leaves it there.
#![allow(clippy::unwrap_used)]

use crm_domain::Role;
use crm_testkit::db_test;

db_test!(
    progress_reads_leave_the_result_file_in_the_database,
    |app| {
        let db = &app.core.db;
        let now = app.core.now();
        let rep = app.user("job_rep", Role::SalesRep, None, None).await;
        let job = crm_store::jobs::insert(db, "customer_export", rep.id, Some(3), now)
            .await
            .unwrap();
        let file: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        crm_store::jobs::finish(db, job.id, 3, file.clone(), "c.xlsx", "application/x", now)
            .await
            .unwrap();
        let status = crm_store::jobs::find(db, job.id).await.unwrap().unwrap();
        assert_eq!(
            (status.status.as_str(), status.done, status.total),
            ("done", 3, Some(3))
        );
        assert_eq!(status.result_name.as_deref(), Some("c.xlsx"));
        assert_eq!(status.result, None, "no file on a progress read");
        let full = crm_store::jobs::find_with_result(db, job.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(full.result, Some(file));
        assert!(crm_store::jobs::find(db, job.id + 1)
            .await
            .unwrap()
            .is_none());
    }
);
