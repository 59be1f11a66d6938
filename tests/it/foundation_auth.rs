//! Sign-in, sessions, CSRF, throttling, role scope and API tokens (issue #2 §5, §7).

use serde_json::{Value, json};

use crate::common::{Backend, spawn_demo};

async fn staff_login_sets_a_session_and_me_reports_the_roles(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("ga_liaison").await;
    let me: Value = c.json("/api/v1/auth/me").await;
    assert_eq!(me["org_name"], "县公安局");
    assert_eq!(me["roles"], json!(["liaison"]));
    let anon = t.client();
    assert_eq!(anon.get("/api/v1/auth/me").await.status(), 401);
}

// Issue #16 item 2: repeated failures protect the account (a one-time code is then
// required) instead of locking its owner out; after the window it opens again.
async fn wrong_passwords_are_refused_and_repeated_guessing_is_throttled(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.client();
    for _ in 0..5 {
        let r = c
            .post_json(
                "/api/v1/auth/login",
                &json!({"username": "admin", "password": "wrong-guess-1"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["message"], "用户名或密码错误");
    }
    // Even the right password is not enough while the account is protected.
    let r = c
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": "admin", "password": common_pw()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "code");
    assert!(p["detail"].as_str().unwrap().contains("一次性验证码"));
    // After the window the account opens again.
    t.clock.advance(chrono::Duration::minutes(16));
    let r = c
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": "admin", "password": common_pw()}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

fn common_pw() -> &'static str {
    crate::common::DEMO_PASSWORD
}

async fn cookie_writes_without_the_csrf_token_are_refused(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let mut c = t.staff("admin").await;
    c.csrf = String::new();
    let r = c
        .post_json(
            "/api/v1/regions",
            &json!({"code": "370322001202", "name": "田镇街道新村"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["type"], "urn:proofless:problem:csrf");
    let c = t.staff("admin").await;
    let r = c
        .post_json(
            "/api/v1/regions",
            &json!({"code": "370322001202", "name": "田镇街道新村"}),
        )
        .await;
    assert_eq!(r.status(), 201);
}

/// Every demo role except the system administrator is refused the admin routes.
async fn every_role_calling_admin_routes_is_refused_where_not_allowed(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let cases = [
        ("joint", false, false, true),
        ("window", false, false, false),
        ("justice", false, false, false),
        ("approver", false, false, false),
        ("hotline", false, false, false),
        ("credit", false, false, false),
        ("account", false, true, false),
        ("ga_admin", false, false, false),
        ("ga_liaison", false, false, false),
        ("ga_clerk", false, false, false),
        ("sj_inspector", false, false, false),
        ("admin", true, true, true),
    ];
    for (user, may_create_org, may_read_audit, may_read_registry) in cases {
        let c = t.staff(user).await;
        let org = json!({"name": format!("测试单位{user}"), "kind": "administrative_body", "region_code": "370322000000"});
        let s = c.post_json("/api/v1/orgs", &org).await.status();
        assert_eq!(s == 201, may_create_org, "{user} POST /orgs → {s}");
        if !may_create_org {
            assert_eq!(s, 403, "{user}");
        }
        let s = c.get("/api/v1/audit").await.status();
        assert_eq!(s == 200, may_read_audit, "{user} GET /audit → {s}");
        let s = c.get("/api/v1/staffing-registry").await.status();
        assert_eq!(
            s == 200,
            may_read_registry,
            "{user} GET /staffing-registry → {s}"
        );
        let s = c
            .post_json(
                "/api/v1/regions",
                &json!({"code": "370322002203", "name": "x"}),
            )
            .await
            .status();
        assert!(
            s == 403 || (user == "admin" && s == 201),
            "{user} POST /regions → {s}"
        );
    }
}

async fn a_unit_admin_grants_only_unit_roles_and_only_in_their_unit(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let c = t.staff("ga_admin").await;
    let me: Value = c.json("/api/v1/auth/me").await;
    let own = me["org_id"].as_i64().unwrap();
    let staff = json!({"username": "ga_new", "display_name": "新同事", "password": "Abcdefg123", "roles": ["proxy_agent"]});
    assert_eq!(
        c.post_json(&format!("/api/v1/orgs/{own}/staff"), &staff)
            .await
            .status(),
        201
    );
    let too_much = json!({"username": "ga_boss", "display_name": "越权", "password": "Abcdefg123", "roles": ["system_admin"]});
    assert_eq!(
        c.post_json(&format!("/api/v1/orgs/{own}/staff"), &too_much)
            .await
            .status(),
        403
    );
    let other = t.staff("sj_admin").await.json("/api/v1/auth/me").await["org_id"]
        .as_i64()
        .unwrap();
    let staff2 = json!({"username": "ga_spy", "display_name": "外单位", "password": "Abcdefg123", "roles": ["liaison"]});
    assert_eq!(
        c.post_json(&format!("/api/v1/orgs/{other}/staff"), &staff2)
            .await
            .status(),
        403
    );
    assert_eq!(
        c.get(&format!("/api/v1/orgs/{other}/staff")).await.status(),
        403
    );
}

async fn an_api_token_acts_only_for_its_own_org_and_dies_when_revoked(b: Backend) {
    let Some(t) = spawn_demo(b).await else { return };
    let admin = t.staff("admin").await;
    let ga = t.staff("ga_admin").await.json("/api/v1/auth/me").await["org_id"]
        .as_i64()
        .unwrap();
    let sj = t.staff("sj_admin").await.json("/api/v1/auth/me").await["org_id"]
        .as_i64()
        .unwrap();
    let r = admin
        .post_json(
            "/api/v1/api-tokens",
            &json!({"org_id": ga, "name": "公安业务系统", "roles": ["counter_clerk"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let token_id = created["token"]["id"].as_i64().unwrap();
    let sys = t.bearer(&secret);
    assert_eq!(
        sys.get(&format!("/api/v1/orgs/{ga}/staff")).await.status(),
        200
    );
    assert_eq!(
        sys.get(&format!("/api/v1/orgs/{sj}/staff")).await.status(),
        403
    );
    let staff = json!({"username": "via_token", "display_name": "令牌", "password": "Abcdefg123", "roles": ["liaison"]});
    assert_eq!(
        sys.post_json(&format!("/api/v1/orgs/{sj}/staff"), &staff)
            .await
            .status(),
        403
    );
    // Tokens cannot carry county-wide roles.
    let r = admin
        .post_json(
            "/api/v1/api-tokens",
            &json!({"org_id": ga, "name": "x", "roles": ["system_admin"]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        admin
            .delete(&format!("/api/v1/api-tokens/{token_id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        sys.get(&format!("/api/v1/orgs/{ga}/staff")).await.status(),
        401
    );
    // The stored token is a hash, never the secret.
    let rows: Vec<(String,)> = t
        .app
        .db
        .reader()
        .fetch_all(proofless_store::q("SELECT token_hash FROM api_tokens"))
        .await
        .unwrap();
    assert!(rows.iter().all(|(h,)| h != &secret && h.len() == 64));
}

both_backends!(
    staff_login_sets_a_session_and_me_reports_the_roles,
    wrong_passwords_are_refused_and_repeated_guessing_is_throttled,
    cookie_writes_without_the_csrf_token_are_refused,
    every_role_calling_admin_routes_is_refused_where_not_allowed,
    a_unit_admin_grants_only_unit_roles_and_only_in_their_unit,
    an_api_token_acts_only_for_its_own_org_and_dies_when_revoked,
);
