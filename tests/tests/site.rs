//! The catalog site: `evreg docs` writes the pages `evreg serve` answers,
//! byte for byte; they pass an HTML validator (html-validate, from npm);
//! a real headless Chromium (Debian's `chromium`, `EVREG_TEST_CHROMIUM`)
//! loads them without a console error, and shows the catalog's titles,
//! rows and property tables, served and from disk; `serve --watch`
//! reloads a changed catalog and keeps the last good one on a broken one.

use std::path::{Path, PathBuf};
use std::process::Command;

use evreg::Catalog;
use evreg_tests::server::Server;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn evreg_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("evreg")
}

/// `evreg docs CATALOG -o OUT` (more args after), its standard error.
fn docs(catalog: &Path, out: &Path, more: &[&str]) -> (bool, String) {
    let run = Command::new(evreg_bin())
        .arg("docs")
        .arg(catalog)
        .arg("-o")
        .arg(out)
        .args(more)
        .env_remove("EVREG_CATALOG")
        .output()
        .unwrap();
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// Every file under `dir`, by its path from `dir` (`/` separators).
fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy();
                found.push(name.replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_static_site_is_the_served_site_byte_for_byte() {
    let catalog = Catalog::load(repo().join("catalog")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (ok, said) = docs(&repo().join("catalog"), out.path(), &[]);
    assert!(ok, "{said}");
    let written = files(out.path());
    assert_eq!(
        written.len(),
        1 + 2 + catalog.events().len() + catalog.definitions().len(),
        "index, two assets, a page per event and per definition: {written:?}"
    );
    let server = Server::start(&evreg_bin(), &repo(), &["catalog", "--quiet"]);
    for name in &written {
        let served = server.get(&format!("/{name}"));
        assert_eq!(served.status, 200, "/{name}");
        let on_disk = std::fs::read(out.path().join(name)).unwrap();
        assert!(
            served.body == on_disk,
            "/{name} is not the file evreg docs wrote"
        );
        let kind = served.header("content-type").unwrap();
        let expected = match name.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            other => panic!("unexpected file kind {other:?}"),
        };
        assert_eq!(kind, expected, "/{name}");
    }
    assert_eq!(
        server.get("/").body,
        std::fs::read(out.path().join("index.html")).unwrap()
    );
    // Gzipped for clients that ask, the same content (Chromium reads it so
    // in the browser test).
    let plain = server.get("/");
    let gzipped = server.request("GET", "/", &[("Accept-Encoding", "gzip")], "");
    assert_eq!(gzipped.status, 200);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(
        gzipped.body.len() * 4 < plain.body.len(),
        "{} bytes gzipped, {} plain",
        gzipped.body.len(),
        plain.body.len()
    );
    assert_eq!(gzipped.header("etag"), plain.header("etag"));
    let missing = server.get("/events/NO_SUCH_EVENT.html");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("no page"), "{}", missing.text());
}

#[test]
fn docs_writes_only_changes_and_removes_only_its_own_stale_pages() {
    let out = tempfile::tempdir().unwrap();
    let catalog = repo().join("catalog");
    let (ok, said) = docs(&catalog, out.path(), &[]);
    assert!(ok, "{said}");
    let (ok, said) = docs(&catalog, out.path(), &[]);
    assert!(ok && said.contains(" 0 written"), "{said}");
    assert!(docs(&catalog, out.path(), &["--check"]).0);

    // A page of an event that left the catalog goes; a file of the
    // folder's owner stays.
    std::fs::write(out.path().join("events/GONE.html"), "old page").unwrap();
    std::fs::write(out.path().join("notes.txt"), "mine").unwrap();
    let page = out.path().join("events/TICKET_CREATED.html");
    std::fs::write(&page, "edited").unwrap();
    let (ok, said) = docs(&catalog, out.path(), &["--check"]);
    assert!(!ok, "{said}");
    assert!(said.contains("TICKET_CREATED.html` is stale"), "{said}");
    assert!(said.contains("GONE.html"), "{said}");
    let (ok, said) = docs(&catalog, out.path(), &[]);
    assert!(
        ok && said.contains("1 written") && said.contains("1 removed"),
        "{said}"
    );
    assert!(!out.path().join("events/GONE.html").exists());
    assert!(out.path().join("notes.txt").exists());
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );

    // A folder evreg did not write: nothing of it is removed.
    let foreign = tempfile::tempdir().unwrap();
    std::fs::create_dir(foreign.path().join("events")).unwrap();
    std::fs::write(foreign.path().join("events/theirs.html"), "theirs").unwrap();
    std::fs::write(foreign.path().join("index.html"), "their index").unwrap();
    let (ok, said) = docs(&catalog, foreign.path(), &[]);
    assert!(ok, "{said}");
    assert!(foreign.path().join("events/theirs.html").exists());
}

