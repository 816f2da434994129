//! The registrar portal through real HTTP, as a browser without JavaScript uses it: sign in
//! (throttled), issue through the form — a `<script>` in a claim comes back escaped —, upload
//! a graduating class with a bad row (nothing issued) and then a good one, revoke with a
//! registry receipt, rotate the key, read the audit log, sign out. Forms without the session's
//! CSRF token are refused.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use sigil_tests::browser::Browser;
use sigil_tests::wallet_client::TestWallet;
use sigil_tests::{IssuerProcess, RegistryProcess, Scratch, TEST_PASSPHRASE, binary, run};

const PASSWORD: &str = "registrar password 2026";
const HOSTILE: &str = "<script>alert('pwned')</script>";

/// Signs in to the portal, keeping the session cookie.
async fn sign_in(browser: &mut Browser, username: &str, password: &str) -> reqwest::Response {
    let csrf = browser.open_form("/portal/login").await;
    let response = browser
        .post(
            "/portal/login",
            &[("username", username), ("password", password), ("csrf", &csrf)],
        )
        .await;
    browser.keep_cookie(&response);
    response
}

fn form_value<'a>(html: &'a str, label: &str) -> &'a str {
    let start = html.find(label).unwrap() + label.len();
    html[start..].split('<').next().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registrar_issues_revokes_and_rotates_from_the_portal() {
    let scratch = Scratch::new();
    let registry = tokio::task::spawn_blocking({
        let dir = scratch.path("registry");
        move || RegistryProcess::start(&dir)
    })
    .await
    .unwrap();
    let university = scratch.path("university");
    let dir = university.to_str().unwrap();
    let command = |args: &[&str]| {
        run(std::process::Command::new(binary("sigil-issuer"))
            .args(args)
            .env("SIGIL_PASSPHRASE", TEST_PASSPHRASE)
            .env("SIGIL_REGISTRAR_PASSWORD", PASSWORD))
    };
    command(&[
        "init",
        "--data-dir",
        dir,
        "--registry",
        registry.url.as_str(),
        "--name",
        "Example University",
    ])
    .expect_code(0);
    command(&["registrar", "add", "--data-dir", dir, "--username", "registrar"]).expect_code(0);
    let weak = run(std::process::Command::new(binary("sigil-issuer"))
        .args(["registrar", "add", "--data-dir", dir, "--username", "weak"])
        .env("SIGIL_REGISTRAR_PASSWORD", "short"));
    assert_eq!(weak.code, Some(1));
    assert!(weak.stderr.contains("at least 12 characters"), "{}", weak.stderr);
    let issuer = IssuerProcess::start(&university);
    let mut browser = Browser::new(&issuer.url);

    // Signed out, every page leads to the sign-in form.
    let (status, _) = browser.get("/portal/credentials").await;
    assert_eq!(status, 303);
    let wrong = sign_in(&mut browser, "registrar", "not the password").await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(wrong.text().await.unwrap().contains("Wrong username or password"));
    let right = sign_in(&mut browser, "registrar", PASSWORD).await;
    assert_eq!(right.status().as_u16(), 303);
    let cookie = right.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let (status, dashboard) = browser.get("/portal").await;
    assert_eq!(status, 200);
    assert!(dashboard.contains("Example University"));

    // Issue one diploma through the form, with a hostile name.
    let csrf = browser
        .csrf("/portal/issue?type=UniversityDegreeCredential")
        .await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("type", "UniversityDegreeCredential"),
        ("format", "ldp_vc"),
        ("name", HOSTILE),
        ("studentId", "S-1815-042"),
        ("dateOfBirth", "1815-12-10"),
        ("degree.type", "BachelorDegree"),
        ("degree.name", "Bachelor of Science in Mathematics"),
        ("fieldOfStudy", "Mathematics"),
        ("honours", ""),
        ("graduationDate", "2026-06-30"),
    ];
    let forged = browser
        .post("/portal/issue", &[&[("csrf", "forged")], &fields[1..]].concat())
        .await;
    assert_eq!(
        forged.status().as_u16(),
        403,
        "a form without the session's token"
    );
    let offer_page = browser.post("/portal/issue", &fields).await;
    assert_eq!(offer_page.status().as_u16(), 200);
    let offer_page = offer_page.text().await.unwrap();
    assert!(!offer_page.contains("<script>alert"), "the claim is escaped");
    assert!(offer_page.contains("data:image/svg+xml;base64,"), "a QR code");
    let pin = form_value(&offer_page, r#"<strong class="pin">"#).to_owned();
    let offer_uri = form_value(&offer_page, r#"<a class="hash" href=""#)
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert_eq!(pin.len(), 6);

    // A schema error re-shows the form with what was typed and why.
    fields[6] = ("dateOfBirth", "10/12/1815");
    let invalid = browser.post("/portal/issue", &fields).await;
    assert_eq!(invalid.status().as_u16(), 422);
    let invalid = invalid.text().await.unwrap();
    assert!(invalid.contains("dateOfBirth"), "{invalid}");
    assert!(invalid.contains(r#"value="10/12/1815""#));

    // The wallet collects it.
    let wallet = TestWallet::new();
    let credential = wallet.receive(&offer_uri, &pin).await;
    assert_eq!(credential["credentialSubject"]["name"], HOSTILE);

    // A class with a bad row issues nothing; the fixed class is stored with progress.
    let csrf = browser.csrf("/portal/upload").await;
    let header = "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate";
    let upload = |csv: String| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("type", "UniversityDegreeCredential")
            .text("format", "dc+sd-jwt")
            .part(
                "file",
                reqwest::multipart::Part::text(csv)
                    .file_name("class.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        browser
            .with_cookie(
                browser
                    .http
                    .post(format!("{}/portal/upload", browser.base))
                    .multipart(form),
            )
            .send()
    };
    let bad = upload(format!(
        "{header}\nGrace Hopper,S-1,1906-12-09,MasterDegree,MSc Mathematics,Mathematics,,2026-06-30\nNo Date,S-2,,BachelorDegree,BSc,Physics,,2026-06-30\n"
    ))
    .await
    .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("<td>3</td>"), "{bad}");
    let (_, listed) = browser.get("/portal/credentials?q=Hopper").await;
    assert!(listed.contains("No credentials"), "nothing half-issued");
    let good = upload(format!(
        "{header}\nGrace Hopper,S-1,1906-12-09,MasterDegree,MSc Mathematics,Mathematics,,2026-06-30\nEmmy Noether,S-2,1882-03-23,DoctoralDegree,PhD Mathematics,Mathematics,,2026-06-30\n"
    ))
    .await
    .unwrap();
    assert_eq!(good.status().as_u16(), 303);
    let batch_page = good.headers()["location"].to_str().unwrap().to_owned();
    let (browser_ref, page_path) = (&browser, &batch_page);
    let done = sigil_tests::wait::until(|| async move {
        let (_, page) = browser_ref.get(page_path).await;
        assert!(
            page.contains("offers.csv") || page.contains("<progress"),
            "{page}"
        );
        page.contains("offers.csv").then_some(page)
    })
    .await
    .unwrap_or_default();
    assert!(done.contains("All 2 offers are stored"), "{done}");
    let (status, csv) = browser.get(&format!("{batch_page}/offers.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("openid-credential-offer://"));
    let (_, qr_codes) = browser.get(&format!("{batch_page}/offers")).await;
    assert_eq!(qr_codes.matches("data:image/svg+xml").count(), 2);

    // Find the form-issued diploma: escaped in the list; revoke it.
    let (_, listed) = browser.get("/portal/credentials?q=alert").await;
    assert!(!listed.contains("<script>alert"), "{listed}");
    let link = form_value(&listed, r#"<a href="/portal/credentials/"#)
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csrf = browser.csrf(&format!("/portal/credentials/{link}")).await;
    let revoked = browser
        .post(
            &format!("/portal/credentials/{link}/status"),
            &[("csrf", &csrf), ("action", "revoke")],
        )
        .await;
    assert_eq!(revoked.status().as_u16(), 200);
    let revoked = revoked.text().await.unwrap();
    assert!(revoked.contains("now revoked"), "{revoked}");
    assert!(revoked.contains("Published to the registry"), "{revoked}");
    assert!(!revoked.contains("<script>alert"));

    // Routine key rotation.
    let csrf = browser.csrf("/portal/keys").await;
    let rotated = browser
        .post("/portal/keys/rotate", &[("csrf", &csrf), ("mode", "routine")])
        .await
        .text()
        .await
        .unwrap();
    assert!(rotated.contains("#key-2"), "{rotated}");

    let (_, audit) = browser.get("/portal/audit").await;
    for action in ["sign in", "create offer", "issue", "revoke", "rotate key"] {
        assert!(audit.contains(&format!("<td>{action}</td>")), "{action}: {audit}");
    }
    assert!(!audit.contains("pwned"), "the audit log holds no claims");

    // Sign out: the session is gone.
    let csrf = browser.csrf("/portal").await;
    let out = browser.post("/portal/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status().as_u16(), 303);
    let (status, _) = browser.get("/portal").await;
    assert_eq!(status, 303);

    // Guessing passwords is throttled, even with the right one after the limit.
    let mut guesser = Browser::new(&issuer.url);
    for _ in 0..5 {
        assert_eq!(
            sign_in(&mut guesser, "registrar", "guess")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    let locked = sign_in(&mut guesser, "registrar", PASSWORD).await;
    assert_eq!(locked.status().as_u16(), 429);
}