/// Every page of the shipped catalog and of each code-generation fixture
/// (every keyword evreg reads) passes html-validate's recommended rules.
#[test]
fn every_page_passes_an_html_validator() {
    let Some(modules) = evreg_tests::services::path(
        "EVREG_TEST_NODE_MODULES",
        "the HTML validator's test (.ci/run installs tests/npm)",
    ) else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let mut catalogs = vec![repo().join("catalog")];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/codegen"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("catalog.toml").is_file())
        .collect();
    fixtures.sort();
    catalogs.extend(fixtures);
    // GitHub's webhook schemas as published: names, keywords and nesting
    // nobody here chose.
    if let Some(corpus) = evreg_tests::github::corpus() {
        let github = root.path().join("github-catalog");
        evreg_tests::github::write_catalog(
            &github,
            &evreg_tests::github::without_bad_examples(evreg_tests::github::events(&corpus)),
        );
        catalogs.push(github);
    }
    let mut pages = Vec::new();
    for (i, catalog) in catalogs.iter().enumerate() {
        let out = root.path().join(i.to_string());
        let (ok, said) = docs(catalog, &out, &[]);
        assert!(ok, "{}: {said}", catalog.display());
        pages.extend(
            files(&out)
                .into_iter()
                .filter(|f| f.ends_with(".html"))
                .map(|f| out.join(f)),
        );
    }
    assert!(pages.len() > 150, "{} pages", pages.len());
    let run = Command::new(modules.join(".bin/html-validate"))
        .arg("--config")
        .arg(repo().join("tests/npm/htmlvalidate.json"))
        .args(&pages)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// What tests/npm/site_browser.mjs must see on the shipped catalog's site,
/// worked out from the catalog.
fn expected_in_the_browser(catalog: &Catalog) -> Value {
    let events = catalog.events();
    let n = events.len();
    let search = |e: &&evreg::Event| {
        let text = format!(
            "{} {} {} {}",
            e.event_type,
            e.name,
            e.description,
            e.aliases.join(" ")
        )
        .to_lowercase();
        text.contains("ticket") && text.contains("created")
    };
    let found = events.iter().filter(search).count();
    let deprecated = events
        .iter()
        .filter(|e| e.status == evreg::Status::Deprecated)
        .count();
    let event = catalog.event("TICKET_CREATED").unwrap();
    let latest = event.latest().unwrap();
    let required: Vec<&str> = latest.schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let properties: Vec<Value> = latest.schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| json!({"name": k, "required": if required.contains(&k.as_str()) { "yes" } else { "no" }}))
        .collect();
    let money = &catalog.definitions()["Money"];
    let used_by: Vec<String> = catalog
        .versions()
        .filter(|(_, v)| v.schema["$defs"].get("Money") == Some(money))
        .map(|(e, v)| format!("{} v{}", e.event_type, v.version))
        .collect();
    let of = |k: usize| format!("{k} of {n} events");
    json!({
        "index": {
            "title": format!("Events · {}", catalog.name()),
            "h1": format!("Events of {}", catalog.name()),
            "rows": n,
            "shown": of(n),
            "definitions": catalog.definitions().keys().collect::<Vec<_>>(),
        },
        "search": {
            "query": "ticket created",
            "rows": found,
            "every_matches": true,
            "shown": of(found),
            "address": "?q=ticket+created",
        },
        "status_filter": {"rows": deprecated, "statuses": ["deprecated"], "shown": of(deprecated)},
        "from_address": deprecated,
        "event": {
            "title": format!("TICKET_CREATED · {}", catalog.name()),
            "h1": "TICKET_CREATED",
            "versions": ["Version 2 latest", "Version 1"],
            "properties": properties,
            "changes": ["v1 → v2"],
        },
        "definition": {"h1": "Money", "used_by": used_by},
        "problems": [],
    })
}

/// The site in headless Chromium, served and from the files of `evreg
/// docs` (`file://`); screenshots in target/tmp/site-screenshots.
#[test]
fn the_site_in_a_real_browser() {
    let Some(_) = evreg_tests::services::path(
        "EVREG_TEST_NODE_MODULES",
        "the browser test (.ci/run installs tests/npm)",
    ) else {
        return;
    };
    let Some(chromium) = evreg_tests::services::path(
        "EVREG_TEST_CHROMIUM",
        "the browser test (.ci/run installs Debian's chromium)",
    ) else {
        return;
    };
    let catalog = Catalog::load(repo().join("catalog")).unwrap();
    let expected = expected_in_the_browser(&catalog);
    let server = Server::start(&evreg_bin(), &repo(), &["catalog", "--quiet"]);
    let out = tempfile::tempdir().unwrap();
    let (ok, said) = docs(&repo().join("catalog"), out.path(), &[]);
    assert!(ok, "{said}");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    let from_disk = format!("file://{}/", out.path().display());
    for (base, name) in [
        (format!("{}/", server.url), "served"),
        (from_disk, "static"),
    ] {
        let run = Command::new("node")
            .arg(repo().join("tests/npm/site_browser.mjs"))
            .arg(&base)
            .arg(shots.join(name))
            .args(["TICKET_CREATED", "Money"])
            .env("EVREG_TEST_CHROMIUM", &chromium)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let seen: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(seen, expected, "{name} site at {base}");
        for shot in [
            "index.png",
            "index-search.png",
            "event.png",
            "definition.png",
        ] {
            let path = shots.join(name).join(shot);
            let bytes = std::fs::read(&path).unwrap();
            assert!(bytes.starts_with(b"\x89PNG"), "{}", path.display());
        }
    }
    eprintln!("screenshots: {}", shots.display());
}

/// `evreg serve --watch`: a change is served once the catalog reloads; a
/// catalog with errors is reported with file and line, and the last good
/// one stays served until the errors are fixed.
#[test]
fn watch_reloads_and_keeps_the_last_good_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    evreg_tests::copy_dir(&repo().join("catalog"), &catalog);
    let mut server = Server::start(&evreg_bin(), dir.path(), &["catalog", "--watch", "--quiet"]);
    server.wait_for("watching");
    let page = "/events/APPOINTMENT_CREATED.html";
    let before = server.get(page);
    let tag = before.header("etag").unwrap().to_owned();
    let old = "An appointment was booked with a client.";
    let new = "An appointment was booked, by a client or by staff.";
    assert!(before.text().contains(old));

    let file = catalog.join("events/scheduling.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen(old, new, 1)).unwrap();
    server.wait_for("reloaded");
    let after = server.request("GET", page, &[("If-None-Match", &tag)], "");
    assert_eq!(after.status, 200, "the page changed: a new ETag");
    assert!(after.text().contains(new));
    let event: Value =
        serde_json::from_slice(&server.get("/v1/events/APPOINTMENT_CREATED").body).unwrap();
    assert_eq!(event["description"], new);

    // Broken: reported, and the last good catalog stays served.
    std::fs::write(
        &file,
        format!("{}\nbroken = [\n", text.replacen(old, new, 1)),
    )
    .unwrap();
    let report = server.read_until("still serving");
    assert!(report.contains("error[toml-syntax]"), "{report}");
    assert!(report.contains("events/scheduling.toml:"), "{report}");
    assert!(
        !report.contains("released-version-removed"),
        "the versions of a file that does not parse are not removed: {report}"
    );
    assert!(server.get(page).text().contains(new));
    assert_eq!(
        server.get("/subjects/APPOINTMENT_CREATED/versions").status,
        200
    );

    // Fixed: served again.
    std::fs::write(&file, &text).unwrap();
    server.wait_for("reloaded");
    assert!(server.get(page).text().contains(old));
}
